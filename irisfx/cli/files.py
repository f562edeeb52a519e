"""Commands verify: fixture files against their pins, with no engine."""

from __future__ import annotations

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


@app.command("verify")
def verify_cmd(ctx: typer.Context, names: Names = None, verify: VerifyMode = Verify.cached,
               output: OutputFormat = None) -> None:
    """Check fixture files against their pins. Needs no engine. Exit 3 on any mismatch.

    Example: irisfx verify --verify full
    """
    from irisfx.apply import select_fixtures
    from irisfx.observe import observe_files

    g = get_globals(ctx)
    ws = load_workspace(g)
    fixtures = select_fixtures(ws.project, names or ())
    states = observe_files(ws.project, fixtures, ws.cache, full=verify is Verify.full,
                           progress=ws.progress)
    ws.save_cache()
    failed = 0
    for fixture in fixtures:
        digest, pin = states[fixture.name].digest, fixture.pin
        if pin is None:
            line = f"  -  {fixture.name}: not pinned yet ({fixture.file})"
        elif digest is None:
            failed += 1
            line = style(g, "FAIL", "red") + f" {fixture.name}: {fixture.file} is missing"
        elif digest.sha256 != pin.sha256:
            failed += 1
            line = (style(g, "FAIL", "red") + f" {fixture.name}: sha256:{digest.sha256[:12]}…"
                    f" ({digest.size:,} bytes), pinned sha256:{pin.sha256[:12]}… "
                    f"({pin.size:,} bytes)")
        else:
            line = style(g, " ok ", "green") + f" {fixture.name}: sha256:{pin.sha256[:12]}… " \
                   f"({pin.size:,} bytes)"
        typer.echo(line)
    emit_verify(output, ws, states)
    if failed:
        typer.echo(f"\n{failed} file(s) do not match their pins. Restore them from git, or "
                   "rebuild on purpose: irisfx apply --rebuild NAME", err=True)
        raise typer.Exit(ExitCode.INTEGRITY)


