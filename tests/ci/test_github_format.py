"""--format github: workflow-command annotations on fixtures.toml and the step summary."""

from __future__ import annotations

import json
from pathlib import Path

from irisfx.reconcile.github import annotation, wanted
from tests.conftest import ProjectDir, flip_last_byte

DAT = Path("fixtures/items/IRIS.DAT")


def _declaration_line(project: ProjectDir, name: str) -> int:
    lines = project.config.read_text().splitlines()
    return lines.index(f"[fixtures.{name}]") + 1


def test_annotation_escapes_what_github_requires() -> None:
    line = annotation("error", "a,b:c.toml", 7, "t: x", "50% done\nnext")
    assert line == "::error file=a%2Cb%3Ac.toml,line=7,title=t%3A x::50%25 done%0Anext"


def test_auto_only_on_a_github_runner() -> None:
    assert wanted(None, {"GITHUB_ACTIONS": "true"})
    assert not wanted(None, {})
    assert wanted("github", {}) and not wanted("text", {"GITHUB_ACTIONS": "true"})


def test_verify_annotates_the_declaration_of_a_damaged_file(applied: ProjectDir,
                                                            tmp_path: Path) -> None:
    flip_last_byte(applied.root / DAT)
    summary = tmp_path / "summary.md"
    run = applied.irisfx("verify", "--verify", "full", "--format", "github",
                         env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.code == 3, run.text
    line = _declaration_line(applied, "items")
    errors = [x for x in run.out.splitlines() if x.startswith("::error ")]
    assert len(errors) == 1
    assert errors[0].startswith(f"::error file=fixtures.toml,line={line},")
    assert "fixture 'items'" in errors[0]
    text = summary.read_text()
    assert "| items | FAIL |" in text


def test_check_is_github_by_itself_on_a_runner(applied: ProjectDir, tmp_path: Path) -> None:
    (applied.root / DAT).unlink()
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    run = applied.irisfx("check", env={"GITHUB_ACTIONS": "true",
                                       "GITHUB_STEP_SUMMARY": str(summary)})
    assert run.code == 3, run.text
    line = _declaration_line(applied, "items")
    assert f"::error file=fixtures.toml,line={line},title=irisfx%3A integrity::" in run.out
    text = summary.read_text()
    assert text.startswith("earlier step\n")  # appended, not replaced
    assert "### irisfx check" in text and "`items`: fixture 'items' has no file" in text


def test_plan_summary_is_a_table_and_json_stays_json(project: ProjectDir,
                                                     tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    run = project.irisfx("plan", "--json", env=env)
    assert run.code == 0, run.text
    assert json.loads(run.out)["actions"]
    text = summary.read_text()
    assert "| Action | Fixture | Namespace | Reason | Cause |" in text
    assert "| build | items | FXSRC_ITEMS |" in text
    notices = project.irisfx("plan", "--format", "github").out
    assert f"::notice file=fixtures.toml,line={_declaration_line(project, 'items')}" in notices


def test_text_format_prints_no_annotations(applied: ProjectDir) -> None:
    (applied.root / DAT).unlink()
    run = applied.irisfx("verify", "--format", "text", env={"GITHUB_ACTIONS": "true"})
    assert run.code == 3
    assert "::error" not in run.text


def test_verify_annotates_a_changed_recipe_and_the_summary_agrees(applied: ProjectDir,
                                                                  tmp_path: Path) -> None:
    recipe = applied.root / "recipes/items.sql"
    recipe.write_text(recipe.read_text() + "-- edited\n")
    summary = tmp_path / "summary.md"
    run = applied.irisfx("verify", "--format", "github",
                         env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.code == 2, run.text
    line = _declaration_line(applied, "items")
    assert f"::warning file=fixtures.toml,line={line},title=irisfx%3A changed::" in run.out
    assert "| items | CHANGED |" in summary.read_text()
    assert "| items | ok |" not in summary.read_text()


def test_an_unwritable_step_summary_does_not_fail_a_passing_verify(applied: ProjectDir,
                                                                   tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "summary.md"
    run = applied.irisfx("verify", "--format", "github",
                         env={"GITHUB_STEP_SUMMARY": str(missing)})
    assert run.code == 0, run.text
    assert "cannot write the step summary" in run.err and "fixtures.toml" not in run.err
