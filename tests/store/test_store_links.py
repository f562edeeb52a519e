"""push and pull never create a store folder by themselves, never write through a planted link,
and clean the temp files a killed push left (issue 17 items 4 and 9, issue 18 items 7, 17)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import ProjectDir
from tests.store.conftest import object_path

Blobs = tuple[ProjectDir, dict[str, bytes]]


def victim(project: ProjectDir) -> Path:
    """A file beside the project that irisfx has no business touching."""
    path = project.root.parent / "victim.txt"
    path.write_text("do not touch\n")
    return path


@pytest.mark.parametrize("where", ["../missing", ":::"])
def test_push_to_a_missing_store_folder_creates_nothing(blobs: Blobs, where: str) -> None:
    project, _ = blobs
    before = sorted(p.name for p in project.root.parent.iterdir())
    run = project.irisfx("push", env={"IRISFX_STORE": where})
    assert run.code == 4, run.text
    assert "the store folder does not exist" in run.err and "fix: create it" in run.err
    assert sorted(p.name for p in project.root.parent.iterdir()) == before
    assert not (project.root / where).exists()


def test_a_store_url_with_a_nul_byte_is_a_clear_error(blobs: Blobs) -> None:
    project, _ = blobs
    text = project.config.read_text().replace('store = "../store"', 'store = "../st\\u0000re"')
    project.config.write_text(text)
    run = project.irisfx("push")
    assert run.code == 1, run.text
    assert "control character" in run.err or "NUL" in run.err, run.text
    assert "please report it" not in run.text and "Traceback" not in run.text


def test_pull_never_writes_through_a_planted_partial_file_link(blobs: Blobs) -> None:
    project, data = blobs
    assert project.irisfx("push").code == 0
    target = project.root / "fixtures" / "alpha.dat"
    target.unlink()
    outside = victim(project)
    target.with_name("alpha.dat.irisfx-pull").symlink_to(outside)
    run = project.irisfx("pull", "alpha")
    assert run.code != 0, run.text
    assert "is not a plain file irisfx made" in run.text and "Traceback" not in run.text
    assert outside.read_text() == "do not touch\n"
    assert not target.exists() and not target.is_symlink()
    assert data  # the other file is not the point here


def test_pull_never_writes_through_a_linked_folder(blobs: Blobs) -> None:
    project, _ = blobs
    assert project.irisfx("push").code == 0
    elsewhere = project.root.parent / "elsewhere"
    elsewhere.mkdir()
    for path in (project.root / "fixtures").iterdir():
        path.unlink()
    (project.root / "fixtures").rmdir()
    (project.root / "fixtures").symlink_to(elsewhere)
    run = project.irisfx("pull")
    assert run.code != 0, run.text
    assert "Traceback" not in run.text
    assert not list(elsewhere.iterdir())


def test_push_never_writes_through_a_link_in_the_store(blobs: Blobs) -> None:
    project, data = blobs
    store = project.root.parent / "store"
    elsewhere = project.root.parent / "elsewhere"
    elsewhere.mkdir()
    (store / "sha256").symlink_to(elsewhere)
    run = project.irisfx("push")
    assert run.code != 0, run.text
    assert "Traceback" not in run.text
    assert not list(elsewhere.iterdir())
    assert data


def test_push_removes_the_stale_temp_files_of_a_killed_push(blobs: Blobs) -> None:
    project, data = blobs
    obj = object_path(project.root.parent / "store", data["alpha"])
    obj.parent.mkdir(parents=True)
    stale = obj.with_name(f"{obj.name}.tmp-{'0' * 32}")
    fresh = obj.with_name(f"{obj.name}.tmp-{'1' * 32}")
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    run = project.irisfx("push")
    assert run.code == 0, run.text
    assert obj.read_bytes() == data["alpha"]
    assert not stale.exists()
    assert fresh.exists(), "a temp file written moments ago may belong to a running push"
