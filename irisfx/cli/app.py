"""The typer app, the options every command shares, and helpers the command modules use."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument

from irisfx import __version__
from irisfx.errors import ExitCode

if TYPE_CHECKING:
    from irisfx.engines.base import Engine
    from irisfx.files.digest import ProgressFactory
    from irisfx.reconcile.plan import Plan
    from irisfx.reconcile.workspace import Workspace

app = typer.Typer(
    name="irisfx",
    help="Declare, pin, verify and mount InterSystems IRIS test-data fixtures.\n\n"
    "Exit codes: 0 done/in sync, 1 usage or configuration error, 2 changes present, "
    "3 integrity failure, 4 cannot reach IRIS, 5 apply failed part-way, 130 interrupted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _argument_type(self: Any, ctx: Any) -> str | None:
    # typer prints "<list[str]>" beside an argument even when it has a metavar; the metavar
    # says it better, so show the type only where there is none.
    if isinstance(self, TyperArgument) and self.metavar:
        return None
    return _TYPER_ARGUMENT_TYPE(self, ctx)


def _usage_name(self: Any) -> str:
    # typer writes a required argument as {NAME} in the usage line; irisfx's help, README and
    # error messages write NAME.
    name = str(_TYPER_USAGE_NAME(self))
    return name.replace("{", "").replace("}", "") if self.required else name


_TYPER_ARGUMENT_TYPE = TyperArgument.display_type_rich
TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign]
_TYPER_USAGE_NAME = TyperArgument._usage_display_name
TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]


@dataclass
class RunState:
    """How far a command got, so that an interrupt can say what it left."""

    started: bool = False  # an action that changes something began
    finished: bool = False  # every action finished; an interrupt now changes nothing


RUN = RunState()


@dataclass
class Globals:
    """Options every command shares."""

    config: Path | None
    iris: str | None
    color: bool  # colour on stdout
    debug: bool
    no_color: bool = False  # --no-color or NO_COLOR: no colour anywhere (progress on stderr too)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"irisfx {__version__}")
        raise typer.Exit()


def _engine_url(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise typer.BadParameter("is empty; give an engine URL (iris://HOST:PORT or sim://DIR), "
                                 "or leave --iris out to use IRISFX_IRIS or fixtures.toml")
    return value


# Options every command accepts, before or after the command name (see cli.main).
GLOBAL_FLAGS = ("--no-color", "--debug")
GLOBAL_VALUED = ("--config", "-c", "--iris")


@app.callback(epilog="Global options may also follow the command: irisfx plan --debug.")
def _main(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", envvar="IRISFX_CONFIG", metavar="PATH",
        help="fixtures.toml to use, or the folder holding it (default: the nearest "
        "fixtures.toml in this folder or above).")] = None,
    iris: Annotated[str | None, typer.Option("--iris", metavar="URL", callback=_engine_url,
                    help="Engine URL; wins over IRISFX_IRIS and fixtures.toml.",
                    show_default=False)] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (also NO_COLOR).")]
    = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                       help="Print the version and exit.")] = False,
) -> None:
    plain = no_color or "NO_COLOR" in os.environ
    ctx.obj = Globals(config=config, iris=iris, color=not plain and sys.stdout.isatty(),
                      debug=debug, no_color=plain)


def get_globals(ctx: typer.Context) -> Globals:
    obj = ctx.find_object(Globals)
    assert obj is not None
    return obj


def style(g: Globals, text: str, color: str) -> str:
    return typer.style(text, fg=color) if g.color else text


_PLAN_COLORS = {"+": "green", "-/+": "yellow", "-": "red", "?": "cyan", "!": "red"}


def echo_plan(g: Globals, text: str) -> None:
    for line in text.splitlines():
        color = _PLAN_COLORS.get(line.split()[0]) if line.strip() else None
        typer.echo(style(g, line, color) if color else line)


def problem_exit(plan: Plan) -> None:
    """Exit 3 when a file fails its pin, 1 when the declaration cannot be applied."""
    if any(p.kind == "integrity" for p in plan.problems):
        raise typer.Exit(ExitCode.INTEGRITY)
    if plan.problems:
        raise typer.Exit(ExitCode.USAGE)


def load_workspace(g: Globals) -> Workspace:
    """fixtures.toml (--config, or the nearest one) opened for this run."""
    # Core modules load here, not at import, so that --version and --help stay fast.
    from irisfx.reconcile.workspace import Workspace

    return Workspace.load(config_path(g), progress=progress_factory(g))


def config_path(g: Globals) -> Path:
    """--config (a file, or a folder holding fixtures.toml), or the nearest fixtures.toml."""
    from irisfx.lockfile.project import CONFIG_NAME, find_config

    if g.config is None:
        return find_config(Path.cwd())
    return g.config / CONFIG_NAME if g.config.is_dir() else g.config


@contextmanager
def opened_engine(g: Globals, ws: Workspace) -> Iterator[Engine]:
    """The project's engine (--iris wins), closed when the command ends."""
    from irisfx.reconcile.observe import open_project_engine

    engine = open_project_engine(ws.project, g.iris)
    try:
        yield engine
    finally:
        engine.close()


def progress_factory(g: Globals) -> ProgressFactory | None:
    """Progress bars on a terminal (in colour unless --no-color); none when stderr is a pipe
    or a file."""
    if not sys.stderr.isatty():
        return None
    from functools import partial

    from irisfx.cli.progress import RichProgress

    return partial(RichProgress, color=not g.no_color)


def _split_commas(values: list[str] | None) -> list[str] | None:
    """``--rebuild a,b`` means two names, like ``--rebuild a --rebuild b``."""
    if values is None:
        return None
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if values and not names:
        raise typer.BadParameter("needs a fixture name: --rebuild NAME[,NAME...]")
    return names


Names = Annotated[list[str] | None, typer.Argument(metavar="NAME", help="Fixture names "
                                                   "(default: all).", show_default=False)]
Rebuild = Annotated[list[str] | None, typer.Option(
    "--rebuild", metavar="NAME[,NAME...]", callback=_split_commas,
    help="Build and snapshot these fixtures again on purpose, and pin the new files "
    "(repeat it, or separate names with commas).", show_default=False)]


class Verify(StrEnum):
    """How files are checked against their pins."""

    cached = "cached"
    full = "full"


VerifyMode = Annotated[Verify, typer.Option(
    "--verify", metavar="cached|full", help="cached: re-hash only files whose "
    "size/mtime/ctime/inode changed; full: re-hash every file.")]


