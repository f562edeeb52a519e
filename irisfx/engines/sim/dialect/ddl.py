"""CREATE TABLE on the simulator: IRIS's columns, RowID, counters and checks as SQLite DDL.

Docs: RSQL_createtable, GSQL_tables_idfield (the RowID ``ID``, ``ID1`` when a column is called
ID, hidden from SELECT * unless %PUBLICROWID), RSQL_createtable_idfield (IDENTITY is the RowID),
RSQL_insert_data_counters (SERIAL, ROWVERSION), RACS_IdKey (a PRIMARY KEY is a unique key,
not the RowID), RSQL_datatype (types, validated on INSERT/UPDATE with SQLCODE -104).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from irisfx.engines.sim.dialect import catalog as cat
from irisfx.engines.sim.dialect.catalog import quote
from irisfx.engines.sim.dialect.names import table_name
from irisfx.engines.sim.dialect.problems import SyntaxProblem
from irisfx.engines.sim.dialect.result import Translation
from irisfx.engines.sim.dialect.tokens import Token, closing, join, split_top
from irisfx.engines.sim.dialect.types import ColumnType, parse_type
from irisfx.errors import NotEmulatedError

_CONSTRAINT_WORDS = {"NOT", "NULL", "PRIMARY", "UNIQUE", "DEFAULT", "CHECK", "REFERENCES",
                     "COLLATE", "CONSTRAINT", "IDENTITY", "AUTO_INCREMENT", "AUTOINCREMENT",
                     "%DESCRIPTION", "COMPUTECODE", "COMPUTED", "CALCULATED",
                     "COMPUTEONCHANGE", "%EXTERNALSQLNAME", "CLUSTERED", "NONCLUSTERED",
                     "%EXTERNALSQLTYPE", "SQLCOMPUTECODE", "ON"}
_COLLATIONS = {"SQLUPPER": "SQLUPPER", "SQLSTRING": "SQLSTRING", "EXACT": "BINARY",
               "STRING": "SQLSTRING"}
_NOW = {"CURRENT_TIMESTAMP", "NOW", "GETDATE", "SYSDATE", "GETUTCDATE"}


@dataclass
class _Column:
    name: str
    type: ColumnType
    not_null: bool = False
    unique: bool = False
    primary: bool = False
    identity: bool = False
    collation: str | None = None
    default: str | None = None
    checks: list[str] = field(default_factory=list)
    references: str | None = None


def create_table(tokens: list[Token], catalog: cat.Catalog | None = None) -> Translation:
    """``CREATE TABLE [IF NOT EXISTS] name (elements) [WITH %CLASSPARAMETER ...]``."""
    from irisfx.engines.sim.dialect.rewrite import odbc_escapes

    tokens = odbc_escapes(tokens)
    index = 2
    if_not_exists = [t.upper for t in tokens[2:5]] == ["IF", "NOT", "EXISTS"]
    if if_not_exists:
        index = 5
    name, index = table_name(tokens, index)
    if index >= len(tokens) or tokens[index].text != "(":
        if index < len(tokens) and tokens[index].is_word("AS"):
            raise NotEmulatedError("CREATE TABLE ... AS SELECT")
        raise SyntaxProblem("CREATE TABLE without a column list")
    end = closing(tokens, index)
    options = [t.upper for t in tokens[end + 1:]]
    allow_identity_insert = "ALLOWIDENTITYINSERT" in options and options[-1] in ("1", "TRUE")
    columns: list[_Column] = []
    table_constraints: list[str] = []
    public_rowid = False
    for element in split_top(tokens[index + 1:end]):
        if not element:
            raise SyntaxProblem("an empty column definition")
        if element[0].is_word("%PUBLICROWID"):
            public_rowid = True
        elif element[0].kind == "word" and element[0].upper in (
                "CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"):
            table_constraints.extend(table_constraint(element, columns, name))
        elif element[0].kind == "word" and element[0].upper in ("SHARD", "%CLASSPARAMETER"):
            continue
        else:
            columns.append(parse_column(element))
    created = _emit(name, columns, table_constraints, if_not_exists=if_not_exists,
                    public_rowid=public_rowid, allow_identity_insert=allow_identity_insert)
    return _primary_key_targets(created, catalog)


def _primary_key_targets(created: Translation, catalog: cat.Catalog | None) -> Translation:
    """``REFERENCES t`` alone names t's primary key, the RowID only if it has none
    (GSQL_foreignkeys); SQLite would take the RowID (its own primary key) every time."""
    if catalog is None or not isinstance(created.steps[0], str):
        return created

    def target(match: re.Match[str]) -> str:
        parent = catalog.table(match.group(1).replace('""', '"'))
        if parent is None or not parent.primary_key:
            return match.group(0)
        keys = ", ".join(quote(k) for k in parent.primary_key)
        return f"{match.group(0)} ({keys})"

    sql = re.sub(r'REFERENCES "((?:[^"]|"")*)"(?!\s*\()', target, created.steps[0])
    return Translation((sql, *created.steps[1:]))


def parse_column(element: list[Token]) -> _Column:
    """One column definition: name, type, options."""
    name = element[0].name
    index = 1
    while index < len(element) and not (
            element[index].kind == "word" and (element[index].upper in _CONSTRAINT_WORDS
                                               or _bare_collation(element, index))):
        if element[index].text == "(":
            index = closing(element, index)
        index += 1
    type_tokens = element[1:index]
    if not type_tokens and index < len(element) and element[index].is_word("IDENTITY"):
        type_tokens = [Token("word", "BIGINT")]
    column = _Column(name, parse_type(type_tokens))
    column.collation = column.type.collation
    _constraints(column, element[index:])
    if column.identity and column.type.kind != "integer":
        raise SyntaxProblem(f"IDENTITY column {name} must be an integer type")
    return column


def _bare_collation(tokens: list[Token], index: int, *, after_type: bool = False) -> bool:
    """Whether ``tokens[index]`` is a collation written after the type (``%EXACT``); the
    first token of a column's type (``%String(...)``) never is."""
    token = tokens[index]
    return ((after_type or index > 1) and token.kind == "word"
            and token.upper.startswith("%") and token.upper.lstrip("%") in _COLLATIONS)


