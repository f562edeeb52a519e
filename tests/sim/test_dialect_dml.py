"""IRIS DML and expressions on the simulator, and what it skips or refuses.

Docs (https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=...):
RSQL_insert (%keyword options), RSQL_insertorupdate, RSQL_now and RSQL_dateconstruct (ODBC
escapes), RSQL_dateadd / RSQL_datediff (date parts), GSQL_import (GRANT, TUNE TABLE and BUILD
INDEX change no data), RSQL_createprocedure (LANGUAGE OBJECTSCRIPT).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime

import pytest

from irisfx.engines.sim.sql import SimConnection
from irisfx.errors import NotEmulatedError
from tests.sim.dialect_db import db, rows, script

__all__ = ["db"]


def test_insert_keyword_options_are_accepted(db: SimConnection) -> None:
    """RSQL_insert: ``INSERT %NOCHECK %NOINDEX %NOLOCK INTO ...`` inserts the row."""
    script(db, "CREATE TABLE K.T (A INTEGER, B VARCHAR(5));"
               "INSERT %NOCHECK %NOINDEX %NOLOCK INTO K.T (A, B) VALUES (1, 'x');"
               "UPDATE %NOLOCK K.T SET B = 'y' WHERE A = 1;"
               "INSERT %NOJOURN K.T (A, B) VALUES (2, 'z');"
               "DELETE %NOTRIGGER FROM K.T WHERE A = 2")
    assert rows(db, "SELECT A, B FROM K.T") == [(1, "y")]


def test_insert_or_update_updates_the_row_its_key_matches(db: SimConnection) -> None:
    """RSQL_insertorupdate: a row colliding on a unique key is updated in place (same RowID)."""
    script(db, "CREATE TABLE Sample.Records (RecordID INTEGER PRIMARY KEY, Status VARCHAR(9));"
               "INSERT OR UPDATE Sample.Records (RecordID, Status) VALUES (7, 'new');"
               "INSERT OR UPDATE Sample.Records (RecordID, Status) VALUES (7, 'done');"
               "INSERT OR UPDATE INTO Sample.Records (RecordID, Status) VALUES (8, 'new')")
    assert rows(db, "SELECT %ID, RecordID, Status FROM Sample.Records ORDER BY 1") == [
        (1, 7, "done"), (2, 8, "new")]


def test_odbc_escapes(db: SimConnection) -> None:
    """RSQL_now / RSQL_dateconstruct: {fn NOW()} is local time without fractions; {d}, {ts}."""
    before = datetime.now().replace(microsecond=0)
    got = rows(db, "SELECT {fn NOW()}, {d '2004-02-29'}, {ts '2004-02-29 10:11:12'}, "
                   "{fn CONCAT('a', 'b')}, {fn LCASE('AB')}, GETDATE()")[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", got[0])
    assert before <= datetime.fromisoformat(got[0]) <= datetime.now()
    assert got[1:5] == ("2004-02-29", "2004-02-29 10:11:12", "ab", "ab")


def test_date_parts(db: SimConnection) -> None:
    """RSQL_dateadd: DATEADD('month', 1, '2022-01-31') -> '2022-02-28 00:00:00'; part names
    and abbreviations, quoted or not; DATEDIFF counts boundaries crossed."""
    assert rows(db, "SELECT DATEADD('month', 1, '2022-01-31'), DATEADD(yy, -1, '2024-02-29'), "
                    "DATEADD(hh, 30, '2022-01-01 10:00:00'), DATEADD(wk, 1, '2022-01-01'), "
                    "DATEDIFF(dd, '2022-01-01', '2022-03-01'), "
                    "DATEDIFF(month, '2021-12-31', '2022-01-01'), "
                    "DATEDIFF('yyyy', '2021-12-31 23:59:59', '2022-01-01'), "
                    "DATEPART(quarter, '2022-08-15')") == [(
        "2022-02-28 00:00:00", "2023-02-28 00:00:00", "2022-01-02 16:00:00",
        "2022-01-08 00:00:00", 59, 1, 1, 3)]
    with pytest.raises(sqlite3.OperationalError, match="not a date part"):
        db.execute("SELECT DATEADD(fortnight, 1, '2022-01-01')")


@pytest.mark.parametrize("statement", [
    "GRANT SELECT ON Sample.T TO analyst", "REVOKE ALL ON Sample.T FROM analyst",
    "CREATE ROLE analyst", "CREATE USER bob IDENTIFIED BY secret", "TUNE TABLE Sample.T",
    "BUILD INDEX FOR TABLE Sample.T", "SET OPTION PKEY_IS_IDKEY = 1",
])
def test_statements_that_change_no_data_are_skipped_with_a_note(
        db: SimConnection, statement: str) -> None:
    """GSQL_import lists these among script statements; none changes a database file."""
    db.execute(statement)
    assert len(db.notes) == 1 and "skipped" in db.notes[0]
    assert rows(db, "SELECT COUNT(*) FROM sqlite_master") == [(0,)]


@pytest.mark.parametrize(("statement", "construct"), [
    ("CREATE PROCEDURE Sample.AddOne(IN x INT) RETURNS INT LANGUAGE OBJECTSCRIPT { QUIT x+1 }",
     "LANGUAGE OBJECTSCRIPT"),
    ("CREATE FUNCTION Sample.F() RETURNS INT BEGIN RETURN 1; END", "CREATE FUNCTION"),
    ("CREATE TRIGGER Sample.Tr AFTER INSERT ON Sample.T BEGIN END", "CREATE TRIGGER"),
    ("CALL Sample.AddOne(1)", "CALL"),
    ("LOAD DATA FROM FILE 'x.csv' INTO Sample.T", "LOAD DATA"),
    ("SELECT Name FROM Sample.T WHERE Notes %CONTAINS ('x')", "%CONTAINS"),
    ("CREATE TABLE Sample.C AS SELECT 1 AS A", "CREATE TABLE ... AS SELECT"),
    ("USE DATABASE Other", "USE DATABASE"),
])
def test_iris_sql_the_simulator_lacks_is_refused_and_nothing_runs(
        db: SimConnection, statement: str, construct: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Valid IRIS SQL the simulator does not emulate: NotEmulatedError naming it; no output."""
    with pytest.raises(NotEmulatedError) as info:
        db.execute(statement)
    assert construct in info.value.construct
    assert rows(db, "SELECT COUNT(*) FROM sqlite_master") == [(0,)]
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("fragment", ["ELSE", "END", "END IF", "BEGIN"])
def test_fragments_of_a_body_are_refused_not_skipped(db: SimConnection, fragment: str) -> None:
    """A piece of a procedure body cut at its inner ';' is an error, never an empty statement."""
    with pytest.raises(sqlite3.OperationalError, match="cannot start with"):
        db.execute(fragment)


