"""Whole IRIS scripts (tests/sim/corpus) built on the simulator through the recipe runner.

Each test states the data IRIS builds from the script; the docs behind each value are those
cited in the construct tests (test_dialect_*.py) and in docs/recipes.md "What the simulator
emulates".
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from irisfx.engines.sim.sql import SimConnection
from irisfx.errors import RecipeError
from irisfx.recipes.recipe import load_recipe, run_recipe
from tests.sim.dialect_db import db, rows

__all__ = ["db"]

CORPUS = Path(__file__).parent / "corpus"


def _build(db: SimConnection, name: str) -> SimConnection:
    run_recipe(load_recipe(CORPUS / name, f"corpus/{name}"), db)
    return db


def test_tpch_loader(db: SimConnection) -> None:
    """IDENTITY keys number 1, 2, 3 (RSQL_createtable_idfield); NUMERIC(15,2) is rounded and
    exact (%Library.Numeric); 'automobile' groups with 'AUTOMOBILE' and 'f' with 'F' in upper
    case (GSQL_collation_query); the keys added afterwards hold (GSQL_foreignkeys)."""
    _build(db, "tpch_loader.sql")
    assert rows(db, "SELECT CustKey, Name, AcctBal FROM TPCH.Customer ORDER BY CustKey") == [
        (1, "Customer#000000001", Decimal("711.56")),
        (2, "Customer#000000002", Decimal("121.65")),
        (3, "Customer#000000003", Decimal("7498.13"))]
    assert rows(db, "SELECT MktSegment, COUNT(*) FROM TPCH.Customer GROUP BY MktSegment "
                    "ORDER BY MktSegment") == [("AUTOMOBILE", 2), ("BUILDING", 1)]
    assert rows(db, "SELECT OrderStatus, COUNT(*) FROM TPCH.Orders GROUP BY OrderStatus "
                    "ORDER BY 1") == [("F", 2), ("O", 2)]
    assert rows(db, "SELECT n.Name, COUNT(*) FROM TPCH.Orders o JOIN TPCH.Customer c ON "
                    "c.CustKey = o.CustKey JOIN TPCH.Nation n ON n.NationKey = c.NationKey "
                    "WHERE n.Name = 'germany' GROUP BY n.Name") == [("GERMANY", 2)]
    assert rows(db, "SELECT * FROM TPCH.Orders WHERE OrderKey = 2") == [
        (2, 2, "F", Decimal("46929.18"), "1993-10-14")]
    assert db.notes == ["TUNE TABLE skipped: table statistics only guide IRIS's query plans"]


def test_rag_schema_with_hnsw_indexes(db: SimConnection) -> None:
    """VECTOR(DOUBLE, 4) with TO_VECTOR (RSQL_tovector pads '0.7,0,0.7,0' fine); HNSW indexes
    change no data; %String(MAXLEN=200) and VARCHAR(MAXLEN=1000) are strings; the foreign key
    matches 'pmc002' to 'PMC002' under SQLUPPER (ROBJ_index_unique)."""
    _build(db, "rag_hnsw.sql")
    assert rows(db, "SELECT TOP 2 DocID FROM RAG.SourceDocument ORDER BY "
                    "VECTOR_COSINE(Embedding, TO_VECTOR('1,0,0,0', DOUBLE)) DESC") == [
        ("PMC001",), ("PMC003",)]
    assert rows(db, "SELECT ChunkID, DocID, Embedding FROM RAG.Chunk ORDER BY ChunkID") == [
        (1, "PMC001", "1,0,0,0"), (2, "PMC001", "0.8,0.2,0,0"), (3, "pmc002", "0,1,0,0")]
    assert rows(db, "SELECT COUNT(*) FROM RAG.SourceDocument d JOIN RAG.Chunk c ON "
                    "c.DocID = d.DocID") == [(3,)]
    created = rows(db, "SELECT CreatedAt FROM RAG.SourceDocument WHERE DocID = 'pmc003'")
    assert len(created) == 1 and len(created[0][0]) == len("2024-01-01 00:00:00")


def test_healthcare_mixed_case_queried_case_insensitively(db: SimConnection) -> None:
    """Mixed-case data found by ``Status = 'ACTIVE'`` and ``LastName = 'garcia'``
    (GSQL_collation_query); INSERT OR UPDATE matched 'mrn-0003' to 'MRN-0003'
    (RSQL_insertorupdate); SERIAL visit numbers, DATEADD month ends (RSQL_dateadd), ROWVERSION
    bumped by the UPDATE (RSQL_insert_data_counters); GRANT and TUNE TABLE skipped."""
    _build(db, "healthcare.sql")
    assert rows(db, "SELECT COUNT(*) FROM Demo.Patient WHERE Status = 'ACTIVE'") == [(3,)]
    assert rows(db, "SELECT FirstName FROM Demo.Patient WHERE LastName = 'garcia' "
                    "ORDER BY ID") == [("Ana María",), ("Luis",)]
    assert rows(db, "SELECT ID, MRN, LastName, Status, Version FROM Demo.Patient "
                    "WHERE MRN %STARTSWITH 'mrn-000' ORDER BY ID") == [
        (1, "MRN-0001", "Garcia", "Active", 6),
        (2, "MRN-0002", "GARCIA", "ACTIVE ", 2),
        (3, "mrn-0003", "O'Brien", "Inactive", 5),
        (4, "MRN-0004", "Nguyen", "ACTIVE", 4)]
    assert rows(db, "SELECT VisitNo, FollowUp, Charge FROM Demo.Visit ORDER BY VisitNo") == [
        (1, "2024-02-29 09:30:00", Decimal("120.50")),
        (2, "2024-02-24 14:00:00", Decimal("80.00")),
        (3, None, Decimal("45.26"))]
    assert rows(db, "SELECT COUNT(*) FROM Demo.Visit WHERE Ward = 'cardio'") == [(1,)]
    assert rows(db, "SELECT DISTINCT Gender FROM Demo.Patient ORDER BY Gender") == [
        ("F",), ("M",)]
    assert len(db.notes) == 2


def test_a_construct_the_simulator_lacks_names_the_file_line(db: SimConnection,
                                                            tmp_path: Path) -> None:
    """The runner's message: ``recipe.sql:LINE: the simulator does not emulate ...``."""
    recipe = tmp_path / "proc.sql"
    recipe.write_text("CREATE TABLE S.T (A INTEGER);\nINSERT INTO S.T (A) VALUES (1);\n"
                      "CREATE PROCEDURE S.P() LANGUAGE OBJECTSCRIPT\n{ quit 1 }\n")
    with pytest.raises(RecipeError) as info:
        run_recipe(load_recipe(recipe, "recipes/proc.sql"), db)
    assert "recipes/proc.sql:3: the simulator does not emulate CREATE PROCEDURE ... LANGUAGE " \
        "OBJECTSCRIPT; build this fixture against IRIS" in info.value.message
    assert rows(db, "SELECT COUNT(*) FROM S.T") == [(0,)]  # the INSERT was rolled back
