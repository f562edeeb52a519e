"""The CLI as a new user meets it: real subprocesses, real files, the sim engine."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from tests.conftest import ProjectDir, flip_last_byte

DAT = Path("fixtures/items/IRIS.DAT")


def plan_json(project: ProjectDir, *args: str) -> dict[str, object]:
    run = project.irisfx("plan", "--json", *args)
    assert run.code == 0, run.text
    data: dict[str, object] = json.loads(run.out)
    return data


def test_first_apply_builds_pins_and_mounts(project: ProjectDir) -> None:
    plan = project.irisfx("plan")
    assert plan.code == 0, plan.text
    assert "Plan: 1 to build, 1 to snapshot, 1 to mount, 0 to unmount." in plan.out
    assert "simulator" in plan.out

    run = project.irisfx("apply")
    assert run.code == 0, run.text
    pin = tomllib.loads(project.config.read_text())["fixtures"]["items"]["pin"]
    data = (project.root / DAT).read_bytes()
    import hashlib

    assert pin["sha256"] == hashlib.sha256(data).hexdigest()
    assert pin["size"] == len(data)
    assert pin["tables"] == {"Shop.Item": 3}
    assert pin["built_by"].startswith("irisfx-sim")

    status = json.loads(project.irisfx("status", "--json").out)
    roles = {r["namespace"]: (r["role"], r["state"]) for r in status["owned"]}
    assert roles == {"FXSRC_ITEMS": ("source", "ready"), "FX_ITEMS": ("mount", "ready")}


def test_second_apply_does_nothing_and_hashes_nothing(applied: ProjectDir) -> None:
    before = applied.config.read_bytes()
    run = applied.irisfx("apply")
    assert run.code == 0 and "No changes." in run.out
    assert applied.config.read_bytes() == before
    data = plan_json(applied)
    assert data["changes"] is False and data["files_hashed"] == 0
    assert applied.irisfx("plan", "--detailed-exitcode").code == 0
    assert applied.irisfx("check").code == 0


def test_verify_full_rehashes(applied: ProjectDir) -> None:
    assert plan_json(applied, "--verify", "full")["files_hashed"] == 1


def test_one_byte_edit_is_drift_exit_3_and_nothing_mounted(applied: ProjectDir) -> None:
    assert applied.irisfx("unmount", "items", "--auto-approve").code == 0
    flip_last_byte(applied.root / DAT)
    check = applied.irisfx("check")
    assert check.code == 3, check.text
    assert "does not match its pin" in check.out
    apply = applied.irisfx("apply")
    assert apply.code == 3
    assert "error: fixture 'items' does not match its pin" in apply.err
    assert "Fixture 'items' was not mounted." in apply.err
    assert "fix: restore the file from git" in apply.err
    assert "Traceback" not in apply.text
    assert applied.irisfx("verify").code == 3
    owned = json.loads(applied.irisfx("status", "--json").out)["owned"]
    assert "FX_ITEMS" not in {r["namespace"] for r in owned}


def test_truncated_and_missing_files_are_integrity_failures(applied: ProjectDir) -> None:
    path = applied.root / DAT
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:100])
    run = applied.irisfx("apply")
    assert run.code == 3 and "actual:" in run.err and "(100 bytes)" in run.err
    path.unlink()
    run = applied.irisfx("check")
    assert run.code == 3 and "is missing" in run.out


def test_rebuild_on_purpose_repins(applied: ProjectDir) -> None:
    flip_last_byte(applied.root / DAT)
    run = applied.irisfx("apply", "--rebuild", "items", "--auto-approve")
    assert run.code == 0, run.text
    assert applied.irisfx("check").code == 0


def test_changed_recipe_is_a_pending_rebuild(applied: ProjectDir) -> None:
    recipe = applied.root / "recipes" / "items.sql"
    recipe.write_text(recipe.read_text() + "INSERT INTO Shop.Item (ID, Name) VALUES (4, 'fig');\n")
    plan = applied.irisfx("plan", "--detailed-exitcode")
    assert plan.code == 2
    assert "recipe changed" in plan.out and "Pending changes" in plan.out
    run = applied.irisfx("apply", "--auto-approve")
    assert run.code == 5 and "Shop.Item: expected 3 rows, found 4" in run.err
    assert "Nothing was pinned." in run.err
    text = applied.config.read_text().replace('"Shop.Item" = 3', '"Shop.Item" = 4')
    applied.config.write_text(text)
    run = applied.irisfx("apply", "--auto-approve")
    assert run.code == 0, run.text
    assert applied.irisfx("plan", "--detailed-exitcode").code == 0


def test_destructive_apply_needs_approval_off_terminal(applied: ProjectDir) -> None:
    text = applied.config.read_text()
    text = text.replace("[fixtures.items]", "[fixtures.items]\nreadonly = false")
    applied.config.write_text(text)
    run = applied.irisfx("apply")
    assert run.code == 1 and "--auto-approve" in run.err
    assert "replace" in run.out
    assert applied.irisfx("apply", "--auto-approve").code == 0


def test_removed_fixture_is_unmounted(applied: ProjectDir) -> None:
    applied.config.write_text('[irisfx]\nproject = "demo"\niris = "sim://sim"\n')
    plan = applied.irisfx("plan")
    assert "0 to build, 0 to snapshot, 0 to mount, 2 to unmount" in plan.out
    assert applied.irisfx("apply", "--auto-approve").code == 0
    assert json.loads(applied.irisfx("status", "--json").out)["owned"] == []


def test_saved_plan_is_applied_or_refused_when_stale(project: ProjectDir) -> None:
    assert project.irisfx("plan", "--out", "p.json").code == 0
    assert project.irisfx("apply", "--plan", "p.json").code == 0
    assert project.irisfx("apply", "--plan", "p.json").code == 1
    assert project.irisfx("plan", "--out", "p2.json").code == 0
    project.config.write_text(project.config.read_text() + "\n# edit\n")
    stale = project.irisfx("apply", "--plan", "p2.json")
    assert stale.code == 1 and "fixtures.toml changed" in stale.err
    assert project.irisfx("apply", "--plan", "nope.json").code == 1


def test_locked_refuses_to_write_pins(project: ProjectDir) -> None:
    before = project.config.read_bytes()
    run = project.irisfx("apply", "--locked")
    assert run.code == 1 and "--locked" in run.err
    assert project.config.read_bytes() == before
    run = project.irisfx("apply", env={"IRISFX_LOCKED": "1"})
    assert run.code == 1
    assert not (project.root / DAT).exists()


def test_narrowing_and_unknown_names(applied: ProjectDir) -> None:
    assert applied.irisfx("plan", "items").code == 0
    run = applied.irisfx("plan", "itmes")
    assert run.code == 1 and "unknown fixture 'itmes'" in run.err and "items" in run.err


def test_bad_config_gives_path_message_lines(project: ProjectDir) -> None:
    project.config.write_text('[irisfx]\nproject = "demo"\n[fixtures.items]\nsorce = "X"\n')
    run = project.irisfx("plan")
    assert run.code == 1
    assert "fixtures.toml:4: fixtures.items.sorce: unknown key" in run.err
    assert "Traceback" not in run.text
    project.config.write_text("[irisfx\n")
    assert project.irisfx("apply").code == 1


def test_no_config_says_how_to_start(tmp_path: Path, project: ProjectDir) -> None:
    project.config.unlink()
    run = project.irisfx("plan")
    assert run.code == 1 and "irisfx init" in run.err


def test_corrupt_and_unreachable_sim_exit_4(applied: ProjectDir) -> None:
    state = applied.root / "sim" / "instance.db"
    state.write_text("{ broken")
    run = applied.irisfx("plan")
    assert run.code == 4 and "corrupt" in run.err and "Traceback" not in run.text
    run = applied.irisfx("--iris", "sim://fixtures.toml", "plan")
    assert run.code == 4 and "not a folder" in run.err


def test_two_applies_at_once(applied: ProjectDir) -> None:
    from irisfx.engines import EngineSettings, open_engine

    engine = open_engine(EngineSettings(url="sim://sim", project="demo", root=applied.root))
    with engine.lock():
        run = applied.irisfx("apply")
    assert run.code == 1 and "another irisfx process holds the lock" in run.err
    assert applied.irisfx("apply").code == 0


def test_unknown_engine_scheme(project: ProjectDir) -> None:
    run = project.irisfx("plan", env={"IRISFX_IRIS": "ftp://x"})
    assert run.code == 1 and "unknown engine URL" in run.err


def test_init_then_apply_from_an_empty_folder(tmp_path: Path, project: ProjectDir) -> None:
    empty = ProjectDir(tmp_path / "new-project", project.env)
    empty.root.mkdir()
    run = empty.irisfx("init")
    assert run.code == 0, run.text
    assert ".irisfx/" in (empty.root / ".gitignore").read_text()
    run = empty.irisfx("apply")
    assert run.code == 0, run.text
    assert empty.irisfx("check").code == 0
    assert empty.irisfx("init").code == 1


def test_schema_version_help_and_no_color(project: ProjectDir) -> None:
    schema = json.loads(project.irisfx("schema").out)
    assert "fixtures" in schema["properties"]
    assert project.irisfx("--version").out.startswith("irisfx ")
    for command in ("init", "plan", "apply", "check", "verify", "status", "unmount", "schema"):
        run = project.irisfx(command, "--help")
        assert run.code == 0 and "Example" in run.out, command
    run = project.irisfx("verify", "--no-color")
    assert "\x1b[" not in run.out


def test_read_only_commands_create_no_instance_and_a_typo_is_exit_4(project: ProjectDir) -> None:
    assert project.irisfx("plan").code == 0
    assert project.irisfx("status").code == 0
    assert not (project.root / "sim").exists()
    run = project.irisfx("--iris", "sim://no/such/dir", "plan")
    assert run.code == 4 and "does not exist" in run.err
    assert not (project.root / "no").exists()


def test_apply_waiting_for_the_lock_plans_from_the_new_pins(applied: ProjectDir) -> None:
    import subprocess
    import sys

    recipe = applied.root / "recipes" / "items.sql"
    recipe.write_text(recipe.read_text().replace("'plum'", "'damson'"))
    # The first apply rebuilds and re-pins while holding the lock; it is stopped at the
    # moment before it writes the new pin, so the second apply reads the old pin, then waits.
    reached = applied.root / "reached"
    first = subprocess.Popen(
        [sys.executable, "-c", "import pathlib, sys, time\nfrom irisfx.files import faults\n"
         "def stop(n):\n    if n == 'apply.snapshot.copied':\n"
         "        pathlib.Path('reached').touch(); time.sleep(2)\n"
         "faults.checkpoint = stop\n"
         "sys.argv = ['irisfx', 'apply', '--auto-approve']\nfrom irisfx.cli import main\nmain()"],
        cwd=applied.root, env=applied.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    import time

    # Start the second apply only once the first holds the lock, however slow the machine.
    while not reached.exists() and first.poll() is None:
        time.sleep(0.05)
    second = applied.irisfx("apply", "--auto-approve", "--lock-timeout", "60")
    assert first.wait(60) == 0, first.communicate()
    assert second.code == 0, second.text
    assert "No changes." in second.out


def test_saved_plan_is_refused_after_a_recipe_changed(project: ProjectDir) -> None:
    assert project.irisfx("plan", "--out", "p.json").code == 0
    recipe = project.root / "recipes" / "items.sql"
    recipe.write_text(recipe.read_text() + "-- changed\n")
    run = project.irisfx("apply", "--plan", "p.json")
    assert run.code == 1 and "recipes changed" in run.err


def test_recipe_calling_sys_exit_is_an_apply_failure_not_its_exit_code(
        project: ProjectDir) -> None:
    (project.root / "recipes" / "items.py").write_text(
        "import sys\n\ndef build(conn):\n    sys.exit(3)\n")
    project.config.write_text(project.config.read_text().replace("items.sql", "items.py"))
    run = project.irisfx("apply")
    assert run.code == 5 and "recipes/items.py called sys.exit(3)" in run.err
    status = json.loads(project.irisfx("status", "--json").out)
    assert status["owned"] == []


def test_resuming_an_interrupted_apply_needs_no_approval(project: ProjectDir) -> None:
    killed = project.irisfx("apply", env={"IRISFX_KILL_AT": "sim.mount.copied"})
    assert killed.code == -9
    plan = project.irisfx("plan")
    assert "did not finish" in plan.out and "Drift" not in plan.out
    run = project.irisfx("apply")
    assert run.code == 0, run.text


def test_two_fixtures_sharing_a_source_build_it_once(project: ProjectDir) -> None:
    project.write_config('\n[fixtures.items-again]\nsource = "FXSRC_ITEMS"\n'
                         'recipe = "recipes/items.sql"\nmount = "FX_ITEMS_AGAIN"\n')
    plan = project.irisfx("plan")
    assert "Plan: 1 to build, 2 to snapshot, 2 to mount, 0 to unmount." in plan.out, plan.text
    assert project.irisfx("apply").code == 0
    assert project.irisfx("check").code == 0
