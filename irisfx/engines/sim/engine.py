"""The sim engine: a simulated IRIS instance in a folder, for trying irisfx and for CI.

``sim://DIR`` is the instance. ``DIR/instance.json`` holds namespaces, databases and ownership
records; ``DIR/db/NAME/IRIS.DAT`` is each database, really an SQLite file. It keeps the iris
engine's semantics: a namespace needs a mounted database, snapshots are consistent copies made
while the database is dismounted, mounts check the copied file's digest before serving it,
read-only databases refuse writes, and ownership records make every step resumable.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import filelock

from irisfx import __version__
from irisfx.digest import copy_with_digest, sha256_file
from irisfx.engines import EngineSettings
from irisfx.engines.base import (
    EngineInfo,
    Inventory,
    NoProgress,
    OwnedNamespace,
    Progress,
    RecordState,
    Role,
    Transferred,
)
from irisfx.engines.sim.sql import SimConnection, quote
from irisfx.engines.sim.state import DatabaseEntry, OwnerEntry, SimState, StateStore
from irisfx.engines.sim.vectors import register as register_vector_functions
from irisfx.errors import ConflictError, EngineError, IntegrityError, LockedError
from irisfx.faults import checkpoint
from irisfx.models import SIM_PRODUCT
from irisfx.recipes import Recipe, run_recipe

DAT_NAME = "IRIS.DAT"


class SimEngine:
    """An engine over a simulated instance folder. It says it is a simulator."""

    def __init__(self, directory: Path, project: str, url: str) -> None:
        self.directory = directory
        self.project = project
        self.url = url
        self.store = StateStore(directory)

    @classmethod
    def open(cls, settings: EngineSettings) -> SimEngine:
        """Open (creating when absent) the simulated instance that ``settings.url`` names."""
        parts = urlsplit(settings.url)
        raw = (parts.netloc + parts.path) or "."
        directory = Path(raw) if Path(raw).is_absolute() else settings.root / raw
        engine = cls(directory, settings.project, settings.url)
        engine.store.check_reachable()
        return engine

    # -- contract -------------------------------------------------------------------------

    def info(self) -> EngineInfo:
        """kind "sim"; the product names itself a simulator."""
        return EngineInfo(
            kind="sim",
            url=self.url,
            product=f"{SIM_PRODUCT} {__version__} (simulator; SQLite {sqlite3.sqlite_version})"
            + __import__("os").environ.get("IRISFX_SIM_SERVER_VERSION", ""),  # tests only: compat
            simulator=True,
        )

    def inventory(self) -> Inventory:
        """Every namespace, and this project's ownership records with their health."""
        state = self.store.read()
        owned = {
            ns: self._owned_view(ns, entry, state)
            for ns, entry in state.owners.get(self.project, {}).items()
        }
        return Inventory(namespaces=frozenset(state.namespaces), owned=owned)

    def build(self, fixture: str, namespace: str, recipe: Recipe) -> None:
        """Create ``namespace`` on a new database and run ``recipe`` in it."""
        self._record(namespace, "source", fixture, recipe_sha256=recipe.sha256)
        checkpoint("sim.build.recorded")
        directory = self.directory / "db" / namespace
        directory.mkdir(parents=True, exist_ok=True)
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
        self._set_record_state(namespace, "ready")

    def snapshot(self, namespace: str, dest: Path, progress: Progress) -> Transferred:
        """Copy the namespace's database to ``dest`` while it is dismounted."""
        state = self.store.read()
        database = self._database_of(namespace, state)
        source = self.directory / database.directory / DAT_NAME
        self._set_mounted(namespace, mounted=False)
        try:
            checkpoint("sim.snapshot.dismounted")
            progress.start(f"snapshot {namespace}", None)
            with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, closing(
                sqlite3.connect(dest)
            ) as dst:
                src.backup(dst)
            progress.finish()
        finally:
            self._set_mounted(namespace, mounted=True)
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
        _refuse_non_sqlite(local_path)
        self._record(namespace, role, fixture, sha256=sha256, readonly=readonly)
        checkpoint("sim.mount.recorded")
        directory = self.directory / "db" / namespace
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / (DAT_NAME + ".partial")
        try:
            copied = copy_with_digest(local_path, partial, progress or NoProgress())
        except Exception:
            self.unmount(namespace)
            raise
        if copied.sha256 != sha256:
            self.unmount(namespace)
            raise IntegrityError(
                f"the copy of {local_path.name} on the instance does not match its pin",
                details=[f"expected: sha256:{sha256}", f"copied:   sha256:{copied.sha256}"],
                fix="the file changed while it was copied; run 'irisfx apply' again",
            )
        checkpoint("sim.mount.copied")
        served = directory / DAT_NAME
        partial.replace(served)
        if readonly:
            served.chmod(0o444)
        self._create_namespace(namespace, readonly=readonly)
        checkpoint("sim.mount.created")
        stat = served.stat()
        self._set_record_state(namespace, "ready", size=stat.st_size, mtime_ns=stat.st_mtime_ns)

    def unmount(self, namespace: str) -> None:
        """Remove an owned namespace, its database and files, whatever state it is in."""
        with self.store.transaction() as state:
            entry = state.owners.get(self.project, {}).get(namespace)
            if entry is None:
                if namespace in state.namespaces:
                    raise _not_owned(namespace, self.project)
                return
            entry.state = "removing"
        checkpoint("sim.unmount.marked")
        with self.store.transaction() as state:
            state.namespaces.pop(namespace, None)
            state.databases.pop(namespace, None)
        checkpoint("sim.unmount.dropped")
        shutil.rmtree(self.directory / "db" / namespace, ignore_errors=True)
        with self.store.transaction() as state:
            state.owners.get(self.project, {}).pop(namespace, None)

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

    def connect(self, namespace: str) -> SimConnection:
        """A DB-API connection; read-only databases refuse writes, as on IRIS."""
        state = self.store.read()
        database = self._database_of(namespace, state)
        if not database.mounted:
            raise EngineError(
                f"<DIRECTORY> the database of namespace {namespace} is dismounted "
                "(simulator)",
                fix="wait for the snapshot that dismounted it to finish, then retry",
            )
        path = self.directory / database.directory / DAT_NAME
        if not path.is_file():
            raise EngineError(f"<DIRECTORY> {path} is missing (simulator)",
                              fix=f"run 'irisfx apply' to mount {namespace} again")
        mode = "ro" if database.readonly else "rw"
        inner = sqlite3.connect(f"file:{path}?mode={mode}", uri=True, timeout=30,
                                check_same_thread=False)
        register_vector_functions(inner)
        return SimConnection(inner, namespace)

    @contextmanager
    def lock(self, timeout: float = 0.0) -> Iterator[None]:
        """The project lock: an OS file lock, released by the kernel when the process dies."""
        lock_dir = self.directory / "locks"
        if not self.store.path.exists():
            with self.store.transaction():
                pass  # the first writer makes the (empty) instance
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
        """Nothing stays open between calls."""

    # -- state helpers --------------------------------------------------------------------

    def _owned_view(self, ns: str, entry: OwnerEntry, state: SimState) -> OwnedNamespace:
        database = state.databases.get(ns)
        served = self.directory / "db" / ns / DAT_NAME
        present = ns in state.namespaces and database is not None and served.is_file()
        changed = False
        if present and entry.readonly and entry.size is not None:
            stat = served.stat()
            changed = (stat.st_size, stat.st_mtime_ns) != (entry.size, entry.mtime_ns)
        return OwnedNamespace(
            namespace=ns, role=entry.role, fixture=entry.fixture, state=entry.state,
            sha256=entry.sha256, recipe_sha256=entry.recipe_sha256, readonly=entry.readonly,
            changed=changed, database_present=present,
        )

    def _record(self, namespace: str, role: Role, fixture: str, *, sha256: str | None = None,
                recipe_sha256: str | None = None, readonly: bool = False) -> None:
        with self.store.transaction() as state:
            mine = state.owners.setdefault(self.project, {})
            if namespace in state.namespaces or namespace in mine:
                raise ConflictError(
                    f"namespace {namespace} already exists on the instance",
                    fix=f"unmount it first ('irisfx unmount {namespace}') or choose another",
                )
            for other, records in state.owners.items():
                if other != self.project and namespace in records:
                    raise _not_owned(namespace, self.project)
            mine[namespace] = OwnerEntry(role=role, fixture=fixture, state="creating",
                                         sha256=sha256, recipe_sha256=recipe_sha256,
                                         readonly=readonly)

    def _set_record_state(self, namespace: str, new_state: RecordState,
                          size: int | None = None, mtime_ns: int | None = None) -> None:
        with self.store.transaction() as state:
            entry = state.owners[self.project][namespace]
            entry.state = new_state
            entry.size, entry.mtime_ns = size, mtime_ns

    def _create_namespace(self, namespace: str, *, readonly: bool) -> None:
        with self.store.transaction() as state:
            state.databases[namespace] = DatabaseEntry(directory=f"db/{namespace}",
                                                       readonly=readonly)
            state.namespaces[namespace] = namespace

    def _set_mounted(self, namespace: str, *, mounted: bool) -> None:
        with self.store.transaction() as state:
            database_name = state.namespaces.get(namespace)
            if database_name in state.databases:
                state.databases[database_name].mounted = mounted

    def _database_of(self, namespace: str, state: SimState) -> DatabaseEntry:
        database_name = state.namespaces.get(namespace)
        if database_name is None or database_name not in state.databases:
            raise EngineError(
                f"<NAMESPACE> namespace {namespace} does not exist on the instance (simulator)",
                fix="run 'irisfx apply' to create it, or check the namespace name",
            )
        return state.databases[database_name]


def _not_owned(namespace: str, project: str) -> ConflictError:
    return ConflictError(
        f"namespace {namespace} exists and is not owned by project '{project}'",
        fix="irisfx only changes namespaces it made; choose another namespace name",
    )


def _refuse_non_sqlite(path: Path) -> None:
    with path.open("rb") as handle:
        magic = handle.read(16)
    if magic and magic != b"SQLite format 3\x00":
        raise IntegrityError(
            f"{path.name} is not a simulator database (it was probably written by IRIS)",
            fix="the sim engine can only mount files it made; rebuild the fixture on the sim "
            "engine with 'irisfx apply --rebuild NAME', or point irisfx at an IRIS instance",
        )
