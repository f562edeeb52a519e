"""The simulator's SQL: IRIS names and features on SQLite, or a clear refusal."""

from __future__ import annotations

import sqlite3

import pytest

from irisfx.engines.sim.sql import SimConnection, translate
from irisfx.engines.sim.vectors import cosine, register


@pytest.fixture
def conn() -> SimConnection:
    inner = sqlite3.connect(":memory:")
    register(inner)
    return SimConnection(inner, "TEST")


def test_schema_names_become_one_identifier_and_strings_are_untouched() -> None:
    assert translate("INSERT INTO RAG.Entities (Name) VALUES ('RAG.Entities; x')") == (
        "INSERT INTO \"RAG.Entities\" (Name) VALUES ('RAG.Entities; x')")
    assert translate("SELECT COUNT(*) FROM Item") == 'SELECT COUNT(*) FROM "SQLUser.Item"'
    assert translate("WITH x AS (SELECT 1 AS a) SELECT a FROM x").endswith("FROM x")


def test_top_and_timestamp_keep_their_iris_meaning() -> None:
    assert translate("SELECT TOP 3 ID FROM A.B").endswith("LIMIT 3")
    assert "TIMESTAMP" in translate("CREATE TABLE A.B (T TIMESTAMP)")


def test_identity_columns_number_rows(conn: SimConnection) -> None:
    conn.execute("CREATE TABLE S.B (ID INTEGER IDENTITY, Name VARCHAR(10))")
    conn.execute("INSERT INTO S.B (Name) VALUES ('a')")
    conn.execute("INSERT INTO S.B (Name) VALUES ('b')")
    assert conn.execute("SELECT ID, Name FROM S.B ORDER BY ID").fetchall() == [(1, "a"), (2, "b")]


def test_vector_columns_and_similarity(conn: SimConnection) -> None:
    conn.execute("CREATE TABLE RAG.Chunks (ID INT PRIMARY KEY, Emb VECTOR(DOUBLE, 3))")
    conn.cursor().executemany("INSERT INTO RAG.Chunks (ID, Emb) VALUES (?, TO_VECTOR(?, DOUBLE))",
                              [(1, "1,0,0"), (2, "0,1,0"), (3, "[0.6,0.8,0]")])
    rows = conn.execute("SELECT TOP 2 ID FROM RAG.Chunks ORDER BY "
                        "VECTOR_COSINE(Emb, TO_VECTOR(?, DOUBLE, 3)) DESC", ["0,1,0"]).fetchall()
    assert rows == [(2,), (3,)]
    assert cosine("1,0", "1,0") == pytest.approx(1.0)
    with pytest.raises(sqlite3.Error, match="user-defined function raised"):
        conn.execute("SELECT VECTOR_DOT_PRODUCT('1,2', '1,2,3')").fetchall()


def test_unparsable_sql_and_sqlite_errors_are_said_in_iris_terms(conn: SimConnection) -> None:
    with pytest.raises(sqlite3.OperationalError, match="cannot parse"):
        conn.execute("SELEC x FRM y")
    with pytest.raises(sqlite3.OperationalError) as info:
        conn.execute("SELECT * FROM S.Missing")
    assert str(info.value) == "no such table: S.Missing (simulator)"
