"""The simulator's SQL layer: IRIS names on SQLite, INSERT shapes, errors in IRIS terms."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from irisfx.engines.sim.sql import SimConnection
from irisfx.errors import NotEmulatedError
from tests.sim.dialect_db import db, rows

__all__ = ["db"]


def _sql(db: SimConnection, statement: str) -> str:
    step = db.translator(statement).steps[0]
    assert isinstance(step, str)
    return step


def test_schema_names_become_one_identifier_and_strings_are_untouched(db: SimConnection) -> None:
    db.execute("CREATE TABLE RAG.Entities (Name VARCHAR(20))")
    db.execute("INSERT INTO RAG.Entities (Name) VALUES ('RAG.Entities; x')")
    assert _sql(db, "SELECT COUNT(*) FROM Item") == 'SELECT COUNT(*) FROM "SQLUser.Item"'
    assert rows(db, "SELECT Name FROM rag.entities") == [("RAG.Entities; x",)]
    assert _sql(db, "WITH x AS (SELECT 1 AS a) SELECT a FROM x").endswith("FROM x")


def test_top_is_a_limit(db: SimConnection) -> None:
    db.execute("CREATE TABLE A.B (N INTEGER)")
    for n in range(5):
        db.execute("INSERT INTO A.B (N) VALUES (?)", [n])
    assert rows(db, "SELECT TOP 3 N FROM A.B ORDER BY N") == [(0,), (1,), (2,)]


def test_inserts_of_one_shape_are_parsed_once(db: SimConnection) -> None:
    db.execute("CREATE TABLE Shape.Once (N INTEGER, Name VARCHAR(20))")
    before = db.translator.parsed
    for i in range(50):
        db.execute(f"INSERT INTO Shape.Once (N, Name) VALUES ({i}, 'n{i}; x')")
    assert db.translator.parsed - before == 1
    assert rows(db, "SELECT N, Name FROM Shape.Once WHERE N = 7") == [(7, "n7; x")]


@pytest.mark.parametrize("sql", [
    "INSERT INTO A.B (N, Name) VALUES (-1.5e3, 'it''s ? (1, 2)')",
    "INSERT INTO \"A\".B (\"N\") VALUES (3) -- 5",
    "INSERT INTO A.B (N, Name) VALUES (1, {fn CONCAT('a', 'b')})",
    "INSERT INTO A.B (N, Name) VALUES (2, TO_VECTOR('1,0,0', DOUBLE, 3))",
    "INSERT INTO A.B (N, Name) VALUES (?, 'x')",
    "INSERT INTO A.B (N) SELECT N + 1 FROM A.B WHERE Name = 'a' AND N < 10",
])
def test_shape_translation_equals_translating_the_text(db: SimConnection, sql: str) -> None:
    from irisfx.engines.sim.dialect import translate

    db.execute("CREATE TABLE A.B (N NUMERIC(10,2), Name VARCHAR(20))")
    catalog = db.translator.catalog()
    assert db.translator(sql).steps == translate(sql, catalog, db._inner).steps


def test_sqlite_errors_are_said_in_iris_terms(db: SimConnection) -> None:
    with pytest.raises(sqlite3.OperationalError) as info:
        db.execute("SELECT * FROM S.Missing")
    assert str(info.value) == "SQLCODE -30: Table 'S.Missing' not found (simulator)"
    with pytest.raises(NotEmulatedError, match=r"the SQL near .y."):
        db.execute("SELECT x FRM y z w")
    with pytest.raises(sqlite3.OperationalError, match="SELEC does not start an IRIS SQL"):
        db.execute("SELEC x FRM y")


def test_every_open_of_the_file_knows_its_collations(tmp_path: Path) -> None:
    """The stored schema names SQLUPPER; open_database registers it on every open, read-only
    too, so a reopened file compares strings as IRIS does (GSQL_collation_query)."""
    from irisfx.engines.sim.database import open_database

    path = tmp_path / "IRIS.DAT"
    sqlite3.connect(path).close()
    with SimConnection(open_database(path, writable=True), "W") as writer:
        writer.execute("CREATE TABLE R.T (Name VARCHAR(9), Amount NUMERIC(6,2))")
        writer.execute("INSERT INTO R.T (Name, Amount) VALUES ('Smith', 1.5)")
    reader = SimConnection(open_database(path, writable=False), "R")
    assert rows(reader, "SELECT Name, Amount FROM R.T WHERE Name = 'SMITH'") == [
        ("Smith", Decimal("1.50"))]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("INSERT INTO R.T (Name) VALUES ('x')")
    reader.close()
