"""What the simulator knows of the tables in a database: read back from SQLite's own schema.

The IRIS meaning of each column travels in the SQLite declaration the simulator wrote
(``VARCHAR(30) COLLATE SQLUPPER``, ``NUMERIC(10,2)``) and in the names of its constraints
(``irisfx_rowid``: the hidden RowID; ``irisfx_identity``: an IDENTITY column), so nothing but the
database file is needed to know them again.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from irisfx.engines.sim.dialect.problems import SyntaxProblem
from irisfx.engines.sim.dialect.tokens import Token, split_top, tokenize

DEFAULT_SCHEMA = "SQLUser"
ROWID = "irisfx_rowid"
PUBLIC_ROWID = "irisfx_publicrowid"
IDENTITY = "irisfx_identity"
IDENTITY_INSERT = "irisfx_identity_insert"
PRIMARY_KEY = "irisfx_pk"
SERIAL_KEY = "%SERIAL "
ROWVERSION_KEY = "%ROWVERSION"
_NUMERIC = re.compile(r"NUMERIC\(\s*(\d+)\s*,\s*(\d+)\s*\)", re.IGNORECASE)


def qualified(table: str) -> str:
    """``Table`` -> ``SQLUser.Table``; ``Schema.Table`` is returned as it is."""
    return table if "." in table else f"{DEFAULT_SCHEMA}.{table}"


def quote(name: str) -> str:
    """``name`` as an SQLite quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Column:
    """One column as the simulator declared it."""

    name: str
    declared: str
    collation: str | None
    role: str | None = None  # rowid (hidden), publicrowid, identity, identity_insert

    @property
    def hidden(self) -> bool:
        """The RowID of a table without %PUBLICROWID: not in SELECT * (GSQL_tables_idfield)."""
        return self.role == "rowid"

    @property
    def scale(self) -> int | None:
        """The scale of an exact NUMERIC(p,s) column with s > 0."""
        match = _NUMERIC.fullmatch(self.declared.strip())
        return int(match.group(2)) if match and int(match.group(2)) > 0 else None

    @property
    def round_to(self) -> int | None:
        """The scale a NUMERIC(p,s) column rounds values to (0 included)."""
        match = _NUMERIC.fullmatch(self.declared.strip())
        return int(match.group(2)) if match else None

    @property
    def case_insensitive(self) -> bool:
        """Whether comparisons use SQLUPPER (IRIS's default for strings)."""
        return (self.collation or "").upper() == "SQLUPPER"


@dataclass(frozen=True)
class Table:
    """One table: its SQLite name (``Schema.Table``) and its columns in order."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    serials: tuple[str, ...] = ()

    def column(self, name: str) -> Column | None:
        """The column called ``name`` (any case), or None."""
        wanted = name.lower()
        return next((c for c in self.columns if c.name.lower() == wanted), None)

    @property
    def visible(self) -> list[Column]:
        """The columns SELECT * returns."""
        return [c for c in self.columns if not c.hidden]


@dataclass(frozen=True)
class Catalog:
    """Every table and view of one database, looked up by SQLite name in any case."""

    version: int
    tables: dict[str, Table] = field(default_factory=dict, hash=False, compare=False)
    views: frozenset[str] = frozenset()

    def table(self, name: str) -> Table | None:
        """The table called ``name`` (``Schema.Table``, any case), or None."""
        return self.tables.get(name.lower())

    def __hash__(self) -> int:
        return hash((self.version, id(self.tables)))


def read_catalog(connection: sqlite3.Connection) -> Catalog:
    """The catalog of ``connection``'s database, as its schema is now."""
    version = int(connection.execute("PRAGMA schema_version").fetchone()[0])
    tables: dict[str, Table] = {}
    views: set[str] = set()
    rows = connection.execute("SELECT type, name, sql FROM sqlite_master "
                              "WHERE type IN ('table', 'view', 'trigger')").fetchall()
    serials: dict[str, list[str]] = {}
    for kind, name, sql in rows:
        if kind == "view":
            views.add(name.lower())
        elif kind == "table" and sql and not name.startswith("sqlite_"):
            try:
                tables[name.lower()] = _table(name, sql)
            except (SyntaxProblem, StopIteration):
                continue  # not written by the simulator: its statements run unenhanced
        elif kind == "trigger" and sql and SERIAL_KEY in sql:
            serials.setdefault(name.rsplit("%", 1)[0].lower(), []).extend(
                re.findall(r"'%SERIAL ([^']*)'", sql))
    for key, names in serials.items():
        if key in tables:
            tables[key] = Table(tables[key].name, tables[key].columns,
                                tables[key].primary_key, tuple(names))
    return Catalog(version, tables, frozenset(views))


def _table(name: str, sql: str) -> Table:
    tokens = tokenize(sql)
    start = next(i for i, t in enumerate(tokens) if t.text == "(")
    columns: list[Column] = []
    primary: tuple[str, ...] = ()
    for element in split_top(tokens[start + 1:-1]):
        if not element:
            continue
        head = element[0]
        if head.kind == "word" and head.upper in ("CONSTRAINT", "PRIMARY", "UNIQUE",
                                                   "FOREIGN", "CHECK"):
            if len(element) > 1 and element[1].name == PRIMARY_KEY:
                primary = tuple(t.name for t in element if t.kind in ("qident", "word")
                                and t.upper not in ("CONSTRAINT", "UNIQUE"))[1:]
            continue
        columns.append(_column(element))
        if any(t.name == PRIMARY_KEY for t in element[1:]):
            primary = (columns[-1].name,)
    return Table(name, tuple(columns), primary)


def _column(element: list[Token]) -> Column:
    declared: list[str] = []
    collation = None
    role = None
    index = 1
    while index < len(element) and element[index].kind in ("word", "op", "number") and \
            element[index].upper not in ("COLLATE", "CONSTRAINT", "NOT", "NULL", "PRIMARY",
                                         "UNIQUE", "DEFAULT", "CHECK", "REFERENCES"):
        declared.append(element[index].text)
        index += 1
    for position, token in enumerate(element):
        if token.is_word("COLLATE") and position + 1 < len(element):
            collation = element[position + 1].name
        if token.is_word("CONSTRAINT") and position + 1 < len(element):
            label = element[position + 1].name
            if label.startswith("irisfx_") and label != "irisfx_valid" and \
                    not label.startswith("irisfx_valid"):
                role = {ROWID: "rowid", PUBLIC_ROWID: "publicrowid", IDENTITY: "identity",
                        IDENTITY_INSERT: "identity_insert"}.get(label, role)
    return Column(element[0].name, "".join(declared), collation, role)
