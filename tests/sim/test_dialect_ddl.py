"""IRIS DDL on the simulator: DROP/TRUNCATE forms, schemas, constraints added later, indexes.

Docs (https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=...):
RSQL_droptable (CASCADE, %DELDATA, %NODELDATA), RSQL_truncatetable, RSQL_createschema,
RSQL_dropschema, GSQL_foreignkeys (keys added by ALTER TABLE, enforced on INSERT/DELETE),
RSQL_createindex (BITMAP, AS HNSW(...)), RSQL_altertable.
"""

from __future__ import annotations

import sqlite3

import pytest

from irisfx.engines.sim.sql import SimConnection
from irisfx.errors import NotEmulatedError
from tests.sim.dialect_db import db, rows, script

__all__ = ["db"]


def _tables(db: SimConnection) -> list[str]:
    return sorted(r[0] for r in db._inner.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))


@pytest.mark.parametrize("tail", ["CASCADE", "%DELDATA", "%NODELDATA", "RESTRICT %DELDATA", ""])
def test_drop_table_forms(db: SimConnection, tail: str) -> None:
    """RSQL_droptable: ``DROP TABLE t [RESTRICT|CASCADE] [%DELDATA|%NODELDATA]`` drops the table."""
    script(db, "CREATE TABLE D.T (A INTEGER); INSERT INTO D.T (A) VALUES (1)")
    db.execute(f"DROP TABLE D.T {tail}")
    assert _tables(db) == []
    db.execute("DROP TABLE IF EXISTS D.T CASCADE")


def test_truncate_empties_and_restarts_numbering(db: SimConnection) -> None:
    """RSQL_truncatetable: all rows gone, the RowID starts again at 1."""
    script(db, "CREATE TABLE D.Tr (A INTEGER); INSERT INTO D.Tr (A) VALUES (1);"
               "INSERT INTO D.Tr (A) VALUES (2); TRUNCATE TABLE %NOCHECK D.Tr;"
               "INSERT INTO D.Tr (A) VALUES (3)")
    assert rows(db, "SELECT ID, A FROM D.Tr") == [(1, 3)]


def test_create_and_drop_schema(db: SimConnection) -> None:
    """RSQL_createschema / RSQL_dropschema: RESTRICT (default) refuses a schema with tables
    (SQLCODE -475); CASCADE drops them."""
    script(db, "CREATE SCHEMA Shop; CREATE SCHEMA IF NOT EXISTS Shop;"
               "CREATE TABLE Shop.A (X INTEGER UNIQUE);"
               "CREATE TABLE Shop.B (X INTEGER REFERENCES Shop.A (X));"
               "INSERT INTO Shop.A (X) VALUES (1); INSERT INTO Shop.B (X) VALUES (1);"
               "CREATE TABLE Other.C (X INTEGER)")
    with pytest.raises(sqlite3.OperationalError, match="SQLCODE -475"):
        db.execute("DROP SCHEMA Shop")
    db.execute("DROP SCHEMA Shop CASCADE")
    assert _tables(db) == ["Other.C"]


def test_constraints_added_after_the_tables_are_enforced(db: SimConnection) -> None:
    """GSQL_foreignkeys: ALTER TABLE ADD CONSTRAINT ... FOREIGN KEY / UNIQUE on tables just
    created; foreign keys are enforced on INSERT and DELETE (SQLCODE -121/-124)."""
    script(db, "CREATE TABLE TPCH.Nation (NationKey INTEGER NOT NULL, Name VARCHAR(25));"
               "CREATE TABLE TPCH.Customer (CustKey INTEGER IDENTITY, NationKey INTEGER,"
               " Name VARCHAR(25));"
               "ALTER TABLE TPCH.Nation ADD CONSTRAINT NationPK PRIMARY KEY (NationKey);"
               "ALTER TABLE TPCH.Customer ADD CONSTRAINT CustNation FOREIGN KEY (NationKey)"
               " REFERENCES TPCH.Nation (NationKey);"
               "ALTER TABLE TPCH.Customer ADD CONSTRAINT CustName UNIQUE (Name);"
               "INSERT INTO TPCH.Nation (NationKey, Name) VALUES (7, 'GERMANY');"
               "INSERT INTO TPCH.Customer (NationKey, Name) VALUES (7, 'Customer#1')")
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -121"):
        db.execute("INSERT INTO TPCH.Customer (NationKey, Name) VALUES (99, 'Customer#2')")
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -119"):
        db.execute("INSERT INTO TPCH.Customer (NationKey, Name) VALUES (7, 'CUSTOMER#1')")
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -121"):
        db.execute("DELETE FROM TPCH.Nation")
    assert rows(db, "SELECT CustKey, NationKey, Name FROM TPCH.Customer") == [
        (1, 7, "Customer#1")]


def test_a_foreign_key_the_rows_break_is_refused(db: SimConnection) -> None:
    """GSQL_foreignkeys: rows already there must match a key added later."""
    script(db, "CREATE TABLE F.P (K INTEGER UNIQUE); CREATE TABLE F.C (K INTEGER);"
               "INSERT INTO F.C (K) VALUES (5)")
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -124"):
        db.execute("ALTER TABLE F.C ADD CONSTRAINT FK FOREIGN KEY (K) REFERENCES F.P (K)")


@pytest.mark.parametrize("statement", [
    "CREATE BITMAP INDEX KindIdx ON I.T (Kind)",
    "CREATE INDEX KindIdx ON TABLE I.T (Kind) WITH BITMAP",
    "CREATE INDEX KindIdx ON I.T (Kind) AS HNSW(Distance='DotProduct')",
    "CREATE UNIQUE INDEX KindIdx ON I.T (Kind ASC)",
])
def test_index_forms_are_plain_indexes(db: SimConnection, statement: str) -> None:
    """RSQL_createindex: bitmap and HNSW indexes change no data; the simulator keeps a plain
    index, and DROP INDEX removes it."""
    script(db, "CREATE TABLE I.T (Kind VARCHAR(9)); INSERT INTO I.T (Kind) VALUES ('a')")
    db.execute(statement)
    assert rows(db, "SELECT Kind FROM I.T WHERE Kind = 'A'") == [("a",)]
    indexes = [r[0] for r in db._inner.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'I.T.KindIdx'")]
    assert indexes == ["I.T.KindIdx"]
    db.execute("DROP INDEX KindIdx ON I.T")
    assert not db._inner.execute(
        "SELECT name FROM sqlite_master WHERE name = 'I.T.KindIdx'").fetchall()


def test_add_and_drop_column(db: SimConnection) -> None:
    """RSQL_altertable: ADD COLUMN (validated like any column), DROP COLUMN."""
    script(db, "CREATE TABLE A.T (X INTEGER); INSERT INTO A.T (X) VALUES (1);"
               "ALTER TABLE A.T ADD COLUMN Note VARCHAR(3)")
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -104"):
        db.execute("UPDATE A.T SET Note = 'toolong'")
    db.execute("ALTER TABLE A.T DROP COLUMN Note")
    assert rows(db, "SELECT * FROM A.T") == [(1,)]
    with pytest.raises(NotEmulatedError, match="ALTER TABLE"):
        db.execute("ALTER TABLE A.T ALTER COLUMN X VARCHAR(5)")


def test_references_without_columns_names_the_primary_key(db: SimConnection) -> None:
    """GSQL_foreignkeys: ``REFERENCES t`` alone refers to t's primary key (RowID if none)."""
    script(db, "CREATE TABLE K.Parent (Code VARCHAR(5) PRIMARY KEY);"
               "CREATE TABLE K.Child (P VARCHAR(5) REFERENCES K.Parent, N INTEGER);"
               "CREATE TABLE K.Plain (N INTEGER);"
               "CREATE TABLE K.Other (P INTEGER REFERENCES K.Plain);"
               "INSERT INTO K.Parent (Code) VALUES ('ab');"
               "INSERT INTO K.Child (P, N) VALUES ('AB', 1);"
               "INSERT INTO K.Plain (N) VALUES (10);"
               "INSERT INTO K.Other (P) VALUES (1)")
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -121"):
        db.execute("INSERT INTO K.Other (P) VALUES (10)")
    assert rows(db, "SELECT P, N FROM K.Child") == [("AB", 1)]


def test_create_or_replace_procedure_is_refused_by_its_whole_name(db: SimConnection) -> None:
    """RSQL_createprocedure: CREATE OR REPLACE PROCEDURE is IRIS SQL the simulator lacks; the
    refusal names the statement, not 'CREATE OR'."""
    with pytest.raises(NotEmulatedError, match=r"^the simulator does not emulate CREATE OR "
                       r"REPLACE PROCEDURE$"):
        db.execute("CREATE OR REPLACE PROCEDURE P.Q(IN a INT) BEGIN SELECT 1; END")
