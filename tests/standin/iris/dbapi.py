"""iris.dbapi: PEP 249 connections to a namespace of the stand-in.

Errors are raised as this module's classes with IRIS's texts: a write to a database mounted
read-only is ``<PROTECT>``, SQL while the namespace's database is dismounted is
``<DIRECTORY>`` (IRIS-FACTS.md, "Common errors").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from ._server.instance import IrisError, from_environment
from ._server.sql import Served, open_sql, register, serve, unregister

apilevel = "2.0"
paramstyle = "qmark"


class Error(Exception):
    """Base of the DB-API errors."""


class DatabaseError(Error):
    """An error of the database."""


class OperationalError(DatabaseError):
    """The connection or the database cannot do it."""


class ProgrammingError(DatabaseError):
    """The SQL is wrong."""


class IntegrityError(DatabaseError):
    """A constraint refused the change."""


def _error(exc: sqlite3.Error, served: Served) -> DatabaseError:
    text = str(exc)
    if served.readonly and "readonly" in text.replace("-", "").replace(" ", ""):
        return OperationalError(f"[SQLCODE: <-400>:<Fatal error occurred>] <PROTECT> "
                                f"database of {served.namespace} is mounted read-only")
    if isinstance(exc, sqlite3.IntegrityError):
        return IntegrityError(f"[SQLCODE: <-119>] {text}")
    return ProgrammingError(f"[SQLCODE: <-1>] {text}")


class Cursor:
    """A cursor of ``Connection``; every statement runs on the database as mounted now."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._inner: Any = None

    @property
    def description(self) -> Any:
        """Column descriptions of the last query."""
        return None if self._inner is None else self._inner.description

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement."""
        return -1 if self._inner is None else int(self._inner.rowcount)

    def execute(self, operation: str, parameters: Sequence[Any] = ()) -> Cursor:
        """Run one statement with ``?`` parameters."""
        inner, served = self._connection.current()
        try:
            self._inner = (self._connection.control(operation)
                           or inner.cursor().execute(operation, parameters))
        except sqlite3.Error as exc:
            raise _error(exc, served) from None
        return self

    def executemany(self, operation: str, seq: Sequence[Sequence[Any]]) -> Cursor:
        """Run one statement once per parameter row."""
        inner, served = self._connection.current()
        try:
            self._inner = inner.cursor().executemany(operation, seq)
        except sqlite3.Error as exc:
            raise _error(exc, served) from None
        return self

    def fetchone(self) -> Any:
        """The next row, or None."""
        return self._results().fetchone()

    def fetchmany(self, size: int = 1) -> list[Any]:
        """Up to ``size`` rows."""
        return list(self._results().fetchmany(size))

    def fetchall(self) -> list[Any]:
        """Every remaining row."""
        return list(self._results().fetchall())

    def close(self) -> None:
        """Close the cursor."""
        if self._inner is not None:
            self._inner.close()

    def _results(self) -> Any:
        if self._inner is None:
            raise ProgrammingError("no statement was run on this cursor")
        return self._inner


class Connection:
    """A connection to one namespace, served from its database as it is mounted now.

    A database dismounted and mounted again (a snapshot, a reset) serves the same connection
    afterwards, as a namespace on IRIS does; while it is dismounted, SQL fails (<DIRECTORY>).
    """

    def __init__(self, served: Served, login: tuple[str, str]) -> None:
        self._served = served
        self._login = login
        self._inner, self._raw = open_sql(served)
        self._job = register(self._raw)

    def current(self) -> tuple[Any, Served]:
        """The SQL connection to the database as mounted now, and how it is mounted."""
        if not self._served.still_mounted():
            self._inner.close()
            try:
                self._served = serve(from_environment(), self._served.namespace, *self._login)
            except IrisError as exc:
                raise OperationalError(exc.display) from None
            unregister(self._job)
            self._inner, self._raw = open_sql(self._served)
            self._job = register(self._raw)
        return self._inner, self._served

    def control(self, operation: str) -> Any:
        """A cursor that ran ``operation`` when it is a statement about the connection itself
        (``SELECT $JOB``, transaction control), which IRIS answers and SQLite spells
        differently; None for any other statement."""
        word = " ".join(operation.upper().split())
        if word == "SELECT $JOB":
            return self._raw.execute("SELECT ?", (self._job,))
        if word == "START TRANSACTION":
            return self._raw.execute("SELECT 1" if self._raw.in_transaction else "BEGIN")
        if word == "COMMIT":
            self._raw.commit()
            return self._raw.execute("SELECT 1")
        if word == "ROLLBACK":
            self._raw.rollback()
            return self._raw.execute("SELECT 1")
        return None

    def cursor(self) -> Cursor:
        """A new cursor."""
        return Cursor(self)

    def commit(self) -> None:
        """Commit the open transaction."""
        try:
            self._inner.commit()
        except sqlite3.Error as exc:
            raise _error(exc, self._served) from None

    def rollback(self) -> None:
        """Roll back the open transaction."""
        self._inner.rollback()

    def close(self) -> None:
        """Close the connection; its server process ends."""
        unregister(self._job)
        self._inner.close()


def connect(*, hostname: str, port: int, namespace: str, username: str, password: str,
            timeout: int = 10, **_: Any) -> Connection:
    """iris.dbapi.connect: a connection to ``namespace``."""
    if not isinstance(timeout, int):
        raise TypeError("timeout must be an integer")
    server = from_environment()
    try:
        return Connection(serve(server, namespace, username, password), (username, password))
    except IrisError as exc:
        raise OperationalError(exc.display) from None
