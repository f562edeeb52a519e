"""The iris engine's mount steps against a stand-in for the server side (the helper's JSON
replies over an in-memory file system): a read-only mount is proven unchanged by the server's
digest after mounting (item 5.4), and every mount runs one query in its namespace before it is
recorded ready (the "<DIRECTORY> at first login" trap). The code under test is IrisEngine
itself; only IRIS is replaced."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from irisfx.engines import EngineSettings
from irisfx.engines.iris.connect import Driver, Target
from irisfx.engines.iris.engine import PROBE_QUERY, IrisEngine
from irisfx.engines.iris.helper import HELPER_CLASS, Helper
from irisfx.errors import EngineError, IntegrityError

ROOT = "/usr/irissys/mgr/irisfx/"


class Server:
    """The helper's public methods, as JSON over an in-memory file system."""

    def __init__(self, *, writes_label: bool = False, probe_fails: bool = False) -> None:
        self.files: dict[str, bytes] = {}
        self.records: dict[str, str] = {}
        self.namespaces: set[str] = {"USER", "%SYS"}
        self.calls: list[str] = []
        self.writes_label = writes_label
        self.probe_fails = probe_fails

    def classMethodString(self, cls: str, method: str, *args: Any) -> str:  # noqa: N802
        assert cls == HELPER_CLASS
        self.calls.append(method)
        reply: dict[str, Any] = getattr(self, method)(*args)
        return json.dumps({"ok": 1, **reply})

    def Info(self) -> dict[str, Any]:  # noqa: N802
        return {"version": "IRIS 2024.1 (Build 267.2U)", "root": ROOT,
                "namespaces": sorted(self.namespaces)}

    def Inventory(self, project: str) -> dict[str, Any]:  # noqa: N802
        owned = {ns: {"record": rec, "nsExists": ns in self.namespaces,
                      "file": self._stat(json.loads(rec)["dir"] + "IRIS.DAT")}
                 for ns, rec in self.records.items()}
        return {"namespaces": sorted(self.namespaces), "owned": owned}

    def RecordSet(self, project: str, ns: str, record: str) -> dict[str, Any]:  # noqa: N802
        self.records[ns] = record
        self.calls.append("state:" + json.loads(record)["state"])
        return {}

    def RecordKill(self, project: str, ns: str) -> dict[str, Any]:  # noqa: N802
        self.records.pop(ns, None)
        return {}

    def _stat(self, path: str) -> dict[str, Any]:
        data = self.files.get(path)
        return {"exists": 0} if data is None else {"exists": 1, "size": len(data), "mtime": "1"}

    def FileStat(self, path: str) -> dict[str, Any]:  # noqa: N802
        return self._stat(path)

    def FileAppend(self, path: str, offset: int, data: str) -> dict[str, Any]:  # noqa: N802
        self.files[path] = self.files.get(path, b"")[:offset] + base64.b64decode(data)
        return {"size": len(self.files[path])}

    def FileDigest(self, path: str) -> dict[str, Any]:  # noqa: N802
        data = self.files[path]
        return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def FileRename(self, source: str, target: str) -> dict[str, Any]:  # noqa: N802
        self.files[target] = self.files.pop(source)
        return {}

    def FileDelete(self, path: str) -> dict[str, Any]:  # noqa: N802
        self.files.pop(path, None)
        return {}

    def CreateNamespace(self, ns: str, dir: str, readonly: int,  # noqa: N802
                        create: int) -> dict[str, Any]:
        if self.writes_label:
            self.files[dir + "IRIS.DAT"] += b"label"
        self.namespaces.add(ns)
        return {"readOnlyMounted": bool(readonly)}

    def DeleteNamespace(self, ns: str, dir: str) -> dict[str, Any]:  # noqa: N802
        self.namespaces.discard(ns)
        return {}


class Connection:
    """A DB-API connection whose cursor records statements (and can fail the probe)."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def cursor(self) -> Connection:
        return self

    def execute(self, sql: str, params: Any = None) -> None:
        self.server.calls.append("sql:" + sql)
        if self.server.probe_fails:
            raise RuntimeError("<DIRECTORY> /usr/irissys/mgr/irisfx/p/FX_A/")

    def fetchall(self) -> list[tuple[int]]:
        return [(1,)]

    def close(self) -> None:
        pass


def engine_on(server: Server, tmp_path: Path) -> IrisEngine:
    driver = Driver(connect=None, create_iris=None,
                    dbapi_connect=lambda **kw: Connection(server))
    settings = EngineSettings(url="iris://h:1972", project="p", root=tmp_path)
    helper = Helper(server)
    return IrisEngine(settings, driver, Target("h", 1972, "u", "pw"), Connection(server), helper,
                      helper.call("Info"))


@pytest.fixture
def dat(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "IRIS.DAT"
    path.write_bytes(b"\x00" * 3000)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_only_mount_is_proven_unchanged_and_probed_before_ready(
        tmp_path: Path, dat: tuple[Path, str]) -> None:
    server = Server()
    engine_on(server, tmp_path).mount("a", dat[0], "FX_A", readonly=True, sha256=dat[1])
    after = server.calls[server.calls.index("CreateNamespace"):]
    steps = [c for c in after if c in ("CreateNamespace", "FileDigest", "state:ready")
             or c.startswith("sql:")]
    # The upload was digested before (its own check); this digest is of the mounted file.
    assert steps == ["CreateNamespace", "FileDigest", f"sql:{PROBE_QUERY}", "state:ready"]


def test_a_mount_that_wrote_to_the_file_is_refused_and_undone(
        tmp_path: Path, dat: tuple[Path, str]) -> None:
    server = Server(writes_label=True)
    with pytest.raises(IntegrityError, match="changed its file"):
        engine_on(server, tmp_path).mount("a", dat[0], "FX_A", readonly=True, sha256=dat[1])
    assert "FX_A" not in server.namespaces and "FX_A" not in server.records
    assert "state:ready" not in server.calls


def test_a_writable_copy_is_not_digested_after_mounting(
        tmp_path: Path, dat: tuple[Path, str]) -> None:
    server = Server(writes_label=True)
    engine_on(server, tmp_path).mount("a", dat[0], "FX_W", readonly=False, sha256=dat[1],
                                      role="copy")
    after = server.calls[server.calls.index("CreateNamespace"):]
    assert "FileDigest" not in after and "state:ready" in after


def test_a_namespace_that_cannot_answer_a_query_is_not_recorded_ready(
        tmp_path: Path, dat: tuple[Path, str]) -> None:
    server = Server(probe_fails=True)
    with pytest.raises(EngineError, match="cannot run a query") as caught:
        engine_on(server, tmp_path).mount("a", dat[0], "FX_A", readonly=True, sha256=dat[1])
    assert "<DIRECTORY>" in caught.value.message
    assert "FX_A" not in server.namespaces and "state:ready" not in server.calls
