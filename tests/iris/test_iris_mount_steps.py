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
from irisfx.engines.base import ProjectRef
from irisfx.engines.iris.connect import Driver, Target
from irisfx.engines.iris.engine import PROBE_QUERY, IrisEngine
from irisfx.engines.iris.helper import HELPER_CLASS, Helper
from irisfx.errors import ConflictError, EngineError, IntegrityError
from irisfx.files.dbfile import build_label

ROOT = "/usr/irissys/mgr/irisfx/"


class Server:
    """The helper's public methods, as JSON over an in-memory file system."""

    def __init__(self, *, writes_label: bool = False, probe_fails: bool = False) -> None:
        self.files: dict[str, bytes] = {}
        self.records: dict[str, str] = {}  # project "p" (the engine's), by namespace
        self.others: dict[str, dict[str, str]] = {}  # other project names' records
        self.namespaces: set[str] = {"USER", "%SYS"}
        self.calls: list[str] = []
        self.resources = {"%DB_%DEFAULT"}
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

    def Inventory(self) -> dict[str, Any]:  # noqa: N802
        projects = {name: {ns: {"record": rec, "nsExists": ns in self.namespaces,
                                "file": self._stat(json.loads(rec)["dir"] + "IRIS.DAT")}
                           for ns, rec in records.items()}
                    for name, records in {**self.others, "p": self.records}.items()}
        return {"namespaces": sorted(self.namespaces), "projects": projects}

    def RecordSet(self, project: str, ns: str, record: str) -> dict[str, Any]:  # noqa: N802
        assert project == "p"
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

    def StatementType(self, ns: str, sql: str) -> dict[str, Any]:  # noqa: N802
        # A stand-in for IRIS's parser, for the statements the wiring tests send.
        return {"type": 1 if sql.lstrip().upper().startswith("SELECT") else 2}

    def ResourceExists(self, name: str) -> dict[str, Any]:  # noqa: N802
        return {"exists": name.upper() in self.resources}

    def ReplaceDatabase(self, ns: str, dir: str, source: str) -> dict[str, Any]:  # noqa: N802
        assert ns in self.namespaces
        self.files[dir + "IRIS.DAT"] = self.files.pop(source)
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


def engine_on(server: Server, tmp_path: Path, project_id: str | None = None) -> IrisEngine:
    driver = Driver(connect=None, create_iris=None,
                    dbapi_connect=lambda **kw: Connection(server))
    settings = EngineSettings(url="iris://h:1972", project="p", root=tmp_path,
                              project_id=project_id)
    helper = Helper(server)
    return IrisEngine(settings, driver, Target("h", 1972, "u", "pw"), Connection(server), helper,
                      helper.call("Info"))


