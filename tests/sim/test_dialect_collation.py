"""SQLUPPER, IRIS's default string collation, and the functions that opt in and out of it.

Docs (https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=...):
GSQL_collation_ns and GSQL_basics_collation (SQLUPPER is the default), GSQL_collation_types and
RSQL_sqlupper (upper case, trailing blanks ignored), GSQL_collation_query (WHERE, DISTINCT and
GROUP BY; %EXACT), GSQL_collation_tabledef (COLLATE in DDL), RSQL_startswith, RSQL_exact.
"""

from __future__ import annotations

import sqlite3

import pytest

from irisfx.engines.sim.sql import SimConnection
from tests.sim.dialect_db import db, rows, script

__all__ = ["db"]

PEOPLE = """
CREATE TABLE H.Patient (Name VARCHAR(20), City VARCHAR(20), Code VARCHAR(9) COLLATE %SQLSTRING);
INSERT INTO H.Patient (Name, City, Code) VALUES ('Smith', 'Boston', 'ab');
INSERT INTO H.Patient (Name, City, Code) VALUES ('SMITH ', 'boston', 'AB');
INSERT INTO H.Patient (Name, City, Code) VALUES ('Moore', 'BOSTON ', 'ab  ');
INSERT INTO H.Patient (Name, City, Code) VALUES ('adams', 'Salem', NULL)
"""


@pytest.fixture
def people(db: SimConnection) -> SimConnection:
    """The mixed-case patients above."""
    script(db, PEOPLE)
    return db


def test_equality_ignores_case_and_trailing_blanks(people: SimConnection) -> None:
    """GSQL_collation_query: ``WHERE c = 'smith'`` finds 'Smith' and 'SMITH '."""
    assert rows(people, "SELECT Name FROM H.Patient WHERE Name = 'smith' ORDER BY ID") == [
        ("Smith",), ("SMITH ",)]
    assert rows(people, "SELECT COUNT(*) FROM H.Patient WHERE City = 'BOSTON'") == [(3,)]
    assert rows(people, "SELECT COUNT(*) FROM H.Patient WHERE 'a' = 'A'") == [(0,)]


def test_exact_opts_out(people: SimConnection) -> None:
    """GSQL_collation_query: ``%EXACT(c) = 'Smith'`` is case-sensitive, and returns stored case."""
    assert rows(people, "SELECT Name FROM H.Patient WHERE %EXACT(Name) = 'Smith'") == [("Smith",)]
    assert rows(people, "SELECT Name FROM H.Patient WHERE %EXACT Name = 'SMITH '") == [
        ("SMITH ",)]
    assert rows(people, "SELECT COUNT(*) FROM H.Patient WHERE %EXACT(Name) LIKE 'sm%'") == [(0,)]


def test_distinct_and_group_by_return_upper_case(people: SimConnection) -> None:
    """GSQL_collation_query: DISTINCT / GROUP BY on a SQLUPPER field display it in upper case;
    %EXACT keeps the groups apart with their own case."""
    assert rows(people, "SELECT DISTINCT City FROM H.Patient ORDER BY City") == [
        ("BOSTON",), ("SALEM",)]
    assert rows(people, "SELECT City, COUNT(*) FROM H.Patient GROUP BY City ORDER BY City") == [
        ("BOSTON", 3), ("SALEM", 1)]
    assert sorted(rows(people, "SELECT %EXACT(City) FROM H.Patient GROUP BY %EXACT(City)")) == [
        ("BOSTON ",), ("Boston",), ("Salem",), ("boston",)]


def test_order_by_ignores_case(people: SimConnection) -> None:
    """GSQL_basics_collation: query results order is not case-sensitive."""
    assert rows(people, "SELECT Name FROM H.Patient ORDER BY Name, ID") == [
        ("adams",), ("Moore",), ("Smith",), ("SMITH ",)]


def test_sqlstring_column_is_case_sensitive_but_ignores_trailing_blanks(
        people: SimConnection) -> None:
    """GSQL_collation_tabledef / RSQL_sqlstring: COLLATE %SQLSTRING compares case-sensitively."""
    assert rows(people, "SELECT COUNT(*) FROM H.Patient WHERE Code = 'ab'") == [(2,)]


