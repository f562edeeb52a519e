"""``irisfx diff``: which two databases to compare for each fixture, compared.

* no revisions: the pinned file against what the recipe builds now (``apply`` would pin that);
  a recipe unchanged since pinning is not built again: apply would not rebuild it either;
* ``--from REV`` (and ``--to REV``, default the working tree): the fixture's file at each;
* two files (``--from-file``, ``--to-file``): those files, with no fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from irisfx.engines.base import Engine
from irisfx.files.dbfile import read_label
from irisfx.files.digest import sha256_file
from irisfx.lockfile.models import Pin, ResolvedFixture
from irisfx.lockfile.project import Project, select_fixtures
from irisfx.recipes.recipe import load_recipe
from irisfx.reconcile.diff import DEFAULT_SAMPLES, FixtureDiff, Side, diff_databases
from irisfx.reconcile.diffsources import DiffSession, checked_pinned_file

EngineFactory = Callable[[], Engine]


@dataclass(frozen=True)
class DiffRequest:
    """What the user asked to compare."""

    names: tuple[str, ...] = ()
    from_rev: str | None = None
    to_rev: str | None = None
    samples: int = DEFAULT_SAMPLES


def _pin_side(label: str, pin: Pin | None) -> Side:
    return Side(label, f"sha256:{pin.sha256}" if pin else "")


def diff_files(before: Path, after: Path, *, samples: int = DEFAULT_SAMPLES,
               project: Project | None = None,
               engine: EngineFactory | None = None) -> FixtureDiff:
    """Two database files; IRIS files need ``engine`` (they are mounted read-only)."""
    needs_iris = any(_kind(p) == "iris" for p in (before, after))
    opened = engine() if needs_iris and engine is not None else None
    try:
        with _locked(opened), DiffSession(project, opened) as session:
            old = session.file(before, "diff")
            new = session.file(after, "diff")
            tables = diff_databases(old, new, samples=samples)
    finally:
        if opened is not None:
            opened.close()
    return FixtureDiff("(two files)", Side(str(before)), Side(str(after)),
                       tables)


def _kind(path: Path) -> str | None:
    try:
        label = read_label(path)
    except OSError:
        return None  # the session reports it
    return label.kind if label else None


def _locked(engine: Engine | None) -> AbstractContextManager[None]:
    # Temporary namespaces are this project's: holding the lock keeps a concurrent apply from
    # planning them away mid-diff.
    return engine.lock() if engine is not None else nullcontext()


def diff_fixtures(project: Project, request: DiffRequest,
                  engine: EngineFactory) -> list[FixtureDiff]:
    """Each named fixture (all when none), compared as ``request`` says."""
    fixtures = select_fixtures(project, request.names)
    opened: Engine | None = None
    if request.from_rev is None or _needs_engine(project, fixtures):
        opened = engine()
    try:
        with _locked(opened), DiffSession(project, opened) as session:
            return [_one(session, project, f, request) for f in fixtures]
    finally:
        if opened is not None:
            opened.close()


def _needs_engine(project: Project, fixtures: Sequence[ResolvedFixture]) -> bool:
    return any(f.pin is not None and not f.pin.from_simulator for f in fixtures) or any(
        _kind(project.path(f.file)) == "iris" for f in fixtures)


def _one(session: DiffSession, project: Project, fixture: ResolvedFixture,
         request: DiffRequest) -> FixtureDiff:
    if request.from_rev is not None:
        return _between_revisions(session, project, fixture, request)
    pinned = _pin_side("pinned file", fixture.pin)
    if fixture.decl.recipe is None:
        return FixtureDiff(fixture.name, pinned, Side("recipe"),
                           note="no recipe declared: nothing to build and compare")
    if fixture.pin is None:
        return FixtureDiff(fixture.name, pinned, Side("recipe"),
                           note="not pinned yet: apply would build and pin it")
    path = checked_pinned_file(project, fixture)
    recipe = load_recipe(project.path(fixture.decl.recipe), fixture.decl.recipe)
    now = Side(f"recipe {fixture.decl.recipe} now", f"sha256:{recipe.sha256}")
    assert fixture.pin is not None  # checked_pinned_file refuses a fixture without one
    if fixture.pin.recipe_sha256 == recipe.sha256:
        return FixtureDiff(fixture.name, pinned, now,
                           note="recipe unchanged since pinning: apply would not rebuild it")
    old = session.file(path, fixture.name)
    new = session.recipe(fixture, recipe)
    return FixtureDiff(fixture.name, pinned, now,
                       diff_databases(old, new, samples=request.samples))


def _file_matches(path: Path, sha256: str) -> bool:
    try:
        return sha256_file(path).sha256 == sha256
    except OSError:
        return False


def _between_revisions(session: DiffSession, project: Project, fixture: ResolvedFixture,
                       request: DiffRequest) -> FixtureDiff:
    assert request.from_rev is not None
    old_path, old_pin = session.at_revision(fixture, request.from_rev)
    if request.to_rev is None:
        new_path, new_side = project.path(fixture.file), _pin_side("working tree", fixture.pin)
    else:
        new_path, new_pin = session.at_revision(fixture, request.to_rev)
        new_side = _pin_side(request.to_rev, new_pin)
    pinned_now = fixture.pin if request.to_rev is None else new_pin
    if old_pin is not None and pinned_now is not None and old_pin.sha256 == pinned_now.sha256 \
            and (request.to_rev is not None or _file_matches(new_path, old_pin.sha256)):
        return FixtureDiff(fixture.name, _pin_side(request.from_rev, old_pin), new_side,
                           note="unchanged: the same pinned file on both sides")
    old = session.file(old_path, fixture.name)
    new = session.file(new_path, fixture.name)
    return FixtureDiff(fixture.name, _pin_side(request.from_rev, old_pin), new_side,
                       diff_databases(old, new, samples=request.samples))
