"""Creating the simulated instance survives a kill at any moment and concurrent first writes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import SQL_RECIPE, ProjectDir, clean_env


def test_leftovers_of_a_killed_first_write_count_as_empty(project: ProjectDir) -> None:
    sim = project.root / "sim"
    (sim / "locks").mkdir(parents=True)
    (sim / "locks" / "demo.lock").touch()
    (sim / ".instance.lock").touch()
    (sim / "instance.db").touch()  # created, never initialized
    run = project.irisfx("apply")
    assert run.code == 0, run.text


def test_a_kill_while_the_instance_is_created_is_resumed(project: ProjectDir) -> None:
    killed = project.irisfx("apply", env={"IRISFX_KILL_AT": "sim.instance.creating"})
    assert killed.code == -signal.SIGKILL, killed.text
    assert (project.root / "sim" / "instance.db").exists()
    plan = project.irisfx("plan")
    assert plan.code == 0, plan.text
    run = project.irisfx("apply")
    assert run.code == 0, run.text
    assert project.irisfx("plan", "--detailed-exitcode").code == 0


def test_three_concurrent_first_applies_on_one_new_instance(tmp_path: Path) -> None:
    sim = tmp_path / "shared-sim"
    env = clean_env(tmp_path)
    roots = []
    for n in range(3):
        root = tmp_path / f"p{n}"
        (root / "recipes").mkdir(parents=True)
        (root / "recipes" / "items.sql").write_text(SQL_RECIPE)
        (root / "fixtures.toml").write_text(
            f'[irisfx]\nproject = "p{n}"\niris = "sim://{sim}"\n\n[fixtures.items]\n'
            f'source = "FXSRC_P{n}"\nrecipe = "recipes/items.sql"\nmount = "FX_P{n}"\n')
        roots.append(root)
    procs = [subprocess.Popen([sys.executable, "-m", "irisfx", "apply"], cwd=root, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for root in roots]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], outputs
    for n, root in enumerate(roots):
        status = subprocess.run([sys.executable, "-m", "irisfx", "status", "--json"], cwd=root,
                                env=env, capture_output=True, text=True, check=True)
        owned = {r["namespace"] for r in json.loads(status.stdout)["owned"]}
        assert owned == {f"FXSRC_P{n}", f"FX_P{n}"}
