"""The irisfx command line: parse, call the core, print. Errors become exit codes in main()."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from irisfx import __version__
from irisfx.errors import ExitCode, IrisfxError, UsageError, exit_code_for

app = typer.Typer(
    name="irisfx",
    help="Declare, pin, verify and mount InterSystems IRIS test-data fixtures.\n\n"
    "Exit codes: 0 done/in sync, 1 usage or configuration error, 2 changes present, "
    "3 integrity failure, 4 cannot reach IRIS, 5 apply failed part-way, 130 interrupted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class Globals:
    """Options every command shares."""

    config: Path | None
    iris: str | None
    color: bool
    debug: bool


def _version(value: bool) -> None:
    if value:
        typer.echo(f"irisfx {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="fixtures.toml to use "
                      "(default: the nearest one in this folder or above).")] = None,
    iris: Annotated[str | None, typer.Option("--iris", help="Engine URL; wins over "
                    "IRISFX_IRIS and fixtures.toml.", show_default=False)] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (also NO_COLOR).")]
    = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                       help="Print the version and exit.")] = False,
) -> None:
    color = not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()
    ctx.obj = Globals(config=config, iris=iris, color=color, debug=debug)


def _globals(ctx: typer.Context) -> Globals:
    obj = ctx.find_object(Globals)
    assert obj is not None
    return obj


def _style(g: Globals, text: str, color: str) -> str:
    return typer.style(text, fg=color) if g.color else text


_PLAN_COLORS = {"+": "green", "-/+": "yellow", "-": "red", "?": "cyan", "!": "red"}


def _echo_plan(g: Globals, text: str) -> None:
    for line in text.splitlines():
        color = _PLAN_COLORS.get(line.split()[0]) if line.strip() else None
        typer.echo(_style(g, line, color) if color else line)


def _problem_exit(plan: Any) -> None:
    """Exit 3 when a file fails its pin, 1 when the declaration cannot be applied."""
    if any(p.kind == "integrity" for p in plan.problems):
        raise typer.Exit(ExitCode.INTEGRITY)
    if plan.problems:
        raise typer.Exit(ExitCode.USAGE)


def _load(g: Globals) -> Any:
    from irisfx.config import find_config, load_project

    return load_project(g.config if g.config else find_config(Path.cwd()))


@contextmanager
def _opened(g: Globals, project: Any) -> Iterator[Any]:
    from irisfx.observe import open_project_engine

    engine = open_project_engine(project, g.iris)
    try:
        yield engine
    finally:
        engine.close()


def _progress_factory() -> Any:
    if not sys.stderr.isatty():
        return None
    from irisfx.cli_progress import RichProgress

    return RichProgress


Names = Annotated[list[str] | None, typer.Argument(help="Fixture names (default: all).",
                                                   show_default=False)]
Rebuild = Annotated[list[str] | None, typer.Option("--rebuild", help="Build and snapshot "
                    "this fixture again on purpose, and pin the new file.", show_default=False)]


class Verify(StrEnum):
    """How files are checked against their pins."""

    cached = "cached"
    full = "full"


VerifyMode = Annotated[Verify, typer.Option("--verify", help="cached: re-hash only files whose "
                       "size/mtime/ctime/inode changed; full: re-hash every file.")]


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
) -> None:
    """Show what apply would do. Changes nothing.

    Exits 3 if a file fails its pin and 1 if fixtures.toml cannot be applied as declared;
    with --detailed-exitcode, 2 when there are changes.

    Example: irisfx plan --detailed-exitcode entities-100
    """
    from irisfx.apply import compute_plan
    from irisfx.report import SavedPlan, plan_json, render_text

    g = _globals(ctx)
    project = _load(g)
    with _opened(g, project) as engine:
        planned = compute_plan(project, engine, names or (), rebuild=rebuild or (),
                               full_verify=verify is Verify.full, progress=_progress_factory())
    if out is not None:
        SavedPlan.from_planned(planned, names or ()).save(out)
    if as_json:
        typer.echo(json.dumps(plan_json(planned), indent=2))
    else:
        _echo_plan(g, render_text(planned.plan, planned.observation.engine.product))
        if out is not None:
            typer.echo(f"\nSaved the plan to {out}. Apply it with: irisfx apply --plan {out}")
    _problem_exit(planned.plan)
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

    g = _globals(ctx)
    project = _load(g)
    saved = SavedPlan.load(plan_file) if plan_file else None
    if saved and (names or rebuild):
        raise UsageError("--plan applies a saved plan as it is",
                         fix="leave out fixture names and --rebuild with --plan")
    options = ApplyOptions(names=tuple(names or ()), rebuild=tuple(rebuild or ()),
                           full_verify=verify is Verify.full, locked=locked,
                           lock_timeout=lock_timeout, saved=saved)

    def confirm(plan: Plan) -> bool:
        _echo_plan(g, render_text(plan, engine.info().product))
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
            typer.echo(_style(g, "done", "green") + action_line(action))

    with _opened(g, project) as engine:
        plan, _ = run_apply(project, engine, options, confirm=confirm, on_event=on_event,
                            progress=_progress_factory())
    if not plan.actions:
        typer.echo(NO_CHANGES)
    else:
        typer.echo("Apply complete. " + summary_line(plan).replace("Plan: ", "").replace(
            " to ", " "))


@app.command("check")
def check_cmd(ctx: typer.Context, names: Names = None, verify: VerifyMode = Verify.cached) -> None:
    """Read-only drift check for CI: 0 in sync, 2 pending or drift, 3 a file fails its pin,
    1 fixtures.toml cannot be applied as declared (e.g. a namespace owned by others).

    Example: irisfx check || echo "run irisfx apply"
    """
    from irisfx.apply import compute_plan
    from irisfx.report import render_text

    g = _globals(ctx)
    project = _load(g)
    with _opened(g, project) as engine:
        planned = compute_plan(project, engine, names or (), full_verify=verify is Verify.full)
    plan = planned.plan
    _echo_plan(g, render_text(plan, planned.observation.engine.product))
    _problem_exit(plan)
    if plan.actions:
        raise typer.Exit(ExitCode.CHANGES)


@app.command("verify")
def verify_cmd(ctx: typer.Context, names: Names = None, verify: VerifyMode = Verify.cached) -> None:
    """Check fixture files against their pins. Needs no engine. Exit 3 on any mismatch.

    Example: irisfx verify --verify full
    """
    from irisfx.apply import select_fixtures
    from irisfx.config import ensure_state_dir
    from irisfx.digest import StatCache
    from irisfx.observe import observe_files

    g = _globals(ctx)
    project = _load(g)
    fixtures = select_fixtures(project, names or ())
    cache = StatCache.in_state_dir(project.state_dir)
    states = observe_files(project, fixtures, cache, full=verify is Verify.full,
                           progress=_progress_factory())
    ensure_state_dir(project.state_dir)
    cache.save()
    failed = 0
    for fixture in fixtures:
        digest, pin = states[fixture.name].digest, fixture.pin
        if pin is None:
            line = f"  -  {fixture.name}: not pinned yet ({fixture.file})"
        elif digest is None:
            failed += 1
            line = _style(g, "FAIL", "red") + f" {fixture.name}: {fixture.file} is missing"
        elif digest.sha256 != pin.sha256:
            failed += 1
            line = (_style(g, "FAIL", "red") + f" {fixture.name}: sha256:{digest.sha256[:12]}…"
                    f" ({digest.size:,} bytes), pinned sha256:{pin.sha256[:12]}… "
                    f"({pin.size:,} bytes)")
        else:
            line = _style(g, " ok ", "green") + f" {fixture.name}: sha256:{pin.sha256[:12]}… " \
                   f"({pin.size:,} bytes)"
        typer.echo(line)
    if failed:
        typer.echo(f"\n{failed} file(s) do not match their pins. Restore them from git, or "
                   "rebuild on purpose: irisfx apply --rebuild NAME", err=True)
        raise typer.Exit(ExitCode.INTEGRITY)


@app.command("status")
def status_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show what this project has on the instance: namespaces, roles, digests.

    Example: irisfx status
    """
    from dataclasses import asdict


    g = _globals(ctx)
    project = _load(g)
    with _opened(g, project) as engine:
        info, inventory = engine.info(), engine.inventory()
    if as_json:
        typer.echo(json.dumps({"engine": asdict(info), "project": project.name,
                               "owned": [asdict(r) for _, r in sorted(inventory.owned.items())]},
                              indent=2))
        return
    typer.echo(f"engine:  {info.product}\nurl:     {info.url}\nproject: {project.name}")
    if not inventory.owned:
        typer.echo("Nothing of this project is on the instance. Run 'irisfx apply'.")
        return
    typer.echo(f"\n{'NAMESPACE':<28}{'ROLE':<8}{'FIXTURE':<24}{'STATE':<10}{'MODE':<10}DIGEST")
    for ns, r in sorted(inventory.owned.items()):
        mode = "ro" if r.readonly else "rw"
        health = "" if r.database_present else "  (missing)"
        health += "  (changed)" if r.changed else ""
        digest = f"sha256:{r.sha256[:12]}…" if r.sha256 else "-"
        typer.echo(f"{ns:<28}{r.role:<8}{r.fixture:<24}{r.state:<10}{mode:<10}{digest}{health}")