@pytest.fixture
def dat(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "IRIS.DAT"
    path.write_bytes(build_label("/usr/irissys/mgr/user/", "%DB_%DEFAULT", size=3000))
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


# -- which project owns what (issue 9.8) ----------------------------------------------------


def test_a_record_keeps_the_project_id_and_folder_and_the_inventory_names_the_owner(
        tmp_path: Path, dat: tuple[Path, str]) -> None:
    server = Server()
    engine = engine_on(server, tmp_path, project_id="id-a")
    engine.mount("a", dat[0], "FX_A", readonly=True, sha256=dat[1])
    stored = json.loads(server.records["FX_A"])
    assert (stored["project_id"], stored["location"]) == ("id-a", str(tmp_path.absolute()))
    owner = engine.inventory().owned["FX_A"].owner
    assert owner == ProjectRef("p", "id-a", str(tmp_path.absolute()))


def foreign_record(server: Server, ns: str, project_id: str) -> None:
    server.namespaces.add(ns)
    server.records[ns] = json.dumps({"fixture": "a", "role": "mount", "state": "ready",
                                     "dir": f"{ROOT}p/{ns}/", "project_id": project_id,
                                     "location": "/elsewhere/p"})


def test_a_same_name_project_with_another_id_is_not_unmounted(tmp_path: Path) -> None:
    server = Server()
    foreign_record(server, "FX_B", "id-b")
    engine = engine_on(server, tmp_path, project_id="id-a")
    assert "FX_B" not in engine.inventory().owned
    assert engine.inventory().others["FX_B"].owner == ProjectRef("p", "id-b", "/elsewhere/p")
    with pytest.raises(ConflictError) as caught:
        engine.unmount("FX_B")
    assert "project 'p' (id id-b, at /elsewhere/p)" in caught.value.render()
    assert "FX_B" in server.namespaces and "FX_B" in server.records
    assert "DeleteNamespace" not in server.calls and "RecordKill" not in server.calls


def test_a_same_name_project_record_is_never_replaced(tmp_path: Path,
                                                      dat: tuple[Path, str]) -> None:
    server = Server()
    foreign_record(server, "FX_B", "id-b")
    server.namespaces.discard("FX_B")  # half-made: only the record is left
    before = server.records["FX_B"]
    with pytest.raises(ConflictError, match="not owned by this project") as caught:
        engine_on(server, tmp_path, project_id="id-a").mount(
            "a", dat[0], "FX_B", readonly=True, sha256=dat[1])
    assert "id id-b" in caught.value.render()
    assert server.records["FX_B"] == before and "DeleteNamespace" not in server.calls


def test_an_old_record_without_an_id_is_still_this_projects(tmp_path: Path) -> None:
    server = Server()
    foreign_record(server, "FX_OLD", "x")
    old = json.loads(server.records["FX_OLD"])
    del old["project_id"], old["location"]
    server.records["FX_OLD"] = json.dumps(old)
    engine = engine_on(server, tmp_path, project_id="id-a")
    assert engine.inventory().owned["FX_OLD"].owner == ProjectRef("p")
    engine.unmount("FX_OLD")
    assert "FX_OLD" not in server.records and "FX_OLD" not in server.namespaces


def test_a_namespace_made_outside_irisfx_is_refused_saying_so(tmp_path: Path) -> None:
    server = Server()
    server.namespaces.add("HANDMADE")
    with pytest.raises(ConflictError) as caught:
        engine_on(server, tmp_path).unmount("HANDMADE")
    assert "made outside irisfx" in caught.value.render()


def test_projects_lists_every_project_on_the_instance(tmp_path: Path,
                                                     dat: tuple[Path, str]) -> None:
    server = Server()
    foreign_record(server, "FX_B", "id-b")
    server.others["pb"] = {"FX_PB": json.dumps({"fixture": "x", "role": "source",
                                                 "state": "creating", "dir": f"{ROOT}pb/FX_PB/"})}
    engine = engine_on(server, tmp_path, project_id="id-a")
    engine.mount("a", dat[0], "FX_A", readonly=False, sha256=dat[1], role="copy")
    found = [(g.owner.name, g.owner.id, [r.namespace for r in g.records])
             for g in engine.projects()]
    assert found == [("p", "id-a", ["FX_A"]), ("p", "id-b", ["FX_B"]), ("pb", None, ["FX_PB"])]


# -- verify_mounts: the server's digest of every served file ---------------------------------


def test_verify_mounts_digests_ready_mounts_and_copies_on_the_server(
        tmp_path: Path, dat: tuple[Path, str]) -> None:
    server = Server()
    engine = engine_on(server, tmp_path, project_id="id-a")
    engine.mount("a", dat[0], "FX_A", readonly=True, sha256=dat[1])
    engine.mount("w", dat[0], "FX_W", readonly=False, sha256=dat[1], role="copy")
    foreign_record(server, "FX_B", "id-b")  # another project's: not verified
    server.files[f"{ROOT}p/FX_B/IRIS.DAT"] = b"theirs"
    assert engine.verify_mounts() == {"FX_A": dat[1], "FX_W": dat[1]}

    server.files[f"{ROOT}p/FX_W/IRIS.DAT"] += b"written by a test"
    del server.files[f"{ROOT}p/FX_A/IRIS.DAT"]
    got = engine.verify_mounts()
    assert got["FX_A"] is None
    assert got["FX_W"] == hashlib.sha256(server.files[f"{ROOT}p/FX_W/IRIS.DAT"]).hexdigest()


def test_verify_mounts_leaves_out_sources_and_half_made_mounts(tmp_path: Path) -> None:
    server = Server()
    for ns, role, state in [("FXSRC_A", "source", "ready"), ("FX_HALF", "mount", "creating")]:
        server.records[ns] = json.dumps({"fixture": "a", "role": role, "state": state,
                                         "dir": f"{ROOT}p/{ns}/"})
        server.files[f"{ROOT}p/{ns}/IRIS.DAT"] = b"x"
    assert engine_on(server, tmp_path).verify_mounts() == {}


# -- reset_copy: a test copy put back in one step --------------------------------------------


def test_reset_copy_replaces_the_served_file_of_a_ready_copy(
        tmp_path: Path, dat: tuple[Path, str]) -> None:
    server = Server()
    engine = engine_on(server, tmp_path)
    engine.mount("w", dat[0], "FX_W_GW0", readonly=False, sha256=dat[1], role="copy")
    served = f"{ROOT}p/FX_W_GW0/IRIS.DAT"
    server.files[served] += b"rows a test wrote"
    server.calls.clear()
    engine.reset_copy("w", dat[0], "FX_W_GW0", sha256=dat[1])
    assert server.files[served] == dat[0].read_bytes()
    steps = [c for c in server.calls if c in ("state:creating", "ReplaceDatabase",
                                              "state:ready", "CreateNamespace",
                                              "DeleteNamespace")]
    assert steps == ["state:creating", "ReplaceDatabase", "state:ready"]
    record = engine.inventory().owned["FX_W_GW0"]
    assert (record.role, record.state, record.sha256) == ("copy", "ready", dat[1])


def test_reset_copy_refuses_bytes_that_do_not_match_and_keeps_the_copy(
        tmp_path: Path, dat: tuple[Path, str]) -> None:
    server = Server()
    engine = engine_on(server, tmp_path)
    engine.mount("w", dat[0], "FX_W_GW0", readonly=False, sha256=dat[1], role="copy")
    before = dict(server.records)
    with pytest.raises(IntegrityError):
        engine.reset_copy("w", dat[0], "FX_W_GW0", sha256="0" * 64)
    assert "ReplaceDatabase" not in server.calls and server.records == before


def test_reset_copy_mounts_afresh_what_is_not_a_ready_copy(
        tmp_path: Path, dat: tuple[Path, str]) -> None:
    server = Server()
    engine = engine_on(server, tmp_path)
    engine.reset_copy("w", dat[0], "FX_W_GW0", sha256=dat[1])  # nothing there yet
    assert engine.inventory().owned["FX_W_GW0"].role == "copy"
    engine.mount("w", dat[0], "FX_R", readonly=True, sha256=dat[1])  # a mount, not a copy
    server.calls.clear()
    engine.reset_copy("w", dat[0], "FX_R", sha256=dat[1])
    assert "DeleteNamespace" in server.calls and "CreateNamespace" in server.calls
    assert "ReplaceDatabase" not in server.calls
    assert engine.inventory().owned["FX_R"].role == "copy"


def test_reset_copy_never_takes_over_another_projects_namespace(
        tmp_path: Path, dat: tuple[Path, str]) -> None:
    server = Server()
    foreign_record(server, "FX_B_GW0", "id-b")
    with pytest.raises(ConflictError, match="not owned by this project"):
        engine_on(server, tmp_path, project_id="id-a").reset_copy(
            "w", dat[0], "FX_B_GW0", sha256=dat[1])
    assert "FX_B_GW0" in server.namespaces and "ReplaceDatabase" not in server.calls
