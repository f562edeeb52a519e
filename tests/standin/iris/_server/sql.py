"""SQL in a namespace of the stand-in: the simulator's SQL layer on the live image of the
namespace's globals database, opened read-only when the database is mounted read-only (so the
database, not the SQL text, refuses writes, as IRIS does with <PROTECT>)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from irisfx.engines.sim.database import open_database
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
    found = state.namespace(namespace)
    if found is None:
        raise IrisError(f"<NAMESPACE> namespace {namespace.upper()} does not exist")
    database = state.database(found["Globals"])
    mount = None if database is None else state.mounted(database["Directory"])
    if mount is None:
        raise IrisError(f"<DIRECTORY> the database of namespace {namespace.upper()} is not "
                        "mounted")
    return Served(namespace.upper(), instance.live_path(mount["live"]), bool(mount["readonly"]))


def open_sql(served: Served) -> SimConnection:
    """A connection running the simulator's SQL layer on the served image."""
    inner = open_database(served.live, writable=not served.readonly)
    inner.execute(TABLES_VIEW)
    return SimConnection(inner, served.namespace)
