"""Family: a symbolic link planted at every path irisfx writes or deletes (issue 17 items 3, 4,
14). Each case copies an applied project, puts a link to the sentinel folder (or a file in it)
at one path, and runs a command that writes or deletes there. Property: nothing outside the
project changes, a documented exit code, no traceback, no hang."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.faults.fuzzing import check
from tests.faults.harness import (
    CONFIG,
    Case,
    applied_case,
    copy_case,
    outside_snapshot,
    run_forked,
)

REBUILD = ("apply", "--rebuild", "items", "--auto-approve")
#: (path under the project, what the link points to: "dir" or "file", commands to run)
PLANTS = [
    ("fixtures/items", "dir", [REBUILD, ("gc", "--yes")]),
    ("fixtures/items/IRIS.DAT", "file", [REBUILD, ("apply", "--auto-approve")]),
    ("fixtures/items/IRIS.DAT.irisfx-new", "file", [REBUILD, ("gc", "--yes")]),
    ("fixtures/old", "dir", [("gc", "--yes")]),
    ("fixtures/old/IRIS.DAT", "file", [("gc", "--yes")]),
    (".irisfx", "dir", [REBUILD, ("plan",)]),
    (".irisfx/pins.journal", "file", [REBUILD]),
    (".irisfx/stat-cache.json", "file", [REBUILD, ("verify",)]),
    ("sim/instance.db", "file", [REBUILD, ("destroy", "--yes")]),
    ("sim/instance.db-wal", "file", [REBUILD]),
    ("sim/locks/demo.lock", "file", [REBUILD]),
    ("sim/db/FX_ITEMS", "dir", [("destroy", "--yes"), ("apply", "--auto-approve")]),
    ("sim/db/FX_ITEMS/IRIS.DAT", "file", [("destroy", "--yes"), REBUILD]),
    ("sim/db", "dir", [("destroy", "--yes"), REBUILD]),
]
CASES = [pytest.param(path, kind, command, id=f"{path}:{command[0]}")
         for path, kind, commands in PLANTS for command in commands]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Case:
    """An applied project every case copies."""
    return applied_case(tmp_path_factory.mktemp("links") / "template", CONFIG)


def plant(case: Case, relative: str, kind: str) -> None:
    """Replace ``relative`` (if there) by a link to the sentinel folder or a file in it."""
    path = case.proj / relative
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    target = case.outside / ("victim_dir" if kind == "dir" else "victim.txt")
    path.symlink_to(target)


@pytest.mark.parametrize(("relative", "kind", "command"), CASES)
def test_nothing_is_written_or_deleted_through_a_planted_link(
        template: Case, tmp_path: Path, relative: str, kind: str,
        command: tuple[str, ...]) -> None:
    case = copy_case(template, tmp_path / "case")
    plant(case, relative, kind)
    before = outside_snapshot(case)
    run = run_forked(case, *command, timeout=60)
    problems = check(case, before, run)
    assert not problems, f"{relative} {command}: {problems}\n{run.text[-800:]}"
