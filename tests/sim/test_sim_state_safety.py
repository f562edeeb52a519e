"""The simulator's state file: never written through a link, readable in a read-only folder,
a lock held by another program named as such, a damaged text value refused, a snapshot that
cannot be written said plainly, and a sim:// URL with control characters refused."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from irisfx.engines import EngineSettings
from irisfx.engines.sim import SimEngine
from irisfx.engines.sim import state as state_module
from irisfx.engines.sim.files import snapshot_failed
from irisfx.errors import ApplyFailed, EngineError
from irisfx.files.progress import NoProgress
from tests.conftest import ProjectDir


def open_sim(root: Path) -> SimEngine:
    """The project's simulator in ``root/sim``."""
    return SimEngine.open(EngineSettings(url="sim://sim", project="demo", root=root))


@pytest.mark.parametrize("name", ["instance.db", "instance.db-wal", "locks/demo.lock"])
def test_a_state_file_linked_out_of_the_folder_is_never_written_through(
        applied: ProjectDir, name: str) -> None:
    sim = applied.root / "sim"
    outside = applied.root.parent / "outside.db"
    real = sim / name
    if real.exists():
        shutil.copy(real, outside)
        real.unlink()
    else:
        outside.write_bytes(b"not yours")
    before = outside.read_bytes()
    real.symlink_to(outside)
    run = applied.irisfx("apply", "--rebuild", "items", "--auto-approve")
    assert run.code == 4, run.text
    assert "is not a plain file" in run.err and "Traceback" not in run.text
    assert outside.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to any folder: nothing to test")
def test_read_only_commands_work_on_a_read_only_simulator_folder(applied: ProjectDir) -> None:
    sim = applied.root / "sim"
    sim.chmod(0o555)
    try:
        run = applied.irisfx("check")
        assert run.code == 0, run.text
    finally:
        sim.chmod(0o755)


def test_a_lock_held_by_another_program_is_named_and_the_wait_ends(
        applied: ProjectDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_module, "BUSY_TIMEOUT", 0.3)
    other = sqlite3.connect(applied.root / "sim" / "instance.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    engine = open_sim(applied.root)
    try:
        with pytest.raises(EngineError) as caught:
            engine.unmount("FX_ITEMS")
        text = caught.value.render()
        assert "stayed locked for 0 s" in text or "stayed locked" in text
        assert "another program that opened the file" in text
    finally:
        other.execute("ROLLBACK")
        other.close()
        engine.close()


def test_text_that_is_not_utf8_in_the_state_is_a_damaged_instance(applied: ProjectDir) -> None:
    with sqlite3.connect(applied.root / "sim" / "instance.db") as db:
        db.execute("UPDATE owners SET project = CAST(X'FF80' AS TEXT)")
    run = applied.irisfx("plan")
    assert run.code in (3, 4), run.text
    assert "Traceback" not in run.text and "please report it" not in run.text


def test_a_snapshot_sqlite_cannot_write_is_an_engine_error(applied: ProjectDir) -> None:
    engine = open_sim(applied.root)
    try:
        with pytest.raises(EngineError, match="could not write the snapshot"):
            engine.snapshot("FXSRC_ITEMS", applied.root / "no" / "such" / "folder.dat",
                            NoProgress())
        # The source was dismounted for the copy and is mounted again.
        assert engine.row_counts("FXSRC_ITEMS") == {"Shop.Item": 3}
    finally:
        engine.close()


def test_a_full_disk_during_a_snapshot_names_the_file(tmp_path: Path) -> None:
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
    dest = tmp_path / "IRIS.DAT.irisfx-new"
    error = snapshot_failed(full, dest, tmp_path)
    assert isinstance(error, ApplyFailed)
    assert str(dest) in error.message and "disk is full" in error.message


@pytest.mark.parametrize("url", ["sim://a\nb", "sim://a\x01b", "sim://tab\tname"])
def test_a_sim_url_with_a_control_character_is_refused(project: ProjectDir, url: str) -> None:
    run = project.irisfx("plan", "--iris", url)
    assert run.code == 1, run.text
    assert "control character" in run.err
    assert sorted(p.name for p in project.root.iterdir()) == [".irisfx", "fixtures.toml",
                                                              "recipes"]


def test_the_state_of_a_folder_irisfx_may_not_write_is_read_as_it_lies(
        applied: ProjectDir, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root every folder is writable, so the read-only case is posed by the check itself.
    monkeypatch.setattr(state_module.StateStore, "_writable", lambda self: False)
    engine = open_sim(applied.root)
    try:
        inventory = engine.inventory()
        assert inventory.owned["FX_ITEMS"].state == "ready"
        assert engine.row_counts("FX_ITEMS") == {"Shop.Item": 3}
    finally:
        engine.close()
