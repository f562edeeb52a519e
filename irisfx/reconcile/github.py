"""GitHub Actions output: workflow-command annotations on fixtures.toml, and a step summary.

Annotations (``::error file=fixtures.toml,line=N::message``) point at the line that declares
the fixture; the summary is Markdown appended to the file named by ``$GITHUB_STEP_SUMMARY``.
Pure text in, text out, except ``append_summary``, which writes that one file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from irisfx.lockfile.project import Project, locate_key
from irisfx.reconcile.observe import FileState
from irisfx.reconcile.plan import Plan

Level = Literal["error", "warning", "notice"]
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def wanted(choice: str | None, env: Mapping[str, str] | None = None) -> bool:
    """Whether to write GitHub output: ``--format github``, or auto on a GitHub runner."""
    if choice is not None:
        return choice == "github"
    return (env if env is not None else os.environ).get("GITHUB_ACTIONS") == "true"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: Level, file: str, line: int | None, title: str, message: str) -> str:
    """One workflow command, escaped as GitHub requires."""
    props = [f"file={_escape_property(file)}"]
    if line is not None:
        props.append(f"line={line}")
    props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}"


class Annotator:
    """Annotations on one project's fixtures.toml, located by fixture name."""

    def __init__(self, project: Project, cwd: Path | None = None) -> None:
        self.text = project.raw.decode("utf-8", errors="replace")
        path = project.config_path.resolve()
        base = (cwd or Path.cwd()).resolve()
        # Paths in annotations are relative to the checkout, where the workflow runs.
        self.file = path.relative_to(base).as_posix() if path.is_relative_to(base) \
            else path.as_posix()

    def line(self, fixture: str) -> int | None:
        """The line of ``[fixtures.NAME]``, or None when it cannot be found."""
        return locate_key(self.text, ["fixtures", fixture])

    def at(self, level: Level, fixture: str, title: str, message: str) -> str:
        """An annotation on the declaration of ``fixture``."""
        return annotation(level, self.file, self.line(fixture), title, message)


def plan_annotations(project: Project, plan: Plan, *, changes: Level) -> list[str]:
    """Problems as errors; actions at ``changes`` level (warning for check, notice for plan)."""
    note = Annotator(project)
    out = []
    for problem in plan.problems:
        body = "\n".join([problem.message, *problem.details,
                          *([f"fix: {problem.fix}"] if problem.fix else [])])
        out.append(note.at("error", problem.fixture, f"irisfx: {problem.kind}", body))
    for action in plan.actions:
        where = f" ({action.namespace})" if action.namespace else ""
        out.append(note.at(changes, action.fixture, f"irisfx: {action.kind}",
                           f"{action.kind} {action.fixture}{where}: {action.reason}"
                           + (" [drift]" if action.cause == "drift" else "")))
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def plan_summary(plan: Plan, engine: str, title: str) -> str:
    """The plan as Markdown: a table of actions, then the problems."""
    lines = [f"### {title}", "", f"Engine: `{engine}`", ""]
    if not plan.has_changes:
        return "\n".join([*lines, "No changes. Fixtures match fixtures.toml.", ""])
    if plan.actions:
        lines += ["| Action | Fixture | Namespace | Reason | Cause |",
                  "| --- | --- | --- | --- | --- |"]
        lines += [f"| {a.kind} | {_cell(a.fixture)} | {_cell(a.namespace or '')} | "
                  f"{_cell(a.reason)} | {a.cause} |" for a in plan.actions]
        lines.append("")
    if plan.problems:
        lines += ["**Problems** (these fixtures are not applied):", ""]
        lines += [f"- `{p.fixture}`: {_cell(p.message)}" for p in plan.problems]
        lines.append("")
    return "\n".join(lines)


def verify_results(project: Project, states: Mapping[str, FileState]
                   ) -> list[tuple[str, str, str]]:
    """(fixture, ok | FAIL | unpinned, detail) for each verified fixture."""
    rows = []
    for fixture in project.fixtures():
        if fixture.name not in states:
            continue
        digest, pin = states[fixture.name].digest, fixture.pin
        if pin is None:
            rows.append((fixture.name, "unpinned", f"{fixture.file} is not pinned yet"))
        elif digest is None:
            rows.append((fixture.name, "FAIL", f"{fixture.file} is missing"))
        elif digest.sha256 != pin.sha256:
            rows.append((fixture.name, "FAIL", f"{fixture.file} is sha256:{digest.sha256[:12]}…"
                         f", pinned sha256:{pin.sha256[:12]}…"))
        else:
            rows.append((fixture.name, "ok", f"sha256:{pin.sha256[:12]}…"))
    return rows


def verify_annotations(project: Project, rows: list[tuple[str, str, str]]) -> list[str]:
    """An error on the declaration of each fixture whose file fails its pin."""
    note = Annotator(project)
    return [note.at("error", name, "irisfx: integrity",
                    f"fixture '{name}': {detail}. Restore it (irisfx pull, or git), or rebuild "
                    f"on purpose: irisfx apply --rebuild {name}")
            for name, status, detail in rows if status == "FAIL"]


def verify_summary(rows: list[tuple[str, str, str]]) -> str:
    """The verify results as a Markdown table."""
    lines = ["### irisfx verify", "", "| Fixture | Result | Detail |", "| --- | --- | --- |"]
    lines += [f"| {_cell(n)} | {s} | {_cell(d)} |" for n, s, d in rows]
    return "\n".join([*lines, ""])


def append_summary(markdown: str, env: Mapping[str, str] | None = None) -> bool:
    """Append to ``$GITHUB_STEP_SUMMARY`` when it is set; True when written."""
    target = (env if env is not None else os.environ).get(SUMMARY_ENV)
    if not target:
        return False
    with Path(target).open("a", encoding="utf-8") as handle:
        handle.write(markdown + "\n")
    return True
