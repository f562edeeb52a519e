"""list, show, sql, pin, gc, destroy as a new user meets them (issue 9, commands)."""

from __future__ import annotations

import json
import shutil
import tomllib

import pytest

from tests.conftest import ProjectDir


def test_list_and_show(applied: ProjectDir) -> None:
    data = json.loads(applied.irisfx("list", "--json").out)
    (item,) = data["fixtures"]
    assert (item["name"], item["source"], item["mount"]) == ("items", "FXSRC_ITEMS", "FX_ITEMS")
    assert item["file"] == "fixtures/items/IRIS.DAT"
    assert item["pin"]["tables"] == {"Shop.Item": 3}
    text = applied.irisfx("list").out
    assert "items" in text and "Shop.Item 3" in text
    show = applied.irisfx("show", "items")
    assert show.code == 0 and "sha256:" in show.out and "Shop.Item: 3 rows" in show.out
    assert applied.irisfx("show", "nope").code == 1


def test_sql_reads_a_mounted_fixture_and_refuses_writes(applied: ProjectDir) -> None:
    run = applied.irisfx("sql", "items", "SELECT Name FROM Shop.Item ORDER BY ID")
    assert run.code == 0, run.text
    assert "pear" in run.out and "(3 rows)" in run.out
    run = applied.irisfx("sql", "items", "DELETE FROM Shop.Item")
    assert run.code == 1 and "read-only" in run.err, run.text
    assert "(3 rows)" in applied.irisfx("sql", "items", "SELECT * FROM Shop.Item").out


def test_sql_on_an_unmounted_fixture_is_a_clean_error(project: ProjectDir) -> None:
    run = project.irisfx("sql", "items", "SELECT 1")
    assert run.code == 1 and "not mounted" in run.err, run.text


def test_pin_adopts_a_file_only_with_consent(applied: ProjectDir) -> None:
    # a colleague's file: another fixture's DAT copied in as 'other', not pinned
    with applied.config.open("a") as handle:
        handle.write('\n[fixtures.other]\nsource = "FXSRC_OTHER"\nmount = "FX_OTHER"\n')
    (applied.root / "fixtures/other").mkdir()
    shutil.copy(applied.root / "fixtures/items/IRIS.DAT", applied.root / "fixtures/other")
    assert applied.irisfx("plan").code == 3  # an unpinned file is never mounted
    refused = applied.irisfx("pin", "other")
    assert refused.code == 1 and "sha256:" in refused.out, refused.text
    assert "pin" not in tomllib.loads(applied.config.read_text())["fixtures"]["other"]
    run = applied.irisfx("pin", "other", "--yes")
    assert run.code == 0, run.text
    pin = tomllib.loads(applied.config.read_text())["fixtures"]["other"]["pin"]
    assert pin["sha256"] in refused.out and pin["built_by"].startswith("irisfx-sim")
    assert applied.irisfx("apply").code == 0
    assert applied.irisfx("check").code == 0


def test_gc_lists_then_removes_leftovers(applied: ProjectDir) -> None:
    stray = applied.root / "fixtures/gone/IRIS.DAT"
    stray.parent.mkdir()
    stray.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)  # a database no pin names
    new = applied.root / "fixtures/items/IRIS.DAT.irisfx-new.irisfx-new"
    new.write_bytes(b"x")
    run = applied.irisfx("gc")
    assert run.code == 1 and "fixtures/gone/IRIS.DAT" in run.out, run.text
    assert stray.exists()
    run = applied.irisfx("gc", "--yes")
    assert run.code == 0, run.text
    assert not stray.exists() and not stray.parent.exists() and not new.exists()
    assert (applied.root / "fixtures/items/IRIS.DAT").exists()
    assert "Nothing left over" in applied.irisfx("gc").out


def test_destroy_removes_everything_with_consent(applied: ProjectDir) -> None:
    run = applied.irisfx("destroy")
    assert run.code == 1 and "FX_ITEMS" in run.out and "FXSRC_ITEMS" in run.out, run.text
    assert applied.irisfx("destroy", "--yes").code == 0
    assert json.loads(applied.irisfx("status", "--json").out)["owned"] == []
    assert applied.irisfx("apply").code == 0  # files and pins stayed; apply rebuilds


@pytest.mark.parametrize("as_json", [False, True])
def test_check_json(applied: ProjectDir, as_json: bool) -> None:
    run = applied.irisfx("check", *(["--json"] if as_json else []))
    assert run.code == 0, run.text
    if as_json:
        assert json.loads(run.out)["changes"] is False