def test_collation_functions_give_irises_keys(people: SimConnection) -> None:
    """RSQL_sqlupper / RSQL_sqlstring: leading space, upper case (SQLUPPER), no trailing blanks."""
    assert rows(people, "SELECT %SQLUPPER(Name), %SQLSTRING(Name), %SQLUPPER(Name, 3) "
                        "FROM H.Patient WHERE ID = 2") == [(" SMITH", " SMITH", " SM")]
    assert rows(people, "SELECT COUNT(*) FROM H.Patient WHERE %SQLUPPER(Name) = "
                        "%SQLUPPER('smith')") == [(2,)]


def test_like_and_startswith_use_the_collation(people: SimConnection) -> None:
    """RSQL_like, RSQL_startswith: not case-sensitive under the default collation."""
    assert rows(people, "SELECT Name FROM H.Patient WHERE Name LIKE 'sm%' ORDER BY ID") == [
        ("Smith",), ("SMITH ",)]
    assert rows(people, "SELECT Name FROM H.Patient WHERE Name %STARTSWITH 'mo'") == [("Moore",)]
    assert rows(people, "SELECT COUNT(*) FROM H.Patient WHERE Code %STARTSWITH 'A'") == [(1,)]


def test_unique_keys_compare_collated_values(db: SimConnection) -> None:
    """ROBJ_index_unique: no two rows may have the same collated value (SQLCODE -119)."""
    script(db, "CREATE TABLE U.Tag (C VARCHAR(10) UNIQUE); INSERT INTO U.Tag (C) VALUES ('abc')")
    with pytest.raises(sqlite3.IntegrityError, match="SQLCODE -119"):
        db.execute("INSERT INTO U.Tag (C) VALUES ('ABC ')")


def test_collations_iris_has_but_the_simulator_lacks_are_refused(db: SimConnection) -> None:
    """%MVR and COLLATE ALPHAUP are IRIS collations the simulator does not emulate."""
    from irisfx.errors import NotEmulatedError

    with pytest.raises(NotEmulatedError, match="ALPHAUP"):
        db.execute("CREATE TABLE U.A (C VARCHAR(5) COLLATE %ALPHAUP)")
    db.execute("CREATE TABLE U.B (C VARCHAR(5))")
    with pytest.raises(NotEmulatedError, match="%MVR"):
        db.execute("SELECT %MVR(C) FROM U.B")


def test_like_is_case_sensitive_where_iris_compares_exactly(people: SimConnection) -> None:
    """GSQL_collation: a SQLSTRING column and a string expression (LEFT, SUBSTR) compare
    case-sensitively, LIKE included."""
    assert rows(people, "SELECT COUNT(*) FROM H.Patient WHERE Code LIKE 'a%'") == [(2,)]
    assert rows(people, "SELECT COUNT(*) FROM H.Patient WHERE LEFT(Name, 2) LIKE 'sm%'") == [
        (0,)]
    assert rows(people, "SELECT COUNT(*) FROM H.Patient WHERE LEFT(Name, 2) = 'Sm'") == [(1,)]


def test_a_collation_written_after_the_type_without_collate(db: SimConnection) -> None:
    """RSQL_createtable (field collation): ``Code VARCHAR(64) %EXACT`` is how public IRIS
    schemas write it; the column then compares exactly, the others stay SQLUPPER."""
    script(db, "CREATE TABLE G.Bridge (Code VARCHAR(64) %EXACT NOT NULL, Label VARCHAR(9)); "
               "INSERT INTO G.Bridge (Code, Label) VALUES ('abc', 'abc')")
    assert rows(db, "SELECT COUNT(*) FROM G.Bridge WHERE Code = 'ABC'") == [(0,)]
    assert rows(db, "SELECT COUNT(*) FROM G.Bridge WHERE Code = 'abc'") == [(1,)]
    assert rows(db, "SELECT COUNT(*) FROM G.Bridge WHERE Label = 'ABC'") == [(1,)]
