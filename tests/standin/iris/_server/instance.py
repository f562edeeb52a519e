"""The parts of IRIS the helper class drives, over a folder standing for ``<mgr>``.

State that IRIS keeps in its configuration (CPF) and in %SYS globals lives in one JSON file,
``<mgr>/.standin/state.json``, changed under an exclusive file lock: each helper call is one
server-side step, whoever (which process) makes it. Database files are real files in their
directories. The behaviour follows IRIS's documentation as /work/shared/IRIS-FACTS.md cites it
(section "Databases and namespaces", "Copying a database") and the 2024.1 class reference
(shared/iris-api/classes-2024.1.json):

- ``Config.Databases.Create`` activates (mounts) the database; ``Config.Namespaces.Create``
  needs the databases it names. Names are case-insensitive and kept in upper case.
- ``SYS.Database`` is keyed by directory. ``MountDatabase(dir, readonly)`` mounts, refusing a
  directory without a database file (``<DIRECTORY>``); ``DismountDatabase`` refuses a database
  that is not mounted. A read-only mount never writes the file.
- A mounted database's data is served from a live image (``.standin/live/``): IRIS.DAT is
  written back when a read-write database is dismounted or the instance frozen, which is when
  IRIS guarantees the file is consistent. SQL on a dismounted database fails (``<DIRECTORY>``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import dat

STATE_DIR = ".standin"
VERSION = "IRIS for UNIX (irisfx stand-in, tests/standin) 2024.1 (Build 267U)"
SYSTEM_NAMESPACES = {"%SYS": "IRISSYS", "USER": "USER"}
MGR_ENV = "IRISFX_STANDIN_MGR"
# Security resources a new instance has (the %DB_ ones guard its databases).
DEFAULT_RESOURCES = frozenset({"%DB_%DEFAULT", "%DB_IRISSYS", "%DB_USER", "%DB_IRISLIB",
                               "%DB_IRISTEMP", "%All", "%Admin_Manage", "%Admin_Operate"})


class IrisError(Exception):
    """An error as IRIS reports it: ``display`` is what ``DisplayString()`` would give."""

    def __init__(self, display: str) -> None:
        super().__init__(display)
        self.display = display


def status_error(text: str) -> IrisError:
    """An error %Status turned into an exception (``ERROR #5001: text``)."""
    return IrisError(f"ERROR #5001: {text}")


def normalize_directory(path: str) -> str:
    """%File.NormalizeDirectory: absolute, no ``.``/``..``, one trailing separator."""
    return os.path.normpath(os.path.abspath(path)) + "/"


def from_environment() -> Instance:
    """The instance $IRISFX_STANDIN_MGR names; without one, nothing listens."""
    mgr = os.environ.get(MGR_ENV, "")
    if not mgr or not (Path(mgr) / STATE_DIR / "state.json").is_file():
        raise RuntimeError("<COMMUNICATION LINK ERROR> Failed to connect to server; "
                           f"Details: no stand-in instance (${MGR_ENV} is {mgr!r})")
    return Instance(Path(mgr))


@dataclass(frozen=True)
class Instance:
    """A stand-in IRIS instance: its manager directory, and the state inside it."""

    mgr: Path

    @classmethod
    def create(cls, mgr: Path, users: dict[str, str]) -> Instance:
        """A new instance in the empty folder ``mgr`` with ``users`` (name -> password)."""
        (mgr / STATE_DIR / "live").mkdir(parents=True)
        (mgr / STATE_DIR / "locks").mkdir()
        made = cls(mgr.resolve())
        databases = {"IRISSYS": made.mgr_dir, "USER": made.mgr_dir + "user/"}
        state: dict[str, Any] = {
            "version": VERSION,
            "users": {name: {"password": pw, "expired": False} for name, pw in users.items()},
            "namespaces": {ns: {"Globals": db, "Routines": db}
                           for ns, db in SYSTEM_NAMESPACES.items()},
            "databases": {name: {"Directory": d} for name, d in databases.items()},
            "mounted": {}, "globals": {}, "classes": {}, "serial": 0,
            "resources": sorted(DEFAULT_RESOURCES),
        }
        made._write(state)
        with made.state() as live:
            live.create_database(databases["USER"])
        return made

    @property
    def mgr_dir(self) -> str:
        """The manager directory as IRIS names it (trailing separator)."""
        return normalize_directory(str(self.mgr))

    @contextlib.contextmanager
    def state(self) -> Iterator[State]:
        """The instance's state for one server-side step, saved when the step ends."""
        with (self.mgr / STATE_DIR / "state.lock").open("a") as guard:
            fcntl.flock(guard, fcntl.LOCK_EX)
            text = (self.mgr / STATE_DIR / "state.json").read_text()
            data = json.loads(text)
            try:
                yield State(self, data)
            finally:
                # Saved even when the step failed: IRIS's configuration is not transactional,
                # which is why the helper undoes its finished steps itself.
                if json.dumps(data) != text:
                    self._write(data)

    def read(self) -> State:
        """The state as it is now, to look at only (written atomically, so never torn)."""
        return State(self, json.loads((self.mgr / STATE_DIR / "state.json").read_text()))

    def _write(self, data: dict[str, Any]) -> None:
        path = self.mgr / STATE_DIR / "state.json"
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-")
        with os.fdopen(fd, "w") as f:
            json.dump(data, f)
        os.replace(tmp, path)

    def live_path(self, name: str) -> Path:
        """Where a mounted database's live image lives."""
        return self.mgr / STATE_DIR / "live" / name

    def lock_path(self, name: str) -> Path:
        """The file whose flock stands for the LOCK on ``name``."""
        digest = hashlib.sha256(name.encode()).hexdigest()[:32]
        return self.mgr / STATE_DIR / "locks" / f"{digest}.lock"


class State:
    """IRIS's configuration, mounts and %SYS globals during one step."""

    def __init__(self, instance: Instance, data: dict[str, Any]) -> None:
        self.instance = instance
        self.data = data

    @property
    def version(self) -> str:
        """$ZVERSION."""
        return str(self.data["version"])

    # -- security ---------------------------------------------------------------------------

    def login(self, username: str, password: str) -> None:
        """Refuse a login as IRIS does (texts from IRIS-FACTS.md, "The driver")."""
        user = self.data["users"].get(username)
        if user is None or user["password"] != password:
            raise IrisError("<COMMUNICATION LINK ERROR> Access Denied")
        if user["expired"]:
            raise IrisError("<COMMUNICATION LINK ERROR> Password change required")

    def resource_exists(self, name: str) -> bool:
        """Security.Resources.Exists (resource names are not case-sensitive)."""
        return name.upper() in {r.upper() for r in self.data["resources"]}

    # -- Config.Namespaces / %SYS.Namespace -------------------------------------------------

    def namespaces(self) -> list[str]:
        """%SYS.Namespace.ListAll: every namespace, in collation order."""
        return sorted(self.data["namespaces"])

    def namespace(self, ns: str) -> dict[str, str] | None:
        """Config.Namespaces.Get's properties, or None if it does not exist."""
        found = self.data["namespaces"].get(ns.upper())
        return None if found is None else dict(found)

    def create_namespace(self, ns: str, globals_db: str, routines_db: str) -> None:
        """Config.Namespaces.Create."""
        if ns.upper() in self.data["namespaces"]:
            raise status_error(f"Namespace '{ns.upper()}' already exists")
        for db in (globals_db, routines_db):
            if db.upper() not in self.data["databases"]:
                raise status_error(f"Database '{db.upper()}' does not exist")
        self.data["namespaces"][ns.upper()] = {"Globals": globals_db.upper(),
                                               "Routines": routines_db.upper()}

    def delete_namespace(self, ns: str) -> None:
        """Config.Namespaces.Delete."""
        if self.data["namespaces"].pop(ns.upper(), None) is None:
            raise status_error(f"Namespace '{ns.upper()}' does not exist")

    # -- Config.Databases --------------------------------------------------------------------

    def database(self, name: str) -> dict[str, str] | None:
        """Config.Databases.Get's properties, or None if it does not exist."""
        found = self.data["databases"].get(name.upper())
        return None if found is None else dict(found)

    def create_database_config(self, name: str, directory: str) -> None:
        """Config.Databases.Create: define the database and activate (mount) it."""
        if name.upper() in self.data["databases"]:
            raise status_error(f"Database '{name.upper()}' already exists")
        directory = normalize_directory(directory)
        if self.mounted(directory) is None:
            self.mount(directory, readonly=False)
        self.data["databases"][name.upper()] = {"Directory": directory}

    def delete_database_config(self, name: str) -> None:
        """Config.Databases.Delete."""
        if self.data["databases"].pop(name.upper(), None) is None:
            raise status_error(f"Database '{name.upper()}' does not exist")

    # -- SYS.Database ------------------------------------------------------------------------

    def mounted(self, directory: str) -> dict[str, Any] | None:
        """How the database in ``directory`` is mounted, or None."""
        found = self.data["mounted"].get(normalize_directory(directory))
        return None if found is None else dict(found)

    def create_database(self, directory: str) -> None:
        """SYS.Database.CreateDatabase: a new, empty IRIS.DAT, left mounted read-write."""
        directory = normalize_directory(directory)
        path = Path(directory) / "IRIS.DAT"
        if path.exists():
            raise status_error(f"Database {directory} already exists")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(dat.pack(dat.label(directory), dat.empty_image()))
        self.mount(directory, readonly=False)

    def mount(self, directory: str, *, readonly: bool) -> None:
        """SYS.Database.MountDatabase(dir, readonly)."""
        directory = normalize_directory(directory)
        if self.mounted(directory) is not None:
            raise status_error(f"Database {directory} is already mounted")
        try:
            _, image = dat.unpack((Path(directory) / "IRIS.DAT").read_bytes())
        except (OSError, dat.NotADatabase) as exc:
            raise status_error(f"<DIRECTORY> cannot mount {directory}: {exc}") from None
        self.data["serial"] += 1
        name = f"{hashlib.sha256(directory.encode()).hexdigest()[:16]}-{self.data['serial']}.db"
        self.instance.live_path(name).write_bytes(image)
        self.data["mounted"][directory] = {"readonly": readonly, "live": name}

    def dismount(self, directory: str) -> None:
        """SYS.Database.DismountDatabase: write a read-write database's data back to its file."""
        directory = normalize_directory(directory)
        mount = self.mounted(directory)
        if mount is None:
            raise status_error(f"Database {directory} is not mounted")
        live = self.instance.live_path(mount["live"])
        if not mount["readonly"]:
            self._write_back(directory, live)
        del self.data["mounted"][directory]
        live.unlink(missing_ok=True)

    def freeze(self) -> None:
        """Backup.General.ExternalFreeze: every database file made consistent on disk."""
        for directory, mount in self.data["mounted"].items():
            if not mount["readonly"]:
                self._write_back(directory, self.instance.live_path(mount["live"]))

    def delete_database(self, directory: str) -> None:
        """SYS.Database.DeleteDatabase: remove a dismounted database's file."""
        directory = normalize_directory(directory)
        if self.mounted(directory) is not None:
            raise status_error(f"Database {directory} is mounted")
        (Path(directory) / "IRIS.DAT").unlink(missing_ok=True)

    def _write_back(self, directory: str, live: Path) -> None:
        # SQLite's backup copies a consistent image and rolls back what a dead writer left.
        with tempfile.TemporaryDirectory(dir=live.parent) as tmp:
            copy = Path(tmp) / "image.db"
            source = sqlite3.connect(live)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            image = copy.read_bytes()
        path = Path(directory) / "IRIS.DAT"
        with path.open("r+b") as f:
            first = f.read(dat.BLOCK)
            f.seek(0)
            f.write(dat.pack(first, image))
            f.truncate()

    # -- globals ------------------------------------------------------------------------------

    def node(self, name: str, *subscripts: str) -> dict[str, Any]:
        """The subtree of ^name(subscripts...), made if absent."""
        tree: dict[str, Any] = self.data["globals"].setdefault(name, {})
        for sub in subscripts:
            tree = tree.setdefault(sub, {})
        return tree

    def kill(self, name: str, *subscripts: str) -> None:
        """KILL ^name(subscripts...)."""
        tree: dict[str, Any] = self.data["globals"].get(name, {})
        for sub in subscripts[:-1]:
            tree = tree.get(sub, {})
        tree.pop(subscripts[-1], None)

    # -- classes ------------------------------------------------------------------------------

    def classes(self) -> dict[str, Any]:
        """Class name -> {"text": source, "stamp": compiled STAMP or None}."""
        found: dict[str, Any] = self.data["classes"]
        return found
