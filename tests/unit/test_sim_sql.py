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


def test_inserts_of_one_shape_are_parsed_once() -> None:
    from irisfx.engines.sim.sql import _translate_text

    before = _translate_text.cache_info().misses
    outs = [translate(f"INSERT INTO Shape.Once (ID, Name) VALUES ({i}, 'n{i}; x')")
            for i in range(50)]
    assert _translate_text.cache_info().misses - before == 1
    assert outs[7] == "INSERT INTO \"Shape.Once\" (ID, Name) VALUES (7, 'n7; x')"


@pytest.mark.parametrize("sql", [
    "INSERT INTO A.B (ID, Name) VALUES (-1.5e3, 'it''s ? (1, 2)'), (2, 'b')",
    "INSERT INTO \"Col 1\".T (\"a 2\") VALUES (3) -- 5",
    "INSERT INTO A.B (D, E) VALUES (DATE '2024-01-01', N'a, 1')",
    "INSERT INTO A.C (ID, Emb) VALUES (1, TO_VECTOR('1,0,0', DOUBLE, 3))",
    "INSERT INTO A.B (ID, Name) VALUES (?, 'x')",
    "INSERT INTO A.B (ID) SELECT ID + 1 FROM A.B WHERE Name = 'a' AND ID < 10",
])
def test_shape_translation_equals_translating_the_text(sql: str) -> None:
    from irisfx.engines.sim.sql import _translate_text

    assert translate(sql) == _translate_text(sql)


def test_shaped_inserts_store_the_values(conn: SimConnection) -> None:
    conn.execute("CREATE TABLE S.V (ID INT PRIMARY KEY, Name VARCHAR(20), Emb VECTOR(DOUBLE, 2))")
    conn.execute("INSERT INTO S.V (ID, Name, Emb) VALUES (1, 'it''s; ?', TO_VECTOR('1,0'))")
    conn.execute("INSERT INTO S.V (ID, Name, Emb) VALUES (-2, '(3, 4)', TO_VECTOR('0,1'))")
    assert conn.execute("SELECT ID, Name, Emb FROM S.V ORDER BY ID").fetchall() == [
        (-2, "(3, 4)", "0,1"), (1, "it's; ?", "1,0")]
