"""The rest of IRIS's DDL on the simulator: indexes, DROP, TRUNCATE, schemas, ALTER TABLE.

Docs: RSQL_createindex (BITMAP, AS HNSW(...): kept as plain indexes), RSQL_droptable (CASCADE,
%DELDATA/%NODELDATA), RSQL_truncatetable (resets RowID, IDENTITY and SERIAL counters, not
ROWVERSION), RSQL_createschema / RSQL_dropschema, GSQL_foreignkeys (ALTER TABLE ADD CONSTRAINT).
"""

from __future__ import annotations

import sqlite3
from functools import partial

from irisfx.engines.sim.dialect import catalog as cat
from irisfx.engines.sim.dialect.catalog import Catalog, quote
from irisfx.engines.sim.dialect.ddl import column_definition, parse_column, references
from irisfx.engines.sim.dialect.names import table_name
from irisfx.engines.sim.dialect.problems import SyntaxProblem
from irisfx.engines.sim.dialect.result import Step, Translation
from irisfx.engines.sim.dialect.tokens import Token, closing, split_top
from irisfx.errors import NotEmulatedError

_INDEX_KINDS = {"BITMAP", "BITSLICE", "COLUMNAR", "BITMAPEXTENT"}


def create_index(tokens: list[Token]) -> Translation:
    """``CREATE [UNIQUE|BITMAP|...] INDEX [IF NOT EXISTS] n ON [TABLE] t (cols) [AS ...]``."""
    index = 1
    unique = False
    kinds = []
    while tokens[index].upper in _INDEX_KINDS | {"UNIQUE"}:
        unique = unique or tokens[index].is_word("UNIQUE")
        kinds.append(tokens[index].upper)
        index += 1
    index += 1  # INDEX
    if_not_exists = [t.upper for t in tokens[index:index + 3]] == ["IF", "NOT", "EXISTS"]
    index += 3 if if_not_exists else 0
    name = tokens[index].name
    index += 1
    if not tokens[index].is_word("ON"):
        raise SyntaxProblem("CREATE INDEX without ON table")
    index += 1
    if tokens[index].is_word("TABLE"):
        index += 1
    table, index = table_name(tokens, index)
    if "BITMAPEXTENT" in kinds:
        return Translation((), note="a bitmap extent index holds no data the simulator keeps")
    if index >= len(tokens) or tokens[index].text != "(":
        raise SyntaxProblem("CREATE INDEX without a column list")
    end = closing(tokens, index)
    columns = ", ".join(
        " ".join(quote(t.name) if t.kind in ("word", "qident") and t.upper not in (
            "ASC", "DESC") else t.text for t in part)
        for part in split_top(tokens[index + 1:end]))
    head = "CREATE UNIQUE INDEX" if unique else "CREATE INDEX"
    exists = " IF NOT EXISTS" if if_not_exists else ""
    return Translation((f"{head}{exists} {quote(table + '.' + name)} ON {quote(table)} "
                        f"({columns})",))


def drop_index(tokens: list[Token], catalog: Catalog,
               connection: sqlite3.Connection) -> Translation:
    """``DROP INDEX [IF EXISTS] name [ON [TABLE] t]`` or ``DROP INDEX t.name``."""
    index = 2
    if_exists = [t.upper for t in tokens[2:4]] == ["IF", "EXISTS"]
    index += 2 if if_exists else 0
    parts = [t.name for t in tokens[index:] if t.kind in ("word", "qident")]
    if len(parts) >= 3 and parts[1].upper() == "ON":
        rest = [p for p in parts[2:] if p.upper() != "TABLE"]
        full = cat.qualified(".".join(rest[-2:])) + "." + parts[0]
    else:
        wanted = "." + parts[-1].lower()
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")
            if str(row[0]).lower().endswith(wanted)]
        if len(names) > 1 and len(parts) == 1:
            raise SyntaxProblem(f"index {parts[-1]} exists on several tables; name the table")
        full = names[0] if names else parts[-1]
    return Translation((f"DROP INDEX {'IF EXISTS ' if if_exists else ''}{quote(full)}",))


