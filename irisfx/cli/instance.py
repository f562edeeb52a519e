"""Commands status, unmount: what this project has on the instance."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from irisfx.cli.app import (
    app,
    get_globals,
    load_workspace,
    opened_engine,
)
from irisfx.errors import EngineError, UsageError

if TYPE_CHECKING:
    from irisfx.engines.base import Engine


@app.command(
    "status", short_help="What this project (--all: every project) has on the instance.")
def status_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    all_projects: Annotated[bool, typer.Option("--all", help="List every irisfx project on "
                            "the instance, with what each owns.")] = False,
) -> None:
    """Show what this project has on the instance: namespaces, roles, digests.


    Example: irisfx status --all
    """
    from dataclasses import asdict

    from irisfx.engines import redact_url

    g = get_globals(ctx)
    ws = load_workspace(g)
    project = ws.project
    with opened_engine(g, ws) as engine:
        info, inventory = engine.info(), engine.inventory()
        if all_projects:
            _status_all(engine, as_json)
            return
    if as_json:
        typer.echo(json.dumps({"engine": asdict(info), "project": project.name,
                               "owned": [asdict(r) for _, r in sorted(inventory.owned.items())]},
                              indent=2))
        return
    typer.echo(f"engine:  {info.product}\nurl:     {redact_url(info.url)}\n"
               f"project: {project.name}")
    if not inventory.owned:
        typer.echo("Nothing of this project is on the instance. Run 'irisfx apply'.")
        return
    from irisfx.cli.table import columns

    rows = []
    for ns, r in sorted(inventory.owned.items()):
        health = "" if r.database_present else "  (missing)"
        health += "  (changed)" if r.changed else ""
        digest = f"sha256:{r.sha256[:12]}…" if r.sha256 else "-"
        rows.append([ns, r.role, r.fixture, r.state, "ro" if r.readonly else "rw",
                     digest + health])
    typer.echo("")
    for line in columns(["NAMESPACE", "ROLE", "FIXTURE", "STATE", "MODE", "DIGEST"], rows):
        typer.echo(line)


def _status_all(engine: Engine, as_json: bool) -> None:
    from dataclasses import asdict

    lister = getattr(engine, "projects", None)
    if not callable(lister):
        raise EngineError(f"this engine ({engine.info().product}) cannot list other projects",
                          fix="upgrade irisfx; 'irisfx status' shows this project")
    projects = lister()
    if as_json:
        typer.echo(json.dumps({"projects": [asdict(p) for p in projects]}, indent=2))
        return
    if not projects:
        typer.echo("No irisfx project has anything on this instance.")
        return
    from irisfx.cli.table import columns

    for entry in projects:
        typer.echo(f"{entry.owner.describe()}:")
        for line in columns(["NAMESPACE", "ROLE", "FIXTURE", "STATE"],
                            [[r.namespace, r.role, r.fixture, r.state] for r in entry.records]):
            typer.echo("  " + line)


@app.command("unmount", short_help="Remove one fixture's mount from the instance.")
def unmount_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="A fixture name, or a namespace "
                    "this project owns.")],
    auto_approve: Annotated[bool, typer.Option("--yes", "--auto-approve", help="Do not ask "
                            "(needed when not on a terminal).")] = False,
) -> None:
    """Remove a fixture's mount (namespace, database, files) from the instance.

    The fixture stays declared, so the next apply mounts it again.

    Example: irisfx unmount entities-100 --yes
    """
    g = get_globals(ctx)
    ws = load_workspace(g)
    project = ws.project
    namespace = project.fixture(name).mount if name in project.doc.fixtures else name.upper()
    with opened_engine(g, ws) as engine, engine.lock(0.0):
        inventory = engine.inventory()
        if namespace not in inventory.owned:
            other = inventory.others.get(namespace)
            if other is not None and other.owner is not None:
                raise UsageError(
                    f"{namespace} belongs to irisfx {other.owner.describe()}, not to project "
                    f"'{project.name}'; irisfx leaves it alone",
                    fix="unmount it from that project (run 'irisfx unmount' in its folder), "
                    "or give this project's fixture its own 'mount'")
            raise UsageError(f"project '{project.name}' has nothing mounted as {namespace}",
                             fix="see what it has with 'irisfx status'")
        if not auto_approve and not (sys.stdin.isatty() and typer.confirm(
                f"Remove namespace {namespace} and its database?", default=False)):
            raise UsageError(f"not unmounting {namespace}",
                             fix="confirm on a terminal, or pass --yes")
        engine.unmount(namespace)
    typer.echo(f"Unmounted {namespace}.")


