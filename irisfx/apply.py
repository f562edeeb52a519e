"""apply: carry out a plan, recording each finished action at once so a killed run resumes.

``compute_plan`` is the single path both ``plan`` and ``apply`` take: ``plan`` is ``apply``
without effects. Order of effects for a snapshot: the engine writes ``FILE.irisfx-new``, the new
pin is written to fixtures.toml (the commit point), then the file is renamed into place. A kill
before the pin leaves the old pin and file; a kill after it leaves a finished copy that the next
plan recognises by its digest and renames.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import filelock

from irisfx.config import Project, save_project, unknown_fixture_error
from irisfx.digest import digest_files, sha256_file
from irisfx.engines.base import Engine, NoProgress, Progress
from irisfx.errors import (
    ApplyFailed,
    ConflictError,
    IntegrityError,
    IrisfxError,
    LockedError,
    UsageError,
)
from irisfx.faults import checkpoint
from irisfx.models import Pin, ResolvedFixture
from irisfx.names import row_mismatches
from irisfx.observe import Observation, new_file_path, observe
from irisfx.plan import Action, Plan, make_plan
from irisfx.report import SavedPlan, fingerprint, problems_error
from irisfx.store.location import store_url
from irisfx.workspace import Workspace

EventSink = Callable[[str, Action], None]


@dataclass(frozen=True)
class Planned:
    """A plan with the observation it was made from."""

    plan: Plan
    observation: Observation
    fingerprint: dict[str, str]
    rebuild: tuple[str, ...]


def select_fixtures(project: Project, names: Collection[str]) -> list[ResolvedFixture]:
    """The fixtures named (all when none); an unknown name is a ConfigError."""
    if not names:
        return project.fixtures()
    unknown = [n for n in names if n not in project.doc.fixtures]
    if unknown:
        raise unknown_fixture_error(unknown, sorted(project.doc.fixtures))
    return [project.fixture(n) for n in sorted(set(names))]


def compute_plan(
    ws: Workspace,
    engine: Engine,
    names: Collection[str] = (),
    *,
    rebuild: Collection[str] = (),
    full_verify: bool = False,
) -> Planned:
    """Observe and plan. Read-only, except that fresh digests go to the stat cache."""
    project = ws.project
    fixtures = select_fixtures(project, [*names, *rebuild] if names else ())
    select_fixtures(project, rebuild)  # an unknown --rebuild name is an error too
    observation = observe(project, engine, fixtures, ws.cache, full=full_verify,
                          progress=ws.progress)
    declared = {ns for f in project.fixtures() for ns in (f.source, f.mount)}
    plan = make_plan(fixtures, observation, declared_namespaces=declared, rebuild=set(rebuild),
                     narrowed=bool(names), store=store_url(project) is not None)
    ws.save_cache()
    return Planned(plan, observation, fingerprint(project, observation), tuple(sorted(rebuild)))


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
    """Plan again under the locks and carry the plan out; ``ws.project`` ends up current."""
    names, rebuild = options.names, options.rebuild
    if options.saved is not None:
        names, rebuild = options.saved.names, options.saved.rebuild
    local = filelock.FileLock(ws.project.state_dir / "apply.lock",
                              timeout=options.lock_timeout)
    with ExitStack() as stack:
        try:
            stack.enter_context(local)
        except filelock.Timeout:
            raise LockedError(
                "another irisfx apply is running in this project folder",
                fix="wait for it to finish, or pass --lock-timeout SECONDS to wait",
            ) from None
        stack.enter_context(engine.lock(options.lock_timeout))
        # Whoever held the lock may have re-pinned: plan from fixtures.toml as it is now.
        ws.reload()
        planned = compute_plan(ws, engine, names, rebuild=rebuild,
                               full_verify=options.full_verify)
        if options.saved is not None:
            options.saved.check_still_valid(ws.project, planned)
        plan = planned.plan
        if plan.problems:
            raise problems_error(plan.problems)
        if options.locked and plan.writes_pins:
            raise UsageError(
                "apply would write new pins to fixtures.toml, and --locked forbids it",
                details=[f"{a.kind} {a.fixture}: {a.reason}" for a in plan.actions
                         if a.kind == "snapshot"],
                fix="run 'irisfx apply' without --locked (and IRISFX_LOCKED) and commit "
                "fixtures.toml",
            )
        if plan.needs_consent(rebuild) and not confirm(plan):
            raise UsageError("apply cancelled; nothing was changed")
        _Runner(ws, engine, planned.observation, on_event).run(plan)
        return plan


class _Runner:
    def __init__(self, ws: Workspace, engine: Engine, observation: Observation,
                 on_event: EventSink) -> None:
        self.ws = ws
        self.engine = engine
        self.observation = observation
        self.on_event = on_event
        self.done = 0

    @property
    def project(self) -> Project:
        return self.ws.project

    def run(self, plan: Plan) -> None:
        for action in plan.actions:
            self.on_event("start", action)
            try:
                getattr(self, f"_{action.kind}")(action)
            except IntegrityError:
                raise
            except IrisfxError as exc:
                raise self._failed(plan, action, exc.message, exc.details, exc.fix) from exc
            except OSError as exc:
                raise self._failed(plan, action, f"{exc.strerror or exc}: {exc.filename}",
                                   [], None) from exc
            finally:
                self.ws.save_cache()
            self.done += 1
            self.on_event("done", action)
            checkpoint(f"apply.{action.kind}.done")

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
        return self.project.fixture(action.fixture)

    def _progress(self) -> Progress:
        return self.ws.progress() if self.ws.progress else NoProgress()

    def _pull(self, action: Action) -> None:
        from irisfx.store.apply import pull_fixture  # fsspec loads only when a pull runs

        pull_fixture(self.ws, self._fixture(action))

    def _build(self, action: Action) -> None:
        fixture = self._fixture(action)
        if action.drop_first:
            self.engine.unmount(fixture.source)
            checkpoint("apply.build.dropped")
        self.engine.build(fixture.name, fixture.source, self.observation.recipes[fixture.name])

    def _snapshot(self, action: Action) -> None:
        fixture = self._fixture(action)
        target = self.project.path(fixture.file)
        fresh = new_file_path(target)
        if action.resume:
            self._rename_into_place(fresh, target, fixture)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fresh.unlink(missing_ok=True)
        sent = self.engine.snapshot(fixture.source, fresh, self._progress())
        received = sha256_file(fresh)
        if received.sha256 != sent.sha256:
            fresh.unlink(missing_ok=True)
            raise IntegrityError(
                f"the snapshot of {fixture.source} changed in transit",
                details=[f"instance: sha256:{sent.sha256}", f"local:    sha256:{received.sha256}"],
                fix="run 'irisfx apply' again; if it repeats, check the connection and disk",
            )
        checkpoint("apply.snapshot.copied")
        tables = self.engine.row_counts(fixture.source)
        _check_expectations(fixture, tables, fresh)
        recipe = self.observation.recipes.get(fixture.name)
        pin = Pin(sha256=received.sha256, size=received.size,
                  recipe_sha256=recipe.sha256 if recipe else None,
                  built_by=self.observation.engine.product, tables=tables,
                  created=datetime.now(UTC).replace(microsecond=0))
        self._write_pin(fixture, pin)
        checkpoint("apply.snapshot.pinned")
        self._rename_into_place(fresh, target, self.project.fixture(fixture.name))

    def _rename_into_place(self, fresh: Path, target: Path, fixture: ResolvedFixture) -> None:
        fresh.replace(target)
        if fixture.pin is not None:
            self.ws.cache.store(target, fixture.pin.sha256)

    def _write_pin(self, fixture: ResolvedFixture, pin: Pin) -> None:
        doc = self.project.doc
        fixtures = dict(doc.fixtures)
        fixtures[fixture.name] = fixtures[fixture.name].model_copy(update={"pin": pin})
        self.ws.project = save_project(self.project,
                                       doc.model_copy(update={"fixtures": fixtures}))

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
        if fixture.decl.expect:
            counts = self.engine.row_counts(fixture.mount, list(fixture.decl.expect))
            _check_expectations(fixture, counts, None)

    def _replace(self, action: Action) -> None:
        self.engine.unmount(self._fixture(action).mount)
        checkpoint("apply.replace.unmounted")
        self._mount(action)

    def _unmount(self, action: Action) -> None:
        assert action.namespace is not None
        self.engine.unmount(action.namespace)


def _check_expectations(fixture: ResolvedFixture, counts: dict[str, int],
                        discard: Path | None) -> None:
    wrong = row_mismatches(fixture.decl.expect, counts)
    if not wrong:
        return
    if discard is not None:
        discard.unlink(missing_ok=True)
    raise ConflictError(
        f"fixture '{fixture.name}' does not hold the rows its 'expect' declares",
        details=[*wrong, "Nothing was pinned." if discard else "The mount is kept."],
        fix="correct the recipe, or the 'expect' table in fixtures.toml",
    )
