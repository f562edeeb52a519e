"""The iris engine: a live InterSystems IRIS, driven through intersystems-irispython.

One Native API connection to %SYS calls the helper class irisfx installs there (see
ZIrisFx.Helper.cls and docs/iris-calls.md); DB-API connections, one per namespace, run SQL.
Every database irisfx makes lives in its own directory under ``<mgr>/irisfx/<project>/<NS>/``.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from irisfx.engines import EngineSettings, redact_url
from irisfx.engines.base import (
    Connection,
    Engine,
    EngineInfo,
    Inventory,
    NoProgress,
    Progress,
    ProjectRecords,
    ResetsCopies,
    Role,
    Transferred,
    not_owned,
)
from irisfx.engines.iris.checks import refuse_unmountable, writable_mapped
from irisfx.engines.iris.connect import (
    Driver,
    Target,
    load_driver,
    open_dbapi,
    open_native,
    resolve_target,
)
from irisfx.engines.iris.helper import Helper, HelperFiles, ensure_helper
from irisfx.engines.iris.readonly import GuardedConnection
from irisfx.engines.iris.records import (
    Observed,
    Record,
    group_projects,
    observed_from_reply,
)
from irisfx.engines.iris.sql import (
    PROBE_QUERY,
    count_rows,
    list_user_tables,
    probe,
    resolve_tables,
)
from irisfx.engines.iris.steps import copy_database, prove_unchanged, undo
from irisfx.lockfile import names

__all__ = ["PROBE_QUERY", "IrisEngine"]
from irisfx.engines.iris.transfer import (
    PART_SUFFIX,
    PathMap,
    copy_on_server,
    download,
    server_dir,
    server_join,
    upload,
)
from irisfx.errors import ConflictError, EngineError, LockedError
from irisfx.files.faults import checkpoint
from irisfx.recipes.recipe import Recipe, run_recipe

log = logging.getLogger("irisfx.iris")


class IrisEngine:
    """The Engine contract (irisfx.engines.base) on a live IRIS instance."""

    def __init__(
        self,
        settings: EngineSettings,
        driver: Driver,
        target: Target,
        connection: Any,
        helper: Helper,
        info: dict[str, Any],
    ) -> None:
        self.project = names.check_project_name(settings.project)
        self.settings = settings
        self._driver = driver
        self._target = target
        self._connection = connection
        self._helper = helper
        self._files = HelperFiles(helper)
        self._paths = PathMap.from_settings(settings.path_map, settings.root)
        self._product = str(info.get("version", "InterSystems IRIS (unknown version)"))
        self._project_dir = server_dir(str(info["root"]), self.project)
        self._location = str(settings.root.absolute())

    @classmethod
    def open(cls, settings: EngineSettings) -> IrisEngine:
        """Connect to the instance the URL names and make sure the helper class is current."""
        names.check_project_name(settings.project)
        target = resolve_target(
            settings.url,
            settings.username_env,
            settings.password_env,
            settings.connect_timeout,
            os.environ,
        )
        driver = load_driver()
        connection = open_native(driver, target, settings.username_env, settings.password_env)
        try:
            native = driver.create_iris(connection)
            ensure_helper(native)
            helper = Helper(native)
            info = helper.call("Info")
        except BaseException:
            connection.close()
            raise
        return cls(settings, driver, target, connection, helper, info)

    # -- reading ---------------------------------------------------------------------------

    def info(self) -> EngineInfo:
        """kind iris, the server's $ZVERSION, the URL without any password."""
        return EngineInfo(
            kind="iris",
            url=redact_url(self.settings.url),
            product=self._product,
            simulator=False,
        )

    def inventory(self) -> Inventory:
        """Every namespace on the instance and this project's ownership records."""
        return self._observe().inventory

    def verify_mounts(self) -> dict[str, str | None]:
        """The server's SHA-256 of the file each ready mount and copy of this project serves
        (``FileDigest`` reads every byte on the server); None for a missing file."""
        observed = self._observe()
        digests: dict[str, str | None] = {}
        for ns, record in sorted(observed.records.items()):
            if record.role == "source" or record.state != "ready":
                continue
            dat = server_join(record.dir, "IRIS.DAT")
            digests[ns] = None if observed.files.get(ns) is None else self._served_digest(dat)
        return digests

    def _served_digest(self, dat: str) -> str | None:
        try:
            return self._files.digest(dat).sha256
        except EngineError:
            if self._files.stat(dat) is None:
                return None  # removed since the inventory was read
            raise

    def projects(self) -> list[ProjectRecords]:
        """Every irisfx project with records on the instance, sorted by (name, id)."""
        return group_projects(self._observe().everyone)

    def row_counts(self, namespace: str, tables: Sequence[str] | None = None) -> dict[str, int]:
        """Rows per ``Schema.Table``; every user table when ``tables`` is None."""
        connection = self.connect(namespace)
        try:
            present = list_user_tables(connection)
            if tables is None:
                wanted = {table: table for table in present}
            else:
                wanted = resolve_tables(tables, present)
            return count_rows(connection, wanted, names.normalize_namespace(namespace))
        finally:
            connection.close()

    def connect(self, namespace: str, *, read_only: bool = False,
                timeout: float | None = None) -> Connection:
        """A DB-API connection to ``namespace``; the caller closes it.

        ``read_only``: IRIS's parser decides what runs (only SELECT) and nothing commits;
        ``timeout``: a statement running longer is cancelled on the server (readonly.py).
        """
        ns = names.normalize_namespace(namespace)
        raw = open_dbapi(self._driver, self._target, ns, self.settings.username_env,
                         self.settings.password_env)
        if not read_only and timeout is None:
            connection: Connection = raw
            return connection
        try:
            return GuardedConnection(raw, self._helper.call, ns, timeout,
                                      read_only=read_only)
        except BaseException:
            raw.close()
            raise

    # -- changing ----------------------------------------------------------------------------

    def build(self, fixture: str, namespace: str, recipe: Recipe) -> None:
        """Create ``namespace`` on a new database of its own and run ``recipe`` in it."""
        names.check_fixture_name(fixture)
        ns = names.normalize_namespace(namespace)
        self._make_room(ns)
        record = self._new_record(fixture, "source", ns, recipe_sha256=recipe.sha256)
        self._put(ns, record)
        try:
            self._helper.call("CreateNamespace", ns, record.dir, 0, 1)
            checkpoint("iris.build.created")
            connection = self.connect(ns)
            try:
                run_recipe(recipe, connection)
            finally:
                connection.close()
            checkpoint("iris.build.ran")
        except BaseException:
            undo(self._helper, self.project, ns, record.dir)
            raise
        self._put(ns, record.with_state("ready"))

    def snapshot(self, namespace: str, dest: Path, progress: Progress) -> Transferred:
        """A consistent copy of ``namespace``'s database, written to the local file ``dest``."""
        ns = names.normalize_namespace(namespace)
        if ns not in self._observe().inventory.namespaces:
            raise EngineError(f"cannot snapshot namespace {ns}: it does not exist on IRIS")
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + PART_SUFFIX)
        located = writable_mapped(self._helper, self._paths, part)
        consistency = self.settings.snapshot_consistency
        if located is not None:
            progress.start(f"snapshot {ns} (shared directory)", None)
            got = copy_database(self._helper, ns, *located, consistency)
            checkpoint("iris.snapshot.copied")
            part.replace(dest)
            progress.finish()
            return got
        remote = server_join(self._project_dir, "snapshots", f"{ns}.DAT")
        got = copy_database(self._helper, ns, remote, "", consistency)
        checkpoint("iris.snapshot.copied")
        download(self._files, remote, dest, progress, got)
        checkpoint("iris.snapshot.transferred")
        self._files.delete(remote)
        return got

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
        """Serve ``local_path`` in a new namespace, after proving the server holds its bytes."""
        names.check_fixture_name(fixture)
        ns = names.normalize_namespace(namespace)
        refuse_unmountable(self._helper, fixture, local_path, self._product)
        self._make_room(ns)
        record = self._new_record(fixture, role, ns, sha256=sha256, readonly=readonly)
        self._put(ns, record)
        dat = server_join(record.dir, "IRIS.DAT")
        try:
            self._send(ns, local_path, sha256, dat, progress or NoProgress())
            checkpoint("iris.mount.copied")
            self._helper.call("CreateNamespace", ns, record.dir, int(readonly), 0)
            checkpoint("iris.mount.created")
            if readonly:
                prove_unchanged(self._files, fixture, dat, sha256)
            self._probe(ns)
        except BaseException:
            undo(self._helper, self.project, ns, record.dir)
            raise
        self._put(ns, record.with_state("ready").with_file(self._files.stat(dat)))

    def _probe(self, ns: str) -> None:
        """One connection and one query in the new namespace before it is recorded ready, so a
        database that cannot serve (e.g. <DIRECTORY> for a file copied while mounted) fails
        here, in irisfx, and not in the user's first test."""
        connection = self.connect(ns)
        try:
            probe(connection, ns)
        finally:
            connection.close()

    def reset_copy(self, fixture: str, local_path: Path, namespace: str, *, sha256: str) -> None:
        """Put a test copy back to ``local_path``: its bytes proven on the server, then the
        served file replaced (``ReplaceDatabase``). A namespace that is not a ready copy of
        this project is unmounted (refused if another project's) and mounted afresh."""
        names.check_fixture_name(fixture)
        ns = names.normalize_namespace(namespace)
        observed = self._observe()
        record = observed.records.get(ns)
        if (record is None or record.role != "copy" or record.state != "ready"
                or ns not in observed.inventory.namespaces or observed.files.get(ns) is None):
            if record is not None or ns in observed.inventory.others:
                self.unmount(ns)
            self.mount(fixture, local_path, ns, readonly=False, sha256=sha256, role="copy")
            return
        refuse_unmountable(self._helper, fixture, local_path, self._product)
        incoming = self._incoming(ns, local_path, sha256, NoProgress())
        # Marked first: a reset cut short leaves a record the next reset or plan repairs.
        self._put(ns, record.with_state("creating"))
        self._helper.call("ReplaceDatabase", ns, record.dir, incoming)
        checkpoint("iris.reset.replaced")
        dat = server_join(record.dir, "IRIS.DAT")
        self._put(ns, replace(record, sha256=sha256).with_file(self._files.stat(dat)))

    def unmount(self, namespace: str) -> None:
        """Remove a namespace this project owns, with its database and files."""
        ns = names.normalize_namespace(namespace)
        observed = self._observe()
        record = observed.records.get(ns)
        if record is None:
            foreign = observed.inventory.others.get(ns)
            if foreign is not None:
                raise not_owned(ns, self.project, foreign.owner)
            if ns not in observed.inventory.namespaces:
                return  # already gone: unmount is idempotent
            raise not_owned(ns, self.project, None)
        self._put(ns, record.with_state("removing"))
        self._helper.call("DeleteNamespace", ns, record.dir)
        checkpoint("iris.unmount.removed")
        self._helper.call("RecordKill", self.project, ns)

    def lock(self, timeout: float = 0.0) -> AbstractContextManager[None]:
        """The project lock: an IRIS LOCK held by this connection's server process."""
        return self._locked(max(0, math.ceil(timeout)))

    @contextmanager
    def _locked(self, seconds: int) -> Iterator[None]:
        reply = self._helper.call("Lock", self.project, seconds)
        if not reply.get("locked"):
            raise LockedError(
                f"another irisfx process holds the lock of project '{self.project}' on "
                f"{redact_url(self.settings.url)}",
                fix="wait for it to finish; the lock goes when that process ends",
            )
        try:
            yield
        finally:
            try:
                self._helper.call("Unlock", self.project)
            except EngineError as exc:
                # The lock dies with the connection anyway; do not hide the real error.
                log.warning("could not release the project lock: %s", exc.message)

    def close(self) -> None:
        """Close the Native API connection (which also releases the project lock)."""
        try:
            self._connection.close()
        except Exception as exc:
            log.debug("closing the IRIS connection: %s", exc)

    # -- steps -------------------------------------------------------------------------------

    def _observe(self) -> Observed:
        return observed_from_reply(self._helper.call("Inventory"), self.project,
                                   self.settings.project_id)

    def _new_record(self, fixture: str, role: Role, ns: str, **values: Any) -> Record:
        """A ``creating`` record of this project, with its id and folder."""
        return Record(fixture, role, "creating", self._db_dir(ns),
                      project_id=self.settings.project_id, location=self._location, **values)

    def _db_dir(self, ns: str) -> str:
        return server_dir(self._project_dir, ns)

    def _put(self, ns: str, record: Record) -> None:
        self._helper.call("RecordSet", self.project, ns, record.to_json())

    def _make_room(self, ns: str) -> Observed:
        """Refuse an existing namespace; clear what a half-made one of ours left behind."""
        observed = self._observe()
        foreign = observed.inventory.others.get(ns)
        if ns not in observed.records and foreign is not None:
            # Recording ours would overwrite it (a project of the same name shares the node).
            raise not_owned(ns, self.project, foreign.owner)
        if ns in observed.inventory.namespaces:
            raise ConflictError(
                f"namespace {ns} already exists on IRIS",
                fix=f"unmount it first (irisfx apply removes namespaces it owns), or choose "
                f"another name than {ns}",
            )
        leftover = observed.records.get(ns)
        if leftover is not None:
            self._helper.call("DeleteNamespace", ns, leftover.dir)
        return observed

    def _send(self, ns: str, local_path: Path, sha256: str, dat: str,
              progress: Progress) -> None:
        """Put the file's bytes at ``dat``, proven equal to ``sha256`` on the server side."""
        self._files.rename(self._incoming(ns, local_path, sha256, progress), dat)

    def _incoming(self, ns: str, local_path: Path, sha256: str, progress: Progress) -> str:
        """The file's bytes on the server under a temporary name, proven equal to ``sha256``."""
        # The temporary name depends only on the namespace and the content, so an interrupted
        # upload resumes, and two processes mounting the same file (xdist workers making their
        # copies) never append to, or rename away, each other's upload.
        incoming = server_join(self._project_dir, "incoming", f"{ns}-{sha256}.DAT")
        located = self._paths.locate(local_path)
        if located is not None:
            mapped, base = located
            copy_on_server(mapped, base, incoming, self._files, sha256=sha256,
                           label=local_path.name)
        else:
            upload(local_path, incoming, self._files, progress, sha256=sha256)
        return incoming



if TYPE_CHECKING:

    def _conforms(engine: IrisEngine) -> Engine:
        """mypy proves here that IrisEngine obeys the contract."""
        return engine

    def _resets(engine: IrisEngine) -> ResetsCopies:
        """... and that it resets test copies in one step."""
        return engine
