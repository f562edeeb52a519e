"""apply: carry out a plan, recording each finished action at once so a killed run resumes.

``compute_plan`` (irisfx.reconcile.planned) is the single path both ``plan`` and ``apply`` take:
``plan`` is ``apply`` without effects. Order of effects for a snapshot: the engine writes
``FILE.irisfx-new``, the new pin is appended to ``.irisfx/pins.journal`` (the commit point, see
irisfx.lockfile.journal), then the file is renamed into place. A kill before the pin leaves the
old pin and file; a kill after it leaves a finished copy that the next plan recognises by its
digest and renames. The journal is folded
into fixtures.toml at the end of apply, or by the next apply after a kill.

Fixtures the plan lists under "Problems" are skipped: apply carries out the rest, then fails
(exit 3 for integrity, 1 for a conflict) naming the blocked ones. SIGTERM is handled like
Ctrl-C while apply runs: it stops with the resume message and exit code 130.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import filelock

from irisfx.engines.base import Engine, NoProgress, Progress
from irisfx.errors import (
    ApplyFailed,
    ConflictError,
    IntegrityError,
    IrisfxError,
    LockedError,
    UsageError,
)
from irisfx.files.atomic import check_same_folder, create_new_file, open_folder, regular_file_stat
from irisfx.files.digest import digest_files, sha256_file
from irisfx.files.diskfull import file_size, no_room
from irisfx.files.faults import checkpoint
from irisfx.files.signals import sigterm_as_interrupt
from irisfx.lockfile.journal import PinWriter, fold, fold_pending, journal_path
from irisfx.lockfile.models import Pin, ResolvedFixture
from irisfx.lockfile.project import Project
from irisfx.reconcile.blocked import blocked_error
from irisfx.reconcile.expectations import check_mount, check_source
from irisfx.reconcile.observe import Observation, new_file_path
from irisfx.reconcile.plan import Action, Plan
from irisfx.reconcile.planned import compute_plan
from irisfx.reconcile.renames import advise_plan
from irisfx.reconcile.report import SavedPlan
from irisfx.reconcile.workspace import Workspace

EventSink = Callable[[str, Action], None]


@dataclass(frozen=True)
class ApplyOptions:
    """What the user asked of apply."""

    names: tuple[str, ...] = ()
    rebuild: tuple[str, ...] = ()
    full_verify: bool = False
    locked: bool = False
    lock_timeout: float = 0.0
    saved: SavedPlan | None = None


def run_apply(
    ws: Workspace,
    engine: Engine,
    options: ApplyOptions,
    *,
    confirm: Callable[[Plan], bool],
    on_event: EventSink,
) -> Plan:
    """Plan again under the locks and carry the plan out; ``ws.project`` ends up current.

    Fixtures blocked by a problem are skipped; the error naming them is raised at the end.
    """
    names, rebuild = options.names, options.rebuild
    if options.saved is not None:
        names, rebuild = options.saved.names, options.saved.rebuild
    local = filelock.FileLock(ws.project.state_dir / "apply.lock",
                              timeout=options.lock_timeout)
    with ExitStack() as stack:
        stack.enter_context(sigterm_as_interrupt())
        try:
            stack.enter_context(local)
        except filelock.Timeout:
            raise LockedError(
                "another irisfx apply is running in this project folder",
                fix="wait for it to finish, or pass --lock-timeout SECONDS to wait",
            ) from None
        stack.enter_context(engine.lock(options.lock_timeout))
        ws.remove_stale_temp_files()
        fold_pending(ws.project, locked=options.locked)
        # Whoever held the lock may have re-pinned: plan from fixtures.toml as it is now.
        ws.reload()
        planned = compute_plan(ws, engine, names, rebuild=rebuild,
                               full_verify=options.full_verify)
        if options.saved is not None:
            options.saved.check_still_valid(ws.project, planned)
        plan = planned.plan
        if options.locked and plan.writes_pins:
            raise UsageError(
                "apply would write new pins to fixtures.toml, and --locked forbids it",
                details=[f"{a.kind} {a.fixture}: {a.reason}" for a in plan.actions
                         if a.kind == "snapshot"],
                fix="run 'irisfx apply' without --locked (and IRISFX_LOCKED) and commit "
                "fixtures.toml",
            )
        if plan.actions and plan.needs_consent(rebuild) and not confirm(plan):
            raise UsageError("apply cancelled; nothing was changed")
        _Runner(ws, engine, planned.observation, on_event).run(plan)
        if plan.problems:
            raise blocked_error(advise_plan(ws, plan))
        return plan


class _Runner:
    def __init__(self, ws: Workspace, engine: Engine, observation: Observation,
                 on_event: EventSink) -> None:
        self.ws = ws
        self.engine = engine
        self.observation = observation
        self.on_event = on_event
        self.done = 0
        self.pins = PinWriter(ws.project)
        self.pinned: dict[str, Pin] = {}

    @property
    def project(self) -> Project:
        return self.ws.project

    def run(self, plan: Plan) -> None:
        try:
            for action in plan.actions:
                self._run_one(plan, action)
        except BaseException:
            self.pins.close()
            if self.pinned:  # best effort: a journal left behind is folded by the next apply
                with contextlib.suppress(IrisfxError, OSError):
                    self.ws.project = fold(self.ws.project)
            raise
        self.pins.close()
        if self.pinned:
            try:
                self.ws.project = fold(self.ws.project)
            except OSError as exc:
                room = no_room(exc, self.project.config_path, None)
                raise ApplyFailed(
                    room.message() if room else f"cannot write {self.project.config_path}: "
                    f"{exc.strerror or exc}",
                    details=[f"all {self.done} actions finished; their pins are kept in "
                             f"{journal_path(self.project)} until fixtures.toml is written"],
                    fix=(room.fix() if room else "correct the cause above, then run "
                         "'irisfx apply' again"),
                ) from exc

    def _run_one(self, plan: Plan, action: Action) -> None:
        self.on_event("start", action)
        try:
            getattr(self, f"_{action.kind}")(action)
        except IntegrityError:
            raise
        except (IrisfxError, OSError) as exc:
            room = no_room(exc, self._writes_to(action), self._needs(action))
            if room is not None:
                raise self._failed(plan, action, room.message(), [], room.fix()) from exc
            if isinstance(exc, IrisfxError):
                raise self._failed(plan, action, exc.message, exc.details, exc.fix) from exc
            raise self._failed(plan, action, f"{exc.strerror or exc}: {exc.filename}",
                               [], None) from exc
        finally:
            self.ws.save_cache()
        self.done += 1
        self.on_event("done", action)
        checkpoint(f"apply.{action.kind}.done")

    def _writes_to(self, action: Action) -> str:
        if action.kind in ("snapshot", "verify"):
            return str(new_file_path(self.project.path(self._fixture(action).file)))
        url = self.observation.engine.url
        if url.startswith("sim://"):  # the simulator's storage is a folder we can name
            folder = Path(url.removeprefix("sim://") or ".")
            return str(folder if folder.is_absolute() else self.project.root / folder)
        return f"the instance's storage ({url})"

    def _needs(self, action: Action) -> int | None:
        if action.fixture not in self.project.doc.fixtures:
            return None
        fixture = self._fixture(action)
        pin = self.pinned.get(fixture.name) or fixture.pin
        return pin.size if pin else file_size(self.project.path(fixture.file))

    def _failed(self, plan: Plan, action: Action, message: str, details: list[str],
                fix: str | None) -> ApplyFailed:
        return ApplyFailed(
            f"apply stopped at {action.kind} {action.fixture}: {message}",
            details=[*details, f"{self.done} of {len(plan.actions)} actions finished and are "
                     "recorded"],
            fix=fix if fix and "irisfx apply" in fix
            else (fix + "\n" if fix else "") + "then run 'irisfx apply' again to resume",
        )

    def _fixture(self, action: Action) -> ResolvedFixture:
        fixture = self.project.fixture(action.fixture)
        pin = self.pinned.get(action.fixture)
        if pin is None:
            return fixture
        return ResolvedFixture(fixture.name, fixture.decl.model_copy(update={"pin": pin}))

    def _progress(self) -> Progress:
        return self.ws.progress() if self.ws.progress else NoProgress()

    def _pull(self, action: Action) -> None:
        from irisfx.reconcile.pull import pull_fixture  # fsspec loads only when a pull runs

        pull_fixture(self.ws, self._fixture(action))

    def _build(self, action: Action) -> None:
        fixture = self._fixture(action)
        if action.drop_first:
            self.engine.unmount(fixture.source)
            checkpoint("apply.build.dropped")
        self.engine.build(fixture.name, fixture.source, self.observation.recipes[fixture.name])

    def _snapshot(self, action: Action) -> None:
        fixture = self._fixture(action)
        relative = PurePosixPath(fixture.file)
        target = self.project.path(fixture.file)
        fresh = new_file_path(target)
        folder = open_folder(self.project.root, relative.parent, create=True)
        try:
            if action.resume:
                before = regular_file_stat(folder, fresh.name, self.project.root,
                                           relative.parent)
                self._rename_into_place(folder, relative, fixture, before, None)
                return
            create_new_file(folder, fresh.name)
            sent = self.engine.snapshot(fixture.source, fresh, self._progress())
            check_same_folder(self.project.root, relative.parent, folder)
            before = regular_file_stat(folder, fresh.name, self.project.root, relative.parent)
            received = sha256_file(fresh)
            if received.sha256 != sent.sha256:
                os.unlink(fresh.name, dir_fd=folder)
                raise IntegrityError(
                    f"the snapshot of {fixture.source} changed in transit",
                    details=[f"instance: sha256:{sent.sha256}",
                             f"local:    sha256:{received.sha256}"],
                    fix="run 'irisfx apply' again; if it repeats, check the connection and disk",
                )
            checkpoint("apply.snapshot.copied")
            try:
                tables = check_source(self.engine, fixture)
            except ConflictError:
                os.unlink(fresh.name, dir_fd=folder)
                raise
            recipe = self.observation.recipes.get(fixture.name)
            pin = Pin(sha256=received.sha256, size=received.size,
                      recipe_sha256=recipe.sha256 if recipe else None,
                      built_by=self.observation.engine.product, tables=tables,
                      queries=list(fixture.decl.queries) or None,
                      created=datetime.now(UTC).replace(microsecond=0))
            check_same_folder(self.project.root, relative.parent, folder)
            self.pins.write(fixture.name, fixture.decl, pin)
            self.pinned[fixture.name] = pin
            checkpoint("apply.snapshot.pinned")
            self._rename_into_place(folder, relative, self._fixture(action), before,
                                    received.sha256)
        finally:
            os.close(folder)

    def _rename_into_place(self, folder: int, relative: PurePosixPath, fixture: ResolvedFixture,
                           hashed: os.stat_result, sha256: str | None) -> None:
        """Rename FILE.irisfx-new over FILE, through the folder's descriptor: no link followed.

        ``sha256`` was hashed from the new file while it had stat ``hashed`` (None: it was
        observed by the plan); it goes to the stat cache only if the bytes are still those.
        """
        root, target = self.project.root, self.project.path(fixture.file)
        fresh = new_file_path(target)
        pin = fixture.pin
        assert pin is not None  # a pin was just written, or the plan saw one
        now = regular_file_stat(folder, fresh.name, root, relative.parent)
        cached = self.ws.cache.lookup(fresh, now)
        if sha256 is None or _identity(now) != _identity(hashed):
            sha256 = cached or sha256_file(fresh).sha256
        if sha256 != pin.sha256:
            raise IntegrityError(
                f"the new file of fixture '{fixture.name}' changed after it was pinned",
                details=[f"file: {fresh.name} in {relative.parent}", "Nothing was mounted."],
                fix=f"rebuild it: irisfx apply --rebuild {fixture.name}",
            )
        check_same_folder(root, relative.parent, folder)
        os.replace(fresh.name, relative.name, src_dir_fd=folder, dst_dir_fd=folder)
        os.fsync(folder)
        self.ws.cache.forget(fresh)
        self.ws.cache.store(target, sha256, now, moved=True)

    def _verify(self, action: Action) -> None:
        fixture = self._fixture(action)
        path = self.project.path(fixture.file)
        pin = fixture.pin
        assert pin is not None  # the plan verifies pinned files only
        found = digest_files([path], self.ws.cache)[path]
        if found is None or found.sha256 != pin.sha256:
            raise IntegrityError(
                f"fixture '{fixture.name}' changed on disk after it was planned",
                details=[f"file: {fixture.file}", "Nothing was mounted."],
                fix="run 'irisfx plan' to see the difference",
            )

    def _mount(self, action: Action) -> None:
        fixture = self._fixture(action)
        pin = fixture.pin
        assert pin is not None  # a mount always follows a snapshot or a verified pin
        self.engine.mount(fixture.name, self.project.path(fixture.file), fixture.mount,
                          readonly=fixture.decl.readonly, sha256=pin.sha256,
                          progress=self._progress())
        checkpoint("apply.mount.mounted")
        check_mount(self.engine, fixture)

    def _replace(self, action: Action) -> None:
        self.engine.unmount(self._fixture(action).mount)
        checkpoint("apply.replace.unmounted")
        self._mount(action)

    def _unmount(self, action: Action) -> None:
        assert action.namespace is not None
        self.engine.unmount(action.namespace)


def _identity(stat: os.stat_result) -> tuple[int, ...]:
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev
