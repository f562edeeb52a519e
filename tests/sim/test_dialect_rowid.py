"""RowID, IDENTITY, SERIAL and ROWVERSION numbering on the simulator, as IRIS numbers rows.

Docs (https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=...):
GSQL_tables_idfield (RowID ``ID``, ``%ID``, ``ID1``), RSQL_createtable_idfield (IDENTITY),
RSQL_insert_data_counters (SERIAL, ROWVERSION), RSQL_truncatetable, RACS_IdKey.
"""

from __future__ import annotations

import sqlite3

import pytest

from irisfx.engines.sim.sql import SimConnection
from tests.sim.dialect_db import db, rows, script

__all__ = ["db"]


def test_every_table_has_a_hidden_rowid_named_id(db: SimConnection) -> None:
    """GSQL_tables_idfield: RowID ``ID`` numbered 1, 2, ...; hidden from SELECT *; %ID names it."""
    script(db, "CREATE TABLE P.Person (Name VARCHAR(9));"
               "INSERT INTO P.Person (Name) VALUES ('ann');"
               "INSERT INTO P.Person (Name) VALUES ('bob')")
    assert rows(db, "SELECT * FROM P.Person") == [("ann",), ("bob",)]
    assert rows(db, "SELECT ID, Name FROM P.Person ORDER BY ID") == [(1, "ann"), (2, "bob")]
    assert rows(db, "SELECT %ID, p.Name FROM P.Person p WHERE p.%ID = 2") == [(2, "bob")]
    assert rows(db, "INSERT INTO P.Person VALUES ('cy')") == []
    assert rows(db, "SELECT Name FROM P.Person WHERE ID = 3") == [("cy",)]


def test_a_column_named_id_moves_the_rowid_to_id1(db: SimConnection) -> None:
    """GSQL_tables_idfield: a user column ID makes the RowID ``ID1``; a PRIMARY KEY on another
    column is a unique key, not the RowID (RACS_IdKey, IdKey=1)."""
    script(db, "CREATE TABLE Q.Item (ID INTEGER PRIMARY KEY, V VARCHAR(5));"
               "INSERT INTO Q.Item (ID, V) VALUES (50, 'a');"
               "INSERT INTO Q.Item (ID, V) VALUES (40, 'b')")
    assert rows(db, "SELECT ID, ID1, %ID FROM Q.Item ORDER BY ID1") == [(50, 1, 1), (40, 2, 2)]
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -119"):
        db.execute("INSERT INTO Q.Item (ID, V) VALUES (50, 'c')")


def test_public_rowid_shows_in_select_star(db: SimConnection) -> None:
    """%PUBLICROWID: SELECT * returns the RowID too (GSQL_tables_idfield)."""
    script(db, "CREATE TABLE H.Pub (%PUBLICROWID, A INTEGER); INSERT INTO H.Pub (A) VALUES (7)")
    assert rows(db, "SELECT * FROM H.Pub") == [(1, 7)]


def test_identity_is_the_rowid_and_refuses_explicit_values(db: SimConnection) -> None:
    """RSQL_createtable_idfield: IDENTITY numbers rows 1, 2, ...; an explicit value is SQLCODE
    -111; INTEGER IDENTITY with the key on another column numbers all the same."""
    script(db, "CREATE TABLE S.Order (OrderKey INTEGER IDENTITY, Code VARCHAR(5) PRIMARY KEY);"
               "INSERT INTO S.Order (Code) VALUES ('a');"
               "INSERT INTO S.Order (Code) VALUES ('b')")
    assert rows(db, "SELECT * FROM S.Order") == [(1, "a"), (2, "b")]
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -111"):
        db.execute("INSERT INTO S.Order (OrderKey, Code) VALUES (9, 'c')")
    script(db, "CREATE TABLE S.Bare (sid IDENTITY, n VARCHAR(5));"
               "INSERT INTO S.Bare (n) VALUES ('x')")
    assert rows(db, "SELECT sid, n FROM S.Bare") == [(1, "x")]


def test_identity_insert_is_allowed_by_the_class_parameter(db: SimConnection) -> None:
    """RSQL_createtable_idfield: WITH %CLASSPARAMETER ALLOWIDENTITYINSERT = 1."""
    db.execute("CREATE TABLE S.Allow (k IDENTITY, n VARCHAR(5)) "
               "WITH %CLASSPARAMETER ALLOWIDENTITYINSERT = 1")
    db.execute("INSERT INTO S.Allow (k, n) VALUES (9, 'a')")
    assert rows(db, "SELECT k, n FROM S.Allow") == [(9, "a")]


def test_serial_counts_and_jumps_to_larger_explicit_values(db: SimConnection) -> None:
    """RSQL_insert_data_counters / %Library.Counter: no value -> next; a larger value sets the
    counter; DELETE does not reuse numbers, TRUNCATE TABLE restarts them (RSQL_truncatetable)."""
    script(db, "CREATE TABLE C.Ticket (No SERIAL, Note VARCHAR(9));"
               "INSERT INTO C.Ticket (Note) VALUES ('a');"
               "INSERT INTO C.Ticket (Note) VALUES ('b');"
               "INSERT INTO C.Ticket (No, Note) VALUES (10, 'c');"
               "INSERT INTO C.Ticket (Note) VALUES ('d');"
               "DELETE FROM C.Ticket WHERE No = 11;"
               "INSERT INTO C.Ticket (Note) VALUES ('e')")
    assert rows(db, "SELECT No, Note FROM C.Ticket ORDER BY ID") == [
        (1, "a"), (2, "b"), (10, "c"), (12, "e")]
    script(db, "TRUNCATE TABLE C.Ticket; INSERT INTO C.Ticket (Note) VALUES ('f')")
    assert rows(db, "SELECT ID, No, Note FROM C.Ticket") == [(1, 1, "f")]


def test_rowversion_counts_inserts_and_updates_across_tables(db: SimConnection) -> None:
    """RSQL_insert_data_counters: one namespace-wide ROWVERSION counter, bumped by every INSERT
    and UPDATE of any ROWVERSION table, not reset by TRUNCATE."""
    script(db, "CREATE TABLE V.A (N VARCHAR(3), RV ROWVERSION);"
               "CREATE TABLE V.B (N VARCHAR(3), RV ROWVERSION);"
               "INSERT INTO V.A (N) VALUES ('a1');"
               "INSERT INTO V.B (N) VALUES ('b1');"
               "UPDATE V.A SET N = 'a2';"
               "TRUNCATE TABLE V.B;"
               "INSERT INTO V.B (N) VALUES ('b2')")
    assert rows(db, "SELECT N, RV FROM V.A") == [("a2", 3)]
    assert rows(db, "SELECT N, RV FROM V.B") == [("b2", 4)]


def test_auto_increment_key_with_not_null_counts(db: SimConnection) -> None:
    """RSQL_createtable: ``INT NOT NULL AUTO_INCREMENT PRIMARY KEY`` is a counter like SERIAL;
    a DEFAULT may be an ODBC escape ({fn NOW()})."""
    script(db, "CREATE TABLE C.Auto (K INT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
               "At TIMESTAMP DEFAULT {fn NOW()}, N VARCHAR(5) NOT NULL DEFAULT '');"
               "INSERT INTO C.Auto (N) VALUES ('a'); INSERT INTO C.Auto (N) VALUES ('b')")
    got = rows(db, "SELECT K, N, At IS NOT NULL FROM C.Auto ORDER BY K")
    assert got == [(1, "a", 1), (2, "b", 1)]
