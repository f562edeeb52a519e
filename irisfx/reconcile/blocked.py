"""The error apply raises after it applied every fixture that no problem blocked."""

from __future__ import annotations

from irisfx.errors import ConflictError, IntegrityError, IrisfxError
from irisfx.reconcile.plan import Plan
from irisfx.reconcile.problems import Problem


def blocked_error(plan: Plan) -> IrisfxError:
    """The error for fixtures a problem kept from being applied: 3 if any is integrity, else 1.

    It reads like the first problem (integrity first), then names every other blocked fixture
    with its own fix, then says whether the rest was applied.
    """
    ordered = sorted(plan.problems, key=lambda p: (p.kind != "integrity", p.fixture))
    first, others = ordered[0], ordered[1:]
    details = list(first.details)
    if first.kind == "integrity":
        details.append(f"Fixture '{first.fixture}' was not mounted.")
    for problem in others:
        details += [f"also not applied: {problem.fixture}: {problem.message}",
                    *_fix_lines(problem)]
    done = len(plan.actions)
    details.append(f"The other fixtures were applied ({done} action{'s' * (done != 1)})."
                   if done else "No other fixture needed changes.")
    cls = IntegrityError if first.kind == "integrity" else ConflictError
    return cls(first.message, details=details, fix=first.fix or None)


def _fix_lines(problem: Problem) -> list[str]:
    lines = problem.fix.splitlines()
    return [f"  fix: {lines[0]}", *(f"       {x}" for x in lines[1:])] if lines else []