def test_string_casts_truncate(db: SimConnection) -> None:
    """RSQL_cast: ``CAST('abcdef' AS VARCHAR(3))`` is 'abc'; VARCHAR alone keeps 30, CHAR 1."""
    assert rows(db, "SELECT CAST('abcdef' AS VARCHAR(3)), CAST(? AS VARCHAR), "
                    "CAST('xyz' AS CHAR)", "a" * 40) == [("abc", "a" * 30, "x")]


@pytest.mark.parametrize(("statement", "construct"), [
    ("CREATE PROCEDURE Sample.Age(bdate DATE) RETURNS INT LANGUAGE OBJECTSCRIPT\n"
     "{ if bdate '= \"\" { quit $piece($zdate(bdate, 8), 1) } quit 0 }",
     "CREATE PROCEDURE ... LANGUAGE OBJECTSCRIPT"),
    ("CREATE TABLE Sample.P (A INT, B INT COMPUTECODE { set {B} = {A} '= 0 } CALCULATED)",
     "COMPUTECODE"),
])
def test_objectscript_bodies_are_refused_before_being_read_as_sql(
        db: SimConnection, statement: str, construct: str) -> None:
    """RSQL_createprocedure: an ObjectScript body is not SQL ('= is ObjectScript's not-equal)."""
    with pytest.raises(NotEmulatedError) as info:
        db.execute(statement)
    assert info.value.construct == construct


@pytest.mark.parametrize(("statement", "construct"), [
    ("SELECT Spouse->Name FROM S.P", "the implicit join arrow (->)"),
    ("SELECT CONVERT(VARCHAR(2), Name) FROM S.P", "the function VARCHAR"),
    ("SELECT $LENGTH(Name) FROM S.P", "the SQL near"),
])
def test_functions_and_forms_it_lacks_are_refused_by_name(db: SimConnection, statement: str,
                                                         construct: str) -> None:
    """IRIS SQL beyond the emulated set is refused by name (GSQL_implicitjoins, RSQL_convert)."""
    db.execute("CREATE TABLE S.P (Name VARCHAR(9), Spouse INTEGER)")
    with pytest.raises(NotEmulatedError) as info:
        db.execute(statement)
    assert info.value.construct.startswith(construct)


def test_isnull_is_irises_two_argument_function(db: SimConnection) -> None:
    """RSQL_isnull: ISNULL(x, y) is y when x is NULL."""
    assert rows(db, "SELECT ISNULL(NULL, 5), ISNULL(3, 5)") == [(5, 3)]


def test_irises_short_forms_of_insert_and_delete(db: SimConnection) -> None:
    """RSQL_insert: ``INSERT [INTO] t SET c = v`` and ``DEFAULT VALUES``; RSQL_delete: ``DELETE
    [FROM] t``."""
    script(db, "CREATE TABLE F.T (A INTEGER, B VARCHAR(5) DEFAULT 'd');"
               "INSERT INTO F.T SET A = 1, B = 'x'; INSERT F.T (A) VALUES (2);"
               "INSERT INTO F.T DEFAULT VALUES; DELETE F.T WHERE A = 1")
    assert rows(db, "SELECT ID, A, B FROM F.T ORDER BY ID") == [(2, 2, "d"), (3, None, "d")]


def test_concatenation_writes_numbers_canonically(db: SimConnection) -> None:
    """RSQL_concat: numbers are converted to canonical form first ('x' || 0012.00E2 is
    'x1200'); a NULL operand makes NULL; {fn CONCAT} is the same operator."""
    assert rows(db, "SELECT 'x' || 0012.00E2, 'a' || 1.50 || 'b', 'n' || NULL, "
                    "{fn CONCAT('v', 0.5)}") == [("x1200", "a1.5b", None, "v.5")]


def test_odbc_timestamp_functions(db: SimConnection) -> None:
    """RSQL_timestampadd / RSQL_timestampdiff: SQL_TSI_ intervals."""
    assert rows(db, "SELECT {fn TIMESTAMPADD(SQL_TSI_DAY, 2, '2024-02-28 00:00:00')}, "
                    "TIMESTAMPDIFF(SQL_TSI_MONTH, '2024-01-31', '2024-03-01')") == [
        ("2024-03-01 00:00:00", 2)]
