"""An interrupted --rebuild leaves a half-made source: plan reports it and apply repairs it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ProjectDir


@pytest.mark.parametrize("checkpoint", ["sim.build.recorded", "sim.build.created"])
def test_half_made_source_after_rebuild_is_planned_and_repaired(applied: ProjectDir,
                                                                 checkpoint: str) -> None:
    killed = applied.irisfx("apply", "--rebuild", "items", "--auto-approve",
                            env={"IRISFX_KILL_AT": checkpoint})
    assert killed.code < 0, killed.text
    plan = applied.irisfx("plan", "--detailed-exitcode")
    assert plan.code == 2, plan.text
    assert "build    items (FXSRC_ITEMS)" in plan.out
    assert applied.irisfx("check").code == 2
    assert applied.irisfx("apply").code == 0
    owned = json.loads(applied.irisfx("status", "--json").out)["owned"]
    assert all(r["state"] == "ready" for r in owned)
    assert applied.irisfx("plan", "--detailed-exitcode").code == 0
