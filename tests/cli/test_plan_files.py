"""Saved plans: bad targets and damaged files are clean errors (issue 9.9, 9.15, 10.14)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import ProjectDir, flip_last_byte


def clean_usage_error(run_text: str) -> None:
    assert "Traceback" not in run_text and "please report it" not in run_text


def test_plan_out_into_a_folder_or_missing_folder_is_exit_1(project: ProjectDir) -> None:
    (project.root / "plans").mkdir()
    for target in ("plans", "nowhere/plan.json"):
        run = project.irisfx("plan", "--out", target)
        assert run.code == 1, run.text
        clean_usage_error(run.text)
    assert "is a folder" in project.irisfx("plan", "--out", "plans").err


def test_plan_out_refuses_a_symlink_and_a_device(project: ProjectDir, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (project.root / "link.json").symlink_to(victim)
    run = project.irisfx("plan", "--out", "link.json")
    assert run.code == 1 and "symbolic link" in run.err, run.text
    assert victim.read_text() == "keep me"
    assert (project.root / "link.json").is_symlink()
    run = project.irisfx("plan", "--out", os.devnull)
    assert run.code == 1 and "not a regular file" in run.err, run.text
    assert Path(os.devnull).is_char_device()


@pytest.mark.parametrize("content", ['{"format": "irisfx-plan", "format_version": 1',
                                     '{"format": "irisfx-plan", "format_version": 1}',
                                     '{"format": "irisfx-plan", "format_version": 1, '
                                     '"names": [[1]], "rebuild": [], "fingerprint": {}, '
                                     '"actions": []}', "", "[]"])
def test_damaged_saved_plan_is_a_clean_exit_1(project: ProjectDir, content: str) -> None:
    (project.root / "plan.json").write_text(content)
    run = project.irisfx("apply", "--plan", "plan.json")
    assert run.code == 1, run.text
    clean_usage_error(run.text)
    assert "plan.json" in run.err and "irisfx plan --out" in run.err
    assert run.err.strip() != "'names'"


def test_saved_plan_is_the_approval(applied: ProjectDir) -> None:
    # readonly flips: a replace that needs consent; no terminal, no --auto-approve
    applied.config.write_text(applied.config.read_text().replace(
        "[fixtures.items]\n", "[fixtures.items]\nreadonly = false\n"))
    assert applied.irisfx("apply").code == 1  # without a saved plan it must ask
    assert applied.irisfx("plan", "--out", "plan.json").code == 0
    run = applied.irisfx("apply", "--plan", "plan.json")
    assert run.code == 0, run.text
    assert "Apply complete." in run.out
    assert "--plan" in applied.irisfx("apply", "--help").out


def test_plan_json_problems_carry_full_digests(applied: ProjectDir) -> None:
    assert applied.irisfx("unmount", "items", "--auto-approve").code == 0
    flip_last_byte(applied.root / "fixtures/items/IRIS.DAT")
    run = applied.irisfx("plan", "--json")
    assert run.code == 3
    (problem,) = json.loads(run.out)["problems"]
    assert problem["reason"] == "mismatch" and problem["fixture"] == "items"
    assert problem["file"] == "fixtures/items/IRIS.DAT"
    assert len(problem["expected"]["sha256"]) == 64 and problem["actual"]["size"] > 0
    assert "restore the file" in problem["fix"]


def test_read_only_commands_do_not_say_nothing_was_mounted(applied: ProjectDir) -> None:
    assert applied.irisfx("unmount", "items", "--auto-approve").code == 0
    flip_last_byte(applied.root / "fixtures/items/IRIS.DAT")
    for command in ("plan", "check"):
        run = applied.irisfx(command)
        assert run.code == 3 and "Nothing was mounted" not in run.text, run.text
    assert "Fixture 'items' was not mounted." in applied.irisfx("apply").err


def test_fixture_file_that_is_a_folder_is_a_clean_error(project: ProjectDir) -> None:
    project.write_config('file = "recipes"')  # a key of [fixtures.items]
    for command in ("plan", "verify", "apply"):
        run = project.irisfx(command)
        assert run.code == 1, run.text
        clean_usage_error(run.text)
        assert "recipes" in run.err
