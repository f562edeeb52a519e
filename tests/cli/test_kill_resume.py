"""A kill at every step of apply, followed by a second apply, loses nothing and corrupts nothing.

IRISFX_KILL_AT makes irisfx SIGKILL itself at a named checkpoint (irisfx/files/faults.py): an
uncatchable death with no clean-up, like a power cut.
"""

from __future__ import annotations

import hashlib
import json
import signal
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.conftest import ProjectDir

EXTRA = """
[fixtures.extra]
source = "FXSRC_EXTRA"
recipe = "recipes/items.sql"
mount = "FX_EXTRA"
"""

FIRST_APPLY = [
    "sim.build.recorded", "sim.build.created", "sim.build.filled", "apply.build.done",
    "sim.snapshot.dismounted", "apply.snapshot.copied", "apply.snapshot.pinned",
    "apply.snapshot.done", "sim.mount.recorded", "sim.mount.copied", "sim.mount.created",
    "apply.mount.mounted", "apply.mount.done", "apply.pins.folded",
]
REBUILD_AND_REMOVE = [
    "sim.unmount.marked", "sim.unmount.dropped", "apply.unmount.done", "apply.build.dropped",
    "sim.build.filled", "apply.snapshot.copied", "apply.snapshot.pinned",
    "apply.replace.unmounted", "sim.mount.copied", "apply.replace.done",
]
FLIP_READONLY = ["apply.verify.done", "apply.replace.unmounted", "sim.mount.recorded"]


def assert_converged(project: ProjectDir) -> None:
    """The project is whole: files match pins, every record ready, no leftovers, no changes."""
    plan = project.irisfx("plan", "--detailed-exitcode")
    assert plan.code == 0, plan.text
    doc = tomllib.loads(project.config.read_text())
    for name, fixture in doc["fixtures"].items():
        path = project.root / "fixtures" / name / "IRIS.DAT"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == fixture["pin"]["sha256"]
    assert not list(project.root.glob("fixtures/*/*.irisfx-new"))
    owned = json.loads(project.irisfx("status", "--json").out)["owned"]
    assert owned and all(r["state"] == "ready" and r["database_present"] for r in owned)
    expected = {ns for f in doc["fixtures"].values() for ns in (f["source"], f["mount"])}
    assert {r["namespace"] for r in owned} == expected
    assert not list((project.root / "sim" / "db").glob("*/*.partial"))


def kill_then_resume(project: ProjectDir, checkpoint: str, *args: str) -> None:
    killed = project.irisfx("apply", "--auto-approve", *args, env={"IRISFX_KILL_AT": checkpoint})
    assert killed.code == -signal.SIGKILL, f"checkpoint {checkpoint} never reached: {killed.text}"
    tomllib.loads(project.config.read_text())  # never half-written
    resumed = project.irisfx("apply", "--auto-approve", *args)
    assert resumed.code == 0, resumed.text
    assert_converged(project)


@pytest.mark.parametrize("checkpoint", FIRST_APPLY)
def test_kill_during_first_apply(project: ProjectDir, checkpoint: str) -> None:
    kill_then_resume(project, checkpoint)


@pytest.mark.parametrize("checkpoint", REBUILD_AND_REMOVE)
def test_kill_during_rebuild_and_removal(project: ProjectDir, checkpoint: str) -> None:
    project.write_config(EXTRA)
    assert project.irisfx("apply").code == 0
    old_pin = tomllib.loads(project.config.read_text())["fixtures"]["items"]["pin"]["sha256"]
    recipe = project.root / "recipes" / "items.sql"
    recipe.write_text(recipe.read_text().replace("'plum'", "'damson'"))
    doc = tomllib.loads(project.config.read_text())
    del doc["fixtures"]["extra"]
    project.config.write_text(tomli_w.dumps(doc))
    kill_then_resume(project, checkpoint)
    new_pin = tomllib.loads(project.config.read_text())["fixtures"]["items"]["pin"]["sha256"]
    assert new_pin != old_pin


@pytest.mark.parametrize("checkpoint", FLIP_READONLY)
def test_kill_during_replace(project: ProjectDir, checkpoint: str) -> None:
    assert project.irisfx("apply").code == 0
    text = project.config.read_text()
    text = text.replace("[fixtures.items]\n", "[fixtures.items]\nreadonly = false\n")
    project.config.write_text(text)
    kill_then_resume(project, checkpoint)
    owned = json.loads(project.irisfx("status", "--json").out)["owned"]
    assert {r["namespace"]: r["readonly"] for r in owned}["FX_ITEMS"] is False


def test_an_unreachable_checkpoint_is_noticed(project: ProjectDir) -> None:
    run = project.irisfx("apply", env={"IRISFX_KILL_AT": "no.such.checkpoint"})
    assert run.code == 0
    assert_converged(project)


def test_stray_partial_snapshot_is_not_mistaken_for_the_file(applied: ProjectDir) -> None:
    stray = applied.root / "fixtures" / "items" / "IRIS.DAT.irisfx-new"
    stray.write_bytes(b"not a snapshot")
    assert applied.irisfx("plan", "--detailed-exitcode").code == 0
    path = Path(applied.root / "fixtures" / "items" / "IRIS.DAT")
    assert path.exists()
