"""Read-only connections on IRIS: IRIS's own parser decides what may run, and nothing commits.

``IrisEngine.connect(ns, read_only=True)`` wraps a DB-API connection. Before a statement runs,
the helper prepares it in the namespace with ``%SQL.Statement`` and reads the statement type IRIS
gives it (``%Metadata.statementType``, Documatic %SQL.Statement: 1 is SELECT); anything else is
refused before it runs. No lexical check can be made safe (issue 17 item 1), so none is made here.
What does run, runs inside a transaction opened when the connection opens (``START TRANSACTION``)
and rolled back when it closes or "commits": a SELECT that calls a function with side effects
keeps none of them.

A time limit (``timeout``) is enforced on the server: the connection learns its server process
id (``SELECT $JOB``, KEY=RSQL_COSVARIABLES) and, when a statement outlives the limit, the helper
cancels that process's query (``$SYSTEM.SQL.CancelQuery``, KEY=RSQL_cancelquery).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Any

from irisfx.errors import EngineError, UsageError

SELECT = 1  # %SQL.StatementMetadata statementType of a SELECT (Documatic %SQL.Statement)

# The statement types of the class reference, for messages.
STATEMENT_TYPES = {
    1: "SELECT", 2: "INSERT", 3: "UPDATE", 4: "DELETE", 5: "COMMIT", 6: "ROLLBACK",
    7: "GRANT", 8: "REVOKE", 9: "CREATE TABLE", 10: "ALTER TABLE", 11: "DROP TABLE",
    12: "CREATE VIEW", 13: "ALTER VIEW", 14: "DROP VIEW", 15: "CREATE INDEX", 17: "DROP INDEX",
    20: "SET TRANSACTION", 21: "START TRANSACTION", 26: "SET OPTION", 35: "CREATE FUNCTION",
    37: "CREATE PROCEDURE", 43: "CREATE TRIGGER", 45: "CALL", 46: "SAVEPOINT",
    47: "LOCK TABLE", 48: "UNLOCK TABLE",
}

Call = Callable[..., dict[str, Any]]


def statement_name(kind: int) -> str:
    """``INSERT`` for 2, ``statement type 99`` for a number the class reference does not name."""
    return STATEMENT_TYPES.get(kind, f"statement type {kind}")


class GuardedConnection:
    """A DB-API connection with a statement time limit and, when ``read_only``, one that runs
    only what IRIS parses as SELECT and never commits."""

    def __init__(self, raw: Any, call: Call, namespace: str, timeout: float | None, *,
                 read_only: bool) -> None:
        self._raw = raw
        self._call = call
        self.namespace = namespace
        self.timeout = timeout
        self.read_only = read_only
        self._pid = _scalar(raw, "SELECT $JOB") if timeout is not None else None
        if read_only:
            _run(raw, "START TRANSACTION")

    def cursor(self) -> GuardedCursor:
        """A cursor whose ``execute`` asks IRIS for the statement type first."""
        return GuardedCursor(self, self._raw.cursor())

    def commit(self) -> None:
        """Read-only: nothing is ever committed (the transaction is rolled back and a new one
        opened). Otherwise the DB-API commit."""
        if self.read_only:
            self.rollback()
        else:
            self._raw.commit()

    def rollback(self) -> None:
        """Undo whatever ran since the connection opened (read-only) or the last commit."""
        if not self.read_only:
            self._raw.rollback()
            return
        _run(self._raw, "ROLLBACK")
        _run(self._raw, "START TRANSACTION")

    def close(self) -> None:
        """Roll back (read-only), then close the DB-API connection."""
        try:
            if self.read_only:
                _run(self._raw, "ROLLBACK")
        finally:
            self._raw.close()

    def check(self, sql: str) -> None:
        """Read-only: UsageError unless IRIS parses ``sql`` as a SELECT in this namespace."""
        if not self.read_only:
            return
        kind = int(self._call("StatementType", self.namespace, sql).get("type", 0))
        if kind != SELECT:
            raise UsageError(
                f"a read-only connection runs only SELECT statements; IRIS parses this one as "
                f"{statement_name(kind)}",
                fix="run a SELECT; change data with a recipe (irisfx apply), never through a "
                "read-only connection",
            )

    def run_limited(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` (a statement on this connection) within the time limit, if any.

        Only the watchdog thread touches the helper while ``work`` runs, and the caller's thread
        waits for it before it uses the helper again.
        """
        if self.timeout is None or self._pid is None:
            return work()
        fired = threading.Event()
        pid = self._pid

        def cancel() -> None:
            fired.set()
            # The statement's own error (or its end) follows in the caller's thread; an error
            # here would only be printed by the threading module.
            with contextlib.suppress(Exception):
                self._call("CancelQuery", str(pid))

        timer = threading.Timer(self.timeout, cancel)
        timer.daemon = True
        timer.start()
        try:
            return work()
        except Exception:
            if fired.is_set():
                raise _timed_out(self.timeout) from None
            raise
        finally:
            timer.cancel()
            timer.join()


class GuardedCursor:
    """A DB-API cursor over a read-only connection."""

    def __init__(self, owner: GuardedConnection, raw: Any) -> None:
        self._owner = owner
        self._raw = raw

    @property
    def description(self) -> Any:
        """The raw cursor's description (PEP 249)."""
        return self._raw.description

    @property
    def rowcount(self) -> int:
        """The raw cursor's rowcount (PEP 249)."""
        return int(getattr(self._raw, "rowcount", -1))

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> GuardedCursor:
        """Run ``sql`` if IRIS parses it as a SELECT, within the connection's time limit."""
        self._owner.check(sql)
        args = () if params is None else (tuple(params),)
        self._owner.run_limited(lambda: self._raw.execute(sql, *args))
        return self

    def fetchone(self) -> Any:
        """The next row, or None."""
        return self._raw.fetchone()

    def fetchmany(self, size: int = 1) -> list[Any]:
        """Up to ``size`` rows."""
        return list(self._raw.fetchmany(size))

    def fetchall(self) -> list[Any]:
        """The remaining rows."""
        return list(self._raw.fetchall())

    def close(self) -> None:
        """Close the raw cursor."""
        self._raw.close()


def _scalar(raw: Any, sql: str) -> Any:
    cursor = raw.cursor()
    try:
        cursor.execute(sql)
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        raise EngineError(f"IRIS returned no row for {sql}")
    return row[0]


def _run(raw: Any, sql: str) -> None:
    cursor = raw.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def _timed_out(seconds: float) -> EngineError:
    return EngineError(
        f"the query ran longer than its time limit of {seconds:g} s and IRIS cancelled it",
        fix="make the query cheaper, or raise the limit (--timeout SECONDS)",
    )
