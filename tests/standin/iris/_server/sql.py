"""SQL in a namespace of the stand-in: the simulator's SQL layer on the live image of the
namespace's globals database, opened read-only when the database is mounted read-only (so the
database, not the SQL text, refuses writes, as IRIS does with <PROTECT>)."""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from irisfx.engines.sim.database import open_database
from irisfx.engines.sim.dialect.catalog import read_catalog
from irisfx.engines.sim.sql import SimConnection

from .instance import Instance, IrisError

# IRIS answers INFORMATION_SCHEMA.TABLES in every namespace; SQLite keeps "Schema.Table" names.
TABLES_VIEW = """
CREATE TEMP VIEW "INFORMATION_SCHEMA.TABLES" AS
SELECT substr(name, 1, instr(name, '.') - 1) AS TABLE_SCHEMA,
       substr(name, instr(name, '.') + 1) AS TABLE_NAME,
       'BASE TABLE' AS TABLE_TYPE
FROM sqlite_master WHERE type = 'table' AND instr(name, '.') > 0
"""


@dataclass(frozen=True)
class Served:
    """Where a namespace's data is served from, as it was when the connection was made."""

    namespace: str
    live: Path
    readonly: bool

    def still_mounted(self) -> bool:
        """Whether the database is still mounted as it was (a remount makes a new image)."""
        return self.live.exists()


def serve(instance: Instance, namespace: str, username: str, password: str) -> Served:
    """Log in to ``namespace`` and find its data; IrisError as IRIS would refuse."""
    state = instance.read()
    state.login(username, password)
    return _served(instance, namespace)


def _served(instance: Instance, namespace: str) -> Served:
    state = instance.read()
    found = state.namespace(namespace)
    if found is None:
        raise IrisError(f"<NAMESPACE> namespace {namespace.upper()} does not exist")
    database = state.database(found["Globals"])
    mount = None if database is None else state.mounted(database["Directory"])
    if mount is None:
        raise IrisError(f"<DIRECTORY> the database of namespace {namespace.upper()} is not "
                        "mounted")
    return Served(namespace.upper(), instance.live_path(mount["live"]), bool(mount["readonly"]))


def open_sql(served: Served) -> tuple[SimConnection, sqlite3.Connection]:
    """A connection running the simulator's SQL layer on the served image, and the SQLite
    connection under it."""
    inner = open_database(served.live, writable=not served.readonly)
    inner.execute(TABLES_VIEW)
    _describe_columns(inner)
    return SimConnection(inner, served.namespace), inner


def _describe_columns(inner: sqlite3.Connection) -> None:
    """INFORMATION_SCHEMA.COLUMNS and KEY_COLUMN_USAGE as IRIS answers them (the columns the
    iris engine's manifest reader asks for), from the simulator's catalog as the connection
    opens: enough for a stand-in, whose readers open a connection after the tables are made."""
    inner.execute('CREATE TEMP TABLE "INFORMATION_SCHEMA.COLUMNS" (TABLE_SCHEMA, TABLE_NAME, '
                  "COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, "
                  "NUMERIC_PRECISION, NUMERIC_SCALE)")
    inner.execute('CREATE TEMP TABLE "INFORMATION_SCHEMA.KEY_COLUMN_USAGE" (TABLE_SCHEMA, '
                  "TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, CONSTRAINT_TYPE)")
    for table in read_catalog(inner).tables.values():
        schema, _, name = table.name.partition(".")
        for position, column in enumerate(table.visible, start=1):
            kind, length, precision, scale = _iris_type(column.declared)
            inner.execute('INSERT INTO "INFORMATION_SCHEMA.COLUMNS" VALUES (?,?,?,?,?,?,?,?)',
                          (schema, name, column.name, position, kind, length, precision, scale))
        for position, key in enumerate(table.primary_key, start=1):
            inner.execute('INSERT INTO "INFORMATION_SCHEMA.KEY_COLUMN_USAGE" '
                          "VALUES (?,?,?,?,'PRIMARY KEY')", (schema, name, key, position))


def _iris_type(declared: str) -> tuple[str, int | None, int | None, int | None]:
    match = re.match(r"\s*([A-Za-z_]+)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?", declared)
    if match is None:
        return declared.upper(), None, None, None
    kind, first, second = match.group(1).upper(), match.group(2), match.group(3)
    if kind in ("VARCHAR", "CHAR", "TEXT"):
        return "VARCHAR", int(first) if first else None, None, None
    if kind in ("NUMERIC", "DECIMAL") and first:
        return kind, None, int(first), int(second or 0)
    return kind, None, None, None


def serve_as_helper(instance: Instance, namespace: str) -> sqlite3.Connection:
    """The helper's own look at a namespace (``Set $NAMESPACE = ns``), read-only."""
    served = _served(instance, namespace)
    inner = open_database(served.live, writable=False)
    inner.execute(TABLES_VIEW)
    _describe_columns(inner)
    return inner


# Server processes ($JOB) of this client's DB-API connections, for CancelQuery. A process of
# another client is not found: the stand-in's server processes live in their clients.
_RUNNING: dict[int, sqlite3.Connection] = {}
_NEXT_JOB = [0]


def register(inner: sqlite3.Connection) -> int:
    """A new $JOB for a DB-API connection."""
    _NEXT_JOB[0] += 1
    job = os.getpid() * 1000 + _NEXT_JOB[0]
    _RUNNING[job] = inner
    return job


def unregister(job: int) -> None:
    """The connection's process ended."""
    _RUNNING.pop(job, None)


def cancel(job: int) -> bool:
    """Interrupt the statement process ``job`` runs; whether there was such a process."""
    inner = _RUNNING.get(job)
    if inner is None:
        return False
    inner.interrupt()
    return True
