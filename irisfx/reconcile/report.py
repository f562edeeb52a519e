"""How plans are shown and saved: Terraform-style text, a versioned JSON form, plan files."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from irisfx.errors import StalePlanError, UsageError
from irisfx.files.atomic import write_atomic
from irisfx.reconcile.plan import ACTION_ORDER, Action, Plan
from irisfx.reconcile.problems import Digest, Problem

if TYPE_CHECKING:
    from irisfx.lockfile.project import Project
    from irisfx.reconcile.planned import Planned

JSON_FORMAT_VERSION = 1
SYMBOLS = {"pull": "+", "build": "+", "snapshot": "+", "verify": "?", "mount": "+",
           "replace": "-/+", "unmount": "-"}
NO_CHANGES = "No changes. Fixtures match fixtures.toml."


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


def render_text(plan: Plan, engine_product: str,
                notes: Mapping[str, Sequence[str]] | None = None) -> str:
    """The plan as people read it; ``notes`` (by fixture) go under its snapshot line: the
    manifest change a rebuild is expected to make (irisfx.reconcile.manifest)."""
    lines = [f"engine: {engine_product}"]
    if not plan.has_changes:
        return "\n".join([*lines, NO_CHANGES])
    pending = [a for a in plan.actions if a.cause == "pending"]
    drift = [a for a in plan.actions if a.cause == "drift"]

    def with_notes(actions: list[Action]) -> list[str]:
        out = []
        for a in actions:
            out.append(action_line(a))
            if a.kind == "snapshot" and notes:
                out += [f"               {n}" for n in notes.get(a.fixture, ())]
        return out

    if pending:
        lines += ["", "Pending changes:"]
        lines += with_notes(pending)
    if drift:
        lines += ["", "Drift (reality changed under a pin):"]
        lines += with_notes(drift)
    if plan.problems:
        lines += ["", "Problems (apply leaves these fixtures alone until they are fixed):"]
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
        "problems": [problem_json(p) for p in plan.problems],
        "summary": {kind: plan.count(kind) for kind in ACTION_ORDER},
        "files_hashed": planned.observation.hashed,
    }


def problem_json(problem: Problem) -> dict[str, Any]:
    """A problem with structured fields (full digests, sizes) for programs to read."""
    def digest(d: Digest | None) -> dict[str, Any] | None:
        return {"sha256": d.sha256, "size": d.size} if d else None

    return {"kind": problem.kind, "reason": problem.reason, "fixture": problem.fixture,
            "file": problem.file, "namespace": problem.namespace,
            "expected": digest(problem.expected), "actual": digest(problem.actual),
            "message": problem.message, "details": list(problem.details), "fix": problem.fix}


MAX_PLAN_BYTES = 16 * 1024 * 1024


class _SavedPlanFile(BaseModel):
    """What a saved plan must hold; anything else means it was cut short or edited."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    format: str
    format_version: int
    names: list[str]
    rebuild: list[str]
    fingerprint: dict[str, str]
    actions: list[dict[str, str | bool | None]]


def check_plan_target(path: Path) -> None:
    """Refuse to save a plan over anything but a regular file, or through a symbolic link."""
    fix = "pass --out a new or existing regular file, e.g. --out plan.json"
    if path.is_symlink():
        raise UsageError(f"{path} is a symbolic link; irisfx does not write a plan through one",
                         fix=fix)
    if path.exists() and not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file (a device, pipe or socket)"
        raise UsageError(f"{path} is {kind}; a plan is saved to a file", fix=fix)
    if not path.parent.is_dir():
        raise UsageError(f"cannot save the plan to {path}: folder {path.parent} does not exist",
                         fix="create the folder first, or choose another path")


@dataclass(frozen=True)
class SavedPlan:
    """A plan saved with ``plan --out``; apply refuses it once reality has moved on."""

    names: tuple[str, ...]
    rebuild: tuple[str, ...]
    fingerprint: dict[str, str]
    actions: list[dict[str, Any]]

    def save(self, path: Path) -> None:
        """Write the plan file: a new file, or a regular file replaced atomically."""
        check_plan_target(path)
        data = {"format": "irisfx-plan", "format_version": JSON_FORMAT_VERSION,
                "names": list(self.names), "rebuild": list(self.rebuild),
                "fingerprint": self.fingerprint, "actions": self.actions}
        try:
            write_atomic(path, json.dumps(data, indent=2).encode())
        except OSError as exc:
            raise UsageError(f"cannot write the plan to {path}: {exc.strerror or exc}",
                             fix="choose a file in a folder you can write to") from None

    @classmethod
    def from_planned(cls, planned: Planned, names: Sequence[str]) -> SavedPlan:
        """Capture a fresh plan for saving."""
        return cls(tuple(names), planned.rebuild, planned.fingerprint,
                   [_action_json(a) for a in planned.plan.actions])

    @classmethod
    def load(cls, path: Path) -> SavedPlan:
        """Read a plan file; UsageError if it is not one (it is untrusted input)."""
        fix = "save a plan with 'irisfx plan --out FILE', then apply that file"
        if not path.exists():
            raise UsageError(f"plan file {path} does not exist", fix=fix)
        if not path.is_file():
            raise UsageError(f"{path} is not a regular file, so not a saved plan", fix=fix)
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_PLAN_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}", fix=fix) from None
        if len(raw) > MAX_PLAN_BYTES:
            raise UsageError(f"{path} is larger than any saved plan ({MAX_PLAN_BYTES:,} bytes)",
                             fix=fix)
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise UsageError(f"{path} is not a saved plan: it is not complete JSON (cut short, "
                             "or edited?)", fix=fix) from None
        if not isinstance(data, dict) or data.get("format") != "irisfx-plan":
            raise UsageError(f"{path} is not a plan saved by 'irisfx plan --out'", fix=fix)
        if data.get("format_version") != JSON_FORMAT_VERSION:
            raise UsageError(f"{path} has plan format {data.get('format_version')!r}; this "
                             f"irisfx reads format {JSON_FORMAT_VERSION}",
                             fix="save the plan again with this irisfx")
        try:
            model = _SavedPlanFile.model_validate(data)
        except ValidationError as exc:
            where = ", ".join(sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]}))
            raise UsageError(f"{path} is damaged: missing or wrong {where or 'contents'}",
                             fix=fix) from None
        return cls(tuple(model.names), tuple(model.rebuild), dict(model.fingerprint),
                   [dict(a) for a in model.actions])

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
