"""Column types and IRIS's validation of inserted values (SQLCODE -104), exact NUMERIC.

Docs (https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=...):
RSQL_datatype (DDL types and %Library classes), RSQL_insert "SQLCODE Errors" (-104, -108),
%Library.String (MAXLEN 50 by default; VARCHAR without a length is MAXLEN 1), %Library.Numeric
(SCALE: the value is rounded to it).
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from irisfx.engines.sim.sql import SimConnection
from irisfx.errors import NotEmulatedError
from tests.sim.dialect_db import db, rows

__all__ = ["db"]


@pytest.mark.parametrize(("column", "bad", "good"), [
    ("VARCHAR(3)", "'TOOLONG'", "'abc'"),
    ("VARCHAR", "'ab'", "'a'"),
    ("%String(MAXLEN=5)", "'abcdef'", "'abcde'"),
    ("%Library.String", "'" + "x" * 51 + "'", "'" + "x" * 50 + "'"),
    ("VARCHAR(MAXLEN=4)", "'abcde'", "'abcd'"),
    ("INTEGER", "'abc'", "'42'"),
    ("%Library.Integer", "'abc'", "7"),
    ("TINYINT", "200", "127"),
    ("SMALLINT", "40000", "-32768"),
    ("BIT", "2", "1"),
    ("NUMERIC(4,2)", "100", "99.99"),
    ("DOUBLE", "'x'", "1.5"),
])
def test_values_iris_refuses_fail_with_sqlcode_104(db: SimConnection, column: str, bad: str,
                                                   good: str) -> None:
    """RSQL_insert: a value that fails the column class's validation is SQLCODE -104."""
    db.execute(f"CREATE TABLE T.V (C {column})")
    with pytest.raises(sqlite3.IntegrityError, match=r"SQLCODE -104: Field 'T.V.C'"):
        db.execute(f"INSERT INTO T.V (C) VALUES ({bad})")
    db.execute(f"INSERT INTO T.V (C) VALUES ({good})")
    assert rows(db, "SELECT COUNT(*) FROM T.V") == [(1,)]
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -104"):
        db.execute(f"UPDATE T.V SET C = {bad}")


def test_integer_strings_are_stored_as_integers(db: SimConnection) -> None:
    """RSQL_datatype: INTEGER is %Library.Integer; '42' is the number 42."""
    db.execute("CREATE TABLE T.I (C INTEGER)")
    db.execute("INSERT INTO T.I (C) VALUES ('42')")
    assert rows(db, "SELECT C FROM T.I") == [(42,)]


def test_not_null_is_sqlcode_108(db: SimConnection) -> None:
    """RSQL_insert: a required field missing is SQLCODE -108."""
    db.execute("CREATE TABLE T.N (A VARCHAR(5) NOT NULL, B INTEGER)")
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -108"):
        db.execute("INSERT INTO T.N (B) VALUES (1)")


def test_numeric_is_exact_and_rounded_to_its_scale(db: SimConnection) -> None:
    """%Library.Numeric: rounded to SCALE; the simulator gives back a Decimal, never a float."""
    db.execute("CREATE TABLE T.Money (Amount NUMERIC(10,2), Whole NUMERIC(5))")
    db.execute("INSERT INTO T.Money (Amount, Whole) VALUES (95.555, 95.5)")
    db.execute("INSERT INTO T.Money (Amount, Whole) VALUES (?, ?)", [0.1, 2])
    db.execute("UPDATE T.Money SET Amount = Amount + 0.2 WHERE Whole = 2")
    got = rows(db, "SELECT Amount, Whole FROM T.Money ORDER BY ID")
    assert got == [(Decimal("95.56"), 96), (Decimal("0.30"), 2)]
    assert all(isinstance(row[0], Decimal) for row in got)
    assert rows(db, "SELECT * FROM T.Money WHERE Amount > 1") == [(Decimal("95.56"), 96)]


def test_library_classes_and_streams(db: SimConnection) -> None:
    """RSQL_datatype: DDL may name %Library classes; LONGVARCHAR is a stream (no MAXLEN)."""
    db.execute("CREATE TABLE T.C (A %Library.BigInt, B %Date, C %TimeStamp, "
               "D LONGVARCHAR, E %String(MAXLEN=2, COLLATION='SQLSTRING'))")
    db.execute("INSERT INTO T.C (A, B, C, D, E) VALUES (1, '2024-02-29', "
               "'2024-02-29 10:00:00', ?, 'Ab')", ["x" * 5000])
    assert rows(db, "SELECT A, B, C, LENGTH(D) FROM T.C WHERE E = 'Ab'") == [
        (1, "2024-02-29", "2024-02-29 10:00:00", 5000)]
    assert rows(db, "SELECT COUNT(*) FROM T.C WHERE E = 'AB'") == [(0,)]


def test_unknown_types_are_refused(db: SimConnection) -> None:
    """A class the simulator does not know is refused by name, not guessed."""
    with pytest.raises(NotEmulatedError, match=r"%Library\.GlobalBinaryStream"):
        db.execute("CREATE TABLE T.X (A %Library.GlobalBinaryStream)")
    with pytest.raises(NotEmulatedError, match="COMPUTECODE"):
        db.execute("CREATE TABLE T.Y (A INTEGER COMPUTECODE { set {A} = 1 })")


@pytest.mark.parametrize(("column", "bad", "good"), [
    ("DATE", "'2023-02-29'", "'2024-02-29'"),
    ("DATE", "'31/01/2024'", "{d '2024-01-31'}"),
    ("TIMESTAMP", "'2023-02-30 10:00:00'", "{ts '2023-02-28 10:00:00'}"),
    ("TIME", "'25:61'", "'23:59:59'"),
])
def test_dates_iris_cannot_read_fail_with_sqlcode_146(db: SimConnection, column: str, bad: str,
                                                      good: str) -> None:
    """RSQL_dateconstruct: ``{d '2023-02-29'}`` is SQLCODE -146, an invalid ODBC date value."""
    db.execute(f"CREATE TABLE T.D (C {column})")
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -146"):
        db.execute(f"INSERT INTO T.D (C) VALUES ({bad})")
    db.execute(f"INSERT INTO T.D (C) VALUES ({good})")
    assert rows(db, "SELECT COUNT(*) FROM T.D") == [(1,)]
