"""The published pre-commit hook, run by pre-commit itself (try-repo) on a temporary repo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ProjectDir, flip_last_byte
from tests.forkrun import Run

REPO = Path(__file__).resolve().parents[2]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   cwd=cwd, check=True, capture_output=True)


def _try_repo(project: ProjectDir, tmp_path: Path) -> Run:
    env = {**project.env,
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "GIT_CONFIG_NOSYSTEM": "1",
           # The hook runs the irisfx installed beside this Python (language: system).
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{project.env.get('PATH', '')}",
           # Any attempt to reach a package index fails at once instead of hanging.
           "PIP_NO_INDEX": "1", "PIP_INDEX_URL": "http://127.0.0.1:9/"}
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "irisfx-verify",
         "--all-files", "--color", "never"],
        cwd=project.root, env=env, capture_output=True, text=True, timeout=300)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def committed(applied: ProjectDir) -> ProjectDir:
    """The applied project as a git repository with fixtures.toml, recipe and file committed."""
    applied.env["HOME"] = str(applied.root.parent / "home")
    _git(applied.root, "init", "-q")
    _git(applied.root, "add", "fixtures.toml", "recipes", "fixtures")
    _git(applied.root, "commit", "-qm", "fixtures")
    return applied


def test_hook_passes_on_files_that_match_their_pins(committed: ProjectDir,
                                                    tmp_path: Path) -> None:
    run = _try_repo(committed, tmp_path)
    assert run.code == 0, run.text
    assert "irisfx verify" in run.out and "Passed" in run.out


def test_hook_fails_on_a_changed_fixture_file(committed: ProjectDir, tmp_path: Path) -> None:
    flip_last_byte(committed.root / "fixtures" / "items" / "IRIS.DAT")
    run = _try_repo(committed, tmp_path)
    assert run.code == 1, run.text
    assert "Failed" in run.out and "FAIL items" in run.out