def drop_table(tokens: list[Token], catalog: Catalog) -> Translation:
    """``DROP TABLE [IF EXISTS] t [RESTRICT|CASCADE] [%DELDATA|%NODELDATA]``."""
    index = 2
    if_exists = [t.upper for t in tokens[2:4]] == ["IF", "EXISTS"]
    index += 2 if if_exists else 0
    name, index = table_name(tokens, index)
    rest = {t.upper for t in tokens[index:]}
    if rest - {"RESTRICT", "CASCADE", "%DELDATA", "%NODELDATA"}:
        raise SyntaxProblem(f"DROP TABLE {name} followed by {sorted(rest)}")
    steps: list[Step] = [f"DROP TABLE {'IF EXISTS ' if if_exists else ''}{quote(name)}"]
    table = catalog.table(name)
    if table is not None:
        steps.append(_forget_counters(table))
    return Translation(tuple(steps))


def _forget_counters(table: cat.Table) -> str:
    keys = [f"'{cat.SERIAL_KEY}{s}'" for s in table.serials] + [f"'{table.name}'"]
    return f"DELETE FROM sqlite_sequence WHERE name IN ({', '.join(keys)})"


def truncate(tokens: list[Token], catalog: Catalog) -> Translation:
    """``TRUNCATE TABLE [%NOCHECK] [%NOLOCK] t``: no rows, counters back to the start."""
    index = 2
    while index < len(tokens) and tokens[index].upper.startswith("%NO"):
        index += 1
    name, _ = table_name(tokens, index)
    table = catalog.table(name)
    if table is None:
        raise sqlite3.OperationalError(f"SQLCODE -30: table {name} not found")
    return Translation((f"DELETE FROM {quote(name)}", _forget_counters(table)))


def create_schema(tokens: list[Token], catalog: Catalog) -> Translation:
    """``CREATE SCHEMA [IF NOT EXISTS] s``: schemas exist by their tables on the simulator."""
    if_not_exists = [t.upper for t in tokens[2:5]] == ["IF", "NOT", "EXISTS"]
    name = tokens[5 if if_not_exists else 2].name
    if not if_not_exists and _tables_of(name, catalog):
        raise sqlite3.OperationalError(f"SQLCODE -476: schema {name} already exists")
    return Translation(())


def drop_schema(tokens: list[Token], catalog: Catalog) -> Translation:
    """``DROP SCHEMA [IF EXISTS] s [RESTRICT|CASCADE]`` (RESTRICT: fails if it holds tables)."""
    if_exists = [t.upper for t in tokens[2:4]] == ["IF", "EXISTS"]
    name = tokens[4 if if_exists else 2].name
    cascade = tokens[-1].is_word("CASCADE")
    tables = _tables_of(name, catalog)
    if tables and not cascade:
        raise sqlite3.OperationalError(f"SQLCODE -475: schema {name} is not empty "
                                       "(DROP SCHEMA ... CASCADE drops its tables)")
    views = [v for v in catalog.views if v.startswith(name.lower() + ".")]
    # Tables referring to each other go together: keys are checked once all are gone.
    steps: list[Step] = ["PRAGMA defer_foreign_keys = ON"]
    steps += [f"DROP VIEW IF EXISTS {quote(v)}" for v in views]
    for table in tables:
        steps += [f"DROP TABLE {quote(table.name)}", _forget_counters(table)]
    return Translation(tuple(steps))


def _tables_of(schema: str, catalog: Catalog) -> list[cat.Table]:
    prefix = schema.lower() + "."
    return [t for key, t in catalog.tables.items() if key.startswith(prefix)]


