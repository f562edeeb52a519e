"""The engine contract (irisfx/engines/base.py), run against every engine.

A test that passes on one engine and fails on another is a bug in that engine.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from irisfx.engines.base import Engine, NoProgress, ResetsCopies
from irisfx.errors import ConflictError, EngineError, IntegrityError, LockedError
from irisfx.recipes.recipe import Recipe, load_recipe

RECIPE = """\
CREATE TABLE Shop.Item (ID INTEGER PRIMARY KEY, Name VARCHAR(50) NOT NULL);
INSERT INTO Shop.Item (ID, Name) VALUES (1, 'apple; red');
INSERT INTO Shop.Item (ID, Name) VALUES (2, 'pear');
CREATE TABLE Plain (ID INTEGER PRIMARY KEY);
INSERT INTO Plain (ID) VALUES (7);
"""


@pytest.fixture
def recipe(tmp_path: Path) -> Recipe:
    path = tmp_path / "items.sql"
    path.write_text(RECIPE, encoding="utf-8")
    return load_recipe(path)


def built(engine: Engine, recipe: Recipe, unique: str) -> str:
    source = f"FXSRC_C{unique}"
    engine.build("items", source, recipe)
    return source


def snapshot(engine: Engine, source: str, tmp_path: Path) -> tuple[Path, str]:
    dest = tmp_path / "IRIS.DAT"
    sent = engine.snapshot(source, dest, NoProgress())
    local = hashlib.sha256(dest.read_bytes()).hexdigest()
    assert (sent.sha256, sent.size) == (local, dest.stat().st_size)
    return dest, local


def test_info_describes_the_engine(engine: Engine) -> None:
    info = engine.info()
    assert info.kind in ("sim", "iris")
    assert info.simulator == (info.kind == "sim")
    assert ("simulator" in info.product) == info.simulator
    assert "@" not in info.url or ":***@" in info.url or info.url.count(":") <= 2


def test_build_creates_an_owned_source_with_rows(engine: Engine, recipe: Recipe,
                                                 unique: str) -> None:
    source = built(engine, recipe, unique)
    inventory = engine.inventory()
    assert source in inventory.namespaces
    record = inventory.owned[source]
    assert (record.role, record.fixture, record.state) == ("source", "items", "ready")
    assert record.recipe_sha256 == recipe.sha256
    counts = engine.row_counts(source)
    assert counts == {"Shop.Item": 2, "SQLUser.Plain": 1}
    assert engine.row_counts(source, ["shop.item", "Nope.Missing"]) == {"shop.item": 2}


def test_snapshot_mount_serves_the_same_rows_read_only(engine: Engine, recipe: Recipe,
                                                       unique: str, tmp_path: Path) -> None:
    source = built(engine, recipe, unique)
    dest, digest = snapshot(engine, source, tmp_path)
    mount = f"FX_C{unique}"
    engine.mount("items", dest, mount, readonly=True, sha256=digest)
    record = engine.inventory().owned[mount]
    assert (record.role, record.state, record.sha256, record.readonly) == (
        "mount", "ready", digest, True)
    assert not record.changed and record.database_present
    with closing(engine.connect(mount)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT Name FROM Shop.Item WHERE ID = ?", [1])
        assert cur.fetchone()[0] == "apple; red"
        with pytest.raises(Exception):  # noqa: B017 - each engine's driver has its own type
            cur.execute("INSERT INTO Shop.Item (ID, Name) VALUES (9, 'x')")
            conn.commit()
    # The source keeps working after the snapshot remounted it.
    assert engine.row_counts(source, ["Shop.Item"]) == {"Shop.Item": 2}


def test_writable_copy_accepts_writes_and_leaves_the_file_alone(
    engine: Engine, recipe: Recipe, unique: str, tmp_path: Path
) -> None:
    dest, digest = snapshot(engine, built(engine, recipe, unique), tmp_path)
    copy = f"FX_W{unique}"
    engine.mount("items", dest, copy, readonly=False, sha256=digest, role="copy")
    with closing(engine.connect(copy)) as conn:
        cur = conn.cursor()
        cur.execute("INSERT INTO Shop.Item (ID, Name) VALUES (9, 'fig')")
        conn.commit()
    assert engine.row_counts(copy, ["Shop.Item"]) == {"Shop.Item": 3}
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == digest
    assert engine.inventory().owned[copy].role == "copy"


def test_mount_refuses_a_file_that_does_not_match(engine: Engine, recipe: Recipe, unique: str,
                                                  tmp_path: Path) -> None:
    dest, _ = snapshot(engine, built(engine, recipe, unique), tmp_path)
    mount = f"FX_B{unique}"
    with pytest.raises(IntegrityError):
        engine.mount("items", dest, mount, readonly=True, sha256="0" * 64)
    inventory = engine.inventory()
    assert mount not in inventory.namespaces
    assert mount not in inventory.owned


def test_unmount_removes_everything_and_is_idempotent(engine: Engine, recipe: Recipe,
                                                      unique: str, tmp_path: Path) -> None:
    dest, digest = snapshot(engine, built(engine, recipe, unique), tmp_path)
    mount = f"FX_U{unique}"
    engine.mount("items", dest, mount, readonly=True, sha256=digest)
    engine.unmount(mount)
    inventory = engine.inventory()
    assert mount not in inventory.namespaces and mount not in inventory.owned
    engine.unmount(mount)
    with pytest.raises(EngineError):
        engine.connect(mount)


def test_namespaces_are_not_created_twice(engine: Engine, recipe: Recipe, unique: str) -> None:
    source = built(engine, recipe, unique)
    with pytest.raises(ConflictError):
        engine.build("items", source, recipe)


def test_failed_recipe_leaves_nothing_behind(engine: Engine, tmp_path: Path,
                                             unique: str) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE T.A (ID INTEGER);\nINSERT INTO T.Nope VALUES (1);")
    source = f"FXSRC_F{unique}"
    with pytest.raises(Exception, match=r"bad\.sql:2: "):
        engine.build("bad", source, load_recipe(bad))
    assert source not in engine.inventory().namespaces
    assert source not in engine.inventory().owned


def test_other_projects_namespaces_are_not_touched(engine: Engine, recipe: Recipe, unique: str,
                                                   tmp_path: Path) -> None:
    from dataclasses import replace

    from irisfx.engines import EngineSettings, open_engine

    source = built(engine, recipe, unique)
    other_settings = _settings_of(engine, tmp_path)
    other = open_engine(replace(other_settings, project=engine.project + "-other"))
    try:
        assert source in other.inventory().namespaces
        assert source not in other.inventory().owned
        with pytest.raises(ConflictError):
            other.unmount(source)
    finally:
        other.close()
    assert isinstance(other_settings, EngineSettings)


def test_a_project_of_the_same_name_with_another_id_is_another_project(
        engine: Engine, recipe: Recipe, unique: str, tmp_path: Path) -> None:
    from dataclasses import replace

    from irisfx.engines import EngineSettings, open_engine

    settings = _settings_of(engine, tmp_path)
    assert isinstance(settings, EngineSettings)
    first = open_engine(replace(settings, project_id="id-first"))
    second = open_engine(replace(settings, project_id="id-second"))
    try:
        source = built(first, recipe, unique)
        assert first.inventory().owned[source].owner is not None
        assert first.inventory().owned[source].owner.id == "id-first"  # type: ignore[union-attr]
        seen = second.inventory()
        assert source not in seen.owned
        assert seen.others[source].owner is not None
        assert seen.others[source].owner.id == "id-first"  # type: ignore[union-attr]
        with pytest.raises(ConflictError) as caught:
            second.unmount(source)
        assert "id id-first" in caught.value.render()
        with pytest.raises(ConflictError):
            second.build("items", source, recipe)
        assert source in first.inventory().owned and source in first.inventory().namespaces
        # The project opened without an id (an older irisfx) matches by name alone.
        assert source in engine.inventory().owned
    finally:
        first.close()
        second.close()


def test_projects_lists_this_project_with_its_records(engine: Engine, recipe: Recipe,
                                                      unique: str) -> None:
    source = built(engine, recipe, unique)
    mine = [group for group in engine.projects() if group.owner.name == engine.project]
    assert len(mine) == 1
    assert [record.namespace for record in mine[0].records] == [source]
    assert mine[0].records[0].owner == mine[0].owner
    everyone = [(group.owner.name, group.owner.id or "") for group in engine.projects()]
    assert everyone == sorted(everyone)


def test_verify_mounts_digests_every_ready_mount_and_copy(engine: Engine, recipe: Recipe,
                                                         unique: str, tmp_path: Path) -> None:
    source = built(engine, recipe, unique)
    dest, digest = snapshot(engine, source, tmp_path)
    engine.mount("items", dest, f"FX_V{unique}", readonly=True, sha256=digest)
    engine.mount("items", dest, f"FX_V{unique}_GW0", readonly=False, sha256=digest,
                 role="copy")
    assert engine.verify_mounts() == {f"FX_V{unique}": digest, f"FX_V{unique}_GW0": digest}


def test_reset_copy_puts_a_written_copy_back(engine: Engine, recipe: Recipe, unique: str,
                                             tmp_path: Path) -> None:
    if not isinstance(engine, ResetsCopies):
        pytest.skip(f"{type(engine).__name__} resets copies by unmount and mount")
    dest, digest = snapshot(engine, built(engine, recipe, unique), tmp_path)
    copy = f"FX_R{unique}_GW0"
    engine.mount("items", dest, copy, readonly=False, sha256=digest, role="copy")
    with closing(engine.connect(copy)) as conn:
        cur = conn.cursor()
        cur.execute("INSERT INTO Shop.Item (ID, Name) VALUES (9, 'fig')")
        conn.commit()
    assert engine.row_counts(copy, ["Shop.Item"]) == {"Shop.Item": 3}
    engine.reset_copy("items", dest, copy, sha256=digest)
    assert engine.row_counts(copy, ["Shop.Item"]) == {"Shop.Item": 2}
    assert engine.inventory().owned[copy].state == "ready"
    with pytest.raises(IntegrityError):
        engine.reset_copy("items", dest, copy, sha256="0" * 64)


def _settings_of(engine: Engine, tmp_path: Path) -> object:
    from irisfx.engines import EngineSettings

    settings = getattr(engine, "settings", None)
    if isinstance(settings, EngineSettings):
        return settings
    return EngineSettings(url="sim://sim", project=engine.project, root=tmp_path)


HOLD_LOCK = """
import dataclasses, json, sys
from pathlib import Path
from irisfx.engines import EngineSettings, open_engine
raw = json.loads(sys.argv[1])
raw["root"] = Path(raw["root"])
with open_engine(EngineSettings(**raw)).lock():
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_lock_excludes_another_process_and_dies_with_it(engine: Engine, tmp_path: Path) -> None:
    settings = _settings_of(engine, tmp_path)
    assert dataclasses.is_dataclass(settings) and not isinstance(settings, type)
    raw = {**dataclasses.asdict(settings), "root": str(settings.root)}  # type: ignore[attr-defined]
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, json.dumps(raw)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError), engine.lock(timeout=0.2):
            pass
        holder.kill()  # no clean-up: the lock must die with the process
        holder.wait(30)
        with engine.lock(timeout=5):
            pass
    finally:
        holder.kill()
        holder.wait(30)
