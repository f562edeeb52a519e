"""apply does what plan said: healthy fixtures are applied, blocked ones named at the end."""

from __future__ import annotations

import json

from tests.conftest import ProjectDir, flip_last_byte

MORE = """
[fixtures.more]
source = "FXSRC_MORE"
recipe = "recipes/items.sql"
mount = "FX_MORE"
"""


def test_apply_applies_the_healthy_fixtures_then_exits_3(applied: ProjectDir) -> None:
    assert applied.irisfx("unmount", "items", "--auto-approve").code == 0
    flip_last_byte(applied.root / "fixtures" / "items" / "IRIS.DAT")
    applied.config.write_text(applied.config.read_text() + MORE)
    plan = applied.irisfx("plan")
    assert "more" in plan.out and "Problems" in plan.out
    run = applied.irisfx("apply")
    assert run.code == 3, run.text
    assert "fixture 'items' does not match its pin" in run.err
    assert "irisfx apply --rebuild items" in run.err
    assert "The other fixtures were applied" in run.err
    owned = {r["namespace"] for r in json.loads(applied.irisfx("status", "--json").out)["owned"]}
    assert {"FXSRC_MORE", "FX_MORE"} <= owned
    assert "FX_ITEMS" not in owned


def test_a_conflict_blocks_only_its_fixture_and_exits_1(project: ProjectDir) -> None:
    other = project.root / "other"
    other.mkdir()
    (other / "fixtures.toml").write_text(
        '[irisfx]\nproject = "someone-else"\niris = "sim://../sim"\n'
        '[fixtures.taken]\nsource = "FXSRC_TAKEN"\nrecipe = "../recipes/items.sql"\n'
        'mount = "FX_TAKEN"\n'.replace("../recipes/items.sql", "items.sql"))
    (other / "items.sql").write_text((project.root / "recipes" / "items.sql").read_text())
    taken = project.irisfx("--config", str(other / "fixtures.toml"), "apply")
    assert taken.code == 0, taken.text
    project.config.write_text(project.config.read_text()
                              + '\n[fixtures.clash]\nrecipe = "recipes/items.sql"\n'
                              'mount = "FX_TAKEN"\n')
    run = project.irisfx("apply")
    assert run.code == 1, run.text
    assert "clash" in run.err and "FX_TAKEN" in run.err
    owned = {r["namespace"] for r in json.loads(project.irisfx("status", "--json").out)["owned"]}
    assert "FX_ITEMS" in owned