def _constraints(column: _Column, tokens: list[Token]) -> None:
    index = 0
    while index < len(tokens):
        word = tokens[index].upper
        nxt = tokens[index + 1].upper if index + 1 < len(tokens) else ""
        if word == "NOT" and nxt == "NULL":
            column.not_null, index = True, index + 2
        elif word in ("NULL", "CLUSTERED", "NONCLUSTERED"):
            index += 1
        elif word == "CONSTRAINT":
            index += 2
        elif word == "PRIMARY" and nxt == "KEY":
            column.primary, index = True, index + 2
        elif word == "UNIQUE":
            column.unique, index = True, index + 1
        elif word == "IDENTITY":
            column.identity, index = True, index + 1
        elif word in ("AUTO_INCREMENT", "AUTOINCREMENT"):
            column.type = ColumnType(**{**column.type.__dict__, "counter": "SERIAL"})
            index += 1
        elif word == "COLLATE":
            collation = tokens[index + 1].name.lstrip("%").upper()
            if collation not in _COLLATIONS:
                raise NotEmulatedError(f"COLLATE {tokens[index + 1].text}")
            column.collation, index = collation, index + 2
        elif _bare_collation(tokens, index, after_type=True):
            # IRIS lets a collation follow the type without COLLATE: VARCHAR(64) %EXACT
            column.collation, index = word.lstrip("%"), index + 1
        elif word == "%DESCRIPTION":
            index += 2
        elif word == "DEFAULT":
            index = _default(column, tokens, index + 1)
        elif word == "CHECK" and nxt == "(":
            end = closing(tokens, index + 1)
            column.checks.append(join(tokens[index + 1:end + 1]))
            index = end + 1
        elif word == "REFERENCES":
            end = _references_end(tokens, index)
            column.references = references(tokens[index:end])
            index = end
        else:
            raise NotEmulatedError(f"the column option {tokens[index].text}")


