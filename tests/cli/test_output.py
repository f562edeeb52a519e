"""What commands print reads as irisfx's own words (issue 18 items 12, 20, 21, 28)."""

from __future__ import annotations

import json

from irisfx.engines.base import NoProgress
from irisfx.lockfile.project import load_project
from irisfx.reconcile.observe import open_project_engine
from tests.conftest import CONFIG, ProjectDir

LONG = "a-fixture-with-a-name-as-long-as-names-may-be-in-fixtures-toml-x"  # 64 characters
QUERIES = ('\nqueries = [{ sql = "SELECT Name FROM Shop.Item WHERE ID = 2", equals = "pear" },'
           '\n  { sql = "SELECT ID, Name FROM Shop.Item WHERE ID = 3", equals = [[3, "plum"]] }]')


def test_list_and_status_keep_columns_apart_for_long_names(project: ProjectDir) -> None:
    project.config.write_text(CONFIG.format(extra="").replace("[fixtures.items]",
                                                              f"[fixtures.{LONG}]"))
    assert project.irisfx("apply").code == 0
    listed = project.irisfx("list").out.splitlines()
    row = next(line for line in listed if line.startswith(LONG))
    assert row.split() [:3] == [LONG, "FXSRC_ITEMS", "FX_ITEMS"], listed
    status = project.irisfx("status").out.splitlines()
    row = next(line for line in status if line.startswith("FX_ITEMS"))
    assert row.split()[:3] == ["FX_ITEMS", "mount", LONG], status


def test_show_spells_values_as_fixtures_toml_does(project: ProjectDir) -> None:
    project.write_config(QUERIES)
    run = project.irisfx("show", "items")
    assert run.code == 0, run.text
    assert 'equals "pear"' in run.out and 'equals [[3, "plum"]]' in run.out, run.out
    assert "Shop.Item = 3 rows" in run.out
    assert "['" not in run.out and "True" not in run.out


def test_check_queries_says_which_fixtures_it_could_not_ask(project: ProjectDir) -> None:
    project.write_config(QUERIES)
    run = project.irisfx("check", "--queries")
    assert run.code == 2, run.text
    assert "all answered" not in run.out
    assert "not run for items (not mounted" in run.out
    assert json.loads(project.irisfx("check", "--queries", "--json").out)[
        "queries_not_run"] == ["items"]
    assert project.irisfx("apply").code == 0
    run = project.irisfx("check", "--queries")
    assert run.code == 0 and "all answered as declared" in run.out, run.text


def test_gc_lists_and_removes_test_copies_kept_after_a_session(applied: ProjectDir) -> None:
    project = load_project(applied.config)
    item = project.fixture("items")
    assert item.pin is not None
    engine = open_project_engine(project)
    try:  # what the plugin leaves with --irisfx-keep: a copy namespace of this project
        engine.mount("items", applied.root / item.file, "FX_ITEMS_KEPT", readonly=False,
                     sha256=item.pin.sha256, role="copy", progress=NoProgress())
    finally:
        engine.close()
    run = applied.irisfx("gc", "--dry-run")
    assert run.code == 0 and "test copy  FX_ITEMS_KEPT" in run.out, run.text
    assert applied.irisfx("gc", "--yes").code == 0
    owned = json.loads(applied.irisfx("status", "--json").out)["owned"]
    assert "FX_ITEMS_KEPT" not in {r["namespace"] for r in owned}
