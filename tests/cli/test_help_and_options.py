"""--help reads cleanly and options mean what they say (issue 9.12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ProjectDir

COMMANDS = ["plan", "apply", "check", "verify", "status", "unmount", "list", "show", "sql",
            "pin", "gc", "destroy", "init", "schema", "push", "pull"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_has_no_type_placeholders_and_an_example(project: ProjectDir,
                                                      command: str | None) -> None:
    run = project.irisfx(*([command] if command else []), "--help")
    assert run.code == 0, run.text
    assert "<bool>" not in run.out and "list[str]" not in run.out
    # Metavars in irisfx's words (NAME, URL, N), never typer's {name}, <str>, <int range>.
    assert "<str>" not in run.out and "<int" not in run.out and "{" not in run.out, run.out
    if command:
        assert "Example: irisfx" in run.out
    else:  # every command's line in the list is whole, none cut with '...'
        listed = run.out.split("Commands:")[1].splitlines()
        assert not [line for line in listed if line.rstrip().endswith("...")], run.out


def test_option_errors_are_in_plain_words(applied: ProjectDir) -> None:
    for args, words in ((["apply", "--lock-timeout", "-5"], "must be 0 or more"),
                        (["apply", "--rebuild", ""], "needs a fixture name"),
                        (["push", "-j", "0"], "must be 1 or more"),
                        (["plan", "--verify", "bogus"], "is not one of")):
        run = applied.irisfx(*args)
        assert run.code == 1 and words in run.err, run.text
        assert "Input should" not in run.err and "Value error" not in run.err, run.text


def test_unmount_takes_yes_and_sql_takes_text_starting_with_a_comment(
        applied: ProjectDir) -> None:
    run = applied.irisfx("sql", "items", "-- how many\nSELECT COUNT(*) FROM Shop.Item")
    assert run.code == 0 and "(1 row)" in run.out, run.text
    assert applied.irisfx("unmount", "items", "--yes").code == 0


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
