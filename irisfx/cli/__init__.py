"""The irisfx command line: parse, call the core, print. Errors become exit codes in main().

One module per group of commands; ``app`` holds what they share. Nothing is imported here at
module level: ``irisfx --version`` answers before typer (or anything else) loads, and core
modules are imported inside the commands so that ``--help`` stays fast too.
"""

from __future__ import annotations

import sys

# Not typing.TYPE_CHECKING: importing typing alone is a fifth of what --version may cost.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    import typer
    from typer.models import CommandInfo

__all__ = ["app", "main"]


def _load_app() -> typer.Typer:
    """The typer app with every command registered (typer and the command modules load here)."""
    from irisfx.cli.app import app

    # Importing a command module registers its commands; --help lists them in this order.
    # isort: off
    from irisfx.cli import plans  # noqa: F401
    from irisfx.cli import files  # noqa: F401
    from irisfx.cli import inspect  # noqa: F401
    from irisfx.cli import instance  # noqa: F401
    from irisfx.cli import housekeeping  # noqa: F401
    from irisfx.cli import project  # noqa: F401
    from irisfx.cli import store  # noqa: F401
    from irisfx.cli import diff  # noqa: F401
    # isort: on
    globals()["app"] = app  # the submodule irisfx.cli.app must not shadow the app itself
    return app


def __getattr__(name: str) -> Any:
    # ``from irisfx.cli import app`` still gives the typer app, loaded on first use.
    if name == "app":
        return _load_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

