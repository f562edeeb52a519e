"""The irisfx command line: parse, call the core, print. Errors become exit codes in main().

One module per group of commands; ``app`` holds what they share. Core modules are imported
inside the commands so that ``irisfx --version`` and ``--help`` stay fast.
"""

from __future__ import annotations

import os
import signal
import sys

import typer

from irisfx.cli.app import GLOBAL_FLAGS, GLOBAL_VALUED, RUN, app

# Importing a command module registers its commands; --help lists them in this order.
# isort: off
from irisfx.cli import plans  # noqa: F401
from irisfx.cli import files  # noqa: F401
from irisfx.cli import inspect  # noqa: F401
from irisfx.cli import instance  # noqa: F401
from irisfx.cli import housekeeping  # noqa: F401
from irisfx.cli import project  # noqa: F401
from irisfx.cli import store  # noqa: F401
# isort: on
from irisfx.errors import ExitCode, IrisfxError, exit_code_for
from irisfx.files.signals import handle_sigterm_as_interrupt

__all__ = ["app", "main"]

RESUME = "\ninterrupted: finished actions are recorded; run 'irisfx apply' to resume"
NOTHING_RAN = "\ninterrupted: nothing was changed"


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move global options written after the command to before it (``irisfx plan --debug``)."""
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
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if RUN.finished:
        sys.exit(int(ExitCode.OK))
    typer.echo(RESUME if RUN.started else NOTHING_RAN, err=True)
    _exit_now(ExitCode.INTERRUPTED)


def _exit_now(code: ExitCode) -> None:
    # Clean-up already ran while the interrupt unwound the stack. Leaving through os._exit keeps
    # the documented code: seen in the signal rounds, an interrupt that lands as Python shuts
    # down otherwise turns 130 into death by SIGINT (-2).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))


def main() -> None:
    """Console entry point: run the app, turn errors into messages and exit codes."""
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
    argv = text_arguments_last(hoist_global_options(sys.argv[1:]))
    debug = "--debug" in argv
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
    code = int(code) if isinstance(code, int) else 0
    if code == ExitCode.INTERRUPTED:  # typer turns KeyboardInterrupt into this exit code
        _interrupted()
    # The work is done: a late Ctrl-C or SIGTERM must not turn success into a failure.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(code)
