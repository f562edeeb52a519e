"""Edited mounts are seen; projects of one name are told apart by id; test copies reset."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from irisfx.engines import EngineSettings
from irisfx.engines.sim import SimEngine
from irisfx.errors import ConflictError, IntegrityError
from irisfx.recipes.recipe import load_recipe
from tests.conftest import SQL_RECIPE, ProjectDir


def open_sim(root: Path, project: str = "demo", project_id: str | None = None,
             sim: str = "sim://sim") -> SimEngine:
    return SimEngine.open(EngineSettings(url=sim, project=project, root=root,
                                         project_id=project_id))


def edit_in_place(path: Path) -> None:
    """Change one byte and put size, mtime and the mode back, as a careful tamperer would."""
    stat = path.stat()
    path.chmod(0o644)
    with path.open("r+b") as handle:
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 0xFF]))
    path.chmod(stat.st_mode)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)


def test_a_mount_edited_with_size_and_mtime_restored_is_changed(applied: ProjectDir) -> None:
    engine = open_sim(applied.root)
    record = engine.inventory().owned["FX_ITEMS"]
    assert record.readonly and not record.changed
    assert engine.verify_mounts()["FX_ITEMS"] == record.sha256
    edit_in_place(applied.root / "sim" / "db" / "FX_ITEMS" / "IRIS.DAT")
    assert engine.inventory().owned["FX_ITEMS"].changed
    assert engine.verify_mounts()["FX_ITEMS"] != record.sha256
    engine.close()
    plan = applied.irisfx("plan", "--detailed-exitcode")
    assert plan.code == 2 and "FX_ITEMS" in plan.out, plan.text
    run = applied.irisfx("apply", "--auto-approve")
    assert run.code == 0, run.text
    assert applied.irisfx("plan", "--detailed-exitcode").code == 0


def test_a_project_of_the_same_name_with_another_id_is_foreign(tmp_path: Path) -> None:
    recipe_path = tmp_path / "items.sql"
    recipe_path.write_text(SQL_RECIPE)
    recipe = load_recipe(recipe_path)
    first = open_sim(tmp_path / "a", project_id="id-a", sim=f"sim://{tmp_path / 'sim'}")
    second = open_sim(tmp_path / "b", project_id="id-b", sim=f"sim://{tmp_path / 'sim'}")
    unnamed = open_sim(tmp_path / "a", sim=f"sim://{tmp_path / 'sim'}")
    first.build("items", "FXSRC_ITEMS", recipe)
    inventory = second.inventory()
    assert "FXSRC_ITEMS" not in inventory.owned
    owner = inventory.others["FXSRC_ITEMS"].owner
    assert owner is not None and (owner.name, owner.id) == ("demo", "id-a")
    assert owner.location == str((tmp_path / "a").absolute())
    for attempt in (lambda: second.unmount("FXSRC_ITEMS"),
                    lambda: second.build("items", "FXSRC_ITEMS", recipe)):
        with pytest.raises(ConflictError) as info:
            attempt()
        assert "id id-a" in info.value.render() and str(tmp_path / "a") in info.value.render()
    assert first.row_counts("FXSRC_ITEMS") == {"Shop.Item": 3}
    # A project without an id (older fixtures.toml) is matched by name alone.
    assert "FXSRC_ITEMS" in unnamed.inventory().owned
    second.build("items", "FXSRC_OTHER", recipe)
    listed = {(p.owner.name, p.owner.id): [r.namespace for r in p.records]
              for p in first.projects()}
    assert listed == {("demo", "id-a"): ["FXSRC_ITEMS"], ("demo", "id-b"): ["FXSRC_OTHER"]}
    for engine in (first, second, unnamed):
        engine.close()


def test_reset_copy_puts_the_pinned_file_back(applied: ProjectDir, tmp_path: Path) -> None:
    engine = open_sim(applied.root)
    pinned = applied.root / "fixtures" / "items" / "IRIS.DAT"
    digest = hashlib.sha256(pinned.read_bytes()).hexdigest()
    engine.mount("items", pinned, "FX_ITEMS_GW0", readonly=False, sha256=digest, role="copy")
    with engine.connect("FX_ITEMS_GW0") as connection:
        connection.execute("DELETE FROM Shop.Item")
    served = applied.root / "sim" / "db" / "FX_ITEMS_GW0" / "IRIS.DAT"
    # A journal left by a test killed mid-write must not be rolled into the fresh copy.
    Path(str(served) + "-journal").write_bytes(b"stale")
    engine.reset_copy("items", pinned, "FX_ITEMS_GW0", sha256=digest)
    assert hashlib.sha256(served.read_bytes()).hexdigest() == digest
    assert not Path(str(served) + "-journal").exists()
    assert engine.row_counts("FX_ITEMS_GW0") == {"Shop.Item": 3}
    record = engine.inventory().owned["FX_ITEMS_GW0"]
    assert (record.role, record.state, record.sha256) == ("copy", "ready", digest)
    with pytest.raises(IntegrityError, match="does not match its pin"):
        engine.reset_copy("items", pinned, "FX_ITEMS_GW0", sha256="0" * 64)
    assert hashlib.sha256(served.read_bytes()).hexdigest() == digest
    # A copy that is not there is mounted afresh.
    engine.unmount("FX_ITEMS_GW0")
    engine.reset_copy("items", pinned, "FX_ITEMS_GW0", sha256=digest)
    assert engine.row_counts("FX_ITEMS_GW0") == {"Shop.Item": 3}
    with sqlite3.connect(served) as db:
        assert db.execute("SELECT COUNT(*) FROM \"Shop.Item\"").fetchone() == (3,)
    engine.unmount("FX_ITEMS_GW0")
    engine.close()
