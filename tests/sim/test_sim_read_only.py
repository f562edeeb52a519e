"""Read-only connections of the simulator: SQLite refuses every change, whatever the SQL says.

The statements below pass, or would pass, a reading of the text (comments ended by a carriage
return, brackets, a dotless i (U+0131) that case-folds to ``I``, ``SELECT ... INTO``); the
engine must refuse them all by its own means, and stop a runaway query at its time limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from pathlib import Path

import pytest

from irisfx.engines import EngineSettings
from irisfx.engines.sim import SimEngine
from irisfx.engines.sim.database import open_database
from irisfx.errors import EngineError, NotEmulatedError
from irisfx.recipes.recipe import load_recipe
from tests.conftest import SQL_RECIPE

WRITES = [
    "DELETE FROM Shop.Item",
    "UPDATE Shop.Item SET Name = 'x'",
    "INSERT INTO Shop.Item (ID, Name) VALUES (9, 'x')",
    "DROP TABLE Shop.Item",
    "CREATE TABLE Shop.Other (ID INTEGER)",
    "CREATE TEMP TABLE t (x INTEGER)",
    "CREATE INDEX ix ON Shop.Item (Name)",
    "ALTER TABLE Shop.Item ADD COLUMN Extra INTEGER",
    "SELECT * INTO Shop.Copy FROM Shop.Item",
    "PRAGMA query_only = 0",
    "PRAGMA user_version = 7",
    "VACUUM",
    "ANALYZE",
    "SAVEPOINT s",
]


def hostile(target: Path) -> list[str]:
    """Write attempts dressed to pass a lexical check, plus ATTACH of a writable file."""
    return [
        *WRITES,
        "SELECT 1 --\rDELETE FROM Shop.Item",
        "SELECT [']' FROM Shop.Item; DELETE FROM Shop.Item",
        "ınsert ınto Shop.Item (ID, Name) VALUES (8, 'ı')",
        "SELECT * ınto Shop.Copy FROM Shop.Item",
        f"ATTACH DATABASE '{target}' AS other",
        f"ATTACH DATABASE 'file:{target}?mode=rw' AS other",
        "WITH gone AS (SELECT 1) DELETE FROM Shop.Item",
        "REPLACE INTO Shop.Item (ID, Name) VALUES (1, 'x')",
        "REINDEX",
    ]


@pytest.fixture
def engine(tmp_path: Path) -> SimEngine:
    """A simulator with a writable source namespace FXSRC holding three rows."""
    recipe = tmp_path / "items.sql"
    recipe.write_text(SQL_RECIPE, encoding="utf-8")
    sim = SimEngine.open(EngineSettings(url="sim://sim", project="demo", root=tmp_path))
    sim.build("items", "FXSRC", load_recipe(recipe))
    return sim


def digest(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_no_statement_changes_a_writable_database_through_a_read_only_connection(
        engine: SimEngine, tmp_path: Path) -> None:
    served = tmp_path / "sim" / "db" / "FXSRC" / "IRIS.DAT"
    outside = tmp_path / "outside.db"
    sqlite3.connect(outside).close()
    before, outside_before = digest(served), digest(outside)
    for statement in hostile(outside):
        connection = engine.connect("FXSRC", read_only=True, timeout=5)
        try:
            cursor = connection.cursor()
            with contextlib.suppress(Exception):  # a refusal, or a statement that only reads
                cursor.execute(statement)
                cursor.fetchall()
                connection.commit()
        finally:
            connection.close()
        assert digest(served) == before, statement
    assert digest(outside) == outside_before
    assert engine.row_counts("FXSRC") == {"Shop.Item": 3}


@pytest.mark.parametrize("statement", WRITES)
def test_every_kind_of_write_is_refused(engine: SimEngine, tmp_path: Path,
                                        statement: str) -> None:
    connection = engine.connect("FXSRC", read_only=True)
    try:
        with pytest.raises((sqlite3.DatabaseError, NotEmulatedError)) as refused:
            connection.cursor().execute(statement)
    finally:
        connection.close()
    message = str(refused.value)
    if "read-only" in message or "not authorized" in message:
        return
    # The IRIS dialect refused it first (PRAGMA, VACUUM... are no IRIS SQL). SQLite's own
    # read-only guard, below the dialect, must refuse it by itself too.
    assert isinstance(refused.value, NotEmulatedError) or "IRIS SQL statement" in message
    served = tmp_path / "sim" / "db" / "FXSRC" / "IRIS.DAT"
    guarded = open_database(served, writable=True, query_only=True)
    try:
        with pytest.raises(sqlite3.DatabaseError, match=r"read-only|not authorized"):
            guarded.execute(statement)
    finally:
        guarded.close()


def test_a_read_only_connection_still_reads(engine: SimEngine) -> None:
    connection = engine.connect("FXSRC", read_only=True, timeout=5)
    try:
        cursor = connection.cursor()
        cursor.execute("WITH n AS (SELECT Name FROM Shop.Item) SELECT COUNT(*) FROM n")
        assert cursor.fetchone()[0] == 3
    finally:
        connection.close()


def test_a_refused_write_names_what_it_would_do(engine: SimEngine) -> None:
    connection = engine.connect("FXSRC", read_only=True)
    try:
        with pytest.raises(sqlite3.DatabaseError, match=r"read-only.*DELETE"):
            connection.cursor().execute("DELETE FROM Shop.Item")
    finally:
        connection.close()


def test_a_runaway_query_stops_at_its_time_limit(engine: SimEngine) -> None:
    connection = engine.connect("FXSRC", read_only=True, timeout=0.3)
    try:
        with pytest.raises(EngineError, match=r"time limit of 0\.3 s"):
            connection.cursor().execute(
                "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) "
                "SELECT COUNT(*) FROM r")
    finally:
        connection.close()


def test_a_writable_connection_still_writes(engine: SimEngine) -> None:
    connection = engine.connect("FXSRC")
    try:
        connection.cursor().execute("DELETE FROM Shop.Item WHERE ID = 3")
        connection.commit()
    finally:
        connection.close()
    assert engine.row_counts("FXSRC") == {"Shop.Item": 2}
