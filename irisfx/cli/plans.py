"""Commands plan, apply, check: compare fixtures.toml with reality and close the gap."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from irisfx.cli.app import (
    Names,
    Rebuild,
    Verify,
    VerifyMode,
    app,
    echo_plan,
    get_globals,
    load_workspace,
    opened_engine,
    problem_exit,
    style,
)
from irisfx.cli.github import OutputFormat, emit_plan
from irisfx.errors import ExitCode, UsageError


@app.command("plan")
def plan_cmd(
    ctx: typer.Context,
    names: Names = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON "
                       "(docs/plan-json.md).")] = False,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode", help="Exit 2 when "
                                 "there are changes, 0 when none.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Save the plan for "
                   "'irisfx apply --plan FILE'.")] = None,
    rebuild: Rebuild = None,
    verify: VerifyMode = Verify.cached,
    output: OutputFormat = None,
) -> None:
    """Show what apply would do. Changes nothing.

    Exits 3 if a file fails its pin and 1 if fixtures.toml cannot be applied as declared;
    with --detailed-exitcode, 2 when there are changes.

    Example: irisfx plan --detailed-exitcode entities-100
    """
    from irisfx.apply import compute_plan
    from irisfx.report import SavedPlan, plan_json, render_text

    g = get_globals(ctx)
    ws = load_workspace(g)
    with opened_engine(g, ws) as engine:
        planned = compute_plan(ws, engine, names or (), rebuild=rebuild or (),
                               full_verify=verify is Verify.full)
    if out is not None:
        SavedPlan.from_planned(planned, names or ()).save(out)
    if as_json:
        typer.echo(json.dumps(plan_json(planned), indent=2))
    else:
        echo_plan(g, render_text(planned.plan, planned.observation.engine.product))
        if out is not None:
            typer.echo(f"\nSaved the plan to {out}. Apply it with: irisfx apply --plan {out}")
    emit_plan(output, ws, planned, "plan", annotate=not as_json)
    problem_exit(planned.plan)
    if detailed_exitcode and planned.plan.has_changes:
        raise typer.Exit(ExitCode.CHANGES)


@app.command("apply")
def apply_cmd(
    ctx: typer.Context,
    names: Names = None,
    auto_approve: Annotated[bool, typer.Option("--auto-approve", help="Do not ask before "
                            "replace and unmount (needed when not on a terminal).")] = False,
    locked: Annotated[bool, typer.Option("--locked", envvar="IRISFX_LOCKED", help="Fail "
                      "instead of writing fixtures.toml (for CI).")] = False,
    plan_file: Annotated[Path | None, typer.Option("--plan", help="Apply a plan saved with "
                         "'irisfx plan --out'; refused if anything changed since.")] = None,
    rebuild: Rebuild = None,
    verify: VerifyMode = Verify.cached,
    lock_timeout: Annotated[float, typer.Option("--lock-timeout", help="Seconds to wait for "
                            "another apply to finish.")] = 0.0,
) -> None:
    """Make reality match fixtures.toml: build, snapshot, verify, mount, replace, unmount.

    Idempotent: a second apply prints "No changes." and hashes nothing.

    Example: irisfx apply --auto-approve
    """
    from irisfx.apply import ApplyOptions, run_apply
    from irisfx.plan import Action, Plan, describe
    from irisfx.report import NO_CHANGES, SavedPlan, action_line, render_text, summary_line

    g = get_globals(ctx)
    ws = load_workspace(g)
    saved = SavedPlan.load(plan_file) if plan_file else None
    if saved and (names or rebuild):
        raise UsageError("--plan applies a saved plan as it is",
                         fix="leave out fixture names and --rebuild with --plan")
    options = ApplyOptions(names=tuple(names or ()), rebuild=tuple(rebuild or ()),
                           full_verify=verify is Verify.full, locked=locked,
                           lock_timeout=lock_timeout, saved=saved)

    def confirm(plan: Plan) -> bool:
        echo_plan(g, render_text(plan, engine.info().product))
        if auto_approve:
            return True
        dropping = [describe(a) for a in plan.needs_consent(options.rebuild)]
        if not sys.stdin.isatty():
            raise UsageError(
                "apply would drop databases that may be in use: " + ", ".join(dropping),
                fix="review the plan above and pass --auto-approve",
            )
        return typer.confirm(f"\nDrop and recreate: {', '.join(dropping)}?", default=False)

    def on_event(kind: str, action: Action) -> None:
        if kind == "done":
            typer.echo(style(g, "done", "green") + action_line(action))

    with opened_engine(g, ws) as engine:
        plan = run_apply(ws, engine, options, confirm=confirm, on_event=on_event)
    if not plan.actions:
        typer.echo(NO_CHANGES)
    else:
        typer.echo("Apply complete. " + summary_line(plan).replace("Plan: ", "").replace(
            " to ", " "))


@app.command("check")
def check_cmd(ctx: typer.Context, names: Names = None, verify: VerifyMode = Verify.cached,
              output: OutputFormat = None) -> None:
    """Read-only drift check for CI: 0 in sync, 2 pending or drift, 3 a file fails its pin,
    1 fixtures.toml cannot be applied as declared (e.g. a namespace owned by others).

    Example: irisfx check || echo "run irisfx apply"
    """
    from irisfx.apply import compute_plan
    from irisfx.report import render_text

    g = get_globals(ctx)
    ws = load_workspace(g)
    with opened_engine(g, ws) as engine:
        planned = compute_plan(ws, engine, names or (), full_verify=verify is Verify.full)
    plan = planned.plan
    echo_plan(g, render_text(plan, planned.observation.engine.product))
    emit_plan(output, ws, planned, "check")
    problem_exit(plan)
    if plan.actions:
        raise typer.Exit(ExitCode.CHANGES)


