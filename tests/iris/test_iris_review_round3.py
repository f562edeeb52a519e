"""Issue 19 items 1-15 that Python can decide without a server (the others are live checks in
tests/contract/test_live_iris_round3.py): failure texts, the driver check, the path map's
writability, a missing resource, and the snapshot's consistency setting reaching the helper."""

from __future__ import annotations

import base64
import hashlib
import types
from pathlib import Path
from typing import Any

import pytest
import yaml

from irisfx.engines import EngineSettings
from irisfx.engines.base import NoProgress
from irisfx.engines.iris.checks import server_parent, writable_mapped
from irisfx.engines.iris.connect import classify, driver_from
from irisfx.engines.iris.helper import Helper
from irisfx.engines.iris.transfer import PathMap
from irisfx.errors import ConflictError, EngineError
from irisfx.files.dbfile import build_label
from tests.iris.test_iris_mount_steps import Server, engine_on

# -- items 2 and 13: what IRIS says, mapped to what it means ------------------------------------


@pytest.mark.parametrize("text, kind", [
    ("[SQLCODE: <-853>:<User _SYSTEM is required to change password before login>]",
     "password_expired"),
    ("<SSL Error> reading from the server", "tls_required"),
    ("Failed to connect to server; Details: <SSL Error>", "tls_required"),
])
def test_first_login_and_tls_only_servers_are_named(text: str, kind: str) -> None:
    failure = classify(text)
    assert failure is not None and failure.kind == kind


def test_a_closed_port_is_still_nothing_listening() -> None:
    failure = classify("Failed to connect to server; Details: Error code: -1")
    assert failure is not None and failure.kind == "not_listening"


# -- item 12: the driver check names what is missing -----------------------------------------


def test_an_iris_module_with_connect_but_without_create_iris_is_refused_by_name() -> None:
    shadow = types.ModuleType("iris")
    shadow.connect = lambda **kw: None  # type: ignore[attr-defined]
    with pytest.raises(EngineError) as caught:
        driver_from(shadow, None, None)
    assert "createIRIS()" in caught.value.message and "connect()" not in caught.value.message


def test_an_iris_module_with_both_entry_points_passes_the_check() -> None:
    wrapper = types.ModuleType("iris")  # what iris-embedded-python-wrapper keeps
    wrapper.connect = lambda **kw: None  # type: ignore[attr-defined]
    wrapper.createIRIS = lambda conn: None  # type: ignore[attr-defined]
    dbapi = types.ModuleType("iris.dbapi")
    dbapi.connect = lambda **kw: None  # type: ignore[attr-defined]
    assert driver_from(wrapper, None, dbapi).connect is wrapper.connect  # type: ignore[attr-defined]


# -- item 1: the path map is used only where IRIS may write -------------------------------------


class MapHelper:
    def __init__(self, writable: bool) -> None:
        self.writable = writable
        self.asked: list[tuple[str, ...]] = []

    def call(self, method: str, *args: Any) -> dict[str, Any]:
        assert method == "DirectoryWritable"
        self.asked.append(args)
        return {"ok": 1, "writable": self.writable}


@pytest.mark.parametrize("writable", [True, False])
def test_a_mapped_folder_iris_cannot_write_falls_back_to_the_transfer(
        tmp_path: Path, writable: bool, caplog: pytest.LogCaptureFixture) -> None:
    paths = PathMap.from_settings({"fixtures": "/shared/fixtures"}, tmp_path)
    helper = MapHelper(writable)
    got = writable_mapped(helper, paths, tmp_path / "fixtures/items/IRIS.DAT")  # type: ignore[arg-type]
    assert helper.asked == [("/shared/fixtures/items", "/shared/fixtures")]
    if writable:
        assert got == ("/shared/fixtures/items/IRIS.DAT", "/shared/fixtures")
    else:
        assert got is None and "chown 51773" in caplog.text


