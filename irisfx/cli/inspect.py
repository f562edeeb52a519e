"""Commands list, show, sql: look at the declared fixtures and inside a mounted one."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from irisfx.cli.app import app, get_globals, load_workspace, opened_engine
from irisfx.errors import UsageError

if TYPE_CHECKING:
    from irisfx.lockfile.models import ResolvedFixture

MAX_SQL_ROWS = 1000


def fixture_summary(f: ResolvedFixture) -> dict[str, Any]:
    """A fixture with its defaults resolved, as plain data."""
    pin = f.pin
    return {
        "name": f.name, "description": f.decl.description, "source": f.source,
        "recipe": f.decl.recipe, "mount": f.mount, "file": f.file,
        "readonly": f.decl.readonly, "expect": dict(f.decl.expect),
        "pin": None if pin is None else {
            "sha256": pin.sha256, "size": pin.size, "recipe_sha256": pin.recipe_sha256,
            "built_by": pin.built_by, "created": pin.created.isoformat(),
            "tables": dict(pin.tables)},
        "queries": [{"sql": q.sql, "equals": q.equals}
                    for q in getattr(f.decl, "queries", None) or []],
    }


@app.command("list", short_help="List the declared fixtures with their pins.")
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the declared fixtures: source, mount, file, pin and pinned tables. Needs no engine.


    Example: irisfx list --json
    """
    g = get_globals(ctx)
    ws = load_workspace(g)
    fixtures = [fixture_summary(f) for f in ws.project.fixtures()]
    if as_json:
        typer.echo(json.dumps({"project": ws.project.name, "fixtures": fixtures}, indent=2))
        return
    if not fixtures:
        typer.echo(f"Project '{ws.project.name}' declares no fixtures. Add [fixtures.NAME] to "
                   "fixtures.toml.")
        return
    from irisfx.cli.table import columns

    typer.echo(f"project: {ws.project.name}\n")
    rows = []
    for f in fixtures:
        pin = f["pin"]
        pinned = f"sha256:{pin['sha256'][:8]}…" if pin else "(not pinned)"
        tables = ", ".join(f"{t} {n:,}" for t, n in sorted(pin["tables"].items())) \
            if pin else ""
        rows.append([f["name"], f["source"], f["mount"], pinned, f["file"], tables])
    for line in columns(["FIXTURE", "SOURCE", "MOUNT", "PIN", "FILE", "TABLES"], rows):
        typer.echo(line)


@app.command("show", short_help="Show one fixture: declaration, pin, known queries.")
def show_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="A declared fixture.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one fixture: its declaration with defaults, its pin, its known queries.


    Example: irisfx show entities-100
    """
    g = get_globals(ctx)
    ws = load_workspace(g)
    f = fixture_summary(ws.project.fixture(name))
    if as_json:
        typer.echo(json.dumps(f, indent=2, default=str))
        return
    typer.echo(f"fixture:     {f['name']}  (project '{ws.project.name}')")
    if f["description"]:
        typer.echo(f"description: {f['description']}")
    typer.echo(f"source:      {f['source']}" + (f"  built by {f['recipe']}" if f["recipe"]
                                                 else "  (no recipe: snapshotted as it is)"))
    typer.echo(f"file:        {f['file']}\nmount:       {f['mount']} "
               f"({'read-only' if f['readonly'] else 'writable copies for tests'})")
    for table, rows in sorted(f["expect"].items()):
        typer.echo(f"expect:      {table} = {_rows(rows)}")
    pin = f["pin"]
    if pin is None:
        typer.echo("pin:         none yet (run 'irisfx apply', or adopt a file: "
                   f"irisfx pin {f['name']})")
    else:
        typer.echo(f"pin:         sha256:{pin['sha256']}\n             {pin['size']:,} bytes, "
                   f"built by {pin['built_by']}, {pin['created']}")
        for table, rows in sorted(pin["tables"].items()):
            typer.echo(f"             {table}: {_rows(rows)}")
    if not f["queries"]:
        typer.echo("queries:     none (declare them: queries = [{ sql = \"SELECT …\", "
                   "equals = … }])")
    for query in f["queries"]:
        typer.echo(f"query:       {' '.join(str(query['sql']).split())}\n"
                   f"             equals {json.dumps(query['equals'], default=str)}")


def _rows(count: int) -> str:
    return f"{count:,} row{'s' * (count != 1)}"


@app.command("sql", short_help="Run a read-only SELECT on a mounted fixture.")
def sql_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="A mounted fixture.")],
    statement: Annotated[str, typer.Argument(metavar="SQL", help="One SELECT or WITH "
                         "statement.")],
    max_rows: Annotated[int, typer.Option("--max-rows", metavar="N", min=1,
                        help="Print at most N rows.")] = 100,
) -> None:
    """Run one read-only statement on a mounted fixture's namespace and print the rows.

    Only SELECT and WITH are accepted: looking never changes a fixture.

    Example: irisfx sql entities-100 "SELECT COUNT(*) FROM RAG.Entities"
    """
    from rich.console import Console
    from rich.table import Table

    from irisfx.lockfile.queries import check_read_only

    g = get_globals(ctx)
    ws = load_workspace(g)
    fixture = ws.project.fixture(name)
    try:
        check_read_only(statement)
    except ValueError as exc:
        raise UsageError(f"not a read-only statement: {exc}",
                         fix='pass one SELECT, e.g. "SELECT COUNT(*) FROM Schema.Table"') from None
    with opened_engine(g, ws) as engine:
        record = engine.inventory().owned.get(fixture.mount)
        if record is None or record.state != "ready":
            raise UsageError(f"fixture '{name}' is not mounted (namespace {fixture.mount}, "
                             f"project '{ws.project.name}')", fix="mount it: irisfx apply")
        connection = engine.connect(fixture.mount)
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(statement)
                columns = [str(d[0]) for d in (cursor.description or [])]
                rows: list[Any] = []
                while len(rows) <= min(max_rows, MAX_SQL_ROWS):
                    row = cursor.fetchone()
                    if row is None:
                        break
                    rows.append(row)
            except Exception as exc:  # the driver's message is the answer the user needs
                raise UsageError(f"the statement failed on {fixture.mount}: {exc}",
                                 fix="correct the statement") from None
            finally:
                cursor.close()
            connection.rollback()
        finally:
            connection.close()
    more = len(rows) > max_rows
    table = Table(*columns, show_lines=False)
    for row in rows[:max_rows]:
        table.add_row(*["NULL" if v is None else str(v) for v in row])
    Console(no_color=not g.color, soft_wrap=True).print(table)
    shown = min(len(rows), max_rows)
    typer.echo(f"({_rows(shown)}{', more not shown' if more else ''})")
