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
    from irisfx.models import Document

    typer.echo(json.dumps(Document.model_json_schema(), indent=2))


@app.command("init", short_help="Start a project in this folder.")
def init_cmd(
    ctx: typer.Context,
    project_name: Annotated[str | None, typer.Option(
        "--project", metavar="NAME", help="Project name (default: this folder's name, "
        "accents dropped).")] = None,
) -> None:
    """Start a project here: fixtures.toml with an example fixture, its recipe, .gitignore.

    Refused inside an existing project. The project name comes from the folder's name
    (accents dropped), and the example's namespaces carry it.

    Example: irisfx init --project demo  (then: irisfx apply)
    """
    from irisfx.scaffold import init_project

    for line in init_project(Path.cwd(), project_name):
        typer.echo(line)


