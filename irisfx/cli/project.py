"""Commands init, schema: start a project, describe fixtures.toml."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from irisfx.cli.app import (
    app,
)


@app.command("schema", short_help="Print the JSON Schema of fixtures.toml.")
def schema_cmd() -> None:
    """Print the JSON Schema of fixtures.toml, for editors.


    Example: irisfx schema > fixtures.schema.json
    """
    from irisfx.lockfile.models import Document

    typer.echo(json.dumps(Document.model_json_schema(), indent=2))


@app.command("init", short_help="Start a project in this folder.")
def init_cmd(
    ctx: typer.Context,
    project_name: Annotated[str | None, typer.Option(
        "--project", metavar="NAME", help="Project name (default: this folder's name, "
        "accents dropped).")] = None,
    store: Annotated[str | None, typer.Option(
        "--store", metavar="URL", help="Keep fixture files in this store "
        "(s3://BUCKET/PREFIX, a folder, ...) instead of git; docs/store.md.",
        show_default=False)] = None,
    lfs: Annotated[bool, typer.Option("--lfs", help="Keep fixture files in git LFS "
                   "(.gitattributes).")] = False,
) -> None:
    """Start a project here: fixtures.toml with an example fixture, its recipe, .gitignore.

    Refused inside an existing project. The project name comes from the folder's name
    (accents dropped), and the example's namespaces carry it.

    Example: irisfx init --project demo  (then: irisfx apply)
    """
    from irisfx.lockfile.scaffold import init_project
    from irisfx.store.scaffold import add_lfs, add_store, check_store_url

    if store is not None and lfs:
        from irisfx.errors import UsageError

        raise UsageError("--store and --lfs are two ways to keep the files", fix="choose one")
    if store is not None:
        from irisfx.errors import UsageError
        from irisfx.lockfile.models import check_store_url as refuse_credentials

        try:
            refuse_credentials(store)
        except ValueError as exc:
            raise UsageError(f"--store: {exc}", fix="pass the URL without them") from None
        check_store_url(store)
    lines = init_project(Path.cwd(), project_name)
    if store is not None:
        lines[-1:-1] = add_store(Path.cwd(), Path.cwd() / "fixtures.toml", store)
    if lfs:
        lines[-1:-1] = add_lfs(Path.cwd())
    for line in lines:
        typer.echo(line)


