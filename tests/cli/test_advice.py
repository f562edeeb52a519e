"""Every fix says what works in this project, and nothing a user did not ask for
(issue 18 items 5, 6, 9, 10, 24)."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.cli.test_two_projects import make
from tests.conftest import CONFIG, ProjectDir, flip_last_byte

DAT = Path("fixtures/items/IRIS.DAT")
QUERY = '\nqueries = [{ sql = "SELECT COUNT(*) FROM Shop.Item", equals = 3 }]'


def _set_equals(project: ProjectDir, value: int) -> None:
    doc = tomllib.loads(project.config.read_text())
    doc["fixtures"]["items"]["queries"][0]["equals"] = value
    project.config.write_text(tomli_w.dumps(doc))


def test_a_changed_known_answer_is_seen_like_a_changed_expect(project: ProjectDir) -> None:
    project.write_config(QUERY)
    assert project.irisfx("apply").code == 0
    _set_equals(project, 4)
    plan = project.irisfx("plan")
    assert plan.code == 1 and "'queries' disagrees with its pin" in plan.out, plan.text
    assert "declared 4, the pinned file answers 3" in plan.out
    assert project.irisfx("verify").code == 2
    assert project.irisfx("check").code == 1
    assert project.irisfx("apply").code == 1
    _set_equals(project, 3)
    assert project.irisfx("check").code == 0


def test_a_store_project_is_told_to_pull_not_to_check_out(applied: ProjectDir) -> None:
    (applied.root / "store").mkdir()
    applied.config.write_text(applied.config.read_text().replace(
        'iris = "sim://sim"', 'iris = "sim://sim"\nstore = "store"'))
    flip_last_byte(applied.root / DAT)
    for command in ("plan", "verify", "apply"):
        run = applied.irisfx(command)
        assert run.code == 3, run.text
        assert "irisfx pull items" in run.text and "git checkout" not in run.text, run.text


def test_credentials_in_the_store_url_are_refused_at_load(project: ProjectDir) -> None:
    project.config.write_text(CONFIG.format(extra="").replace(
        'iris = "sim://sim"', 'iris = "sim://sim"\nstore = "s3://AKIAKEY:s3cr3tvalue@bucket/p"'))
    for command in ("plan", "verify", "list"):
        run = project.irisfx(command)
        assert run.code == 1 and "the store URL holds credentials" in run.err, run.text
        assert "s3cr3tvalue" not in run.text


def test_another_projects_namespaces_are_never_advised_away(tmp_path: Path) -> None:
    shared = tmp_path / "instance"
    pa, pb = make(tmp_path, "pa", shared), make(tmp_path, "pb", shared)
    assert pa.irisfx("apply").code == 0
    run = pb.irisfx("plan")
    assert run.code == 1, run.text
    assert "give fixture 'items' a 'source' namespace of its own" in run.out
    assert "drop" not in run.out and "remove 'recipe'" not in run.out
    unmount = pb.irisfx("unmount", "FX_ITEMS", "--yes")
    assert unmount.code == 1 and "belongs to irisfx project 'pa'" in unmount.err, unmount.text


def test_a_blocked_fixture_does_not_claim_nothing_was_mounted(project: ProjectDir) -> None:
    project.write_config('\n[fixtures.more]\nrecipe = "recipes/items.sql"\n'
                         'source = "FXSRC_MORE"\nmount = "FX_MORE"')
    assert project.irisfx("apply").code == 0
    flip_last_byte(project.root / DAT)
    project.irisfx("unmount", "items", "--yes")
    project.irisfx("unmount", "more", "--yes")
    run = project.irisfx("apply", "--auto-approve")
    assert run.code == 3, run.text
    assert "Nothing was mounted." not in run.err
    assert "Fixture 'items' was not mounted." in run.err
    assert "The other fixtures were applied" in run.err


def test_a_missing_store_backend_is_named(applied: ProjectDir) -> None:
    pytest.importorskip("fsspec")
    if importlib.util.find_spec("gcsfs") is not None:
        pytest.skip("gcsfs is installed here: its absence cannot be shown")
    run = applied.irisfx("push", env={"IRISFX_STORE": "gs://bucket/prefix"})
    assert run.code == 1 and "gcsfs" in run.err and "(None)" not in run.err, run.text