def alter_table(tokens: list[Token], catalog: Catalog) -> Translation:
    """``ALTER TABLE t ADD [CONSTRAINT c] UNIQUE|PRIMARY KEY|FOREIGN KEY ...``, ADD/DROP COLUMN."""
    name, index = table_name(tokens, 2)
    table = catalog.table(name)
    if table is None:
        raise sqlite3.OperationalError(f"SQLCODE -30: table {name} not found")
    words = [t.upper for t in tokens[index:index + 2]]
    if words[:1] == ["ADD"]:
        rest = tokens[index + 1:]
        label = None
        if rest and rest[0].is_word("CONSTRAINT"):
            label, rest = rest[1].name, rest[2:]
        if rest and rest[0].upper in ("UNIQUE", "PRIMARY", "FOREIGN"):
            return _add_constraint(table, label, rest, catalog)
        if rest and rest[0].is_word("COLUMN"):
            rest = rest[1:]
        column = parse_column(rest)
        if column.primary or column.unique or column.identity or column.type.counter:
            raise NotEmulatedError("ALTER TABLE ADD COLUMN with a key or counter")
        definition = column_definition(name, column, False, single_primary=False)
        return Translation((f"ALTER TABLE {quote(name)} ADD COLUMN {definition}",))
    if words[:1] == ["DROP"] and len(tokens) > index + 1:
        rest = tokens[index + 1:]
        if rest[0].is_word("COLUMN"):
            rest = rest[1:]
        if rest and not rest[0].is_word("CONSTRAINT") and len(rest) <= 2:
            return Translation((f"ALTER TABLE {quote(name)} DROP COLUMN {quote(rest[0].name)}",))
        if rest and rest[0].is_word("CONSTRAINT"):
            return Translation((f"DROP INDEX {quote(name + '.' + rest[1].name)}",))
    raise NotEmulatedError("this form of ALTER TABLE")


def _add_constraint(table: cat.Table, label: str | None, rest: list[Token],
                    catalog: Catalog) -> Translation:
    start = next(i for i, t in enumerate(rest) if t.text == "(")
    end = closing(rest, start)
    names = [t.name for t in rest[start + 1:end] if t.kind != "op"]
    listed = ", ".join(quote(n) for n in names)
    if rest[0].upper in ("UNIQUE", "PRIMARY"):
        index_name = quote(f"{table.name}.{label or '_'.join(names)}")
        return Translation((f"CREATE UNIQUE INDEX {index_name} ON {quote(table.name)} "
                            f"({listed})",))
    target = references(rest[end + 1:])
    if target is None:
        return Translation((), note="a NOCHECK foreign key is not enforced")
    parent_name, _ = table_name(rest, end + 2)
    parent = catalog.table(parent_name)
    if parent is None:
        raise sqlite3.OperationalError(f"SQLCODE -30: table {parent_name} not found")
    if "(" not in target:
        keys = parent.primary_key or tuple(c.name for c in parent.columns if c.role)
        target = target.replace(quote(parent.name),
                                f"{quote(parent.name)} ({', '.join(quote(k) for k in keys)})", 1)
    clause = f"CONSTRAINT {quote(label or 'fk')} FOREIGN KEY ({listed}) {target}"
    parent_keys = target.split("(", 1)[1].split(")", 1)[0]
    unmatched = (f"SELECT COUNT(*) FROM {quote(table.name)} AS c WHERE "
                 + " AND ".join(f"c.{quote(n)} IS NOT NULL" for n in names)
                 + f" AND NOT EXISTS (SELECT 1 FROM {quote(parent.name)} AS p WHERE "
                 + " AND ".join(f"p.{k.strip()} = c.{quote(n)}"
                                for k, n in zip(parent_keys.split(","), names, strict=False))
                 + ")")
    return Translation((partial(_add_foreign_key, table.name, clause, names, unmatched),))


def _add_foreign_key(table: str, clause: str, columns: list[str], unmatched: str,
                     cursor: sqlite3.Cursor) -> None:
    """Add a foreign key to a table's stored definition (SQLite's documented way for changes
    that leave the stored rows as they are), after checking the rows already there."""
    problems = int(cursor.execute(unmatched).fetchone()[0])
    if problems:
        raise sqlite3.IntegrityError(
            f"SQLCODE -124: {problems} row(s) of {table} do not match the new foreign "
            f"key ({', '.join(columns)})")
    row = cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                         (table,)).fetchone()
    sql = str(row[0]).rstrip()
    if not sql.endswith(")"):
        raise SyntaxProblem(f"the definition of {table} cannot take a constraint")
    version = int(cursor.execute("PRAGMA schema_version").fetchone()[0])
    cursor.execute("PRAGMA writable_schema = ON")
    try:
        cursor.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                       (sql[:-1] + ", " + clause + ")", table))
        cursor.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        cursor.execute("PRAGMA writable_schema = RESET")
