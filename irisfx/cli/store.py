"""Commands push, pull: pinned fixture files to and from the store (docs/store.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from irisfx.cli.app import Names, app, get_globals, load_workspace, progress_factory, style

if TYPE_CHECKING:
    from irisfx.store.transfer import Outcome

StoreUrl = Annotated[str | None, typer.Option("--store", metavar="URL", help="Store URL; wins over "
                     "IRISFX_STORE and fixtures.toml.", show_default=False)]
Jobs = Annotated[int, typer.Option("--jobs", "-j", min=1, metavar="N",
                                   help="Files moved at once (1 or more).")]


@app.command("push", short_help="Upload pinned files the store lacks (docs/store.md).")
def push_cmd(ctx: typer.Context, names: Names = None, store: StoreUrl = None,
             jobs: Jobs = 4) -> None:
    """Upload every pinned file the store lacks, after checking it against its pin.

    Exits 3 when a file does not match its pin (nothing of it is uploaded), 4 when the store
    cannot be reached or refuses the credentials, 1 for a missing backend or file.

    Example: irisfx push
    """
    from irisfx.lockfile.project import select_fixtures
    from irisfx.store import open_store, push_files
    from irisfx.store.transfer import pinned_items

    g = get_globals(ctx)
    ws = load_workspace(g)
    opened = open_store(ws.project, store)
    items = pinned_items(ws.project, select_fixtures(ws.project, names or ()))
    outcomes = push_files(opened, items, ws.cache, progress_factory(g), jobs)
    ws.save_cache()
    _report(g, outcomes, f"store {opened.url}")


@app.command("pull", short_help="Download pinned files that are missing or wrong, verified.")
def pull_cmd(ctx: typer.Context, names: Names = None, store: StoreUrl = None,
             jobs: Jobs = 4) -> None:
    """Download every pinned file that is missing or does not match its pin.

    Each file is written beside its place, hashed while it arrives, and renamed into place only
    when it equals its pin. Exits 3 when the store's copy does not match (nothing written), 4
    when the store cannot be reached or refuses the credentials, 1 when it lacks a file.

    Example: irisfx pull entities-100
    """
    from irisfx.lockfile.project import select_fixtures
    from irisfx.store import open_store, pull_files
    from irisfx.store.transfer import pinned_items

    g = get_globals(ctx)
    ws = load_workspace(g)
    opened = open_store(ws.project, store)
    items = pinned_items(ws.project, select_fixtures(ws.project, names or ()))
    outcomes = pull_files(opened, items, ws.cache, progress_factory(g), jobs)
    ws.save_cache()
    _report(g, outcomes, f"store {opened.url}")


def _report(g: object, outcomes: list[Outcome], where: str) -> None:
    from irisfx.cli.app import Globals
    from irisfx.errors import ExitCode

    assert isinstance(g, Globals)
    failed = [o for o in outcomes if o.error is not None]
    for o in outcomes:
        if o.error is None:
            typer.echo(style(g, " ok ", "green") + f" {o.name}: {o.status} ({o.size:,} bytes)")
    for o in failed:
        assert o.error is not None
        typer.echo(style(g, "FAIL", "red") + f" {o.name}", err=True)
        typer.echo(o.error.render(), err=True)
    if not outcomes:
        typer.echo("No pinned files to move; apply pins them.")
    if failed:
        codes = {int(o.error.exit_code) for o in failed if o.error is not None}
        # An integrity failure outranks the others: it is the one that must not be missed.
        raise typer.Exit(ExitCode.INTEGRITY if ExitCode.INTEGRITY in codes else min(codes))
    moved = sum(1 for o in outcomes if o.status in ("pushed", "pulled"))
    typer.echo(f"{moved} of {len(outcomes)} file(s) moved; {where}")