def _default(column: _Column, tokens: list[Token], index: int) -> int:
    token = tokens[index]
    if token.kind in ("string", "number") or token.is_word("NULL"):
        column.default = token.text
        return index + 1
    if token.text in ("-", "+") and index + 1 < len(tokens) and tokens[index + 1].kind == "number":
        column.default = token.text + tokens[index + 1].text
        return index + 2
    if token.kind == "word" and token.upper in _NOW:
        column.default = "(IRISFX_NOW())"
        if index + 2 < len(tokens) and tokens[index + 1].text == "(":
            return closing(tokens, index + 1) + 1
        return index + 1
    if token.is_word("CURRENT_DATE"):
        column.default = "(substr(IRISFX_NOW(), 1, 10))"
        return index + 1
    raise NotEmulatedError(f"DEFAULT {token.text}")


def _references_end(tokens: list[Token], index: int) -> int:
    index += 1
    stop = _CONSTRAINT_WORDS - {"ON"}
    while index < len(tokens) and (tokens[index].text in ".(" or (
            tokens[index].kind in ("word", "qident") and tokens[index].upper not in stop)):
        if tokens[index].text == "(":
            index = closing(tokens, index)
        index += 1
    return index


def references(tokens: list[Token]) -> str | None:
    """``REFERENCES t [(cols)] [ON DELETE x] [NOCHECK]`` for SQLite (None: NOCHECK)."""
    name, index = table_name(tokens, 1)
    out = [f"REFERENCES {quote(name)}"]
    if index < len(tokens) and tokens[index].text == "(":
        end = closing(tokens, index)
        out.append("(" + ", ".join(quote(t.name) for t in tokens[index + 1:end]
                                   if t.kind != "op") + ")")
        index = end + 1
    rest = [t.upper for t in tokens[index:]]
    if "NOCHECK" in rest:
        return None  # GSQL_foreignkeys: a NOCHECK key is not enforced
    out.append(" ".join(rest))
    return " ".join(part for part in out if part)


def table_constraint(element: list[Token], columns: list[_Column], table: str) -> list[str]:
    """A table constraint for SQLite (a PRIMARY KEY is a unique key: IdKey=1)."""
    name = None
    if element[0].is_word("CONSTRAINT"):
        name, element = element[1].name, element[2:]
    head = element[0].upper
    if head == "CHECK":
        return [join(element)]
    start = next(i for i, t in enumerate(element) if t.text == "(")
    end = closing(element, start)
    names = [t.name for t in element[start + 1:end] if t.kind != "op"
             and t.upper not in ("ASC", "DESC")]
    listed = "(" + ", ".join(quote(n) for n in names) + ")"
    if head == "PRIMARY":
        for column in columns:
            if column.name.lower() in {n.lower() for n in names}:
                column.not_null = True
        return [f"CONSTRAINT {quote(cat.PRIMARY_KEY)} UNIQUE {listed}"]
    if head == "UNIQUE":
        return [f"CONSTRAINT {quote(name or 'unique')} UNIQUE {listed}"]
    if head == "FOREIGN":
        target = references(element[end + 1:])
        return [] if target is None else [
            f"CONSTRAINT {quote(name or 'fk')} FOREIGN KEY {listed} {target}"]
    raise NotEmulatedError(f"the table constraint {head}")


def _emit(name: str, columns: list[_Column], constraints: list[str], *, if_not_exists: bool,
          public_rowid: bool, allow_identity_insert: bool) -> Translation:
    identities = [c for c in columns if c.identity]
    if len(identities) > 1:
        raise SyntaxProblem("SQLCODE -308: more than one IDENTITY column")
    rowid_name = None
    if not identities:
        taken = {c.name.lower() for c in columns}
        rowid_name = next(n for n in ["ID", *(f"ID{i}" for i in range(1, 99))]
                          if n.lower() not in taken)
    definitions = []
    if rowid_name is not None:
        label = cat.PUBLIC_ROWID if public_rowid else cat.ROWID
        definitions.append(f"{quote(rowid_name)} INTEGER CONSTRAINT {quote(label)} "
                           "PRIMARY KEY AUTOINCREMENT")
    primaries = [c for c in columns if c.primary and not c.identity]
    for column in columns:
        definitions.append(column_definition(name, column, allow_identity_insert,
                                       single_primary=len(primaries) == 1))
    head = "CREATE TABLE IF NOT EXISTS" if if_not_exists else "CREATE TABLE"
    steps: list[str] = [f"{head} {quote(name)} ({', '.join(definitions + constraints)})"]
    steps += _counter_triggers(name, columns, if_not_exists)
    return Translation(tuple(steps))


