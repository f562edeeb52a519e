"""GitHub Actions output: workflow-command annotations on fixtures.toml, and a step summary.

Annotations (``::error file=fixtures.toml,line=N::message``) point at the line that declares
the fixture; the summary is Markdown appended to the file named by ``$GITHUB_STEP_SUMMARY``.
Pure text in, text out, except ``append_summary``, which writes that one file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from irisfx.lockfile.project import Project, locate_key
from irisfx.reconcile.plan import Plan
from irisfx.reconcile.verify import Verdict

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


def verify_results(verdicts: Sequence[Verdict]) -> list[tuple[str, str, str]]:
    """(fixture, ok | CHANGED | FAIL, detail) for each verified fixture, as verify judged it."""
    label = {"ok": "ok", "pending": "CHANGED", "integrity": "FAIL"}
    rows = []
    for v in verdicts:
        if v.problem is not None:
            detail = "; ".join([v.problem.message, *v.problem.details])
        else:
            detail = f"sha256:{v.pin.sha256[:12]}…" if v.pin else ""
        rows.append((v.fixture, label[v.status], detail))
    return rows


def verify_annotations(project: Project, verdicts: Sequence[Verdict]) -> list[str]:
    """An error on each fixture that fails its pin; a warning on each that changed since."""
    note = Annotator(project)
    out = []
    for v in verdicts:
        if v.problem is None:
            continue
        level: Level = "error" if v.status == "integrity" else "warning"
        body = "\n".join([v.problem.message, *v.problem.details,
                          *([f"fix: {v.problem.fix}"] if v.problem.fix else [])])
        title = "irisfx: integrity" if v.status == "integrity" else "irisfx: changed"
        out.append(note.at(level, v.fixture, title, body))
    return out


def verify_summary(rows: list[tuple[str, str, str]]) -> str:
    """The verify results as a Markdown table."""
    lines = ["### irisfx verify", "", "| Fixture | Result | Detail |", "| --- | --- | --- |"]
    lines += [f"| {_cell(n)} | {s} | {_cell(d)} |" for n, s, d in rows]
    return "\n".join([*lines, ""])


def append_summary(markdown: str, env: Mapping[str, str] | None = None) -> str | None:
    """Append to ``$GITHUB_STEP_SUMMARY`` when it is set; a warning when it cannot be written.

    The summary is a report about the run, not part of it: a runner without the file must not
    turn a passing check into a failure.
    """
    target = (env if env is not None else os.environ).get(SUMMARY_ENV)
    if not target:
        return None
    try:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")
    except OSError as exc:
        return (f"warning: cannot write the step summary to {target} ({SUMMARY_ENV}): "
                f"{exc.strerror or exc}; the results above stand")
    return None
