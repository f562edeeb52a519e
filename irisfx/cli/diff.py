"""Commands diff and dump: what changed in fixture data, readable in a terminal, in git and on
a pull request (docs/diff.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from irisfx.cli.app import Globals, Names, app, config_path, get_globals, load_workspace
from irisfx.cli.github import OutputFormat
from irisfx.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from irisfx.engines.base import Engine
    from irisfx.lockfile.project import Project
    from irisfx.reconcile.diff import FixtureDiff


def _engine_factory(g: Globals, project: Project) -> Engine:
    from irisfx.reconcile.observe import open_project_engine

    return open_project_engine(project, g.iris)


def _optional_project(g: Globals) -> Project | None:
    """fixtures.toml when there is one (two files can be compared without a project)."""
    from irisfx.errors import ConfigError
    from irisfx.lockfile.project import load_project

    try:
        return load_project(config_path(g))
    except ConfigError:
        if g.config is not None:
            raise
        return None


@app.command("diff", short_help="Show what changed in fixture data: tables, columns, rows.")
def diff_cmd(
    ctx: typer.Context,
    names: Names = None,
    from_rev: Annotated[str | None, typer.Option("--from", metavar="REV", help="Compare the "
                        "fixture files at this git revision (from git, or the store by its "
                        "pin) ...", show_default=False)] = None,
    to_rev: Annotated[str | None, typer.Option("--to", metavar="REV", help="... with the files "
                      "at this revision (default: the working tree).", show_default=False)]
    = None,
    from_file: Annotated[Path | None, typer.Option("--from-file", metavar="FILE",
                         help="Compare two database files: this one ...",
                         show_default=False)] = None,
    to_file: Annotated[Path | None, typer.Option("--to-file", metavar="FILE",
                       help="... with this one.", show_default=False)] = None,
    rows: Annotated[int, typer.Option("--rows", metavar="N", min=0, help="Changed rows shown "
                    "side by side per table.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (docs/diff.md).")]
    = False,
    output: OutputFormat = None,
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 2 when anything "
                         "differs, 0 when nothing does.")] = False,
) -> None:
    """Show what changed in fixture data: tables added or removed, columns added, removed or
    retyped, rows added, removed or changed (by primary key, or row id), with the first
    changed rows of each table side by side.

    Without options: each fixture's pinned file against what its recipe builds now (what
    'irisfx apply' would pin). --from REV [--to REV]: the files at git revisions. --from-file
    and --to-file: two files. On IRIS, files are mounted read-only under temporary namespaces
    that are removed afterwards.


    Example: irisfx diff --from origin/main --format github
    """
    from irisfx.reconcile.diffrun import DiffRequest, diff_files, diff_fixtures

    g = get_globals(ctx)
    if (from_file is None) != (to_file is None):
        raise UsageError("--from-file and --to-file go together",
                         fix="pass both files, e.g. --from-file old.DAT --to-file new.DAT")
    if from_file is not None and to_file is not None:
        if names or from_rev or to_rev:
            raise UsageError("--from-file/--to-file compare two files, not fixtures",
                             fix="leave out fixture names, --from and --to")
        project = _optional_project(g)
        diffs = [diff_files(from_file, to_file, samples=rows, project=project,
                            engine=(lambda: _engine_factory(g, project)) if project else None)]
    else:
        if to_rev is not None and from_rev is None:
            raise UsageError("--to needs --from", fix="e.g. --from HEAD~1 --to HEAD")
        ws = load_workspace(g)
        request = DiffRequest(tuple(names or ()), from_rev, to_rev, rows)
        diffs = diff_fixtures(ws.project, request, lambda: _engine_factory(g, ws.project))
    _print(diffs, as_json=as_json, github=_github(output))
    if exit_code and any(d.has_changes for d in diffs):
        raise typer.Exit(ExitCode.CHANGES)


def _github(output: object) -> bool:
    from irisfx.reconcile.github import wanted

    return wanted(getattr(output, "value", None))


def _print(diffs: list[FixtureDiff], *, as_json: bool, github: bool) -> None:
    from irisfx.reconcile.diffout import render_json, render_markdown, render_text
    from irisfx.reconcile.github import append_summary

    if as_json:
        typer.echo(json.dumps(render_json(diffs), indent=2, ensure_ascii=False))
    if github:
        markdown = render_markdown(diffs)
        if not append_summary(markdown) and not as_json:
            typer.echo(markdown)  # no step summary to write to: the Markdown is the output
            return
    if not as_json:
        typer.echo(render_text(diffs), nl=False)


@app.command("dump", short_help="Print a fixture file as text (a git textconv driver).")
def dump_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="An IRIS.DAT file.",
                                         show_default=False)],
    rows: Annotated[int, typer.Option("--rows", metavar="N", min=0, help="Rows shown per "
                    "table; past it, a count.")] = 1000,
) -> None:
    """Print a fixture file as deterministic text: each table's manifest (rows, digest, key,
    columns), then its rows in key order. An IRIS file needs a server to read, so its manifest
    is printed from the fixtures.toml pin with its SHA-256.

    As a git textconv driver ('irisfx init' writes the .gitattributes line):
    git config diff.irisfx.textconv "irisfx dump"


    Example: irisfx dump fixtures/entities-100/IRIS.DAT | less
    """
    from irisfx.reconcile.dump import dump_file

    project = _optional_project(get_globals(ctx))
    for line in dump_file(file, project=project, rows=rows):
        typer.echo(line)