def column_definition(table: str, column: _Column, allow_identity_insert: bool, *,
                      single_primary: bool) -> str:
    """The SQLite definition of one column, with IRIS's checks as named CHECK constraints."""
    q = quote(column.name)
    if column.identity:
        label = cat.IDENTITY_INSERT if allow_identity_insert else cat.IDENTITY
        return f"{q} INTEGER CONSTRAINT {quote(label)} PRIMARY KEY AUTOINCREMENT"
    parts = [q, column.type.declared]
    collation = column.collation or ("SQLUPPER" if column.type.kind == "string" else None)
    if collation:
        parts.append(f"COLLATE {_COLLATIONS.get(collation, collation)}")
    if (column.not_null or column.primary) and not column.type.counter:
        parts.append("NOT NULL")  # a counter column is filled by its trigger, after the check
    if column.primary:
        parts.append(f"CONSTRAINT {quote(cat.PRIMARY_KEY)}" if single_primary else "")
        parts.append("UNIQUE")
    elif column.unique:
        parts.append("UNIQUE")
    if column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    check = column.type.check(q)
    if check:
        kind = "date" if column.type.kind in ("date", "time", "timestamp") else "valid"
        label = quote(f"irisfx_{kind} {table}.{column.name}")
        parts.append(f"CONSTRAINT {label} CHECK ({q} IS NULL OR ({check}))")
    parts += [f"CHECK {c}" for c in column.checks]
    if column.references:
        parts.append(column.references)
    return " ".join(p for p in parts if p)


def _counter_triggers(table: str, columns: list[_Column], if_not_exists: bool) -> list[str]:
    """SERIAL and ROWVERSION numbering (counters kept in sqlite_sequence, never reused)."""
    serials = [c for c in columns if c.type.counter == "SERIAL"]
    versions = [c for c in columns if c.type.counter == "ROWVERSION"]
    if not serials and not versions:
        return []
    t = quote(table)
    exists = "IF NOT EXISTS " if if_not_exists else ""
    body: list[str] = []
    sets: list[str] = []
    for column in serials:
        key = f"'{cat.SERIAL_KEY}{table}.{column.name}'".replace('"', "")
        c = quote(column.name)
        body += [_ensure(key),
                 f"UPDATE sqlite_sequence SET seq = CASE WHEN NEW.{c} > 0 THEN max(seq, NEW.{c}) "
                 f"ELSE seq + 1 END WHERE name = {key};"]
        sets.append(f"{c} = CASE WHEN NEW.{c} > 0 THEN NEW.{c} ELSE "
                    f"(SELECT seq FROM sqlite_sequence WHERE name = {key}) END")
    version_key = f"'{cat.ROWVERSION_KEY}'"
    for column in versions:
        body += [_ensure(version_key), _bump(version_key)]
        sets.append(f"{quote(column.name)} = (SELECT seq FROM sqlite_sequence "
                    f"WHERE name = {version_key})")
    body.append(f"UPDATE {t} SET {', '.join(sets)} WHERE rowid = NEW.rowid;")
    steps = [f"CREATE TRIGGER {exists}{quote(table + '%counters')} AFTER INSERT ON {t} "
             f"BEGIN {' '.join(body)} END"]
    for column in versions:
        c = quote(column.name)
        steps.append(
            f"CREATE TRIGGER {exists}{quote(table + '%rowversion')} AFTER UPDATE ON {t} "
            f"WHEN NEW.{c} IS OLD.{c} BEGIN {_ensure(version_key)} {_bump(version_key)} "
            f"UPDATE {t} SET {c} = (SELECT seq FROM sqlite_sequence WHERE name = "
            f"{version_key}) WHERE rowid = NEW.rowid; END")
    return steps


def _ensure(key: str) -> str:
    return (f"INSERT INTO sqlite_sequence (name, seq) SELECT {key}, 0 WHERE NOT EXISTS "
            f"(SELECT 1 FROM sqlite_sequence WHERE name = {key});")


def _bump(key: str) -> str:
    return f"UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = {key};"

