"""One change of the simulated instance's state: the rows a state transaction may touch."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from irisfx.engines.sim.records import OwnerRow

#: Reads validated ownership records: (connection, WHERE clause, arguments) -> rows.
OwnerReader = Callable[[sqlite3.Connection, str, tuple[Any, ...]], list[OwnerRow]]

OWNER_COLUMNS = ("namespace", "project", "project_id", "location", "role", "fixture", "state",
                 "sha256", "recipe_sha256", "readonly", "size", "mtime_ns", "ctime_ns",
                 "inode")


class Transaction:
    """The changes one state transaction may make; each touches only its own rows."""

    def __init__(self, owners: OwnerReader, connection: sqlite3.Connection) -> None:
        self._owners = owners
        self._db = connection

    def owner(self, namespace: str) -> OwnerRow | None:
        """The ownership record of ``namespace`` (validated), if there is one."""
        rows = self._owners(self._db, "WHERE namespace = ?", (namespace,))
        return rows[0] if rows else None

    def namespace_exists(self, namespace: str) -> bool:
        """Whether the instance has a namespace ``namespace``."""
        row = self._db.execute("SELECT 1 FROM namespaces WHERE name = ?", (namespace,))
        return row.fetchone() is not None

    def put_owner(self, row: OwnerRow) -> None:
        """Insert or replace an ownership record."""
        values = [getattr(row, column) for column in OWNER_COLUMNS]
        values[OWNER_COLUMNS.index("readonly")] = int(row.readonly)
        self._db.execute(
            f"INSERT OR REPLACE INTO owners ({', '.join(OWNER_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(OWNER_COLUMNS))})", values)

    def update_owner(self, namespace: str, **changes: object) -> None:
        """Change some columns of one ownership record."""
        unknown = set(changes) - set(OWNER_COLUMNS)
        assert not unknown, unknown  # column names come from this package, never from input
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self._db.execute(f"UPDATE owners SET {assignments} WHERE namespace = ?",
                         [*changes.values(), namespace])

    def drop_owner(self, namespace: str) -> None:
        """Delete one ownership record."""
        self._db.execute("DELETE FROM owners WHERE namespace = ?", (namespace,))

    def create_namespace(self, namespace: str, *, readonly: bool) -> None:
        """A database and a namespace of the same name."""
        self._db.execute("INSERT OR REPLACE INTO databases (name, readonly, mounted) "
                         "VALUES (?, ?, 1)", (namespace, int(readonly)))
        self._db.execute("INSERT OR REPLACE INTO namespaces (name, database) VALUES (?, ?)",
                         (namespace, namespace))

    def drop_namespace(self, namespace: str) -> None:
        """Delete a namespace and its database."""
        self._db.execute("DELETE FROM namespaces WHERE name = ?", (namespace,))
        self._db.execute("DELETE FROM databases WHERE name = ?", (namespace,))

    def set_mounted(self, database: str, *, mounted: bool) -> None:
        """Mount or dismount a database."""
        self._db.execute("UPDATE databases SET mounted = ? WHERE name = ?",
                         (int(mounted), database))
