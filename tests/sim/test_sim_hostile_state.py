"""The simulator's state is untrusted input: planted records, damaged files, old formats.

Every check runs the real command in a subprocess against a real simulator folder, and looks
at what is left on disk afterwards.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from irisfx.engines import EngineSettings
from irisfx.engines.sim import SimEngine
from irisfx.errors import ConfigError, IntegrityError
from tests.conftest import ProjectDir

OWNER_ROW = ("INSERT INTO owners (namespace, project, role, fixture, state, readonly) "
             "VALUES (?, 'demo', 'mount', 'items', ?, 0)")


def victim(tmp_path: Path) -> Path:
    """A folder outside the simulator that must survive."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    return folder


def plant(project: ProjectDir, key: str, state: str) -> None:
    with sqlite3.connect(project.root / "sim" / "instance.db") as db:
        db.execute(OWNER_ROW, (key, state))


@pytest.mark.parametrize("state", ["creating", "ready"])
@pytest.mark.parametrize("kind", ["relative", "absolute"])
@pytest.mark.parametrize("command", [("apply",), ("apply", "--auto-approve"),
                                     ("unmount", "items", "--auto-approve")])
def test_a_planted_record_key_is_refused_and_nothing_outside_is_deleted(
        applied: ProjectDir, tmp_path: Path, state: str, kind: str,
        command: tuple[str, ...]) -> None:
    target = victim(tmp_path)
    key = "../../victim" if kind == "relative" else str(target)
    plant(applied, key, state)
    run = applied.irisfx(*command)
    assert run.code == 3, run.text
    assert "invalid record" in run.err and "Traceback" not in run.text
    assert (target / "precious.txt").read_text() == "keep me"
    assert (applied.root / "sim" / "db" / "FX_ITEMS" / "IRIS.DAT").is_file()


def test_the_engine_refuses_paths_that_leave_its_folder(applied: ProjectDir,
                                                         tmp_path: Path) -> None:
    target = victim(tmp_path)
    engine = SimEngine.open(EngineSettings(url="sim://sim", project="demo", root=applied.root))
    for bad in ("../../victim", str(target), "USER"):
        with pytest.raises(ConfigError, match="invalid namespace"):
            engine.unmount(bad)
    # A link planted where the databases live would send deletes elsewhere.
    db = applied.root / "sim" / "db"
    (target / "FX_ITEMS").mkdir()
    moved = tmp_path / "real-db"
    db.rename(moved)
    db.symlink_to(target)
    with pytest.raises(IntegrityError, match="outside the simulated instance"):
        engine.unmount("FX_ITEMS")
    assert (target / "precious.txt").exists() and (target / "FX_ITEMS").is_dir()
    db.unlink()
    moved.rename(db)
    # A link in place of one database folder is removed, not followed.
    served = db / "FX_ITEMS"
    served.rename(tmp_path / "real-items")
    served.symlink_to(target)
    engine.unmount("FX_ITEMS")
    assert not served.exists() and (target / "precious.txt").exists()
    engine.close()


@pytest.mark.parametrize("damage", [b"{ not a database", b"SQLite format 3\x00" + b"\xff" * 400])
def test_a_damaged_state_file_is_exit_4_with_a_fix(applied: ProjectDir, damage: bytes) -> None:
    for name in ("instance.db", "instance.db-wal", "instance.db-shm"):
        (applied.root / "sim" / name).unlink(missing_ok=True)
    (applied.root / "sim" / "instance.db").write_bytes(damage)
    run = applied.irisfx("plan")
    assert run.code == 4, run.text
    assert "corrupt" in run.err and "fix: delete" in run.err and "Traceback" not in run.text


def test_non_utf8_text_in_the_state_is_exit_4(applied: ProjectDir) -> None:
    with sqlite3.connect(applied.root / "sim" / "instance.db") as db:
        db.execute("UPDATE owners SET fixture = CAST(X'FFFE41' AS TEXT)")
    run = applied.irisfx("status")
    assert run.code == 4, run.text
    assert "corrupt" in run.err and "Traceback" not in run.text


def test_a_foreign_sqlite_file_is_not_taken_for_an_instance(project: ProjectDir) -> None:
    (project.root / "sim").mkdir()
    with sqlite3.connect(project.root / "sim" / "instance.db") as db:
        db.execute("CREATE TABLE mine (x)")
    run = project.irisfx("apply")
    assert run.code == 4 and "did not make" in run.err, run.text
    with sqlite3.connect(project.root / "sim" / "instance.db") as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("mine",)]


def test_an_old_instance_json_folder_says_how_to_start_afresh(project: ProjectDir) -> None:
    (project.root / "sim").mkdir()
    (project.root / "sim" / "instance.json").write_text('{"format": 1}')
    run = project.irisfx("plan")
    assert run.code == 4, run.text
    assert "older irisfx" in run.err and "fix: delete" in run.err and "Traceback" not in run.text


def test_a_folder_irisfx_did_not_make_is_refused(project: ProjectDir) -> None:
    (project.root / "sim").mkdir()
    (project.root / "sim" / "notes.txt").write_text("mine")
    run = project.irisfx("apply")
    assert run.code == 4 and "irisfx did not make it" in run.err, run.text
    assert not (project.root / "sim" / "instance.db").exists()
