"""Issue 21 on the example project: change the recipe (3 rows added, a column dropped, one value
changed) and every view of the change shows exactly that: ``irisfx diff`` as text, JSON and
GitHub Markdown, ``git diff`` through the textconv driver, and the manifest lines in
fixtures.toml (only the changed table's lines change)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.conftest import ProjectDir, clean_env

ROOT = Path(__file__).resolve().parents[2]
NEW_ROWS = [(101, "Entity 101", "person"), (102, "Entity 102", "place"),
            (103, "Entity 103", "concept")]


def _git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                           "-c", "commit.gpgsign=false", *args], cwd=root, capture_output=True,
                          text=True, check=True)
    return proc.stdout


def _example(root: Path) -> None:
    """The example's entities-100 fixture alone (the 10k one only slows the suite)."""
    doc = tomllib.loads((ROOT / "fixtures.toml").read_text(encoding="utf-8"))
    fixture = doc["fixtures"]["entities-100"]
    fixture.pop("pin", None)
    doc["fixtures"] = {"entities-100": fixture}
    root.mkdir(parents=True)
    (root / "fixtures.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
    (root / "recipes").mkdir()
    shutil.copy(ROOT / "recipes" / "entities.sql", root / "recipes" / "entities.sql")


def change_recipe(path: Path) -> None:
    """Drop column Summary, rename entity 7, add entities 101-103."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("    Kind VARCHAR(20) NOT NULL,\n    Summary VARCHAR(500)\n",
                        "    Kind VARCHAR(20) NOT NULL\n")
    text = re.sub(r"INSERT INTO RAG\.Entities \(ID, Name, Kind, Summary\) VALUES "
                  r"\((\d+), ('[^']*'), ('[^']*'), '[^']*'\);",
                  r"INSERT INTO RAG.Entities (ID, Name, Kind) VALUES (\1, \2, \3);", text)
    text = text.replace("(7, 'Entity 007', 'concept')", "(7, 'Entity 007 renamed', 'concept')")
    added = "".join(f"INSERT INTO RAG.Entities (ID, Name, Kind) VALUES ({i}, '{n}', '{k}');\n"
                    for i, n, k in NEW_ROWS)
    text = text.replace("INSERT INTO RAG.EntityMetadata", added + "INSERT INTO RAG.EntityMetadata",
                        1)
    path.write_text(text, encoding="utf-8")


def _changed_project(root: Path, env: dict[str, str]) -> ProjectDir:
    """Applied, committed in git, then the recipe changed."""
    _example(root)
    project = ProjectDir(root, env)
    run = project.irisfx("apply")
    assert run.code == 0, run.text
    _git(root, "init", "-q")
    (root / ".gitattributes").write_text("*.DAT diff=irisfx\n")
    _git(root, "config", "diff.irisfx.textconv", f"{sys.executable} -m irisfx dump")
    _git(root, "add", "fixtures.toml", "recipes", "fixtures", ".gitattributes")
    _git(root, "commit", "-q", "-m", "pinned")
    change_recipe(root / "recipes" / "entities.sql")
    return project


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> ProjectDir:
    """The example, pinned and committed, with its recipe changed (not applied)."""
    tmp = tmp_path_factory.mktemp("changed")
    return _changed_project(tmp / "example", clean_env(tmp))


def test_diff_text_shows_exactly_the_changes(changed: ProjectDir) -> None:
    run = changed.irisfx("diff", "--exit-code")
    assert run.code == 2, run.text
    out = run.out
    assert "fixture entities-100: pinned file → recipe recipes/entities.sql now" in out
    assert "~ table RAG.Entities: 100 → 103 rows: +3 added, -0 removed, ~1 changed" in out
    assert "- column Summary VARCHAR(500)" in out
    assert re.search(r"~ ID=7 +Name +'Entity 007' +'Entity 007 renamed'", out)
    for key, name, kind in NEW_ROWS:
        assert re.search(rf"\+ ID={key} +ID +{key}", out)
        assert f"'{name}'" in out and f"'{kind}'" in out
    assert "RAG.EntityMetadata" not in out  # unchanged tables are not listed
    assert "column Name" not in out and "~ column" not in out and "+ column" not in out
    status = changed.irisfx("status", "--json")  # the temporary namespaces are gone
    assert "FXDIFF_" not in status.out and "FX_ENTITIES" in status.out, status.out


@pytest.fixture(scope="module")
def json_and_summary(changed: ProjectDir, tmp_path_factory: pytest.TempPathFactory
                     ) -> tuple[dict[str, Any], str]:
    """One run of ``diff --json --format github``: JSON on stdout, Markdown in the summary."""
    summary = tmp_path_factory.mktemp("summary") / "summary.md"
    run = changed.irisfx("diff", "--json", "--format", "github",
                         env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.code == 0, run.text
    return json.loads(run.out), summary.read_text(encoding="utf-8")


def test_diff_json_is_exact(json_and_summary: tuple[dict[str, Any], str]) -> None:
    data = json_and_summary[0]
    assert data["format_version"] == 1 and data["changes"] is True
    (fixture,) = data["fixtures"]
    assert fixture["fixture"] == "entities-100"
    tables = {t["table"]: t for t in fixture["tables"]}
    assert tables["RAG.EntityMetadata"]["status"] == "unchanged"
    entities = tables["RAG.Entities"]
    assert entities["status"] == "changed" and entities["key"] == ["ID"]
    assert entities["rows"] == {"before": 100, "after": 103, "added": 3, "removed": 0,
                                "changed": 1}
    assert entities["columns"] == {"added": [], "retyped": [],
                                   "removed": [{"name": "Summary", "type": "VARCHAR(500)"}]}
    assert [(s["change"], s["key"]) for s in entities["samples"]] == [
        ("changed", 7), ("added", 101), ("added", 102), ("added", 103)]
    first = entities["samples"][0]
    assert first["before"] == {"ID": 7, "Name": "Entity 007", "Kind": "concept",
                               "Summary": "A concept; number 7 of 100"}
    assert first["after"] == {"ID": 7, "Name": "Entity 007 renamed", "Kind": "concept"}


def test_diff_github_writes_the_step_summary(
        json_and_summary: tuple[dict[str, Any], str]) -> None:
    markdown = json_and_summary[1]
    assert "## irisfx diff" in markdown and "### entities-100" in markdown
    assert ("| changed `RAG.Entities` | 100 → 103 | 3 | 0 | 1 | - column Summary VARCHAR(500) |"
            in markdown)
    assert "| ~ ID=7 | Name | 'Entity 007' | 'Entity 007 renamed' |" in markdown
    for key in (101, 102, 103):
        assert f"| + ID={key} | ID |   | {key} |" in markdown
    assert "EntityMetadata" not in markdown


class Reapplied:
    """The changed example applied again with 'expect' updated, and what was printed."""

    def __init__(self, project: ProjectDir, declared: str, plans: list[str], applied: str
                 ) -> None:
        self.project, self.declared, self.plans, self.applied = project, declared, plans, applied


@pytest.fixture(scope="module")
def reapplied(tmp_path_factory: pytest.TempPathFactory) -> Reapplied:
    """The changed example, planned before and after 'expect' is updated, then applied."""
    tmp = tmp_path_factory.mktemp("reapplied")
    project = _changed_project(tmp / "example", clean_env(tmp))
    plans = [project.irisfx("plan").out]
    text = project.config.read_text(encoding="utf-8")
    project.config.write_text(text.replace('"RAG.Entities" = 100\n', '"RAG.Entities" = 103\n',
                                           1), encoding="utf-8")
    declared = project.config.read_text(encoding="utf-8")
    plans.append(project.irisfx("plan").out)
    run = project.irisfx("apply", "--auto-approve")
    assert run.code == 0, run.text
    return Reapplied(project, declared, plans, run.out)


def test_manifest_lines_change_only_for_the_changed_table(reapplied: Reapplied) -> None:
    project, before = reapplied.project, reapplied.declared
    old, new = before.splitlines(), project.config.read_text(encoding="utf-8").splitlines()
    assert len(old) == len(new)
    changed = {(a.split(" = ")[0], b.split(" = ")[0]) for a, b in zip(old, new, strict=True)
               if a != b}
    keys = {a for a, b in changed}
    # 'created' is to the second: a fast re-apply may keep the same one.
    assert keys - {"created"} == {"sha256", "size", "recipe_sha256", '"RAG.Entities"'}, changed
    manifest_line = [line for line in new if line.startswith('"RAG.Entities" = "')]
    assert manifest_line == ['"RAG.Entities" = "103 rows; digest '
                             + manifest_line[0].split("digest ")[1][:32]
                             + '; key ID; columns ID INTEGER, Name VARCHAR(100), '
                             'Kind VARCHAR(20)"']


def test_plan_and_apply_show_the_manifest_change(reapplied: Reapplied) -> None:
    before_expect, after_expect = reapplied.plans
    assert "RAG.Entities: 100 rows, unchanged (expect)" in before_expect
    assert "RAG.Entities: 100 → 103 rows (+3) (expect)" in after_expect
    assert "RAG.EntityMetadata: 200 rows, unchanged (expect)" in after_expect
    applied = reapplied.applied
    assert "~ RAG.Entities: 100 → 103 rows (+3); -column Summary" in applied
    assert "RAG.EntityMetadata" not in applied.split("manifest of entities-100")[1]


def test_diff_after_apply_says_the_recipe_is_unchanged(reapplied: Reapplied) -> None:
    run = reapplied.project.irisfx("diff", "--exit-code")
    assert run.code == 0, run.text
    assert "recipe unchanged since pinning" in run.out


def test_git_diff_with_textconv_shows_the_rows(reapplied: Reapplied) -> None:
    project = reapplied.project
    out = _git(project.root, "diff", "HEAD", "--", "fixtures/entities-100/IRIS.DAT")
    assert "Binary files" not in out
    removed = {line for line in out.splitlines() if line.startswith("-  ")}
    added = {line for line in out.splitlines() if line.startswith("+  ")}
    assert "+  ID=7 | Name='Entity 007 renamed' | Kind='concept'" in added
    assert "-  ID=7 | Name='Entity 007' | Kind='concept' | Summary='A concept; number 7 of 100'" \
        in removed
    for key, name, kind in NEW_ROWS:
        assert f"+  ID={key} | Name='{name}' | Kind='{kind}'" in added
    assert any(line.startswith("+  manifest: 103 rows;") and "Summary" not in line
               for line in added)
    assert not any("EntityMetadata" in line for line in added | removed)


def test_diff_between_git_revisions(reapplied: Reapplied) -> None:
    project = reapplied.project
    run = project.irisfx("diff", "--from", "HEAD", "--json")
    assert run.code == 0, run.text
    (fixture,) = json.loads(run.out)["fixtures"]
    assert fixture["before"]["label"] == "HEAD" and fixture["after"]["label"] == "working tree"
    entities = {t["table"]: t for t in fixture["tables"]}["RAG.Entities"]
    assert entities["rows"] == {"before": 100, "after": 103, "added": 3, "removed": 0,
                                "changed": 1}
    bad = project.irisfx("diff", "--from", "no-such-rev")
    assert bad.code == 1 and "fix:" in bad.err and "Traceback" not in bad.err


def _diff_workflow() -> str:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- diff-workflow -->\n```yaml\n(.*?)```", text, re.DOTALL)
    assert found, "docs/ci.md lost its diff-workflow block"
    return found.group(1)


def test_ci_diff_workflow_passes_actionlint(tmp_path: Path) -> None:
    workflow = tmp_path / ".github" / "workflows" / "fixture-diff.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(_diff_workflow())
    actionlint = Path(sys.executable).with_name("actionlint")
    proc = subprocess.run([str(actionlint), "-no-color", str(workflow)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ci_diff_workflow_step_posts_the_change(reapplied: Reapplied, tmp_path: Path) -> None:
    import yaml

    project = reapplied.project
    steps = yaml.safe_load(_diff_workflow())["jobs"]["diff"]["steps"]
    command = [s["run"] for s in steps if "run" in s and "irisfx" in s["run"]
               and not s["run"].startswith("pip ")]
    assert command == ['irisfx diff --from "origin/$BASE_REF" --format github']
    _git(project.root, "update-ref", "refs/remotes/origin/main", "HEAD")  # the PR's base
    summary = tmp_path / "summary.md"
    proc = subprocess.run(
        ["bash", "-c", command[0].replace("irisfx ", f"{sys.executable} -m irisfx ", 1)],
        cwd=project.root, capture_output=True, text=True, timeout=120, check=False,
        env={**project.env, "BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    markdown = summary.read_text(encoding="utf-8")
    assert ("| changed `RAG.Entities` | 100 → 103 | 3 | 0 | 1 | - column Summary VARCHAR(500) |"
            in markdown), markdown
