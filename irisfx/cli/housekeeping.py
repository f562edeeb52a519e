"""Commands pin, gc, destroy: adopt a file, clear leftovers, remove what the project owns."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from irisfx.cli.app import app, get_globals, load_workspace, opened_engine
from irisfx.errors import UsageError

Yes = Annotated[bool, typer.Option("--yes", "--auto-approve", help="Do not ask (needed when "
                                   "not on a terminal).")]


def consent(question: str, yes: bool, refused: str) -> None:
    """Go on with --yes or a 'y' on a terminal; otherwise stop with a UsageError."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(refused, fix="review the list above and pass --yes")
    if not typer.confirm(question, default=False):
        raise UsageError("cancelled; nothing was changed")


@app.command(
    "pin", short_help="Adopt a fixture file irisfx did not make, after showing its digest.")
def pin_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The fixture whose file to adopt.")],
    yes: Yes = False,
) -> None:
    """Adopt a fixture file irisfx did not make (e.g. a DAT a colleague handed you): show its
    SHA-256 and size, then, once you agree, write them as the fixture's pin.

    The engine checks the file when it mounts it, as for any pin. A fixture with a recipe is
    pinned with the recipe's current digest, so apply does not rebuild it.

    Example: irisfx pin entities-100
    """
    from irisfx.reconcile.adopt import adopt, measure

    g = get_globals(ctx)
    ws = load_workspace(g)
    candidate = measure(ws.project, name)
    old = candidate.fixture.pin
    typer.echo(f"fixture: {name} (project '{ws.project.name}')\nfile:    "
               f"{candidate.fixture.file}\nsha256:  {candidate.sha256}\nsize:    "
               f"{candidate.size:,} bytes\nkind:    {candidate.built_by}")
    if old is not None and old.sha256 == candidate.sha256:
        typer.echo("This file is already pinned. Nothing to do.")
        return
    if old is not None:
        typer.echo(f"replaces the pin sha256:{old.sha256} ({old.size:,} bytes)")
    consent(f"Pin this file for fixture '{name}'?", yes,
            f"not pinning {candidate.fixture.file} without your consent")
    adopt(ws.project, candidate)
    typer.echo(f"Pinned {candidate.fixture.file} in fixtures.toml. Commit fixtures.toml and "
               "the file.")


@app.command("gc", short_help="List, and with consent remove, leftover files and namespaces.")
def gc_cmd(ctx: typer.Context, yes: Yes = False,
           dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list.")] = False) -> None:
    """List, and with consent remove, leftovers: fixture files under fixtures/ that no declared
    fixture uses, stray *.irisfx-new snapshots, namespaces of this project that no fixture
    uses any more, and test copies kept with --irisfx-keep (or left by a killed test run).

    A file that holds a declared fixture's pinned file (a renamed fixture's) and a file that
    is not a database are never removed. Run it when no test session is running.


    Example: irisfx gc --dry-run
    """
    from irisfx.reconcile.leftovers import stray_new_files, unclaimed_files
    from irisfx.reconcile.sweep import split_leftovers

    g = get_globals(ctx)
    ws = load_workspace(g)
    project = ws.project
    files, kept = split_leftovers(ws, [*unclaimed_files(project), *stray_new_files(project)])
    declared = {ns for f in project.fixtures() for ns in (f.source, f.mount)}
    with opened_engine(g, ws) as engine:
        owned = engine.inventory().owned
        unused = sorted(ns for ns, r in owned.items() if ns not in declared and r.role != "copy")
        copies = sorted(ns for ns, r in owned.items() if r.role == "copy")
        for path, why in kept:
            typer.echo(f"kept {path.relative_to(project.root)}: {why}")
        if not files and not unused and not copies:
            typer.echo(f"Nothing left over (project '{project.name}').")
            return
        typer.echo(f"Left over in project '{project.name}':")
        for path in files:
            typer.echo(f"  file       {path.relative_to(project.root)}")
        for ns in unused:
            typer.echo(f"  namespace  {ns}")
        for ns in copies:
            typer.echo(f"  test copy  {ns}  (kept with --irisfx-keep, or left by a killed run)")
        if dry_run:
            return
        consent("Remove these?", yes, "not removing leftovers without your consent")
        with engine.lock(0.0):
            for ns in [*unused, *copies]:
                engine.unmount(ns)
    for path in files:
        path.unlink(missing_ok=True)
        if path.parent != project.root and not any(path.parent.iterdir()):
            path.parent.rmdir()
    typer.echo(f"Removed {len(files)} file(s) and {len(unused) + len(copies)} namespace(s).")


@app.command("destroy", short_help="Remove everything this project owns on the instance.")
def destroy_cmd(ctx: typer.Context, yes: Yes = False) -> None:
    """Remove everything this project owns on the instance: every mount, test copy and source
    namespace with its database. Files and pins in the repository stay; apply rebuilds it.


    Example: irisfx destroy --yes
    """
    g = get_globals(ctx)
    ws = load_workspace(g)
    project = ws.project
    with opened_engine(g, ws) as engine, engine.lock(0.0):
        owned = engine.inventory().owned
        if not owned:
            typer.echo(f"Project '{project.name}' has nothing on the instance.")
            return
        order = {"copy": 0, "mount": 1, "source": 2}  # what serves first, what feeds it last
        doomed = sorted(owned.values(), key=lambda r: (order.get(r.role, 3), r.namespace))
        typer.echo(f"Project '{project.name}' owns on {engine.info().url}:")
        for r in doomed:
            typer.echo(f"  - {r.namespace:<28}{r.role:<8}{r.fixture}")
        consent(f"Remove these {len(doomed)} namespace(s) and their databases?", yes,
                f"not destroying what project '{project.name}' owns without your consent")
        for r in doomed:
            engine.unmount(r.namespace)
    typer.echo(f"Removed {len(doomed)} namespace(s) of project '{project.name}'.")