@app.command("unmount")
def unmount_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A fixture name, or a namespace this project "
                    "owns.")],
    auto_approve: Annotated[bool, typer.Option("--auto-approve", help="Do not ask.")] = False,
) -> None:
    """Remove a fixture's mount (namespace, database, files) from the instance.

    The fixture stays declared, so the next apply mounts it again.
    Example: irisfx unmount entities-100 --auto-approve
    """
    g = _globals(ctx)
    project = _load(g)
    namespace = project.fixture(name).mount if name in project.doc.fixtures else name.upper()
    with _opened(g, project) as engine, engine.lock(0.0):
        if namespace not in engine.inventory().owned:
            raise UsageError(f"project '{project.name}' has nothing mounted as {namespace}",
                             fix="see what it has with 'irisfx status'")
        if not auto_approve and not (sys.stdin.isatty() and typer.confirm(
                f"Remove namespace {namespace} and its database?", default=False)):
            raise UsageError(f"not unmounting {namespace}",
                             fix="confirm on a terminal, or pass --auto-approve")
        engine.unmount(namespace)
    typer.echo(f"Unmounted {namespace}.")


@app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of fixtures.toml, for editors.

    Example: irisfx schema > fixtures.schema.json
    """
    from irisfx.models import Document

    typer.echo(json.dumps(Document.model_json_schema(), indent=2))


@app.command("init")
def init_cmd(
    ctx: typer.Context,
    project_name: Annotated[str | None, typer.Option("--project", help="Project name "
                            "(default: this folder's name).")] = None,
) -> None:
    """Start a project here: fixtures.toml with an example fixture, its recipe, .gitignore.

    Example: mkdir demo && cd demo && irisfx init && irisfx apply
    """
    from irisfx.scaffold import init_project

    for line in init_project(Path.cwd(), project_name):
        typer.echo(line)


INTERRUPTED = "\ninterrupted: finished actions are recorded; run 'irisfx apply' to resume"


def main() -> None:
    """Console entry point: run the app, turn errors into messages and exit codes."""
    debug = "--debug" in sys.argv
    try:
        code = app(standalone_mode=False)
    except IrisfxError as error:
        if debug:
            raise
        typer.echo(error.render(), err=True)
        sys.exit(int(error.exit_code))
    except typer.TyperException as error:
        show = getattr(error, "show", None)  # usage errors print themselves with a hint
        if callable(show):
            show()
        else:
            typer.echo(f"error: {error.format_message()}", err=True)
        sys.exit(int(ExitCode.USAGE))
    except (KeyboardInterrupt, typer.Abort):
        typer.echo(INTERRUPTED, err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as error:
        if debug:
            raise
        typer.echo(f"error: unexpected {type(error).__name__}: {error}\n  run again with "
                   "--debug for the traceback, and please report it", err=True)
        sys.exit(int(exit_code_for(error)))
    code = int(code) if isinstance(code, int) else 0
    if code == ExitCode.INTERRUPTED:  # typer turns KeyboardInterrupt into this exit code
        typer.echo(INTERRUPTED, err=True)
    sys.exit(code)
