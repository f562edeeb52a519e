"""VECTOR columns, TO_VECTOR and the similarity functions on the simulator.

Docs (https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=...):
RSQL_tovector (elements, optional [ ], type coercion, integer truncates, length pads and cuts),
GSQL_vecsearch (VECTOR(type, n), HNSW indexes), RSQL_vectorcosine, RSQL_vectordotproduct.
"""

from __future__ import annotations

import sqlite3

import pytest

from irisfx.engines.sim.sql import SimConnection
from tests.sim.dialect_db import db, rows, script

__all__ = ["db"]


def test_to_vector_parses_coerces_and_sizes(db: SimConnection) -> None:
    """RSQL_tovector: ``TO_VECTOR('[1.9,2,3]', int)`` -> 1,2,3; ``('1,2', double, 4)``: 1,2,0,0."""
    assert rows(db, "SELECT TO_VECTOR('[1.9,2,3]', int), TO_VECTOR('1,2', double, 4), "
                    "TO_VECTOR('0.5, 0.25 ,1', DOUBLE, 2)") == [("1,2,3", "1,2,0,0", "0.5,0.25")]


@pytest.mark.parametrize("text", ["abc", "1,,2", "", "1,x,3"])
def test_to_vector_refuses_what_is_not_a_vector(db: SimConnection, text: str) -> None:
    """RSQL_tovector: elements of mixed kinds fail with SQLCODE -1 (never stored as text)."""
    with pytest.raises(sqlite3.OperationalError, match="SQLCODE -1: TO_VECTOR"):
        db.execute("SELECT TO_VECTOR(?, DOUBLE)", [text]).fetchall()


def test_vector_columns_check_their_length(db: SimConnection) -> None:
    """GSQL_vecsearch: a VECTOR(DOUBLE, 3) column takes 3 elements; others are SQLCODE -104."""
    db.execute("CREATE TABLE RAG.Chunk (Emb VECTOR(DOUBLE, 3))")
    db.execute("INSERT INTO RAG.Chunk (Emb) VALUES (TO_VECTOR('1,0,0', DOUBLE))")
    with pytest.raises(sqlite3.IntegrityError, match=r"SQLCODE -104: Field 'RAG\.Chunk\.Emb'"):
        db.execute("INSERT INTO RAG.Chunk (Emb) VALUES (TO_VECTOR('1,0', DOUBLE))")
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -104"):
        db.execute("INSERT INTO RAG.Chunk (Emb) VALUES ('not a vector')")


def test_similarity_search_with_an_hnsw_index(db: SimConnection) -> None:
    """GSQL_vecsearch: HNSW index (a plain index here), TOP n ... ORDER BY VECTOR_COSINE DESC;
    RSQL_vectordotproduct: dot product of 6,4,5 and 1,4,3 is 37."""
    script(db, "CREATE TABLE RAG.Doc (Title VARCHAR(20), Emb VECTOR(DOUBLE, 3));"
               "CREATE INDEX DocHNSW ON TABLE RAG.Doc (Emb) AS HNSW(M=16, "
               "efConstruction=100, Distance='Cosine');"
               "INSERT INTO RAG.Doc (Title, Emb) VALUES ('x', TO_VECTOR('1,0,0', DOUBLE, 3));"
               "INSERT INTO RAG.Doc (Title, Emb) VALUES ('y', TO_VECTOR('0,1,0', DOUBLE, 3));"
               "INSERT INTO RAG.Doc (Title, Emb) VALUES "
               "('xy', TO_VECTOR('[0.6,0.8,0]', DOUBLE, 3))")
    got = rows(db, "SELECT TOP 2 Title FROM RAG.Doc ORDER BY "
                   "VECTOR_COSINE(Emb, TO_VECTOR(?, DOUBLE, 3)) DESC", "0,1,0")
    assert got == [("y",), ("xy",)]
    assert rows(db, "SELECT VECTOR_DOT_PRODUCT(TO_VECTOR('6,4,5', integer), "
                    "TO_VECTOR('1,4,3', integer))") == [(37.0,)]
    with pytest.raises(sqlite3.OperationalError, match="SQLCODE -257"):
        db.execute("SELECT VECTOR_COSINE(TO_VECTOR('1,2'), TO_VECTOR('1,2,3'))").fetchall()


def test_pgvector_distance_operator_is_refused(db: SimConnection) -> None:
    """``<=>`` is pgvector's, not IRIS SQL: refused, never translated to IS and run."""
    db.execute("CREATE TABLE RAG.P (Emb VECTOR(DOUBLE, 2))")
    with pytest.raises(sqlite3.OperationalError, match="'<=>' is pgvector's operator"):
        db.execute("SELECT Emb <=> '[1,0]' FROM RAG.P")
