"""The one place a simulator database file (an SQLite file named IRIS.DAT) is opened.

Everything that reads or writes a simulated database goes through :func:`open_database`, so the
IRIS dialect the simulator emulates (functions, collations) is present on every connection, and
a read-only open is read-only by SQLite's own means.

``query_only`` connections (``irisfx sql``, known queries) are read-only three times over, none
of it by reading the SQL text: the file is opened ``mode=ro``, ``PRAGMA query_only`` is set, and
an authorizer refuses every action but reading (so no ``ATTACH`` of a writable file, no
``PRAGMA query_only=0``, no temporary table). Every statement on every connection can be
interrupted: a progress handler stops it at its time limit or when Ctrl-C / SIGTERM arrives.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from irisfx.engines.sim.dialect import register as register_dialect
from irisfx.errors import EngineError
from irisfx.lockfile.queries import QUERY_TIMEOUT_ENV

T = TypeVar("T")

# What a read-only statement may do; everything else (writes, schema, ATTACH, PRAGMA) is denied.
_READING = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
                      sqlite3.SQLITE_RECURSIVE, sqlite3.SQLITE_TRANSACTION})
# Pragmas that only read the catalogue, asked without a value (the dialect layer needs them).
_READ_PRAGMAS = frozenset({"schema_version", "table_info", "table_xinfo", "index_list",
                           "index_info", "foreign_key_list"})
_EVERY = 20_000  # SQLite VM steps between looks at the clock and at signals


class _Guard:
    """Why a statement was stopped: its time limit passed, or a signal (Ctrl-C) arrived."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self.deadline: float | None = None
        self.interrupted = False
        self.timed_out = False
        self.denied: str | None = None

    def start(self) -> None:
        self.interrupted = self.timed_out = False
        self.denied = None
        self.deadline = None if self.timeout is None else time.monotonic() + self.timeout

    def progress(self) -> int:
        try:
            time.sleep(0)  # runs Python's pending signal handlers (KeyboardInterrupt)
        except KeyboardInterrupt:
            self.interrupted = True
            return 1
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0

    def authorize(self, action: int, arg1: str | None, arg2: str | None, db: str | None,
                  trigger: str | None) -> int:
        if action in _READING:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and arg1 in _READ_PRAGMAS \
                and (arg2 is None or arg1 != "schema_version"):
            return sqlite3.SQLITE_OK  # the catalogue is read (table_info(T) names a table)
        self.denied = _ACTION_NAMES.get(action, f"action {action}")
        return sqlite3.SQLITE_DENY

    def raise_for(self, exc: sqlite3.Error) -> None:
        """Turn a statement stopped by this guard into what stopped it."""
        # A signal handler may raise anywhere in the progress callback, not only where it
        # looks: SQLite then stops the statement as "interrupted" with the flag unset. Only
        # this guard interrupts, so an interrupt that is no time-out is the signal.
        if self.interrupted or (str(exc) == "interrupted" and not self.timed_out):
            raise KeyboardInterrupt("interrupted while a statement ran") from None
        if self.timed_out:
            raise EngineError(
                f"the statement ran longer than its time limit of {self.timeout:g} s and was "
                "stopped (simulator)",
                fix="make the query cheaper (a WITH RECURSIVE needs an end), or raise the "
                f"limit: {QUERY_TIMEOUT_ENV}=SECONDS") from None
        if self.denied is not None:
            raise sqlite3.DatabaseError(
                f"not authorized: this connection is read-only and {self.denied} would "
                "change the database (simulator)") from exc


_ACTIONS = ("CREATE_INDEX", "CREATE_TABLE", "CREATE_TEMP_INDEX", "CREATE_TEMP_TABLE",
            "CREATE_TEMP_TRIGGER", "CREATE_TEMP_VIEW", "CREATE_TRIGGER", "CREATE_VIEW", "DELETE",
            "DROP_INDEX", "DROP_TABLE", "DROP_TEMP_INDEX", "DROP_TEMP_TABLE",
            "DROP_TEMP_TRIGGER", "DROP_TEMP_VIEW", "DROP_TRIGGER", "DROP_VIEW", "INSERT",
            "PRAGMA", "UPDATE", "ATTACH", "DETACH", "ALTER_TABLE", "REINDEX", "ANALYZE",
            "CREATE_VTABLE", "DROP_VTABLE", "SAVEPOINT")
_ACTION_NAMES = {getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ")
                 for name in _ACTIONS if hasattr(sqlite3, f"SQLITE_{name}")}


class _GuardedCursor(sqlite3.Cursor):
    """A cursor whose statements stop at the guard's time limit or on a signal."""

    def _guarded(self, call: Callable[[], T], *, starts: bool = False) -> T:
        guard: _Guard = self.connection._guard  # type: ignore[attr-defined]
        if starts:
            guard.start()
        try:
            return call()
        except sqlite3.Error as exc:
            guard.raise_for(exc)
            raise

    def execute(self, sql: str, parameters: Any = (), /) -> _GuardedCursor:
        self._guarded(lambda: super(_GuardedCursor, self).execute(sql, parameters), starts=True)
        return self

    def executemany(self, sql: str, seq: Iterable[Any], /) -> _GuardedCursor:
        self._guarded(lambda: super(_GuardedCursor, self).executemany(sql, seq), starts=True)
        return self

    def fetchone(self) -> Any:
        return self._guarded(super().fetchone)

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        return self._guarded(lambda: super(_GuardedCursor, self).fetchmany(size or 1))

    def fetchall(self) -> list[Any]:
        return self._guarded(super().fetchall)


class _GuardedConnection(sqlite3.Connection):
    _guard: _Guard

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or _GuardedCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)


def open_database(path: Path, *, writable: bool, query_only: bool = False,
                  timeout: float | None = None) -> sqlite3.Connection:
    """An SQLite connection to the simulated database file ``path`` with IRIS's functions.

    ``query_only``: the connection can only read (see the module's docstring), whatever
    ``writable`` says. ``timeout``: seconds a statement may run before it is stopped with an
    EngineError. Any statement stops on Ctrl-C or SIGTERM (KeyboardInterrupt).
    """
    mode = "rw" if writable and not query_only else "ro"
    inner = sqlite3.connect(f"file:{_uri_path(path)}?mode={mode}", uri=True, timeout=30,
                            check_same_thread=False, factory=_GuardedConnection)
    assert isinstance(inner, _GuardedConnection)
    guard = _Guard(timeout)
    inner._guard = guard
    register_dialect(inner)
    if query_only:
        inner.execute("PRAGMA query_only = 1")
        inner.set_authorizer(guard.authorize)  # last: it refuses PRAGMA too
    inner.set_progress_handler(guard.progress, _EVERY)
    return inner


def _uri_path(path: Path) -> str:
    # '?' and '#' in a folder name would end the file name of a URI; '%' would start an escape.
    return str(path.absolute()).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
