"""The stand-in behaves as IRIS is documented to, seen through the real iris engine and driver
calls: logins, installing the helper, mounting, SQL across a remount, the helper's refusals,
LOCKs, and the database label."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from irisfx.engines import EngineSettings
from irisfx.engines.base import NoProgress
from irisfx.engines.iris import IrisEngine
from irisfx.engines.iris.helper import HELPER_CLASS, Helper, shipped_stamp, shipped_text
from irisfx.errors import EngineError
from irisfx.files.dbfile import read_label
from irisfx.recipes.recipe import load_recipe
from tests.standin import iris as driver
from tests.standin.fixtures import PASSWORD_ENV, StandinIris
from tests.standin.iris._server import dat
from tests.standin.iris._server.calls import invoke
from tests.standin.iris._server.instance import MGR_ENV, Instance
from tests.standin.iris._server.process import Process

RECIPE = "CREATE TABLE Shop.Item (ID INTEGER PRIMARY KEY, Name VARCHAR(50));\n" \
         "INSERT INTO Shop.Item (ID, Name) VALUES (1, 'apple');\n"


def native_helper(standin: StandinIris) -> Helper:
    """A Helper over a driver connection of its own (a second server process)."""
    connection = driver.connect(hostname="127.0.0.1", port=1972, namespace="%SYS",
                                username=standin.username, password=standin.password)
    return Helper(driver.createIRIS(connection))


def build(engine: IrisEngine, tmp_path: Path, ns: str = "FXSRC_ITEMS") -> str:
    recipe = tmp_path / "items.sql"
    recipe.write_text(RECIPE, encoding="utf-8")
    engine.build("items", ns, load_recipe(recipe))
    return ns


def fails_with(text: str, call: Any, *args: Any) -> None:
    """``call(*args)`` raises an EngineError whose whole text (details too) holds ``text``."""
    with pytest.raises(EngineError) as caught:
        call(*args)
    assert text in caught.value.render()


def rows(engine: IrisEngine, connection: Any) -> list[Any]:
    cursor = connection.cursor()
    cursor.execute("SELECT Name FROM Shop.Item")
    return list(cursor.fetchall())


def test_a_wrong_password_is_reported_without_it(settings: EngineSettings,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    with pytest.raises(EngineError) as caught:
        IrisEngine.open(settings)
    assert "wrong user name or password" in caught.value.message
    assert "not-the-password" not in caught.value.render()


def test_an_expired_password_says_so(standin: StandinIris, settings: EngineSettings) -> None:
    with Instance(standin.mgr).state() as state:
        state.data["users"][standin.username]["expired"] = True
    with pytest.raises(EngineError, match="has expired"):
        IrisEngine.open(settings)


def test_without_an_instance_nothing_answers(settings: EngineSettings, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MGR_ENV, str(tmp_path / "no-such-mgr"))
    with pytest.raises(EngineError, match=r"nothing answers at 127\.0\.0\.1:1972"):
        IrisEngine.open(settings)


def test_the_helper_is_installed_and_reinstalled_when_its_stamp_differs(
        standin: StandinIris, settings: EngineSettings) -> None:
    IrisEngine.open(settings).close()
    instance = Instance(standin.mgr)
    assert instance.read().classes()[HELPER_CLASS]["stamp"] == shipped_stamp(shipped_text())
    with instance.state() as state:
        state.classes()[HELPER_CLASS]["stamp"] = "older"
    IrisEngine.open(settings).close()
    assert instance.read().classes()[HELPER_CLASS]["stamp"] == shipped_stamp(shipped_text())


def test_a_database_the_standin_cannot_serve_fails_the_mount_and_leaves_nothing(
        iris_engine: IrisEngine, standin: StandinIris, tmp_path: Path) -> None:
    # The layout of a real IRIS.DAT: the label, then blocks that are not the stand-in's.
    path = tmp_path / "IRIS.DAT"
    path.write_bytes(dat.label("/usr/irissys/mgr/user/") + bytes(dat.BLOCK * 127))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(EngineError) as caught:
        iris_engine.mount("items", path, "FX_REAL", readonly=True, sha256=digest)
    assert "<DIRECTORY>" in caught.value.render()
    inventory = iris_engine.inventory()
    assert "FX_REAL" not in inventory.namespaces and "FX_REAL" not in inventory.owned
    assert not (standin.mgr / "irisfx" / "demo" / "FX_REAL").exists()


def test_a_connection_serves_its_namespace_across_a_remount_but_not_while_dismounted(
        iris_engine: IrisEngine, standin: StandinIris, tmp_path: Path) -> None:
    source = build(iris_engine, tmp_path)
    connection = iris_engine.connect(source)
    iris_engine.snapshot(source, tmp_path / "snap" / "IRIS.DAT", NoProgress())
    assert rows(iris_engine, connection) == [("apple",)]
    directory = str(standin.mgr / "irisfx" / "demo" / source)
    with Instance(standin.mgr).state() as state:
        state.dismount(directory)
    with pytest.raises(driver.dbapi.OperationalError, match="<DIRECTORY>"):
        rows(iris_engine, connection)
    connection.close()


def test_a_read_only_mount_refuses_writes_with_protect(iris_engine: IrisEngine,
                                                       tmp_path: Path) -> None:
    source = build(iris_engine, tmp_path)
    dest = tmp_path / "snap" / "IRIS.DAT"
    got = iris_engine.snapshot(source, dest, NoProgress())
    iris_engine.mount("items", dest, "FX_ITEMS", readonly=True, sha256=got.sha256)
    connection = iris_engine.connect("FX_ITEMS")
    with pytest.raises(driver.dbapi.OperationalError, match="<PROTECT>"):
        connection.cursor().execute("DELETE FROM Shop.Item")
    connection.close()
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == got.sha256


def test_the_helper_touches_no_file_outside_its_root(iris_engine: IrisEngine,
                                                     standin: StandinIris) -> None:
    outside = standin.mgr / "outside.txt"
    outside.write_text("keep")
    helper = native_helper(standin)
    fails_with("irisfx only touches files there", helper.call, "FileDelete", str(outside))
    sneaky = f"{standin.mgr}/irisfx/demo/../../outside.txt"
    fails_with("irisfx only touches files there", helper.call, "FileDelete", sneaky)
    assert outside.read_text() == "keep"


def test_delete_namespace_leaves_a_database_on_another_directory_alone(
        iris_engine: IrisEngine, standin: StandinIris) -> None:
    helper = native_helper(standin)
    root = f"{standin.mgr}/irisfx/demo/"
    helper.call("CreateNamespace", "FX_A", root + "FX_A/", 0, 1)
    fails_with("not irisfx's, left alone", helper.call, "DeleteNamespace", "FX_A",
               root + "elsewhere/")
    assert "FX_A" in iris_engine.inventory().namespaces
    helper.call("DeleteNamespace", "FX_A", root + "FX_A/")
    assert "FX_A" not in iris_engine.inventory().namespaces


def test_a_call_with_the_wrong_arity_fails_as_on_iris(iris_engine: IrisEngine,
                                                      standin: StandinIris) -> None:
    helper = native_helper(standin)
    fails_with("<UNDEFINED>", helper.call, "FileStat")
    fails_with("<PARAMETER>", helper.call, "FileStat", "a", "b")
    fails_with("<METHOD DOES NOT EXIST>", helper.call, "NoSuchMethod")


def test_locks_count_per_process_and_go_when_it_ends(standin: StandinIris) -> None:
    instance = Instance(standin.mgr)
    first, second = Process(instance), Process(instance)
    assert first.lock("^L", 0) and first.lock("^L", 0)
    assert not second.lock("^L", 0)
    first.unlock("^L")
    assert not second.lock("^L", 0), "one LOCK + is still held"
    first.unlock("^L")
    assert second.lock("^L", 0)
    second.end()
    assert first.lock("^L", 0)
    first.end()


def test_database_files_carry_the_iris_label(standin: StandinIris) -> None:
    label = read_label(standin.mgr / "user" / "IRIS.DAT")
    assert label is not None and label.kind == "iris"
    assert (label.directory, label.resource) == (f"{standin.mgr}/user/", "%DB_%DEFAULT")


def test_a_path_map_moves_no_bytes_over_the_connection(
        settings: EngineSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[str] = []

    def counted(helper: object, method: str, args: tuple[Any, ...]) -> Any:
        called.append(method)
        return invoke(helper, method, args)

    monkeypatch.setattr(driver, "invoke", counted)
    # The stand-in shares this machine's files, so a folder maps to itself.
    shared = tmp_path / "proj"
    shared.mkdir(parents=True, exist_ok=True)
    engine = IrisEngine.open(replace(settings, path_map={str(shared): str(shared)}))
    try:
        source = build(engine, tmp_path)
        dest = shared / "fixtures" / "items" / "IRIS.DAT"
        got = engine.snapshot(source, dest, NoProgress())
        assert hashlib.sha256(dest.read_bytes()).hexdigest() == got.sha256
        engine.mount("items", dest, "FX_ITEMS", readonly=True, sha256=got.sha256)
        assert engine.row_counts("FX_ITEMS") == {"Shop.Item": 1}
        assert "FileCopy" in called and "CopyDatabase" in called
        assert "FileAppend" not in called and "FileRead" not in called
    finally:
        engine.close()
