"""The pytest plugin's work in one process: the session-start step, test copies, row checks.

Imported only once a test asks for an irisfx fixture (or an xdist controller starts with a
fixtures.toml in effect), so its imports may be heavy. Every irisfx error leaves this module as
a PluginError carrying the rendered message, so the plugin can show it without a traceback.

Copies: a writable fixture (``readonly = false``), or any fixture a marker asks for with
``writable=True``, is never served to tests from its declared mount. Each process gets its own
copy of the pinned file in ``<MOUNT>_<WORKER>`` (FX_ORDERS_GW0 under xdist, FX_ORDERS_MAIN
without), mounted with role "copy", which plan and apply ignore. A read-only fixture, and a
writable one asked for with ``writable=False``, is served from the mount itself.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from irisfx.engines.base import Engine, ResetsCopies
from irisfx.errors import ConfigError, ConflictError, IrisfxError, UsageError
from irisfx.lockfile.journal import load_project_with_pins
from irisfx.lockfile.models import Pin, ResolvedFixture
from irisfx.lockfile.names import generated_name, normalize_namespace, row_mismatches
from irisfx.lockfile.project import Project, unknown_fixture_error
from irisfx.plugin.settings import (
    CONFIG_NAME,
    ENV_CI,
    PluginError,
    PluginSettings,
    Request,
    Scope,
)
from irisfx.reconcile.apply import ApplyOptions, run_apply
from irisfx.reconcile.observe import open_project_engine
from irisfx.reconcile.plan import Action
from irisfx.reconcile.planned import compute_plan
from irisfx.reconcile.report import render_text
from irisfx.reconcile.workspace import Workspace

if TYPE_CHECKING:
    from irisfx.engines.iris.container import RunningIris

# Two pytest runs of one project may start together (two terminals, a CI matrix); the
# second waits for the first one's apply instead of failing on the project lock.
APPLY_LOCK_WAIT = 300.0
XDIST_COPY = re.compile(r".+_(GW\d+)")


def copy_namespace(mount: str, worker: str) -> str:
    """The namespace of a process's copy: FX_ORDERS + gw0 -> FX_ORDERS_GW0, at most
    GENERATED_MAX characters (names.generated_name) so fixtures move between IRIS versions."""
    suffix = "_" + re.sub(r"[^A-Z0-9]", "_", worker.upper())
    return normalize_namespace(generated_name(mount, suffix))


@contextlib.contextmanager
def rendered() -> Iterator[None]:
    # The one place irisfx errors become messages; OSError covers a fixture file that
    # vanished or a simulator folder that cannot be written.
    try:
        yield
    except IrisfxError as exc:
        raise PluginError("irisfx " + exc.render()) from None
    except OSError as exc:
        raise PluginError(f"irisfx error: {exc.strerror or exc}: {exc.filename}") from None


@dataclass(frozen=True)
class Served:
    """Where one test reaches one fixture."""

    namespace: str
    read_only: bool  # connections refuse writes (the engine enforces it)


@dataclass
class _Copy:
    namespace: str
    group: str  # the scope group (test, class, module or session) that used it last
    clean: bool  # no test has been given it since it was mounted


class IrisfxRun:
    """Project, engine and copies for one pytest process (the controller or one worker)."""

    def __init__(self, settings: PluginSettings, worker: str) -> None:
        self.settings = settings
        self.worker = worker
        self.summary: list[str] = []
        self.summary_kept: list[str] = []  # copies xdist workers kept (--irisfx-keep)
        self.copies: dict[str, _Copy] = {}
        self._project: Project | None = None
        self._engine: Engine | None = None
        self._container: RunningIris | None = None
        self._load_failure: PluginError | None = None
        self._checked: dict[tuple[str, bool], PluginError | None] = {}  # rows, per copy or not
        self._mount_checked: set[str] = set()

    # -- loading -----------------------------------------------------------------------

    def project(self) -> Project:
        """fixtures.toml, loaded once; a failure is remembered and repeated to every caller."""
        if self._load_failure is not None:
            raise self._load_failure
        if self._project is None:
            try:
                with rendered():
                    path = self.settings.config_path
                    if path is None:
                        raise ConfigError(
                            f"a test uses @pytest.mark.irisfx, but there is no {CONFIG_NAME} "
                            f"in {self.settings.searched_from} or any folder above it",
                            fix="create one with 'irisfx init', or point to it with "
                            "--irisfx-config PATH (or IRISFX_CONFIG, or ini irisfx_config)",
                        )
                    self._project = load_project_with_pins(path)
            except PluginError as exc:
                self._load_failure = exc
                raise
        return self._project

    def engine(self) -> Engine:
        """The engine, opened once per process."""
        if self._engine is None:
            project = self.project()
            with rendered():
                self._engine = open_project_engine(project, self._engine_url())
        return self._engine

    def _engine_url(self) -> str | None:
        """The --irisfx-iris value; ``container[:IMAGE]`` becomes the run's IRIS container,
        started by the first process that needs it (the xdist controller) and shared through
        the environment with the processes it starts (the workers)."""
        from irisfx.engines.iris.container import RUN_URL_ENV, container_image, shared_url

        image = container_image(self.settings.iris.value)
        if image is None:
            return self.settings.iris.value
        url, started = shared_url(RUN_URL_ENV, image)
        if started is not None:
            self._container = started
        return url

    def _stop_container(self) -> None:
        if self._container is not None:
            self._container.stop()
            self._container = None

    def check_names(self, names: list[str]) -> None:
        """PluginError listing the declared fixtures when a name is not declared."""
        known = sorted(self.project().doc.fixtures)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise PluginError("irisfx " + unknown_fixture_error(unknown, known).render())

    def copied(self, name: str, request: Request) -> bool:
        """True when ``request`` gets a copy of fixture ``name`` (a declared fixture)."""
        return request.copied(self.project().doc.fixtures[name].readonly)

    # -- session start (single process or xdist controller) -----------------------------

    def start(self) -> None:
        """Apply, check, or only look, as the mode says; fills ``summary`` for the header."""
        mode = self.settings.mode
        project, engine = self.project(), self.engine()
        with rendered():
            product = engine.info().product
            if mode in ("apply", "locked"):
                outcome = self._apply(project, engine, locked=mode == "locked")
            elif mode == "check":
                plan = compute_plan(Workspace.open(project), engine).plan
                if plan.has_changes:
                    raise PluginError(
                        "irisfx: the fixtures do not match fixtures.toml "
                        "(--irisfx-mode check)\n" + render_text(plan, product)
                        + "\nfix: run 'irisfx apply', or run pytest with --irisfx-mode apply"
                    )
                outcome = "check: fixtures match fixtures.toml"
            else:
                outcome = "mode never: using what is mounted"
        self.summary = [f"irisfx: engine {product}", f"irisfx: {outcome}"]

    def _apply(self, project: Project, engine: Engine, *, locked: bool) -> str:
        done: list[str] = []

        def record(kind: str, action: Action) -> None:
            if kind == "done":
                done.append(f"{action.kind} {action.fixture}")

        # Auto-approved, replace and unmount included: the instance the tests run on is the
        # test instance; --irisfx-mode check is for refusing instead.
        ws = Workspace.open(project)
        try:
            run_apply(ws, engine, ApplyOptions(locked=locked, lock_timeout=APPLY_LOCK_WAIT),
                      confirm=lambda plan: True, on_event=record)
        except UsageError as exc:
            if not locked:
                raise
            raise PluginError(self._locked_message(exc)) from None
        self._project = ws.project
        how = " (locked)" if locked else ""
        return f"applied{how}: " + ", ".join(done) if done else f"apply{how}: no changes"

    def _locked_message(self, exc: UsageError) -> str:
        why = (f"{ENV_CI} is set" if self.settings.mode_source.endswith(f"{ENV_CI} is set")
               else self.settings.mode_source)
        return "\n".join([
            f"irisfx error: {exc.message}",
            *(f"  {line}" for line in exc.details),
            f"  the plugin runs in mode locked ({why}): it never writes pins",
            "  fix: run 'irisfx apply' (or pytest) where CI is not set, and commit "
            "fixtures.toml and the fixture files; --irisfx-mode apply allows re-pinning here",
        ])

    # -- per test ----------------------------------------------------------------------

    def prepare(self, requests: Mapping[str, Request], group: Callable[[Scope], str]
                ) -> dict[str, Served]:
        """Make every requested fixture ready for one test; fixture name -> where it is."""
        return {name: self._prepare(name, request, group(request.scope))
                for name, request in requests.items()}

    def _prepare(self, name: str, request: Request, group: str) -> Served:
        project = self.project()
        with rendered():
            fixture = project.fixture(name)
        pin = fixture.pin
        if pin is None:
            raise PluginError(
                f"irisfx error: fixture '{name}' has no pin yet, so there is nothing to mount\n"
                "  fix: run 'irisfx apply', or run pytest with --irisfx-mode apply")
        copied = request.copied(fixture.decl.readonly)
        with rendered():
            if copied:
                served = Served(self._copy(fixture, pin, request.scope, group), False)
            else:
                if name not in self._mount_checked:
                    self._check_mounted(fixture, pin)
                    self._mount_checked.add(name)
                # A read-only mount refuses writes itself; a writable fixture's mount needs
                # read-only connections to be a read-only view.
                served = Served(fixture.mount, not fixture.decl.readonly)
        self._check_rows_once(fixture, served.namespace, copied)
        return served

    def _check_mounted(self, fixture: ResolvedFixture, pin: Pin) -> None:
        ns = fixture.mount
        record = self.engine().inventory().owned.get(ns)
        why = None
        if record is None or record.role != "mount" or not record.database_present:
            why = f"namespace {ns} is not mounted"
        elif record.state != "ready":
            why = f"namespace {ns} is half-made (state {record.state})"
        elif record.sha256 != pin.sha256 or record.changed:
            why = f"namespace {ns} does not serve the pinned file"
        if why:
            raise ConflictError(
                f"fixture '{fixture.name}' is not ready: {why}",
                fix="run 'irisfx apply', or run pytest with --irisfx-mode apply")

    def _copy(self, fixture: ResolvedFixture, pin: Pin, scope: Scope, group: str) -> str:
        copy = self.copies.get(fixture.name)
        if copy is None:
            namespace = copy_namespace(fixture.mount, self.worker)
            self._remove_stale(fixture, namespace)
            self._mount_copy(fixture, pin, namespace)
            copy = self.copies[fixture.name] = _Copy(namespace, group, clean=True)
        elif not copy.clean and scope != "session" and (scope == "function"
                                                         or copy.group != group):
            # Back to the pinned state: a fresh copy is cheaper to reason about than undoing
            # whatever the previous tests wrote.
            self._reset_copy(fixture, pin, copy.namespace)
        copy.group, copy.clean = group, False
        return copy.namespace

    def _remove_stale(self, fixture: ResolvedFixture, namespace: str) -> None:
        # A run that was killed leaves its copy behind under the same name; replace it.
        record = self.engine().inventory().owned.get(namespace)
        if record is None:
            return
        if record.role != "copy":
            raise ConflictError(
                f"the test copy of fixture '{fixture.name}' needs namespace {namespace}, "
                f"which is the {record.role} of fixture '{record.fixture}'",
                fix=f"give fixture '{fixture.name}' or '{record.fixture}' another mount name")
        self.engine().unmount(namespace)

    def _mount_copy(self, fixture: ResolvedFixture, pin: Pin, namespace: str) -> None:
        self.engine().mount(fixture.name, self._pinned_file(fixture), namespace,
                            readonly=False, sha256=pin.sha256, role="copy")

    def _reset_copy(self, fixture: ResolvedFixture, pin: Pin, namespace: str) -> None:
        engine = self.engine()
        if isinstance(engine, ResetsCopies):  # one file copy and one state change
            engine.reset_copy(fixture.name, self._pinned_file(fixture), namespace,
                              sha256=pin.sha256)
        else:
            engine.unmount(namespace)
            self._mount_copy(fixture, pin, namespace)

    def _pinned_file(self, fixture: ResolvedFixture) -> Path:
        path = self.project().path(fixture.file)
        if not path.is_file():
            raise ConfigError(f"fixture '{fixture.name}' has no file at {fixture.file}",
                              fix="run 'irisfx apply' to make it")
        return path

    def _check_rows_once(self, fixture: ResolvedFixture, namespace: str, copied: bool) -> None:
        key = (fixture.name, copied)
        if key in self._checked:
            failure = self._checked[key]
            if failure is not None:
                raise failure
            return
        failure = None
        expect = fixture.decl.expect
        if expect:
            with rendered():
                counts = self.engine().row_counts(namespace, list(expect))
            wrong = [f"  {line}" for line in row_mismatches(expect, counts)]
            if wrong:
                failure = PluginError(
                    f"irisfx error: fixture '{fixture.name}' does not hold the rows "
                    f"fixtures.toml expects (namespace {namespace})\n" + "\n".join(wrong)
                    + "\n  fix: correct 'expect' in fixtures.toml, or the recipe and then "
                    f"run 'irisfx apply --rebuild {fixture.name}'")
        self._checked[key] = failure
        if failure is not None:
            raise failure

    # -- session end -------------------------------------------------------------------

    def finish(self, *, sweep_workers: bool) -> list[str]:
        """Remove this process's copies (unless keep); return what could not be removed."""
        problems: list[str] = []
        if self.settings.keep:
            self.close()
            self._stop_container()
            return problems
        doomed = {c.namespace: name for name, c in self.copies.items()}
        if sweep_workers:
            doomed.update(self._leftover_worker_copies(problems))
        for namespace, name in sorted(doomed.items()):
            try:
                with rendered():
                    self.engine().unmount(namespace)
            except PluginError as exc:
                problems.append(f"could not remove {namespace}, the test copy of '{name}': "
                                f"{exc}")
        self.copies.clear()
        self.close()
        self._stop_container()
        return problems

    def _leftover_worker_copies(self, problems: list[str]) -> dict[str, str]:
        # Workers remove their own copies; this catches those of a worker that crashed.
        try:
            project = self.project()
            with rendered():
                owned = self.engine().inventory().owned
        except PluginError as exc:
            problems.append(f"could not look for copies left by workers: {exc}")
            return {}
        found = {}
        for namespace, record in owned.items():
            match = XDIST_COPY.fullmatch(namespace)
            if record.role != "copy" or match is None or record.fixture not in project.doc.fixtures:
                continue
            if copy_namespace(project.fixture(record.fixture).mount, match[1]) == namespace:
                found[namespace] = record.fixture
        return found

    def close(self) -> None:
        """Release the engine."""
        if self._engine is not None:
            with contextlib.suppress(Exception):  # nothing useful to do if closing fails
                self._engine.close()
            self._engine = None