RESUME = "\ninterrupted: finished actions are recorded; run 'irisfx apply' to resume"
NOTHING_RAN = "\ninterrupted: nothing was changed"


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move global options written after the command to before it (``irisfx plan --debug``)."""
    from irisfx.cli.app import GLOBAL_FLAGS, GLOBAL_VALUED

    head: list[str] = []
    i = 0
    while i < len(argv) and argv[i].startswith("-"):  # options before the command
        takes_value = argv[i] in GLOBAL_VALUED
        head += argv[i:i + 1 + takes_value]
        i += 1 + takes_value
    if i >= len(argv):
        return argv
    command, rest = argv[i], argv[i + 1:]
    moved: list[str] = []
    kept: list[str] = []
    j = 0
    while j < len(rest):
        arg = rest[j]
        if arg == "--":
            kept += rest[j:]
            break
        if arg in GLOBAL_FLAGS or (arg.split("=", 1)[0] in GLOBAL_VALUED and "=" in arg):
            moved.append(arg)
        elif arg in GLOBAL_VALUED and j + 1 < len(rest):
            moved += rest[j:j + 2]
            j += 1
        else:
            kept.append(arg)
        j += 1
    return [*head, *moved, command, *kept]


def _command_of(argv: list[str]) -> str | None:
    """The command named in ``argv`` (global options already hoisted before it), if any."""
    from irisfx.cli.app import GLOBAL_VALUED

    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] in GLOBAL_VALUED else 1
    return argv[i] if i < len(argv) else None


def _only_command(app: typer.Typer, name: str | None) -> list[CommandInfo]:
    """Let typer build only the command that runs; returns every command, to restore.

    typer turns every registered command into a click command on each run, reading each
    function's signature and evaluating its annotations: two thirds of a no-change plan's
    own time went to the commands that did not run. An unknown name (or none: the command
    list, a typo to suggest a fix for) keeps them all.
    """
    from typer.main import get_command_name

    every = app.registered_commands
    chosen = [info for info in every if name is not None and name == (
        info.name or get_command_name(getattr(info.callback, "__name__", "")))]
    if chosen:
        app.registered_commands = chosen
    return every


def text_arguments_last(argv: list[str]) -> list[str]:
    """Hand text that starts with '-' (``sql NAME "-- note\nSELECT 1"``) over after ``--``.

    An option's name never holds a space or a line break, so such an argument is text.
    """
    if "--" in argv:
        return argv
    texts = [a for a in argv if a.startswith("-") and any(c.isspace()
                                                          for c in a.split("=", 1)[0])]
    if not texts:
        return argv
    return [a for a in argv if a not in texts] + ["--", *texts]


def _interrupted() -> None:
    """Ctrl-C or SIGTERM: exit 0 if the work was done, else say what is kept."""
    import signal

    import typer

    from irisfx.cli.app import RUN
    from irisfx.errors import ExitCode

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if RUN.finished:
        sys.exit(int(ExitCode.OK))
    typer.echo(RESUME if RUN.started else NOTHING_RAN, err=True)
    _exit_now(ExitCode.INTERRUPTED)


def _exit_now(code: int) -> None:
    import os

    # Clean-up already ran while the interrupt unwound the stack. Leaving through os._exit keeps
    # the documented code: seen in the signal rounds, an interrupt that lands as Python shuts
    # down otherwise turns 130 into death by SIGINT (-2).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))


def main() -> None:
    """Console entry point: run the app, turn errors into messages and exit codes."""
    if sys.argv[1:] == ["--version"]:  # answered before anything else loads
        from irisfx import __version__

        sys.stdout.write(f"irisfx {__version__}\n")
        return
    import os
    import signal

    from irisfx.errors import ExitCode
    from irisfx.files.signals import handle_sigterm_as_interrupt

    # pydantic looks for plugins of every installed distribution (importlib.metadata) the first
    # time a model validates: ~10% of a no-change plan. irisfx's own models want none; a user
    # who sets the variable keeps their choice. irisfx starts no Python child that could miss it.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

    _load_app()  # under ``python -m irisfx`` the early handlers still cover the imports
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # SIGTERM (kill, a CI timeout) stops irisfx like Ctrl-C: clean-up runs, the message shows.
    handle_sigterm_as_interrupt()
    try:
        _run()
    except KeyboardInterrupt:
        # An interrupt that lands while an error is being reported must still end as the
        # documented 130, not as Python's own death by SIGINT.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _exit_now(ExitCode.INTERRUPTED)


def _run() -> None:
    import signal

    import typer

    from irisfx.errors import ExitCode, IrisfxError, exit_code_for

    app = _load_app()
    argv = text_arguments_last(hoist_global_options(sys.argv[1:]))
    debug = "--debug" in argv
    every = _only_command(app, _command_of(argv))
    try:
        code = app(args=argv, prog_name="irisfx", standalone_mode=False)
    except IrisfxError as error:
        if debug:
            raise
        typer.echo(error.render(), err=True)
        sys.exit(int(error.exit_code))
    except (KeyboardInterrupt, typer.Abort):
        _interrupted()
    except typer.TyperException as error:
        from irisfx.cli.usage import plain_words

        plain_words(error)
        show = getattr(error, "show", None)  # usage errors print themselves with a hint
        if callable(show):
            show()
        else:
            typer.echo(f"error: {error.format_message()}", err=True)
        sys.exit(int(ExitCode.USAGE))
    except OSError as error:
        if debug:
            raise
        # A path that is a folder, unreadable or gone is the user's to fix, not a bug.
        where = f" {error.filename}" if error.filename else ""
        typer.echo(f"error: cannot use{where}: {error.strerror or error}\n  fix: check that "
                   "path (in fixtures.toml or on the command line) names a file you can "
                   "read and write", err=True)
        sys.exit(int(ExitCode.USAGE))
    except Exception as error:
        if debug:
            raise
        typer.echo(f"error: unexpected {type(error).__name__}: {error}\n  run again with "
                   "--debug for the traceback, and please report it", err=True)
        sys.exit(int(exit_code_for(error)))
    finally:
        app.registered_commands = every
    code = int(code) if isinstance(code, int) else 0
    if code == ExitCode.INTERRUPTED:  # typer turns KeyboardInterrupt into this exit code
        _interrupted()
    # The work is done: a late Ctrl-C or SIGTERM must not turn success into a failure.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(code)