def test_an_unmapped_file_asks_nothing(tmp_path: Path) -> None:
    helper = MapHelper(True)
    assert writable_mapped(helper, PathMap(), tmp_path / "x") is None  # type: ignore[arg-type]
    assert helper.asked == []


def test_server_parent_keeps_the_servers_style() -> None:
    assert server_parent("/usr/irissys/mgr/x/IRIS.DAT") == "/usr/irissys/mgr/x"
    assert server_parent("c:\\iris\\mgr\\x\\IRIS.DAT") == "c:\\iris\\mgr\\x"


# -- item 6: a database guarded by a resource the instance lacks ----------------------------------


def test_a_missing_resource_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    path = tmp_path / "IRIS.DAT"
    path.write_bytes(build_label("c:\\app\\", "%DB_MYAPP", size=4096))
    server = Server()
    with pytest.raises(ConflictError) as caught:
        engine_on(server, tmp_path).mount("a", path, "FX_A", readonly=True,
                                          sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    assert "%DB_MYAPP" in caught.value.message
    assert "Security.Resources" in (caught.value.fix or "")
    assert "FileAppend" not in server.calls and "CreateNamespace" not in server.calls


def test_an_existing_resource_mounts(tmp_path: Path) -> None:
    path = tmp_path / "IRIS.DAT"
    path.write_bytes(build_label("c:\\app\\", "%DB_MYAPP", size=4096))
    server = Server()
    server.resources.add("%DB_MYAPP")
    engine_on(server, tmp_path).mount("a", path, "FX_A", readonly=True,
                                      sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    assert "state:ready" in server.calls


# -- item 3: a shared database is copied only when asked --------------------------------------


class CopyServer(Server):
    def __init__(self) -> None:
        super().__init__()
        self.copies: list[tuple[Any, ...]] = []
        self.namespaces.add("FXSRC_A")

    def CopyDatabase(self, ns: str, target: str, base: str,  # noqa: N802
                     consistency: str = "strict") -> dict[str, Any]:
        self.copies.append((ns, consistency))
        data = build_label("/x/", "%DB_%DEFAULT")
        self.files[target] = data
        return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "shared": False}

    def FileRead(self, path: str, offset: int, length: int) -> dict[str, Any]:  # noqa: N802
        return {"data": base64.b64encode(self.files[path][offset:offset + length]).decode()}


@pytest.mark.parametrize("consistency", ["strict", "crash"])
def test_the_consistency_setting_reaches_the_copy(tmp_path: Path, consistency: str) -> None:
    server = CopyServer()
    engine = engine_on(server, tmp_path)
    engine.settings = EngineSettings(url="iris://h:1972", project="p", root=tmp_path,
                                     snapshot_consistency=consistency)
    engine.snapshot("FXSRC_A", tmp_path / "out" / "IRIS.DAT", NoProgress())
    assert server.copies == [("FXSRC_A", consistency)]


def test_helper_replies_are_read_through_the_real_helper() -> None:
    # The stand-ins above answer through the real Helper class (JSON, "ok").
    assert Helper(Server()).call("ResourceExists", "%db_%default") == {"ok": 1, "exists": True}


# -- item 11: a pipe in the live workflow never hides a failure ---------------------------------

WORKFLOW = Path(__file__).parents[2] / ".github" / "workflows" / "live-iris.yml"


def piped_steps_without_pipefail(workflow: dict[str, Any]) -> list[str]:
    """Names of steps whose commands pipe (``a | b``) without ``shell: bash``: GitHub's default
    shell has no pipefail, so the pipe's status is the last command's."""
    bad = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            run = step.get("run", "")
            if any(" | " in line for line in run.splitlines()) and step.get("shell") != "bash":
                bad.append(step.get("name", run[:40]))
    return bad


def test_every_piped_step_of_the_live_workflow_runs_with_pipefail() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert piped_steps_without_pipefail(workflow) == []
    planted = {"jobs": {"j": {"steps": [{"name": "masked", "run": "apply | tee out.txt"}]}}}
    assert piped_steps_without_pipefail(planted) == ["masked"]
