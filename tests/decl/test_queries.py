"""Known queries: declared per fixture, read-only at load, checked on the sim engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from irisfx.engines import EngineSettings, open_engine
from irisfx.engines.base import Engine
from irisfx.lockfile.models import Fixture, Query, ResolvedFixture
from irisfx.lockfile.project import load_project
from irisfx.lockfile.queries import check_read_only
from irisfx.recipes.recipe import load_recipe
from irisfx.reconcile.answers import QueryFailure, check_queries
from tests.decl.conftest import BASE, error_of, write

RECIPE = """\
CREATE TABLE RAG.Entities (ID INTEGER PRIMARY KEY, Name VARCHAR(50), Kind VARCHAR(20),
                           Score DOUBLE);
INSERT INTO RAG.Entities (ID, Name, Kind, Score) VALUES (1, 'ada', 'person', 1.5);
INSERT INTO RAG.Entities (ID, Name, Kind, Score) VALUES (2, 'bob', 'person', 2.0);
INSERT INTO RAG.Entities (ID, Name, Kind, Score) VALUES (3, 'acme', 'org', 0.25);
"""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A simulator in tmp_path with one built namespace, FXSRC_Q, holding RAG.Entities."""
    opened = open_engine(EngineSettings(url="sim://sim", project="q", root=tmp_path))
    recipe = tmp_path / "r.sql"
    recipe.write_text(RECIPE, encoding="utf-8")
    opened.build("q", "FXSRC_Q", load_recipe(recipe))
    try:
        yield opened
    finally:
        opened.close()


def fixture_with(*queries: dict[str, object]) -> ResolvedFixture:
    """A fixture named 'q' declaring ``queries``, validated as fixtures.toml would be."""
    decl = Fixture.model_validate({"queries": [dict(q) for q in queries]})
    return ResolvedFixture("q", decl)


def run(engine: Engine, fixture: ResolvedFixture) -> list[QueryFailure]:
    connection = engine.connect("FXSRC_Q")
    try:
        return check_queries(fixture, connection)
    finally:
        connection.close()


def test_matching_answers_give_no_failures(engine: Engine) -> None:
    fixture = fixture_with(
        {"sql": "SELECT COUNT(*) FROM RAG.Entities WHERE Kind = 'person'", "equals": 2},
        {"sql": "SELECT Name FROM RAG.Entities WHERE ID = 3", "equals": "acme"},
        {"sql": "SELECT SUM(Score) FROM RAG.Entities", "equals": 3.75},
        {"sql": "SELECT ID, Name FROM RAG.Entities ORDER BY ID",
         "equals": [[1, "ada"], [2, "bob"], [3, "acme"]]},
        {"sql": "SELECT Name FROM RAG.Entities WHERE Kind = 'person' ORDER BY Name",
         "equals": ["ada", "bob"]},
        {"sql": "SELECT Name FROM RAG.Entities WHERE Kind = 'none'", "equals": []},
        {"sql": "-- people\nWITH p AS (SELECT * FROM RAG.Entities WHERE Kind = 'person') "
                "SELECT COUNT(*) FROM p;", "equals": 2},
    )
    assert run(engine, fixture) == []


def test_a_wrong_answer_names_fixture_statement_expected_and_actual(engine: Engine) -> None:
    sql = "SELECT COUNT(*) FROM RAG.Entities WHERE Kind = 'person'"
    failures = run(engine, fixture_with({"sql": sql, "equals": 40}))
    assert failures == [QueryFailure("q", sql, 40, 2)]
    assert failures[0].describe() == f"fixture 'q': {sql}: expected 40, found 2"


def test_wrong_rows_and_wrong_types_fail(engine: Engine) -> None:
    failures = run(engine, fixture_with(
        {"sql": "SELECT ID FROM RAG.Entities ORDER BY ID", "equals": [1, 2]},
        {"sql": "SELECT ID FROM RAG.Entities WHERE ID = 1", "equals": "1"},
        {"sql": "SELECT ID FROM RAG.Entities WHERE ID = 1", "equals": False},
        {"sql": "SELECT ID, Name FROM RAG.Entities WHERE ID = 1", "equals": 1},
    ))
    assert [f.actual for f in failures] == [[[1], [2], [3]], 1, 1, [[1, "ada"]]]


