"""check --queries runs each fixture's known queries on its mount (issue 9, known queries)."""

from __future__ import annotations

import json

from tests.conftest import ProjectDir

QUERIES = ('queries = [{ sql = "SELECT COUNT(*) FROM Shop.Item WHERE Name = \'pear\'", '
           'equals = 1 }]')


def test_check_queries_passes_then_names_a_wrong_answer(project: ProjectDir) -> None:
    project.write_config(QUERIES)
    assert project.irisfx("apply").code == 0
    run = project.irisfx("check", "--queries")
    assert run.code == 0, run.text
    assert "all answered as declared" in run.out
    assert "SELECT COUNT(*)" in project.irisfx("show", "items").out
    text = project.config.read_text().replace("equals = 1", "equals = 2")
    project.config.write_text(text)
    run = project.irisfx("check", "--queries")
    assert run.code == 3, run.text
    assert "fixture 'items'" in run.out and "expected 2" in run.out and "found 1" in run.out
    failure = json.loads(project.irisfx("check", "--queries", "--json").out)["query_failures"]
    assert [(f["expected"], f["actual"]) for f in failure] == [(2, 1)]


def test_apply_refuses_to_pin_a_build_that_answers_otherwise(project: ProjectDir) -> None:
    project.write_config(QUERIES.replace("equals = 1", "equals = 5"))
    run = project.irisfx("apply")
    assert run.code == 5, run.text
    assert "does not hold the answers its 'queries' declare" in run.err
    assert "expected 5" in run.err and "found 1" in run.err and "Nothing was pinned." in run.err
    assert "[fixtures.items.pin]" not in project.config.read_text()
    assert not list((project.root / "fixtures").rglob("IRIS.DAT*"))


def test_apply_checks_the_mount_against_the_known_queries(project: ProjectDir) -> None:
    project.write_config(QUERIES)
    assert project.irisfx("apply").code == 0
    # A query that the build would pass is declared after pinning; the next mount checks it.
    text = project.config.read_text().replace("equals = 1", "equals = 7")
    project.config.write_text(text)
    assert project.irisfx("unmount", "items", "--auto-approve").code == 0
    run = project.irisfx("apply")
    assert run.code == 5, run.text
    assert "expected 7" in run.err and "The mount is kept." in run.err
