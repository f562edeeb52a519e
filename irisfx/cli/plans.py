"""Commands plan, apply, check: compare fixtures.toml with reality and close the gap."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from irisfx.cli.app import (
    RUN,
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

if TYPE_CHECKING:
    from irisfx.engines.base import Engine
    from irisfx.lockfile.models import ResolvedFixture
    from irisfx.reconcile.plan import Plan


@app.command("plan", short_help="Show what apply would do; changes nothing.")
def plan_cmd(
    ctx: typer.Context,
    names: Names = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON "
                       "(docs/plan-json.md).")] = False,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode", help="Exit 2 when "
                                 "there are changes, 0 when none.")] = False,
    out: Annotated[Path | None, typer.Option("--out", metavar="FILE", help="Save the plan "
                   "for 'irisfx apply --plan FILE' (a new or regular file).")] = None,
    rebuild: Rebuild = None,
    verify: VerifyMode = Verify.cached,
    output: OutputFormat = None,
) -> None:
    """Show what apply would do. Changes nothing.

    Exits 3 if a file fails its pin and 1 if fixtures.toml cannot be applied as declared;
    with --detailed-exitcode, 2 when there are changes.


    Example: irisfx plan --detailed-exitcode entities-100
    """
    from irisfx.reconcile.planned import compute_plan
    from irisfx.reconcile.renames import advise_renames
    from irisfx.reconcile.report import SavedPlan, check_plan_target, plan_json, render_text

    g = get_globals(ctx)
    if out is not None:
        check_plan_target(out)  # before any work: a wrong --out fails at once
    ws = load_workspace(g)
    with opened_engine(g, ws) as engine:
        planned = compute_plan(ws, engine, names or (), rebuild=rebuild or (),
                               full_verify=verify is Verify.full)
    planned = advise_renames(ws, planned)
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


@app.command(
    "apply", short_help="Build, snapshot, pin and mount until reality matches fixtures.toml.")
def apply_cmd(
    ctx: typer.Context,
    names: Names = None,
    auto_approve: Annotated[bool, typer.Option("--auto-approve", help="Do not ask before "
                            "replace and unmount (needed when not on a terminal, except with "
                            "--plan).")] = False,
    locked: Annotated[bool, typer.Option("--locked", envvar="IRISFX_LOCKED", help="Fail "
                      "instead of writing fixtures.toml (for CI).")] = False,
    plan_file: Annotated[Path | None, typer.Option("--plan", metavar="FILE", help="Apply a "
                         "plan saved with 'irisfx plan --out'. The saved plan is the approval: "
                         "no question, no --auto-approve; refused if anything changed since.")]
    = None,
    rebuild: Rebuild = None,
    verify: VerifyMode = Verify.cached,
    lock_timeout: Annotated[float, typer.Option("--lock-timeout", metavar="SECONDS", min=0.0,
                            help="Seconds to wait for another apply to finish (0 or more).")]
    = 0.0,
) -> None:
    """Make reality match fixtures.toml: build, snapshot, verify, mount, replace, unmount.

    Idempotent: a second apply prints "No changes." and hashes nothing. A plan saved with
    'irisfx plan --out FILE' and applied with --plan FILE needs no approval: you approved it
    when you reviewed it (as with Terraform), and it is refused if anything changed since.


    Example: irisfx plan --out plan.json && irisfx apply --plan plan.json
    """
    from irisfx.cli.progress import ActionProgress
    from irisfx.files.faults import checkpoint
    from irisfx.reconcile.apply import ApplyOptions, run_apply
    from irisfx.reconcile.plan import Action, describe
    from irisfx.reconcile.report import (
        NO_CHANGES,
        SavedPlan,
        action_line,
        render_text,
        summary_line,
    )

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
        checkpoint("cli.apply.confirm")
        echo_plan(g, render_text(plan, engine.info().product))
        if auto_approve or saved is not None:  # a reviewed, saved plan is the approval
            return True
        dropping = [describe(a) for a in plan.needs_consent(options.rebuild)]
        if not sys.stdin.isatty():
            raise UsageError(
                "apply would drop databases that may be in use: " + ", ".join(dropping),
                fix="review the plan above and pass --auto-approve",
            )
        return typer.confirm(f"\nDrop and recreate: {', '.join(dropping)}?", default=False)

    spinner = ActionProgress(color=not g.no_color) if sys.stderr.isatty() else None

    def on_event(kind: str, action: Action) -> None:
        if kind == "start":
            RUN.started = True
            if spinner is not None:
                spinner.start(describe(action))
        if kind == "done":
            if spinner is not None:
                spinner.stop()
            typer.echo(style(g, "done", "green") + action_line(action))

    try:
        with opened_engine(g, ws) as engine:
            plan = run_apply(ws, engine, options, confirm=confirm, on_event=on_event)
    finally:
        if spinner is not None:
            spinner.stop()
    RUN.finished = True
    if not plan.actions:
        typer.echo(NO_CHANGES)
    else:
        typer.echo("Apply complete. " + summary_line(plan).replace("Plan: ", "").replace(
            " to ", " "))
    checkpoint("cli.apply.complete")


@app.command("check", short_help="Compare the instance with fixtures.toml (read-only; exit 0/2/3).")
def check_cmd(
    ctx: typer.Context,
    names: Names = None,
    verify: VerifyMode = Verify.cached,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON "
                       "(docs/plan-json.md), with known-query failures.")] = False,
    output: OutputFormat = None,
    queries: Annotated[bool, typer.Option("--queries", help="Also run each mounted fixture's "
                       "known queries (fixtures.toml 'queries') and compare the answers.")]
    = False,
) -> None:
    """Read-only drift check of the instance for CI: 0 in sync, 2 pending or drift, 3 a file
    fails its pin or a known query gives another answer, 1 fixtures.toml cannot be applied as
    declared (e.g. a namespace owned by another project). Needs the engine; 'irisfx verify'
    checks the repository alone.


    Example: irisfx check --queries || echo "run irisfx apply"
    """
    from irisfx.lockfile.project import select_fixtures
    from irisfx.reconcile.planned import compute_plan
    from irisfx.reconcile.renames import advise_renames
    from irisfx.reconcile.report import plan_json, render_text

    g = get_globals(ctx)
    ws = load_workspace(g)
    failures: list[dict[str, object]] = []
    skipped: list[str] = []
    with opened_engine(g, ws) as engine:
        planned = advise_renames(ws, compute_plan(ws, engine, names or (),
                                                  full_verify=verify is Verify.full))
        if queries:
            failures, skipped = _run_known_queries(
                engine, select_fixtures(ws.project, names or ()), planned.plan)
    plan = planned.plan
    if as_json:
        typer.echo(json.dumps({**plan_json(planned), "query_failures": failures,
                               "queries_not_run": skipped}, indent=2, default=str))
    else:
        echo_plan(g, render_text(plan, planned.observation.engine.product))
        if queries:
            typer.echo("\nKnown queries: " + _queries_verdict(failures, skipped))
            for failure in failures:
                typer.echo(style(g, "  ! ", "red") + str(failure["message"]))
    emit_plan(output, ws, planned, "check", annotate=not as_json)
    problem_exit(plan)
    if failures:
        raise typer.Exit(ExitCode.INTEGRITY)
    if plan.actions:
        raise typer.Exit(ExitCode.CHANGES)


def _queries_verdict(failures: list[dict[str, object]], skipped: list[str]) -> str:
    verdict = f"{len(failures)} failed" if failures else (
        "all answered as declared" if not skipped else "none failed")
    if skipped:
        verdict += (f"; not run for {', '.join(skipped)} (not mounted, or changes pending: "
                    "run 'irisfx apply' first)")
    return verdict


def _run_known_queries(engine: Engine, fixtures: list[ResolvedFixture],
                       plan: Plan) -> tuple[list[dict[str, object]], list[str]]:
    """Each known query of each fixture that is mounted and in sync, run on its mount; also
    the fixtures with queries that could not be run."""
    from irisfx.reconcile.answers import check_queries

    busy = {a.fixture for a in plan.actions} | {p.fixture for p in plan.problems}
    failures: list[dict[str, object]] = []
    skipped: list[str] = []
    for fixture in fixtures:
        if not fixture.decl.queries:
            continue
        if fixture.name in busy:
            skipped.append(fixture.name)
            continue
        connection = engine.connect(fixture.mount)
        try:
            for failure in check_queries(fixture, connection):
                failures.append({"fixture": failure.fixture, "sql": failure.sql,
                                 "expected": failure.expected, "actual": failure.actual,
                                 "error": failure.error, "message": failure.describe()})
        finally:
            connection.close()
    return failures, skipped
