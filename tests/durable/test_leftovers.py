"""gc and apply with leftovers: nothing is deleted through a link, and a stray snapshot that an
interrupted apply left (FILE.irisfx-new) is listed by gc, removed by the next apply and ignored
by git in a project made by init."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ProjectDir


def test_gc_never_deletes_through_a_linked_folder(applied: ProjectDir) -> None:
    outside = applied.root.parent / "outside"
    outside.mkdir()
    (outside / "IRIS.DAT").write_bytes(b"not yours" * 100)
    (applied.root / "fixtures" / "old").symlink_to(outside)
    run = applied.irisfx("gc", "--yes")
    assert run.code == 0, run.text
    assert (outside / "IRIS.DAT").read_bytes() == b"not yours" * 100
    assert (applied.root / "fixtures" / "old").is_symlink()


def test_gc_never_deletes_a_linked_file(applied: ProjectDir) -> None:
    outside = applied.root.parent / "outside.dat"
    outside.write_bytes(b"not yours")
    (applied.root / "fixtures" / "old").mkdir()
    (applied.root / "fixtures" / "old" / "IRIS.DAT").symlink_to(outside)
    (applied.root / "fixtures" / "items" / "IRIS.DAT.irisfx-new").symlink_to(outside)
    run = applied.irisfx("gc", "--yes")
    assert run.code == 0, run.text
    assert outside.read_bytes() == b"not yours"


def test_a_stray_new_file_is_listed_by_gc_and_removed_by_the_next_apply(
        applied: ProjectDir) -> None:
    stray = applied.root / "fixtures" / "items" / "IRIS.DAT.irisfx-new"
    stray.write_bytes(b"half a snapshot")
    listed = applied.irisfx("gc", "--dry-run")
    assert listed.code == 0 and "IRIS.DAT.irisfx-new" in listed.out, listed.text
    run = applied.irisfx("apply", "--auto-approve")
    assert run.code == 0, run.text
    assert not stray.exists()
    assert "Nothing left over" in applied.irisfx("gc", "--dry-run").out


def test_init_ignores_partial_files(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    folder.mkdir()
    subprocess.run([sys.executable, "-m", "irisfx", "init"], cwd=folder, check=True,
                   capture_output=True, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    (folder / "fixtures" / "x").mkdir(parents=True)
    for name in ("IRIS.DAT.irisfx-new", "IRIS.DAT.irisfx-pull"):
        (folder / "fixtures" / "x" / name).write_bytes(b"partial")
    ignored = subprocess.run(["git", "check-ignore", "fixtures/x/IRIS.DAT.irisfx-new",
                              "fixtures/x/IRIS.DAT.irisfx-pull"], cwd=folder,
                             capture_output=True, text=True, check=False)
    assert ignored.stdout.split() == ["fixtures/x/IRIS.DAT.irisfx-new",
                                      "fixtures/x/IRIS.DAT.irisfx-pull"]
