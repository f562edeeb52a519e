"""--help reads cleanly and options mean what they say (issue 9.12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ProjectDir

COMMANDS = ["plan", "apply", "check", "verify", "status", "unmount", "list", "show", "sql",
            "pin", "gc", "destroy", "init", "schema"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_has_no_type_placeholders_and_an_example(project: ProjectDir,
                                                      command: str | None) -> None:
    run = project.irisfx(*([command] if command else []), "--help")
    assert run.code == 0, run.text
    assert "<bool>" not in run.out and "list[str]" not in run.out
    if command:
        assert "Example: irisfx" in run.out


def test_rebuild_help_and_comma_list(applied: ProjectDir) -> None:
    assert "--rebuild NAME[,NAME...]" in applied.irisfx("plan", "--help").out
    run = applied.irisfx("plan", "--rebuild", "alpha,beta")
    assert run.code == 1
    assert "'alpha', 'beta'" in run.err, run.text


def test_global_options_after_the_command(project: ProjectDir) -> None:
    run = project.irisfx("plan", "--debug", "--no-color", "--iris", "sim://other")
    assert run.code == 0, run.text
    assert "Plan: 1 to build" in run.out
    run = project.irisfx("plan", "--iris", "")  # parsed as --iris, so refused as empty
    assert run.code == 1 and "empty" in run.err, run.text


def test_empty_iris_is_an_error_not_the_simulator(project: ProjectDir) -> None:
    run = project.irisfx("--iris", "", "plan")
    assert run.code == 1 and "empty" in run.err, run.text
    assert not (project.root / "sim").exists()


def test_config_from_env_and_config_folder(project: ProjectDir, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    away = ProjectDir(elsewhere, project.env)
    run = away.irisfx("list", env={"IRISFX_CONFIG": str(project.config)})
    assert run.code == 0 and "items" in run.out, run.text
    run = away.irisfx("list", "--config", str(project.root))
    assert run.code == 0 and "items" in run.out, run.text
