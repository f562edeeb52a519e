"""Read-only and time-limited connections on the iris engine (issue 17 items 1 and 5, IRIS side).

IRIS is a stand-in here: a DB-API connection that records what reaches it and keeps rows until a
rollback, and a helper that answers ``StatementType`` as IRIS's parser would for the statements
used and cancels a running query on ``CancelQuery``. What is under test is the wrapper
(irisfx/engines/iris/readonly.py) and the engine's ``connect``."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from irisfx.engines.iris.readonly import SELECT, GuardedConnection, statement_name
from irisfx.errors import EngineError, UsageError
from tests.iris.test_iris_mount_steps import Server, engine_on

PID = "4242"
# What %SQL.Statement.%Prepare + %Metadata.statementType give (Documatic %SQL.Statement).
TYPES = {"SELECT * FROM Shop.Item": 1, "ınsert ınto Shop.Item VALUES (9)": 2,
         "SELECT * ınto X FROM Shop.Item": 99, "DELETE FROM Shop.Item": 4,
         "CALL Shop.Purge()": 45, "SELECT forever()": 1}


class Database:
    """Rows that count only after a commit; a statement log; a query that runs until cancelled."""

    def __init__(self) -> None:
        self.committed = ["apple", "pear"]
        self.pending: list[str] = []
        self.log: list[str] = []
        self.cancelled = threading.Event()
        self.in_transaction = False


class Cursor:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.rows: list[tuple[Any, ...]] = []
        self.description = None

    def execute(self, sql: str, *args: Any) -> None:
        self.db.log.append(sql)
        if sql == "SELECT $JOB":
            self.rows = [(PID,)]
        elif sql == "START TRANSACTION":
            self.db.in_transaction = True
        elif sql == "ROLLBACK":
            self.db.pending.clear()
            self.db.in_transaction = False
        elif sql == "SELECT forever()":
            if not self.db.cancelled.wait(30):
                raise AssertionError("the watchdog never cancelled the query")
            raise RuntimeError("[SQLCODE: <-999>] query cancelled")
        elif sql.startswith("SELECT"):
            self.rows = [(name,) for name in self.db.committed + self.db.pending]
        else:
            self.db.pending.append(sql)
            if not self.db.in_transaction:
                self.db.committed.extend(self.db.pending)
                self.db.pending.clear()

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows.pop(0) if self.rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self.rows = self.rows, []
        return rows

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        rows, self.rows = self.rows[:size], self.rows[size:]
        return rows

    def close(self) -> None:
        pass


class Raw:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.closed = False

    def cursor(self) -> Cursor:
        return Cursor(self.db)

    def commit(self) -> None:
        self.db.committed.extend(self.db.pending)
        self.db.pending.clear()

    def rollback(self) -> None:
        self.db.pending.clear()

    def close(self) -> None:
        self.closed = True


class Helper:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.calls: list[tuple[Any, ...]] = []

    def call(self, method: str, *args: Any) -> dict[str, Any]:
        self.calls.append((method, *args))
        if method == "StatementType":
            return {"ok": 1, "type": TYPES[args[1]]}
        if method == "CancelQuery":
            assert args == (PID,)
            self.db.cancelled.set()
            return {"ok": 1, "cancelled": True}
        raise AssertionError(method)


@pytest.fixture
def db() -> Database:
    return Database()


def guarded(db: Database, *, read_only: bool = True,
            timeout: float | None = None) -> tuple[GuardedConnection, Raw, Helper]:
    raw, helper = Raw(db), Helper(db)
    return GuardedConnection(raw, helper.call, "FX_A", timeout, read_only=read_only), raw, helper


def test_a_select_runs_after_iris_parsed_it(db: Database) -> None:
    conn, _, helper = guarded(db)
    cursor = conn.cursor().execute("SELECT * FROM Shop.Item")
    assert cursor.fetchall() == [("apple",), ("pear",)]
    assert ("StatementType", "FX_A", "SELECT * FROM Shop.Item") in helper.calls


@pytest.mark.parametrize("sql", ["ınsert ınto Shop.Item VALUES (9)", "DELETE FROM Shop.Item",
                                 "SELECT * ınto X FROM Shop.Item", "CALL Shop.Purge()"])
def test_anything_iris_does_not_parse_as_select_is_refused_before_it_runs(
        db: Database, sql: str) -> None:
    conn, _, _ = guarded(db)
    with pytest.raises(UsageError) as caught:
        conn.cursor().execute(sql)
    assert statement_name(TYPES[sql]) in caught.value.message
    assert "only SELECT" in caught.value.message and caught.value.fix
    assert sql not in db.log  # refused before it reached the database


def test_what_runs_is_rolled_back_and_never_committed(db: Database) -> None:
    # A SELECT whose function writes: the write is in the transaction, which never commits.
    conn, raw, _ = guarded(db)
    assert db.log == ["START TRANSACTION"]
    Cursor(db).execute("UPDATE by a function the SELECT called")
    conn.commit()
    assert db.committed == ["apple", "pear"]
    conn.close()
    assert db.log[-1] == "ROLLBACK" and raw.closed
    assert db.committed == ["apple", "pear"] and db.pending == []


def test_a_statement_past_its_time_limit_is_cancelled_on_the_server(db: Database) -> None:
    conn, _, helper = guarded(db, timeout=0.2)
    with pytest.raises(EngineError) as caught:
        conn.cursor().execute("SELECT forever()")
    assert ("CancelQuery", PID) in helper.calls
    assert "time limit of 0.2 s" in caught.value.message and "--timeout" in (caught.value.fix or "")


def test_a_quick_statement_is_not_cancelled(db: Database) -> None:
    conn, _, helper = guarded(db, timeout=30)
    assert conn.cursor().execute("SELECT * FROM Shop.Item").fetchone() == ("apple",)
    assert not any(call[0] == "CancelQuery" for call in helper.calls)


def test_a_time_limit_alone_leaves_writes_to_the_caller(db: Database) -> None:
    conn, _, helper = guarded(db, read_only=False, timeout=30)
    conn.cursor().execute("INSERT fig")
    conn.commit()
    assert "INSERT fig" in db.committed
    assert not any(call[0] == "StatementType" for call in helper.calls)


def test_select_is_statement_type_one() -> None:
    assert SELECT == 1 and statement_name(2) == "INSERT" and statement_name(77) == \
        "statement type 77"


def test_the_engine_hands_out_a_guarded_connection_only_when_asked(tmp_path: Path) -> None:
    server = Server()
    engine = engine_on(server, tmp_path)
    plain = engine.connect("FX_A")
    assert not isinstance(plain, GuardedConnection) and "sql:START TRANSACTION" not in server.calls
    guarded_conn = engine.connect("FX_A", read_only=True)
    assert isinstance(guarded_conn, GuardedConnection)
    assert server.calls[-1] == "sql:START TRANSACTION"
    guarded_conn.cursor().execute("SELECT 1")
    assert "StatementType" in server.calls
    with pytest.raises(UsageError):
        guarded_conn.cursor().execute("DELETE FROM Shop.Item")
    assert "sql:DELETE FROM Shop.Item" not in server.calls
    guarded_conn.close()
    assert server.calls[-1] == "sql:ROLLBACK"