def test_a_statement_that_fails_is_a_failure_not_a_crash(engine: Engine) -> None:
    failures = run(engine, fixture_with(
        {"sql": "SELECT COUNT(*) FROM RAG.Missing", "equals": 1},
        {"sql": "SELECT COUNT(*) FROM RAG.Entities", "equals": 3},
    ))
    assert len(failures) == 1
    assert failures[0].error
    assert "RAG.Missing" in failures[0].describe()
    assert "failed:" in failures[0].describe()


def test_nothing_a_query_did_is_kept(engine: Engine) -> None:
    # A declared query cannot write (refused at load); the runner rolls back regardless.
    fixture = fixture_with({"sql": "SELECT COUNT(*) FROM RAG.Entities", "equals": 3})
    connection = engine.connect("FXSRC_Q")
    try:
        connection.cursor().execute("DELETE FROM RAG.Entities")
        assert check_queries(fixture, connection) == [QueryFailure(
            "q", "SELECT COUNT(*) FROM RAG.Entities", 3, 0)]
    finally:
        connection.close()
    assert run(engine, fixture) == []


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("DELETE FROM T", "only SELECT and WITH are allowed, not DELETE"),
        ("SELECT 1; DROP TABLE T", "write one statement, not 2"),
        ("select 1;\n;delete from t", "write one statement, not 2"),
        ("WITH x AS (SELECT 1) DELETE FROM T", "DELETE would change data"),
        ("SELECT * INTO Copy FROM T", "INTO would change data"),
        ("", "the statement is empty"),
        ("-- only a comment", "the statement is empty"),
        ("SELECT 1\x00", "control character"),
        ("CALL Proc()", "not CALL"),
    ],
)
def test_anything_but_one_read_only_statement_is_refused(sql: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        check_read_only(sql)


def test_words_inside_strings_and_quoted_names_do_not_count() -> None:
    sql = "SELECT \"Update\", 'drop; delete' FROM T WHERE Note <> 'insert into'"
    assert check_read_only(sql) == sql


def test_queries_are_validated_at_load_with_their_line(tmp_path: Path) -> None:
    text = BASE + (
        '[fixtures.a]\n'
        'queries = [{ sql = "SELECT COUNT(*) FROM T", equals = 4 },\n'
        '           { sql = "DELETE FROM T", equals = 0 }]\n'
        '[[fixtures.b.queries]]\nsql = "SELECT 1"\nequals = { a = 1 }\n'
        '[[fixtures.b.queries]]\nsql = "SELECT 1"\nequals = 1\nextra = 2\n'
    )
    details = error_of(write(tmp_path, text)).details
    assert details[0].startswith("fixtures.toml:4: fixtures.a.queries[1].sql: only SELECT")
    assert details[1].startswith("fixtures.toml:8: fixtures.b.queries[0].equals: must be a "
                                 "value")
    assert details[2] == ("fixtures.toml:12: fixtures.b.queries[1].extra: unknown key; "
                          "allowed: sql, equals")


def test_queries_round_trip_through_fixtures_toml(tmp_path: Path) -> None:
    from irisfx.lockfile.project import save_project

    text = BASE + ('[fixtures.a]\nqueries = [{ sql = "SELECT A, B FROM T ORDER BY A", '
                   'equals = [[1, "x"], [2, "y"]] }, { sql = "SELECT 1", equals = 1.5 }]\n')
    path = write(tmp_path, text)
    project = load_project(path)
    assert project.fixture("a").decl.queries == [
        Query(sql="SELECT A, B FROM T ORDER BY A", equals=[[1, "x"], [2, "y"]]),
        Query(sql="SELECT 1", equals=1.5),
    ]
    save_project(project, project.doc)
    assert load_project(path).doc == project.doc


def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    rows = ", ".join("1" for _ in range(1001))
    text = BASE + f'[fixtures.a]\nqueries = [{{ sql = "SELECT 1", equals = [{rows}] }}]\n'
    assert "at most 1,000 rows" in error_of(write(tmp_path, text)).render()
