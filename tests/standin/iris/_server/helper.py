"""ZIrisFx.Helper (irisfx/engines/iris/ZIrisFx.Helper.cls) in Python, over the stand-in.

Each public method follows the class's method of the same name step by step, with the same
checks, the same order of configuration changes and the same undo, against ``State`` (the IRIS
calls the class makes). The file methods are in ``files.py``. The statement of this equality is
tests/static/test_standin_matches_helper.py: same public methods, arities and reply keys.
"""

# ruff: noqa: N802  (the names are the class's, so that the two can be compared)

from __future__ import annotations

import contextlib
import json as jsonlib
import shutil
from pathlib import Path
from typing import Any

from .calls import get_directory, number, public, truth
from .files import FileMethods, digest
from .instance import Instance, IrisError, State, normalize_directory, status_error
from .process import Process
from .statements import SqlMethods

# Databases the class refuses to copy (CopyDatabase's list).
SYSTEM_DATABASES = ("IRISSYS", "IRISLIB", "IRISTEMP", "IRISAUDIT", "IRISLOCALDATA",
                    "IRISMETRICS", "IRISSECURITY", "ENSLIB", "HSLIB", "HSSYS")
FREEZELIMIT = 600
FREEZERATE = 52428800


class Helper(FileMethods, SqlMethods):
    """The helper's public class methods, called by one server process."""

    def __init__(self, instance: Instance, process: Process, stamp: str) -> None:
        FileMethods.__init__(self, instance)
        self._process = process
        self._stamp = stamp

    @public(json_reply=False)
    def Stamp(self) -> str:
        """The STAMP parameter of the compiled class."""
        return self._stamp

    @public("version", "mgr", "root", "namespaces")
    def Info(self) -> dict[str, Any]:
        """Server version, manager directory, irisfx root and every namespace."""
        with self.instance.state() as s:
            self._migrate(s)
            return {"ok": 1, "version": s.version, "mgr": self.instance.mgr_dir,
                    "root": self.root(), "namespaces": s.namespaces()}

    @public("namespaces", "projects", "record", "nsExists", "file", "exists", "size", "mtime")
    def Inventory(self) -> dict[str, Any]:
        """The namespaces and every project's records, with their namespace and file."""
        with self.instance.state() as s:
            projects: dict[str, Any] = {}
            for project, owned in sorted(s.node("ZIRISFX", "own").items()):
                projects[project] = {ns: self._entry(s, ns, record)
                                     for ns, record in sorted(owned.items())}
            return {"ok": 1, "namespaces": s.namespaces(), "projects": projects}

    def _entry(self, s: State, ns: str, record: str) -> dict[str, Any]:
        directory = ""
        try:
            found = jsonlib.loads(record).get("dir")
            directory = found if isinstance(found, str) else ""
        except (ValueError, AttributeError):
            pass  # a damaged record is reported by irisfx; it must not hide the others
        return {"record": record, "nsExists": s.namespace(ns) is not None,
                "file": self.stat(directory + "IRIS.DAT")}

    def _migrate(self, s: State) -> None:
        """Records of irisfx before the Z names (^IRISFX) move to ^ZIRISFX once."""
        old = s.node("IRISFX", "own")
        if not old:
            return
        for project, owned in old.items():
            for ns, record in owned.items():
                s.node("ZIRISFX", "own", project).setdefault(ns, record)
        s.kill("IRISFX", "own")

    @public()
    def RecordSet(self, project: str, ns: str, json: str) -> dict[str, Any]:
        """^ZIRISFX("own", project, ns) = json."""
        with self.instance.state() as s:
            s.node("ZIRISFX", "own", str(project))[str(ns)] = str(json)
        return {"ok": 1}

    @public()
    def RecordKill(self, project: str, ns: str) -> dict[str, Any]:
        """Kill ^ZIRISFX("own", project, ns)."""
        with self.instance.state() as s:
            s.kill("ZIRISFX", "own", str(project), str(ns))
        return {"ok": 1}

    @public("locked")
    def Lock(self, project: str, timeout: int) -> dict[str, Any]:
        """LOCK +^ZIRISFX("lock", project):timeout, held by this connection's process."""
        got = self._process.lock(f'^ZIRISFX("lock","{project}")', number(timeout))
        return {"ok": 1, "locked": got}

    @public()
    def Unlock(self, project: str) -> dict[str, Any]:
        """LOCK -^ZIRISFX("lock", project)."""
        self._process.unlock(f'^ZIRISFX("lock","{project}")')
        return {"ok": 1}

    @public("readOnlyMounted")
    def CreateNamespace(self, ns: str, dir: str, readonly: int, create: int) -> dict[str, Any]:
        """Database ns on dir and namespace ns on it; finished steps undone on failure."""
        done: list[str] = []
        with self.instance.state() as s:
            try:
                self.require(dir)
                if s.namespace(ns) is not None:
                    self.fail(f"namespace {ns} already exists")
                if s.database(ns) is not None:
                    self.fail(f"database {ns} already exists")
                if truth(create):
                    self.ensure_directory(dir)
                    s.create_database(dir)
                    done.append("dat")
                if truth(readonly):
                    s.mount(dir, readonly=True)
                    done.append("mounted")
                s.create_database_config(ns, dir)
                done.append("config")
                self._open_database(dir)
                if s.mounted(dir) is None:
                    s.mount(dir, readonly=truth(readonly))
                done.append("mounted")
                if truth(readonly) and not self._read_only_mounted(s, dir):
                    s.dismount(dir)
                    s.mount(dir, readonly=True)
                    if not self._read_only_mounted(s, dir):
                        self.fail(f"database {dir} did not mount read-only")
                s.create_namespace(ns, ns, ns)
                return {"ok": 1, "readOnlyMounted": self._read_only_mounted(s, dir)}
            except IrisError:
                self._undo(s, ns, dir, done)
                raise

    def _open_database(self, directory: str) -> None:
        """SYS.Database.%OpenId(dir): an error status when there is no database there."""
        if not (Path(normalize_directory(directory)) / "IRIS.DAT").is_file():
            raise status_error(f"<DIRECTORY> no database in {directory}")

    def _read_only_mounted(self, s: State, directory: str) -> bool:
        self._open_database(directory)
        mount = s.mounted(directory)
        return mount is not None and bool(mount["readonly"])

    def _undo(self, s: State, ns: str, directory: str, done: list[str]) -> None:
        # As the class: each step in its own try, errors ignored, dismount first.
        if "mounted" in done or "dat" in done:
            _quietly(lambda: s.dismount(directory))
        if "config" in done:
            _quietly(lambda: s.delete_database_config(ns))
        if "dat" in done:
            _quietly(lambda: s.delete_database(directory))

    @public()
    def DeleteNamespace(self, ns: str, dir: str) -> dict[str, Any]:
        """Remove namespace ns, database ns and directory dir, if they are irisfx's."""
        with self.instance.state() as s:
            self.require(dir)
            dir = normalize_directory(dir)
            database = s.database(ns)
            if database is not None:
                where = normalize_directory(database.get("Directory", ""))
                if where != dir:
                    self.fail(f"database {ns} is on {where}, not on {dir}: not irisfx's, "
                              "left alone")
            namespace = s.namespace(ns)
            if namespace is not None:
                if namespace.get("Globals") != ns or namespace.get("Routines") != ns:
                    self.fail(f"namespace {ns} does not keep its globals and routines in "
                              f"database {ns}: not irisfx's, left alone")
                s.delete_namespace(ns)
            if (Path(dir) / "IRIS.DAT").exists() and s.mounted(dir) is not None:
                s.dismount(dir)
            if s.database(ns) is not None:
                s.delete_database_config(ns)
            if Path(dir).is_dir():
                shutil.rmtree(dir, ignore_errors=True)
                if Path(dir).exists():
                    self.fail(f"cannot remove {dir}")
        return {"ok": 1}

    @public()
    def ReplaceDatabase(self, ns: str, dir: str, source: str) -> dict[str, Any]:
        """Serve the upload ``source`` as database ns on dir in place of its file."""
        with self.instance.state() as s:
            self.require(dir)
            self.require(source)
            dir = normalize_directory(dir)
            database = s.database(ns)
            if database is None:
                raise status_error(f"Database '{ns}' does not exist")
            where = normalize_directory(database.get("Directory", ""))
            if where != dir:
                self.fail(f"database {ns} is on {where}, not on {dir}: not irisfx's, left alone")
            if not Path(source).exists():
                self.fail(f"no file {source}")
            self._open_database(dir)
            if s.mounted(dir) is not None:
                s.dismount(dir)
            target = Path(dir) / "IRIS.DAT"
            moved = False
            try:
                target.unlink(missing_ok=True)
                Path(source).rename(target)
                moved = True
            except OSError:
                pass
            # Mount whatever is there now, so the copy keeps serving.
            try:
                s.mount(dir, readonly=False)
                mounted: IrisError | None = None
            except IrisError as exc:
                mounted = exc
            if not moved:
                self.fail(f"cannot replace {target} with {source}")
            if mounted is not None:
                raise mounted
        return {"ok": 1}

    @public("sha256", "size", "shared")
    def CopyDatabase(self, ns: str, target: str, base: str,
                     consistency: str = "strict") -> dict[str, Any]:
        """Copy ns's database to ``target``: dismounted; when it is shared, refused unless
        ``consistency`` is "crash" (then frozen). Only a database that is IRIS.DAT alone."""
        with self.instance.state() as s:
            self.require(target, base)
            namespace = s.namespace(ns)
            if namespace is None:
                raise status_error(f"Namespace '{ns}' does not exist")
            dbname = namespace["Globals"]
            if namespace.get("Routines") != dbname:
                self.fail(f"namespace {ns} keeps globals in {dbname} and routines in "
                          f"{namespace.get('Routines')}; a fixture needs both in one database")
            if dbname.upper() in SYSTEM_DATABASES:
                self.fail(f"database {dbname} belongs to IRIS itself; irisfx does not copy it")
            database = s.database(dbname)
            if database is None:
                raise status_error(f"Database '{dbname}' does not exist")
            directory = normalize_directory(database["Directory"])
            self._require_single_file(directory)
            shared = self._shared_by(s, ns, dbname)
            if shared and consistency != "crash":
                self.fail(f"database {dbname} of namespace {ns} is shared with other "
                          "namespaces: it cannot be dismounted for the copy, and a copy taken "
                          "while the instance is frozen may hold unfinished transactions; give "
                          "the namespace a database of its own, or accept such a copy with "
                          '[irisfx] snapshot_consistency = "crash"')
            self.ensure_directory(get_directory(target))
            Path(target).unlink(missing_ok=True)
            if shared:
                copied = self._copy_frozen(s, directory + "IRIS.DAT", target)
            else:
                copied = self._copy_dismounted(s, directory, target)
            if not copied:
                self.fail(f"cannot copy {directory}IRIS.DAT to {target}")
            return {**digest(Path(target)), "shared": shared}

    def _require_single_file(self, directory: str) -> None:
        """The stand-in's databases have one volume; file streams would be in stream/."""
        self._open_database(directory)
        stream = Path(directory) / "stream"
        if stream.is_dir() and any(stream.iterdir()):
            self.fail(f"database {directory} keeps file streams in {stream}/; irisfx copies "
                      "only IRIS.DAT")

    @public("exists")
    def ResourceExists(self, name: str) -> dict[str, Any]:
        """Whether the security resource ``name`` exists."""
        with self.instance.state() as s:
            return {"ok": 1, "exists": s.resource_exists(str(name))}

    def _shared_by(self, s: State, ns: str, dbname: str) -> bool:
        others = (s.namespace(other) or {} for other in s.namespaces() if other != ns)
        keys = ("Globals", "Routines", "Library", "SysGlobals", "TempGlobals")
        return any(found.get(key) == dbname for found in others for key in keys)

    def _copy_dismounted(self, s: State, directory: str, target: str) -> bool:
        self._open_database(directory)
        was_mounted = s.mounted(directory) is not None
        if was_mounted:
            s.dismount(directory)
        try:
            shutil.copyfile(directory + "IRIS.DAT", target)
            ok = True
        except OSError:
            ok = False
        if was_mounted:
            try:
                s.mount(directory, readonly=False)
            except IrisError as exc:
                self.fail(f"database {directory} was dismounted for the copy and did not "
                          f"mount again: {exc.display}")
        return ok

    def _copy_frozen(self, s: State, source: str, target: str) -> bool:
        seconds = Path(source).stat().st_size / FREEZERATE
        if seconds * 4 > FREEZELIMIT:
            self.fail(f"the database {source} is shared with other namespaces and too large "
                      f"to copy while the instance is frozen (about {seconds:.0f} s of a "
                      f"{FREEZELIMIT} s limit); give its namespace a database of its own")
        s.freeze()
        try:
            shutil.copyfile(source, target)
        except OSError:
            return False
        return True


def _quietly(step: Any) -> None:
    with contextlib.suppress(IrisError):
        step()
