"""How plans are shown and saved: Terraform-style text, a versioned JSON form, plan files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from irisfx.atomic import write_atomic
from irisfx.errors import ConflictError, IntegrityError, IrisfxError, StalePlanError, UsageError
from irisfx.plan import ACTION_ORDER, Action, Plan, Problem

if TYPE_CHECKING:
    from irisfx.apply import Planned
    from irisfx.config import Project
    from irisfx.observe import Observation

JSON_FORMAT_VERSION = 1
SYMBOLS = {"pull": "+", "build": "+", "snapshot": "+", "verify": "?", "mount": "+",
           "replace": "-/+", "unmount": "-"}
NO_CHANGES = "No changes. Fixtures match fixtures.toml."


def fingerprint(project: Project, observation: Observation) -> dict[str, str]:
    """What a saved plan was made from: fixtures.toml, the instance, the files."""
    return {"config": hashlib.sha256(project.raw).hexdigest(), **observation.fingerprint()}


def summary_line(plan: Plan) -> str:
    """``Plan: 1 to build, 1 to snapshot, 2 to mount, 0 to unmount.`` (+ verify/replace)."""
    parts = []
    for kind in ACTION_ORDER:
        count = plan.count(kind)
        if count or kind in ("build", "snapshot", "mount", "unmount"):
            parts.append(f"{count} to {kind}")
    return "Plan: " + ", ".join(parts) + "."


def action_line(action: Action) -> str:
    """One action as a plan line: symbol, kind, fixture, namespace, reason."""
    where = f" ({action.namespace})" if action.namespace else ""
    drift = "  [drift]" if action.cause == "drift" else ""
    return f"  {SYMBOLS[action.kind]:>3} {action.kind:<8} {action.fixture}{where}: " \
           f"{action.reason}{drift}"


def render_text(plan: Plan, engine_product: str) -> str:
    """The plan as people read it."""
    lines = [f"engine: {engine_product}"]
    if not plan.has_changes:
        return "\n".join([*lines, NO_CHANGES])
    pending = [a for a in plan.actions if a.cause == "pending"]
    drift = [a for a in plan.actions if a.cause == "drift"]
    if pending:
        lines += ["", "Pending changes:"]
        lines += [action_line(a) for a in pending]
    if drift:
        lines += ["", "Drift (reality changed under a pin):"]
        lines += [action_line(a) for a in drift]
    if plan.problems:
        lines += ["", "Problems (these fixtures are not applied):"]
        for problem in plan.problems:
            lines.append(f"  ! {problem.fixture}: {problem.message}")
            lines += [f"      {d}" for d in problem.details]
            if problem.fix:
                lines += [f"      fix: {problem.fix.splitlines()[0]}"]
                lines += [f"           {x}" for x in problem.fix.splitlines()[1:]]
    lines += ["", summary_line(plan)]
    return "\n".join(lines)


def _action_json(action: Action) -> dict[str, Any]:
    return {"action": action.kind, "fixture": action.fixture, "namespace": action.namespace,
            "reason": action.reason, "cause": action.cause, "destructive": action.destructive}


def plan_json(planned: Planned) -> dict[str, Any]:
    """The plan in the documented JSON form (docs/plan-json.md)."""
    plan = planned.plan
    return {
        "format_version": JSON_FORMAT_VERSION,
        "engine": {"kind": planned.observation.engine.kind,
                   "product": planned.observation.engine.product,
                   "simulator": planned.observation.engine.simulator},
        "fixtures": list(plan.fixtures),
        "changes": plan.has_changes,
        "actions": [_action_json(a) for a in plan.actions],
        "problems": [{"kind": p.kind, "fixture": p.fixture, "message": p.message,
                      "details": list(p.details), "fix": p.fix} for p in plan.problems],
        "summary": {kind: plan.count(kind) for kind in ACTION_ORDER},
        "files_hashed": planned.observation.hashed,
    }


def problems_error(problems: Sequence[Problem]) -> IrisfxError:
    """One error for the problems that block an apply: integrity first (exit 3)."""
    integrity = [p for p in problems if p.kind == "integrity"]
    first = (integrity or list(problems))[0]
    details = list(first.details)
    for other in problems:
        if other is not first:
            details.append(f"also: {other.fixture}: {other.message}")
    cls = IntegrityError if integrity else ConflictError
    return cls(first.message, details=details, fix=first.fix or None)


@dataclass(frozen=True)
class SavedPlan:
    """A plan saved with ``plan --out``; apply refuses it once reality has moved on."""

    names: tuple[str, ...]
    rebuild: tuple[str, ...]
    fingerprint: dict[str, str]
    actions: list[dict[str, Any]]

    def save(self, path: Path) -> None:
        """Write the plan file."""
        data = {"format": "irisfx-plan", "format_version": JSON_FORMAT_VERSION,
                "names": list(self.names), "rebuild": list(self.rebuild),
                "fingerprint": self.fingerprint, "actions": self.actions}
        write_atomic(path, json.dumps(data, indent=2).encode())

    @classmethod
    def from_planned(cls, planned: Planned, names: Sequence[str]) -> SavedPlan:
        """Capture a fresh plan for saving."""
        return cls(tuple(names), planned.rebuild, planned.fingerprint,
                   [_action_json(a) for a in planned.plan.actions])

    @classmethod
    def load(cls, path: Path) -> SavedPlan:
        """Read a plan file; UsageError if it is not one."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != "irisfx-plan":
                raise ValueError("not an irisfx plan")
            if data.get("format_version") != JSON_FORMAT_VERSION:
                raise ValueError(f"plan format {data.get('format_version')} is not supported")
            return cls(tuple(data["names"]), tuple(data["rebuild"]), dict(data["fingerprint"]),
                       list(data["actions"]))
        except FileNotFoundError:
            raise UsageError(f"plan file {path} does not exist",
                             fix="save one with 'irisfx plan --out FILE'") from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UsageError(f"{path} is not a plan saved by 'irisfx plan --out': {exc}",
                             fix="save one with 'irisfx plan --out FILE'") from None

    def check_still_valid(self, project: Project, planned: Planned) -> None:
        """StalePlanError if fixtures.toml, the instance or the files changed since saving."""
        what = {"config": "fixtures.toml changed", "instance": "the instance changed",
                "files": "fixture files changed", "recipes": "recipes changed"}
        changed = [what[k] for k in what if self.fingerprint.get(k) != planned.fingerprint[k]]
        if not changed and [_action_json(a) for a in planned.plan.actions] != self.actions:
            changed = ["the plan it gives now differs"]
        if changed:
            raise StalePlanError(
                "the saved plan is stale: " + "; ".join(changed) + " since it was saved",
                fix="run 'irisfx plan --out FILE' again, review it, and apply that",
            )
