"""The sim engine: a simulated IRIS instance in a folder, for trying irisfx and for CI.

``sim://DIR`` is the instance. ``DIR/instance.db`` holds namespaces, databases and ownership
records (irisfx.engines.sim.state); ``DIR/db/NAME/IRIS.DAT`` is each database, really an SQLite
file. It keeps the iris
engine's semantics: a namespace needs a mounted database, snapshots are consistent copies made
while the database is dismounted, mounts check the copied file's digest before serving it,
read-only databases refuse writes, and ownership records make every step resumable.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import filelock

from irisfx import __version__
from irisfx.engines import EngineSettings
from irisfx.engines.base import (
    EngineInfo,
    Inventory,
    NoProgress,
    OwnedNamespace,
    Progress,
    ProjectRecords,
    ProjectRef,
    Role,
    Transferred,
    not_owned,
)
from irisfx.engines.sim.database import open_database
from irisfx.engines.sim.files import (
    clone_with_digest,
    copy_mismatch,
    refuse_non_sqlite,
    refuse_unreadable,
    served_stat,
    stat_changed,
)
from irisfx.engines.sim.records import (
    DatabaseRow,
    OwnerRow,
    checked_namespace,
    inside,
    owner_ref,
)
from irisfx.engines.sim.sql import SimConnection, quote
from irisfx.engines.sim.state import Snapshot, StateStore
from irisfx.errors import ConfigError, ConflictError, EngineError, LockedError
from irisfx.files.digest import copy_with_digest, sha256_file
from irisfx.files.faults import checkpoint
from irisfx.lockfile.models import SIM_PRODUCT
from irisfx.lockfile.names import NAMESPACE_NAME, SYSTEM_NAMESPACES
from irisfx.recipes.recipe import Recipe, run_recipe

DAT_NAME = "IRIS.DAT"



SERVER_VERSION_ENV = "IRISFX_SIM_SERVER_VERSION"


class SimEngine:
    """An engine over a simulated instance folder. It says it is a simulator."""

    def __init__(self, directory: Path, project: str, url: str, *,
                 project_id: str | None = None, location: str | None = None) -> None:
        self.directory = directory
        self.project = project
        self.project_id = project_id
        self.location = location
        self.url = url
        self.store = StateStore(directory)

    @classmethod
    def open(cls, settings: EngineSettings) -> SimEngine:
        """Open (creating when absent) the simulated instance that ``settings.url`` names."""
        parts = urlsplit(settings.url)
        raw = (parts.netloc + parts.path) or "."
        directory = Path(raw) if Path(raw).is_absolute() else settings.root / raw
        engine = cls(directory, settings.project, settings.url, project_id=settings.project_id,
                     location=str(settings.root.absolute()))
        engine.store.check_reachable()
        return engine

    # -- contract -------------------------------------------------------------------------

    def info(self) -> EngineInfo:
        """kind "sim"; the product names itself a simulator."""
        return EngineInfo(
            kind="sim",
            url=self.url,
            product=f"{SIM_PRODUCT} {__version__} (simulator; SQLite {sqlite3.sqlite_version})"
            # Lets tests pose as a given IRIS version to exercise irisfx.engines.compat on the sim.
            + os.environ.get(SERVER_VERSION_ENV, ""),
            simulator=True,
        )

    def inventory(self) -> Inventory:
        """Every namespace, this project's ownership records with their health, the others'."""
        state = self.store.read()
        owned: dict[str, OwnedNamespace] = {}
        others: dict[str, OwnedNamespace] = {}
        for ns, row in state.owners.items():
            (owned if self._mine(row) else others)[ns] = self._owned_view(row, state)
        return Inventory(namespaces=frozenset(state.namespaces), owned=owned, others=others)

    def verify_mounts(self) -> dict[str, str | None]:
        """Hash the file every ready mount and copy of this project serves (reads it all)."""
        digests: dict[str, str | None] = {}
        for ns, row in self.store.read().owners.items():
            if self._mine(row) and row.role != "source" and row.state == "ready":
                directory = self._database_dir(ns, may_be_link=True)
                served = directory / DAT_NAME
                real = served.is_file() and not (directory.is_symlink() or served.is_symlink())
                digests[ns] = sha256_file(served).sha256 if real else None
        return digests

    def projects(self) -> list[ProjectRecords]:
        """Every project with records here, each with its records, sorted by name and id."""
        state = self.store.read()
        grouped: dict[ProjectRef, list[OwnedNamespace]] = {}
        for row in state.owners.values():
            grouped.setdefault(owner_ref(row), []).append(self._owned_view(row, state))
        return [ProjectRecords(owner, tuple(sorted(records, key=lambda r: r.namespace)))
                for owner, records in sorted(grouped.items(),
                                             key=lambda item: (item[0].name, item[0].id or ""))]

    def build(self, fixture: str, namespace: str, recipe: Recipe) -> None:
        """Create ``namespace`` on a new database and run ``recipe`` in it."""
        self._record(namespace, "source", fixture, recipe_sha256=recipe.sha256)
        checkpoint("sim.build.recorded")
        directory = self._fresh_database_dir(namespace)
        with closing(sqlite3.connect(directory / DAT_NAME)):
            pass
        self._create_namespace(namespace, readonly=False)
        checkpoint("sim.build.created")
        try:
            with closing(self.connect(namespace)) as connection:
                run_recipe(recipe, connection)
        except Exception:
            self.unmount(namespace)
            raise
        checkpoint("sim.build.filled")
        with self.store.transaction() as change:
            change.update_owner(namespace, state="ready")

    def snapshot(self, namespace: str, dest: Path, progress: Progress) -> Transferred:
        """Copy the namespace's database to ``dest`` while it is dismounted."""
        database = self._database_of(namespace)
        source = self._database_dir(database.name) / DAT_NAME
        self._set_mounted(database.name, mounted=False)
        try:
            checkpoint("sim.snapshot.dismounted")
            progress.start(f"snapshot {namespace}", None)
            with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, closing(
                sqlite3.connect(dest)
            ) as dst:
                src.backup(dst)
            progress.finish()
        finally:
            self._set_mounted(database.name, mounted=True)
        measured = sha256_file(dest)
        return Transferred(sha256=measured.sha256, size=measured.size)

    def mount(
        self,
        fixture: str,
        local_path: Path,
        namespace: str,
        *,
        readonly: bool,
        sha256: str,
        role: Role = "mount",
        progress: Progress | None = None,
    ) -> None:
        """Copy ``local_path`` in, check its digest, then serve it in ``namespace``."""
        refuse_non_sqlite(local_path)
        refuse_unreadable(local_path)
        self._record(namespace, role, fixture, sha256=sha256, readonly=readonly)
        checkpoint("sim.mount.recorded")
        directory = self._fresh_database_dir(namespace)
        partial = directory / (DAT_NAME + ".partial")
        try:
            copied = copy_with_digest(local_path, partial, progress or NoProgress())
        except Exception:
            self.unmount(namespace)
            raise
        if copied.sha256 != sha256:
            self.unmount(namespace)
            raise copy_mismatch(local_path, sha256, copied.sha256)
        checkpoint("sim.mount.copied")
        served = directory / DAT_NAME
        partial.replace(served)
        if readonly:
            served.chmod(0o444)
        self._create_namespace(namespace, readonly=readonly)
        checkpoint("sim.mount.created")
        with self.store.transaction() as change:
            change.update_owner(namespace, state="ready", **served_stat(served))

    def reset_copy(self, fixture: str, local_path: Path, namespace: str, *, sha256: str) -> None:
        """Put a test copy back to ``local_path``: one file copy and one state change."""
        row = self.store.owner(namespace)
        if (row is None or not self._mine(row) or row.role != "copy" or row.state != "ready"
                or self.store.database_of(namespace) is None):
            if row is not None:
                self.unmount(namespace)
            self.mount(fixture, local_path, namespace, readonly=False, sha256=sha256,
                       role="copy")
            return
        directory = self._database_dir(namespace)
        partial = inside(self.directory, directory / (DAT_NAME + ".partial"))
        copied = clone_with_digest(local_path, partial)
        if copied.sha256 != sha256:
            partial.unlink(missing_ok=True)
            raise copy_mismatch(local_path, sha256, copied.sha256)
        # A journal left by a test killed mid-write belongs to the old file: SQLite would
        # roll it into the new one.
        for suffix in ("-journal", "-wal", "-shm"):
            (directory / (DAT_NAME + suffix)).unlink(missing_ok=True)
        served = directory / DAT_NAME
        partial.replace(served)
        with self.store.transaction(durable=False) as change:
            change.update_owner(namespace, sha256=sha256, **served_stat(served))

    def unmount(self, namespace: str) -> None:
        """Remove an owned namespace, its database and files, whatever state it is in."""
        namespace = _argument(namespace)
        with self.store.transaction() as change:
            row = change.owner(namespace)
            if row is None:
                if change.namespace_exists(namespace):
                    raise not_owned(namespace, self.project, None)
                return
            if not self._mine(row):
                raise not_owned(namespace, self.project, owner_ref(row))
            change.update_owner(namespace, state="removing")
        checkpoint("sim.unmount.marked")
        with self.store.transaction() as change:
            change.drop_namespace(namespace)
        checkpoint("sim.unmount.dropped")
        directory = self._database_dir(namespace, may_be_link=True)
        if directory.is_symlink():
            directory.unlink()  # the link itself, never what it points to
        else:
            shutil.rmtree(directory, ignore_errors=True)
        with self.store.transaction() as change:
            change.drop_owner(namespace)

    def row_counts(self, namespace: str, tables: Sequence[str] | None = None) -> dict[str, int]:
        """Rows per table; a table that does not exist is left out of the result."""
        with closing(self.connect(namespace)) as connection:
            raw = connection._inner  # SQLite names are already translated here
            present = {
                row[0].lower(): row[0]
                for row in raw.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            }
            wanted = list(present.values()) if tables is None else list(tables)
            counts = {}
            for table in wanted:
                stored = present.get(quote(table)[1:-1].lower())
                if stored is not None:
                    counts[table] = int(raw.execute(f"SELECT COUNT(*) FROM {quote(stored)}")
                                        .fetchone()[0])
            return counts

    def connect(self, namespace: str, *, read_only: bool = False,
                timeout: float | None = None) -> SimConnection:
        """A DB-API connection; read-only databases refuse writes, as on IRIS."""
        database = self._database_of(namespace)
        if not database.mounted:
            raise EngineError(
                f"<DIRECTORY> the database of namespace {namespace} is dismounted "
                "(simulator)",
                fix="wait for the snapshot that dismounted it to finish, then retry",
            )
        path = inside(self.directory, self._database_dir(database.name) / DAT_NAME)
        if not path.is_file():
            raise EngineError(f"<DIRECTORY> {path} is missing (simulator)",
                              fix=f"run 'irisfx apply' to mount {namespace} again")
        return SimConnection(open_database(path, writable=not (database.readonly or read_only)),
                             namespace)

    @contextmanager
    def lock(self, timeout: float = 0.0) -> Iterator[None]:
        """The project lock: an OS file lock, released by the kernel when the process dies."""
        self.store.ensure()  # the first writer makes the (empty) instance
        lock_dir = inside(self.directory, self.directory / "locks")
        lock_dir.mkdir(exist_ok=True)
        lock = filelock.FileLock(lock_dir / f"{self.project}.lock", timeout=timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise LockedError(
                f"another irisfx process holds the lock of project '{self.project}' "
                "on this instance",
                details=[f"instance: {self.url} (simulator)"],
                fix="wait for it to finish, or pass --lock-timeout SECONDS to wait",
            ) from None
        try:
            yield
        finally:
            lock.release()

    def close(self) -> None:
        """Close the state database; nothing else stays open between calls."""
        self.store.close()

    # -- state helpers --------------------------------------------------------------------

    def _mine(self, row: OwnerRow) -> bool:
        # A record without an id (or a project without one) is matched by name alone.
        return row.project == self.project and (
            row.project_id is None or self.project_id is None or row.project_id == self.project_id)

    def _database_dir(self, name: str, *, may_be_link: bool = False) -> Path:
        """``DIR/db/NAME``, checked to be a namespace name and to stay inside DIR.

        ``may_be_link``: the caller only looks at the folder itself or removes a link in its
        place, so only the folder holding it must resolve inside DIR.
        """
        name = checked_namespace(self.directory, name, "database")
        if may_be_link:
            return inside(self.directory, self.directory / "db") / name
        return inside(self.directory, self.directory / "db" / name)

    def _fresh_database_dir(self, namespace: str) -> Path:
        # The record was just made, so nothing serves from this folder: whatever is there
        # was left by a state change that was lost (power cut) and must not be reused.
        directory = self._database_dir(namespace, may_be_link=True)
        if directory.is_symlink():
            directory.unlink()
        elif directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        return inside(self.directory, directory)

    def _owned_view(self, row: OwnerRow, state: Snapshot) -> OwnedNamespace:
        ns = row.namespace
        directory = self._database_dir(ns, may_be_link=True)
        served = directory / DAT_NAME
        # A link in place of the folder is not the database; unmount removes the link.
        present = (ns in state.namespaces and ns in state.databases
                   and not directory.is_symlink() and served.is_file())
        changed = present and row.readonly and row.role != "source" and stat_changed(served, row)
        return OwnedNamespace(
            namespace=ns, role=row.role, fixture=row.fixture, state=row.state,
            sha256=row.sha256, recipe_sha256=row.recipe_sha256, readonly=row.readonly,
            changed=changed, database_present=present, owner=owner_ref(row),
        )

    def _record(self, namespace: str, role: Role, fixture: str, *, sha256: str | None = None,
                recipe_sha256: str | None = None, readonly: bool = False) -> None:
        namespace = _argument(namespace)
        with self.store.transaction() as change:
            row = change.owner(namespace)
            if row is not None and not self._mine(row):
                raise not_owned(namespace, self.project, owner_ref(row))
            if row is not None or change.namespace_exists(namespace):
                raise ConflictError(
                    f"namespace {namespace} already exists on the instance",
                    fix=f"unmount it first ('irisfx unmount {namespace}') or choose another",
                )
            change.put_owner(OwnerRow(
                namespace=namespace, project=self.project, role=role, fixture=fixture,
                state="creating", project_id=self.project_id, location=self.location,
                sha256=sha256, recipe_sha256=recipe_sha256, readonly=readonly))

    def _create_namespace(self, namespace: str, *, readonly: bool) -> None:
        with self.store.transaction() as change:
            change.create_namespace(namespace, readonly=readonly)

    def _set_mounted(self, database: str, *, mounted: bool) -> None:
        with self.store.transaction() as change:
            change.set_mounted(database, mounted=mounted)

    def _database_of(self, namespace: str) -> DatabaseRow:
        database = self.store.database_of(namespace)
        if database is None:
            raise EngineError(
                f"<NAMESPACE> namespace {namespace} does not exist on the instance (simulator)",
                fix="run 'irisfx apply' to create it, or check the namespace name",
            )
        return database


def _argument(namespace: str) -> str:
    """A namespace passed in by a caller: it names a folder, so it is held to the rules."""
    if not NAMESPACE_NAME.match(namespace) or namespace in SYSTEM_NAMESPACES:
        raise ConfigError(f"invalid namespace {namespace!r} for the simulator",
                          fix="use upper-case letters, digits and '_', starting with a letter; "
                          "IRIS's own namespaces are refused")
    return namespace
