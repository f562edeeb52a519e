"""``--format github`` for plan, check and verify: the option, and printing the text
of irisfx/reconcile/github.py."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from irisfx.reconcile.planned import Planned
    from irisfx.reconcile.verify import Verdict
    from irisfx.reconcile.workspace import Workspace


class Format(StrEnum):
    """How results are printed besides the text."""

    text = "text"
    github = "github"


OutputFormat = Annotated[Format | None, typer.Option(
    "--format", help="github: also print GitHub Actions annotations on fixtures.toml and "
    "append a Markdown summary to $GITHUB_STEP_SUMMARY (default when GITHUB_ACTIONS=true).",
    show_default=False)]


def _wanted(choice: Format | None) -> bool:
    from irisfx.reconcile.github import wanted

    return wanted(choice.value if choice else None)


def emit_plan(choice: Format | None, ws: Workspace, planned: Planned, command: str, *,
              annotate: bool = True) -> None:
    """Annotations (unless ``annotate`` is off: stdout holds JSON) and the step summary."""
    if not _wanted(choice):
        return
    from irisfx.reconcile.github import append_summary, plan_annotations, plan_summary

    for line in [] if not annotate else plan_annotations(ws.project, planned.plan,
                                 changes="warning" if command == "check" else "notice"):
        typer.echo(line)
    _warn(append_summary(plan_summary(planned.plan, planned.observation.engine.product,
                                      f"irisfx {command}")))


def _warn(warning: str | None) -> None:
    if warning:
        typer.echo(warning, err=True)


def emit_verify(choice: Format | None, ws: Workspace, verdicts: Sequence[Verdict]) -> None:
    """Annotations and the step summary for verify."""
    if not _wanted(choice):
        return
    from irisfx.reconcile.github import (
        append_summary,
        verify_annotations,
        verify_results,
        verify_summary,
    )

    for line in verify_annotations(ws.project, verdicts):
        typer.echo(line)
    _warn(append_summary(verify_summary(verify_results(verdicts))))
