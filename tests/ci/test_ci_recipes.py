"""docs/ci.md cannot rot: its workflow runs, job by job, in fresh clones, and passes actionlint."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ProjectDir

DOC = Path(__file__).resolve().parents[2] / "docs" / "ci.md"
BIN = Path(sys.executable).parent
TEST_FILE = """\
import pytest


@pytest.mark.irisfx("items")
def test_items_are_there(irisfx):
    cur = irisfx.connect("items").cursor()
    cur.execute("SELECT COUNT(*) FROM Shop.Item")
    assert cur.fetchone()[0] == 3
"""


def _block(marker: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker} -->\n```yaml\n(.*?)```", text, re.DOTALL)
    assert found, f"docs/ci.md lost its {marker} block"
    return found.group(1)


def _skipped(command: str) -> bool:
    # Installing needs the package index and docker needs IRIS: neither exists in the test.
    return command.startswith("pip install") or "docker " in command


def _github_jobs() -> dict[str, list[str]]:
    workflow: dict[str, Any] = yaml.safe_load(_block("github-workflow"))
    return {name: [step["run"].strip() for step in job["steps"] if "run" in step]
            for name, job in workflow["jobs"].items()}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   cwd=cwd, check=True, capture_output=True)


def _actionlint(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    workflow = tmp_path / ".github" / "workflows" / "fixtures.yml"
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(text)
    return subprocess.run([str(BIN / "actionlint"), "-no-color", str(workflow)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_github_workflow_passes_actionlint(tmp_path: Path) -> None:
    proc = _actionlint(tmp_path, _block("github-workflow"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The linter is really looking: the same workflow with a typo fails.
    broken = _actionlint(tmp_path, _block("github-workflow").replace("runs-on:", "run-on:", 1))
    assert broken.returncode == 1 and "run-on" in broken.stdout


def test_gitlab_job_runs_the_same_irisfx_commands() -> None:
    gitlab: dict[str, Any] = yaml.safe_load(_block("gitlab-ci"))
    ran = [c for job in gitlab.values() for c in job["script"] if not _skipped(c)]
    github = [c for job in _github_jobs().values() for c in job if not _skipped(c)]
    assert ran == github


@pytest.fixture
def origin(project: ProjectDir, tmp_path: Path) -> ProjectDir:
    """A project as its author leaves it: applied, pushed to a folder store, committed
    without its fixture files."""
    (project.root / "tests").mkdir()
    (project.root / "tests" / "test_items.py").write_text(TEST_FILE)
    assert project.irisfx("apply").code == 0
    store = tmp_path / "store"
    store.mkdir()
    project.env["IRISFX_STORE"] = str(store)
    run = project.irisfx("push")
    assert run.code == 0, run.text
    _git(project.root, "init", "-q")
    _git(project.root, "add", "fixtures.toml", "recipes", "tests")
    _git(project.root, "commit", "-qm", "fixtures")
    return project


def test_github_workflow_commands_run_in_fresh_clones(origin: ProjectDir,
                                                       tmp_path: Path) -> None:
    jobs = _github_jobs()
    summary = tmp_path / "step-summary.md"
    env = {**origin.env, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": f"{BIN}{os.pathsep}{origin.env.get('PATH', '')}"}
    ran = []
    for name, commands in jobs.items():
        runner = tmp_path / f"runner-{name}"  # each job starts on a fresh runner
        _git(tmp_path, "clone", "-q", str(origin.root), str(runner))
        assert not (runner / "fixtures").exists()
        for command in commands:
            if _skipped(command):
                continue
            proc = subprocess.run(shlex.split(command), cwd=runner, env=env,
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, f"{name}: {command}\n{proc.stdout}{proc.stderr}"
            ran.append(command)
    assert ran == ["irisfx pull", "irisfx verify --verify full", "irisfx apply --locked",
                   "pytest"]
    assert "### irisfx verify" in summary.read_text()
