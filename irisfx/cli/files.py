"""Command verify: what the repository promises (files, recipes, declarations vs pins)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from irisfx.cli.app import (
    Names,
    Verify,
    VerifyMode,
    app,
    get_globals,
    load_workspace,
    style,
)
from irisfx.cli.github import OutputFormat, emit_verify
from irisfx.errors import ExitCode

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (docs/plan-json.md).")]


@app.command(
    "verify", short_help="Check files, recipes and declarations against pins; no engine needed.")
def verify_cmd(ctx: typer.Context, names: Names = None, verify: VerifyMode = Verify.cached,
               as_json: AsJson = False, output: OutputFormat = None) -> None:
    """Check, with no engine, what the repository promises: each file matches its pin, each
    recipe matches the recipe_sha256 it was pinned with, each 'expect' matches the pinned
    tables.

    Exit 0 all hold; 2 a recipe or 'expect' changed since pinning (apply would rebuild);
    3 a file is missing, differs from its pin, or a fixture is not pinned at all.
    Use it in CI before any IRIS is running; 'irisfx check' compares with an instance.

    Example: irisfx verify --verify full
    """
    from irisfx.reconcile.report import problem_json
    from irisfx.reconcile.verify import verify_fixtures

    g = get_globals(ctx)
    ws = load_workspace(g)
    verdicts, _ = verify_fixtures(ws, list(names or ()), full=verify is Verify.full)
    code = ExitCode.OK
    if any(v.status == "pending" for v in verdicts):
        code = ExitCode.CHANGES
    if any(v.status == "integrity" for v in verdicts):
        code = ExitCode.INTEGRITY
    if as_json:
        typer.echo(json.dumps({
            "format_version": 1, "project": ws.project.name, "exit_code": int(code),
            "fixtures": [{"fixture": v.fixture, "file": v.file, "status": v.status,
                          "pin": {"sha256": v.pin.sha256, "size": v.pin.size} if v.pin
                          else None,
                          "problem": problem_json(v.problem) if v.problem else None}
                         for v in verdicts]}, indent=2))
        raise typer.Exit(code)  # no annotations: stdout holds JSON
    labels = {"ok": style(g, " ok ", "green"), "pending": style(g, "CHANGED", "yellow"),
              "integrity": style(g, "FAIL", "red")}
    for v in verdicts:
        if v.problem is None:
            assert v.pin is not None
            typer.echo(f"{labels[v.status]} {v.fixture}: sha256:{v.pin.sha256[:12]}… "
                       f"({v.pin.size:,} bytes)")
            continue
        typer.echo(f"{labels[v.status]} {v.fixture}: {v.problem.message}")
        for line in v.problem.details:
            typer.echo(f"      {line}")
        fix = v.problem.fix.splitlines()
        if fix:
            typer.echo(f"      fix: {fix[0]}")
            for line in fix[1:]:
                typer.echo(f"           {line}")
    bad = sum(v.status != "ok" for v in verdicts)
    if bad:
        typer.echo(f"\n{bad} of {len(verdicts)} fixture(s) do not match what fixtures.toml "
                   f"pins (project '{ws.project.name}').", err=True)
    emit_verify(output, ws, verdicts)
    raise typer.Exit(code)
