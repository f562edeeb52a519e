"""A renamed fixture: its pinned file still lies at the old default path. Say how to move it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from irisfx.files.digest import digest_files
from irisfx.reconcile.leftovers import DEFAULT_FILE, FIXTURES_DIR, unclaimed_files
from irisfx.reconcile.plan import Plan
from irisfx.reconcile.problems import Problem

if TYPE_CHECKING:
    from irisfx.reconcile.planned import Planned
    from irisfx.reconcile.workspace import Workspace


def advise_renames(ws: Workspace, planned: Planned) -> Planned:
    """Planned with each missing-file problem's fix pointing at a file that holds its pin."""
    plan = advise_plan(ws, planned.plan)
    return planned if plan is planned.plan else replace(planned, plan=plan)


def advise_plan(ws: Workspace, plan: Plan) -> Plan:
    """The plan with better fixes for missing files found elsewhere under fixtures/."""
    missing = [p for p in plan.problems if p.reason == "missing" and p.expected is not None]
    if not missing:
        return plan
    candidates = unclaimed_files(ws.project)
    if not candidates:
        return plan
    digests = digest_files(candidates, ws.cache)
    ws.save_cache()
    by_sha = {d.sha256: path for path, d in digests.items() if d is not None}
    problems = []
    for problem in plan.problems:
        found = by_sha.get(problem.expected.sha256) if problem in missing and \
            problem.expected else None
        problems.append(problem if found is None else _moved(ws, problem, found.parent.name))
    return replace(plan, problems=tuple(problems))


def _moved(ws: Workspace, problem: Problem, old_dir: str) -> Problem:
    fixture = ws.project.fixture(problem.fixture)
    old = f"{FIXTURES_DIR}/{old_dir}/{DEFAULT_FILE}"
    # A plain mv works whether or not git tracks the file (a store project, a file moved with
    # mv before); git sees the rename when the new path is added.
    folder = str(PurePosixPath(fixture.file).parent)
    move = f"mv {old} {fixture.file}"
    if folder != ".":
        move = f"mkdir -p {folder} && {move}"
    return replace(
        problem,
        message=f"fixture '{fixture.name}' has no file at {fixture.file}, but {old} holds its "
        "pinned file (was the fixture renamed?)",
        details=(*problem.details, f"found:    {old} (same SHA-256 as the pin)"),
        fix=f"move the file: {move}\n"
        f"or keep it where it is: set file = \"{old}\" in [fixtures.{fixture.name}]",
    )
