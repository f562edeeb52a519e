"""The done-when of the store: a clone with fixtures.toml and recipes only gets its fixtures."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ProjectDir


def git(cwd: Path, *args: str) -> None:
    """Run git with a fixed identity and no user configuration."""
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   cwd=cwd, check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1",
                        "HOME": str(cwd)})


@pytest.fixture
def published(project: ProjectDir) -> ProjectDir:
    """The 'items' project applied, pushed to ../store, and committed without its files."""
    text = project.config.read_text().replace('iris = "sim://sim"',
                                               'iris = "sim://sim"\nstore = "../store"')
    project.config.write_text(text)
    (project.root.parent / "store").mkdir()
    assert project.irisfx("apply").code == 0
    run = project.irisfx("push")
    assert run.code == 0, run.text
    git(project.root, "init", "-q")
    git(project.root, "add", "fixtures.toml", "recipes")
    git(project.root, "commit", "-qm", "fixtures")
    return project


@pytest.fixture
def clone(published: ProjectDir, tmp_path: Path) -> ProjectDir:
    """A fresh clone of the published project: no fixture file, no simulator, no source."""
    git(tmp_path, "clone", "-q", str(published.root), "clone")
    made = ProjectDir(tmp_path / "clone", published.env)
    assert not (made.root / "fixtures").exists() and not (made.root / "sim").exists()
    return made


def test_fresh_clone_pulls_its_fixtures_and_passes_check(clone: ProjectDir) -> None:
    plan = clone.irisfx("plan", "--json")
    assert plan.code == 0, plan.text
    kinds = [a["action"] for a in json.loads(plan.out)["actions"]]
    assert kinds == ["pull", "mount"]
    text = clone.irisfx("plan")
    assert "+ pull     items" in text.out
    run = clone.irisfx("apply", "--locked")
    assert run.code == 0, run.text
    assert clone.irisfx("check").code == 0
    assert clone.irisfx("verify").code == 0
    assert clone.irisfx("apply").out.startswith("No changes.")


def test_fresh_clone_refuses_a_tampered_object(clone: ProjectDir) -> None:
    store = clone.root.parent / "store"  # shared: both projects name ../store
    (obj,) = [p for p in store.rglob("*") if p.is_file()]
    data = bytearray(obj.read_bytes())
    data[-1] ^= 0xFF
    obj.write_bytes(bytes(data))
    run = clone.irisfx("apply", "--locked")
    assert run.code == 3, run.text
    assert "does not match its pin; nothing was written" in run.err
    assert not list((clone.root / "fixtures").rglob("IRIS.DAT*"))
    check = clone.irisfx("check")  # plan does not read the store: the pull is still pending
    assert check.code == 2 and "+ pull     items" in check.out


def test_without_the_object_apply_stops_and_says_push(clone: ProjectDir) -> None:
    shutil.rmtree(clone.root.parent / "store" / "sha256")
    run = clone.irisfx("apply", "--locked")
    assert run.code == 5, run.text
    assert "has no copy of fixture 'items'" in run.err and "irisfx push items" in run.err


def test_without_a_store_the_missing_file_is_an_integrity_problem(clone: ProjectDir) -> None:
    text = clone.config.read_text().replace('store = "../store"\n', "")
    clone.config.write_text(text)
    assert clone.irisfx("plan").code == 3
