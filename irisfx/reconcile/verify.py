"""verify: what the repository promises, checked with no engine.

Files against their pins, recipes against the ``recipe_sha256`` they were pinned with, and the
declaration (``expect``) against the pinned tables. An unpinned fixture fails: the repository
promises nothing about it yet. Read-only, except that fresh digests go to the stat cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from irisfx.lockfile.models import ResolvedFixture
from irisfx.lockfile.project import load_project, select_fixtures, store_url
from irisfx.recipes.recipe import Recipe, load_recipe
from irisfx.reconcile.observe import FileState, observe_files
from irisfx.reconcile.plan import Plan
from irisfx.reconcile.problems import (
    Digest,
    Problem,
    expectations_against_pin,
    integrity_problem,
    not_a_database_problem,
    unpinned_problem,
)
from irisfx.reconcile.renames import advise_plan
from irisfx.reconcile.workspace import Workspace

Status = Literal["ok", "pending", "integrity"]


@dataclass(frozen=True)
class Verdict:
    """One fixture's result: ok, pending (apply would rebuild it) or integrity (exit 3)."""

    fixture: str
    file: str
    status: Status
    pin: Digest | None
    problem: Problem | None = None


def verify_fixtures(ws: Workspace, names: list[str], *, full: bool
                    ) -> tuple[list[Verdict], dict[str, FileState]]:
    """Check the named fixtures (all when none) without an engine; also the files observed."""
    # fixtures.toml alone, never the pin journal: .irisfx/ is not reviewed, fixtures.toml is.
    project = load_project(ws.project.config_path)
    fixtures = select_fixtures(project, names)
    states = observe_files(project, fixtures, ws.cache, full=full, progress=ws.progress)
    ws.save_cache()
    recipes: dict[str, Recipe] = {}  # fixtures that share a recipe read it once
    verdicts = [_verdict(ws, f, states[f.name], recipes) for f in fixtures]
    # A missing file that lies at a renamed fixture's old path gets a 'git mv' fix.
    problems = tuple(v.problem for v in verdicts if v.problem is not None)
    advised = {p.fixture: p for p in advise_plan(ws, Plan(problems=problems)).problems}
    return [Verdict(v.fixture, v.file, v.status, v.pin, advised.get(v.fixture, v.problem))
            for v in verdicts], states


def _verdict(ws: Workspace, f: ResolvedFixture, state: FileState,
             recipes: dict[str, Recipe]) -> Verdict:
    pin = f.pin
    actual = Digest(state.digest.sha256, state.digest.size) if state.digest else None
    if pin is None:
        if actual is not None:
            return Verdict(f.name, f.file, "integrity", None, unpinned_problem(f, actual))
        return Verdict(f.name, f.file, "integrity", None, Problem(
            "integrity", f.name, f"fixture '{f.name}' is not pinned: it was never applied",
            details=(f"file:     {f.file} (does not exist yet)",),
            fix="run 'irisfx apply' and commit fixtures.toml and the file",
            reason="not-built", file=f.file))
    pinned = Digest(pin.sha256, pin.size)
    store = store_url(ws.project) is not None
    if actual is not None and not state.database:
        return Verdict(f.name, f.file, "integrity", pinned,
                       not_a_database_problem(f, actual, store))
    if actual is None or actual.sha256 != pin.sha256:
        return Verdict(f.name, f.file, "integrity", pinned,
                       integrity_problem(f, actual, store=store))
    if f.decl.recipe:
        recipe = recipes.get(f.decl.recipe)
        if recipe is None:
            recipe = recipes[f.decl.recipe] = load_recipe(ws.project.path(f.decl.recipe),
                                                          f.decl.recipe)
        if recipe.sha256 != pin.recipe_sha256:
            return Verdict(f.name, f.file, "pending", pinned, Problem(
                "conflict", f.name, f"fixture '{f.name}': its recipe changed since the file "
                "was pinned", details=(f"recipe:   {f.decl.recipe}",),
                fix=f"rebuild and pin it: irisfx apply {f.name}, then commit fixtures.toml "
                "and the file; or restore the recipe from git",
                reason="recipe-changed", file=f.file))
    wrong = expectations_against_pin(f)
    if wrong is not None:
        return Verdict(f.name, f.file, "pending", pinned, wrong)
    return Verdict(f.name, f.file, "ok", pinned)
