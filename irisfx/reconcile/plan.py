"""plan: a pure function from declaration + pins + observation to the actions that close the gap.

Two kinds of difference are kept apart: *pending* (the declaration changed and was not applied)
and *drift* (reality changed under a pin). Problems (a file that does not match its pin, a
namespace owned by someone else) block their fixture: it gets no actions, and apply refuses.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from irisfx.engines import compat
from irisfx.files.digest import FileDigest
from irisfx.lockfile.models import ResolvedFixture
from irisfx.reconcile.observe import FileState, Observation
from irisfx.reconcile.problems import (
    Digest,
    Problem,
    expectations_against_pin,
    integrity_problem,
    not_a_database_problem,
    unpinned_problem,
)

log = logging.getLogger("irisfx")

ActionKind = Literal["pull", "build", "snapshot", "verify", "mount", "replace", "unmount"]
Cause = Literal["pending", "drift"]
ACTION_ORDER: tuple[ActionKind, ...] = ("pull", "build", "snapshot", "verify", "mount",
                                        "replace", "unmount")


@dataclass(frozen=True)
class Action:
    """One step of a plan."""

    kind: ActionKind
    fixture: str
    namespace: str | None
    reason: str
    cause: Cause = "pending"
    drop_first: bool = False  # build: drop an outdated source first
    resume: bool = False  # snapshot: only finish an interrupted one
    # Removes a finished database someone may be using; half-made ones are repaired freely.
    destructive: bool = False


@dataclass(frozen=True)
class Plan:
    """The actions, in the order apply runs them, and the problems that block fixtures."""

    actions: tuple[Action, ...] = ()
    problems: tuple[Problem, ...] = ()
    fixtures: tuple[str, ...] = field(default=())

    @property
    def has_changes(self) -> bool:
        """Whether apply would do anything (or refuses to because of a problem)."""
        return bool(self.actions or self.problems)

    @property
    def writes_pins(self) -> bool:
        """Whether apply would rewrite fixtures.toml."""
        return any(a.kind == "snapshot" and not a.resume for a in self.actions)

    def needs_consent(self, rebuild: Collection[str] = ()) -> list[Action]:
        """Destructive actions not already asked for with ``--rebuild NAME``."""
        return [a for a in self.actions if a.destructive and a.fixture not in rebuild]

    def count(self, kind: ActionKind) -> int:
        """How many actions of one kind."""
        return sum(1 for a in self.actions if a.kind == kind)


def make_plan(
    fixtures: list[ResolvedFixture],
    observation: Observation,
    *,
    declared_namespaces: Collection[str],
    rebuild: Collection[str] = (),
    narrowed: bool = False,
    store: bool = False,
) -> Plan:
    """Compare the declared ``fixtures`` with ``observation``.

    ``declared_namespaces`` are the source and mount namespaces of every declared fixture (not
    only the selected ones), so that a narrowed plan never unmounts a namespace still in use.
    With a ``store``, a pinned file that is missing is pulled from it (docs/store.md).
    """
    actions: list[Action] = []
    problems: list[Problem] = []
    selected = {f.name for f in fixtures}
    for ns, record in sorted(observation.inventory.owned.items()):
        if record.role == "copy" or ns in declared_namespaces:
            continue
        if narrowed and record.fixture not in selected:
            continue
        actions.append(Action("unmount", record.fixture, ns,
                              f"{record.role} namespace is no longer declared",
                              destructive=record.state == "ready"))
    for fixture in fixtures:
        steps, problem = _plan_fixture(fixture, observation, fixture.name in rebuild, store)
        if problem is not None:
            problems.append(problem)
        else:
            # Fixtures sharing a source build it once.
            built = {a.namespace for a in actions if a.kind == "build"}
            actions.extend(a for a in steps if not (a.kind == "build" and a.namespace in built))
    return Plan(actions=tuple(actions), problems=tuple(problems),
                fixtures=tuple(sorted(selected)))


def _plan_fixture(
    f: ResolvedFixture, obs: Observation, rebuild: bool, store: bool = False
) -> tuple[list[Action], Problem | None]:
    file_state = obs.files[f.name]
    pin = f.pin
    recipe = obs.recipes.get(f.name)
    steps: list[Action] = []
    if store and pin is not None and not rebuild and file_state.digest is None and not (
        file_state.interrupted and file_state.interrupted.sha256 == pin.sha256
    ):
        # Pulled, the file is the pinned one: plan the rest as if it were already here. A
        # changed recipe snapshots a new file anyway, so nothing is pulled for it.
        if not (f.decl.recipe and recipe and recipe.sha256 != pin.recipe_sha256):
            steps.append(Action("pull", f.name, None, "the pinned file is missing here; the "
                                "store has it by its digest"))
        file_state = FileState(FileDigest(pin.sha256, pin.size, hashed=False))
    snapshot_reason, cause = _why_snapshot(f, file_state, recipe.sha256 if recipe else None,
                                           rebuild, store)
    if isinstance(snapshot_reason, Problem):
        return [], snapshot_reason
    if snapshot_reason == "finish":
        steps.append(Action("snapshot", f.name, f.source, "finish an interrupted snapshot",
                            resume=True))
        snapshot_reason = None
    if snapshot_reason is None and pin is not None:
        problem = expectations_against_pin(f)
        if problem is not None:
            return [], problem
        source = obs.inventory.owned.get(f.source)
        if recipe is not None and source is not None and source.state != "ready":
            # An interrupted --rebuild: the file is fine, its source is half-made.
            steps.append(Action("build", f.name, f.source, "an earlier build did not finish "
                                "(interrupted, or another apply is running)", drop_first=True))
    if snapshot_reason is not None:
        build, problem = _plan_build(f, obs, recipe.sha256 if recipe else None, rebuild)
        if problem is not None:
            return [], problem
        steps += build
        steps.append(Action("snapshot", f.name, f.source, snapshot_reason, cause))
    mount_steps, problem = _plan_mount(f, obs, resnapshot=snapshot_reason is not None,
                                       fresh=bool(steps))
    if problem is not None:
        return [], problem
    return steps + mount_steps, None


def _why_snapshot(
    f: ResolvedFixture, state: FileState, recipe_sha256: str | None, rebuild: bool,
    store: bool = False,
) -> tuple[str | Problem | None, Cause]:
    pin = f.pin
    # irisfx writes over a path only where it made the file (the fixture has a pin and the
    # file is a database) or where there is no file: never over a README.md or a stranger's DAT.
    if state.digest is not None and not state.database:
        return not_a_database_problem(f, Digest(state.digest.sha256, state.digest.size),
                                      store), "drift"
    if pin is None and state.digest is not None:
        return unpinned_problem(f, Digest(state.digest.sha256, state.digest.size)), "pending"
    if rebuild:
        return "rebuild requested (--rebuild)", "pending"
    if pin is None:
        return "no file yet", "pending"
    if state.interrupted and state.interrupted.sha256 == pin.sha256 and (
        state.digest is None or state.digest.sha256 != pin.sha256
    ):
        return "finish", "pending"
    if state.digest is None:
        return integrity_problem(f, None, store=store), "drift"
    if state.digest.sha256 != pin.sha256:
        return integrity_problem(f, Digest(state.digest.sha256, state.digest.size),
                                 store=store), "drift"
    if f.decl.recipe and recipe_sha256 != pin.recipe_sha256:
        return "recipe changed since the file was pinned", "pending"
    return None, "pending"


def _plan_build(
    f: ResolvedFixture, obs: Observation, recipe_sha256: str | None, rebuild: bool
) -> tuple[list[Action], Problem | None]:
    inv = obs.inventory
    record = inv.owned.get(f.source)
    exists = f.source in inv.namespaces or record is not None
    if recipe_sha256 is None:
        if f.source in inv.namespaces and (record is None or record.state == "ready"):
            return [], None
        return [], Problem("conflict", f.name,
                           f"source namespace {f.source} does not exist and fixture "
                           f"'{f.name}' has no recipe to build it", reason="no-recipe",
                           namespace=f.source,
                           fix=f"add recipe = \"recipes/{f.name}.sql\" to [fixtures.{f.name}], "
                           f"or create namespace {f.source} yourself")
    if record is None and exists:
        other = _owner(obs, f.source)
        fix = f"give fixture '{f.name}' a 'source' namespace of its own in [fixtures.{f.name}]"
        if other is None:  # nobody in irisfx made it: it may be meant to be snapshotted as is
            fix += f",\nor, if {f.source} holds the data to pin as it is, remove 'recipe'"
        return [], Problem("conflict", f.name,
                           f"source namespace {f.source} exists and "
                           f"{_owner_text(obs, f.source)}", reason="not-built-by-irisfx",
                           namespace=f.source, fix=fix)
    if record is None:
        return [Action("build", f.name, f.source, "source namespace does not exist")], None
    if record.state != "ready":
        return [Action("build", f.name, f.source, "an earlier build did not finish "
                       "(interrupted, or another apply is running)", drop_first=True)], None
    if not record.database_present:
        return [Action("build", f.name, f.source, "source was removed outside irisfx", "drift",
                       drop_first=True)], None
    if rebuild or record.recipe_sha256 != recipe_sha256:
        why = "rebuild requested" if rebuild else "recipe changed since the source was built"
        return [Action("build", f.name, f.source, why, drop_first=True, destructive=True)], None
    return [], None


def _plan_mount(
    f: ResolvedFixture, obs: Observation, *, resnapshot: bool, fresh: bool
) -> tuple[list[Action], Problem | None]:
    inv = obs.inventory
    record = inv.owned.get(f.mount)
    pin = f.pin
    fits = compat.decide(pin.built_by, obs.engine.product) if pin is not None else None
    if pin is not None and not resnapshot and (pin.from_simulator != obs.engine.simulator
                                               or (fits is not None and fits.refused)):
        return [], _incompatible(f, obs)
    if fits is not None and fits.warning and not resnapshot:
        log.warning("fixture '%s': %s", f.name, fits.warning)
    reason: str | None = None
    cause: Cause = "pending"
    kind: ActionKind = "replace"
    if record is None:
        if f.mount in inv.namespaces:
            return [], Problem("conflict", f.name,
                               f"namespace {f.mount} exists and {_owner_text(obs, f.mount)}",
                               reason="namespace-taken",
                               namespace=f.mount,
                               fix=f"give fixture '{f.name}' a 'mount' namespace of its own in "
                               f"[fixtures.{f.name}]")
        kind, reason = "mount", "not mounted yet"
    elif resnapshot:
        reason = "the file is being snapshotted again"
    elif record.state != "ready":
        reason = (f"an earlier {'mount' if record.state == 'creating' else 'unmount'} did not "
                  "finish (interrupted, or another apply is running)")
    elif not record.database_present:
        reason, cause = "namespace or database was removed outside irisfx", "drift"
    elif pin is not None and record.sha256 != pin.sha256:
        reason = "serves another version of the file"
    elif record.readonly != f.decl.readonly:
        reason = f"readonly changed to {str(f.decl.readonly).lower()}"
    elif record.changed:
        reason, cause = "the mounted database changed since it was mounted", "drift"
    if reason is None:
        return [], None
    steps = []
    if not resnapshot and not fresh:
        steps.append(Action("verify", f.name, None, "check the file against its pin", cause))
    half_made = record is not None and record.state != "ready"
    steps.append(Action(kind, f.name, f.mount, reason, cause,
                        destructive=kind == "replace" and not half_made))
    return steps, None


def _owner(obs: Observation, namespace: str) -> str | None:
    """``project 'demo' (id …, at …)`` when another irisfx project owns ``namespace``."""
    record = obs.inventory.others.get(namespace)
    owner = record.owner if record is not None else None
    return owner.describe() if owner is not None else None


def _owner_text(obs: Observation, namespace: str) -> str:
    """Who owns a namespace this project did not make: another project, or nobody in irisfx."""
    who = _owner(obs, namespace)
    if who is not None:
        return f"belongs to irisfx {who}"
    return "was not made by irisfx (no irisfx project owns it)"


def describe(action: Action) -> str:
    """``replace entities-100 (FX_ENTITIES)``: what an action touches, for questions."""
    return f"{action.kind} {action.fixture}" + (f" ({action.namespace})"
                                                if action.namespace else "")


def _incompatible(f: ResolvedFixture, obs: Observation) -> Problem:
    pin = f.pin
    built_by = pin.built_by if pin else "?"
    target = "the simulator" if obs.engine.simulator else "IRIS"
    fits = compat.decide(built_by, obs.engine.product)
    return Problem(
        "conflict", f.name,
        f"fixture '{f.name}' was built by {built_by} and cannot be mounted on {target}",
        details=(f"engine: {obs.engine.product}", *([fits.reason] if fits.refused else [])),
        reason="wrong-engine",
        fix=f"rebuild it for this engine: irisfx apply --rebuild {f.name}",
    )
