"""Reading a simulated database's tables and rows (for manifests, ``diff`` and ``dump``).

A simulated database is an SQLite file whose tables are named ``"Schema.Table"``. Its columns
and primary key are IRIS's, as the simulator recorded them in the schema (its catalog), and the
hidden RowID is left out as ``SELECT *`` leaves it out on IRIS; a table without a primary key is
keyed by SQLite's rowid, which is IRIS's row id. Files are opened only
through :func:`irisfx.engines.sim.database.open_database`, read-only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from irisfx.engines.manifest import Row, TableSchema
from irisfx.engines.sim.database import open_database
from irisfx.engines.sim.dialect.catalog import Catalog, read_catalog
from irisfx.engines.sim.sql import SimConnection
from irisfx.errors import IntegrityError
from irisfx.lockfile.manifest import Column, normalize_type


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _iris_type(declared: str) -> str:
    """The type as the recipe wrote it: the simulator's SQL translation stores IRIS's
    ``VARCHAR(n)`` as SQLite's ``TEXT(n)``."""
    text = normalize_type(declared)
    return "VARCHAR" + text[4:] if text.startswith("TEXT(") else text


class SimReader:
    """A :class:`irisfx.engines.manifest.DatabaseReader` over an SQLite connection."""

    def __init__(self, inner: sqlite3.Connection, where: str) -> None:
        self._inner = inner
        self._where = where
        self._known: Catalog | None = None

    @classmethod
    def of_connection(cls, connection: SimConnection) -> SimReader:
        """A reader over a simulated namespace's connection (closing it closes that)."""
        return cls(connection._inner, f"namespace {connection.namespace}")

    @classmethod
    def open_file(cls, path: Path) -> SimReader:
        """A reader over a simulator database file, opened read-only."""
        try:
            inner = open_database(path, writable=False)
            inner.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            raise IntegrityError(f"{path} cannot be read as a simulator database: {exc}",
                                 fix="restore the file from git or the store, or rebuild it: "
                                 "irisfx apply --rebuild NAME") from None
        return cls(inner, str(path))

    def tables(self) -> list[TableSchema]:
        """Every user table (``Schema.Table``: SQLite's own tables are left out), by name."""
        try:
            names = [row[0] for row in self._inner.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite!_%' ESCAPE '!'")]
            return [self._schema(name) for name in sorted(names) if "." in name]
        except sqlite3.Error as exc:
            raise self._damaged(exc) from None

    def _schema(self, name: str) -> TableSchema:
        info = self._inner.execute(f"PRAGMA table_info({_ident(name)})").fetchall()
        known = self._catalog().table(name)
        if known is not None:
            # As IRIS shows it: the hidden RowID is no column (it keys a table without a
            # primary key, as SQLite's rowid does), and the primary key is IRIS's.
            visible = {c.name for c in known.visible}
            info = [row for row in info if row[1] in visible]
        key = known.primary_key if known is not None and known.primary_key else tuple(
            str(row[1]) for row in sorted((r for r in info if r[5]), key=lambda r: r[5]))
        columns = tuple(Column(str(row[1]), _iris_type(str(row[2] or ""))) for row in info)
        return TableSchema(name, columns, key)

    def _catalog(self) -> Catalog:
        if self._known is None:
            self._known = read_catalog(self._inner)
        return self._known

    def keyed_rows(self, table: TableSchema) -> Iterator[tuple[Any, Row]]:
        """``(key, row)`` in key order (primary key, else rowid)."""
        columns = ", ".join(_ident(c.name) for c in table.columns) or "NULL"
        order = ", ".join(_ident(k) for k in table.key) or "rowid"
        sql = f"SELECT {columns} FROM {_ident(table.name)} ORDER BY {order}"
        positions = table.key_positions()
        try:
            if table.key:
                cursor = self._inner.execute(sql)
                one = len(positions) == 1
                for row in cursor:
                    key = row[positions[0]] if one else tuple(row[p] for p in positions)
                    yield key, row if table.columns else ()
            else:
                cursor = self._inner.execute(
                    f"SELECT rowid, {columns} FROM {_ident(table.name)} ORDER BY rowid")
                for row in cursor:
                    yield row[0], row[1:] if table.columns else ()
        except sqlite3.Error as exc:
            raise self._damaged(exc) from None

    def close(self) -> None:
        """Close the connection."""
        self._inner.close()

    def _damaged(self, exc: sqlite3.Error) -> IntegrityError:
        return IntegrityError(f"{self._where} cannot be read: {exc}",
                              fix="restore the file from git or the store, or rebuild it: "
                              "irisfx apply --rebuild NAME")
