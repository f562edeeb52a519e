"""The irisfx command line: parse, call the core, print. Errors become exit codes in main().

One module per group of commands; ``app`` holds what they share. Core modules are imported
inside the commands so that ``irisfx --version`` and ``--help`` stay fast.
"""

from __future__ import annotations

import sys

import typer

from irisfx.cli.app import app

# Importing a command module registers its commands; --help lists them in this order.
# isort: off
from irisfx.cli import plans  # noqa: F401
from irisfx.cli import files  # noqa: F401
from irisfx.cli import instance  # noqa: F401
from irisfx.cli import project  # noqa: F401
from irisfx.cli import store  # noqa: F401
# isort: on
from irisfx.errors import ExitCode, IrisfxError, exit_code_for

__all__ = ["app", "main"]

INTERRUPTED = "\ninterrupted: finished actions are recorded; run 'irisfx apply' to resume"


def main() -> None:
    """Console entry point: run the app, turn errors into messages and exit codes."""
    debug = "--debug" in sys.argv
    try:
        code = app(standalone_mode=False)
    except IrisfxError as error:
        if debug:
            raise
        typer.echo(error.render(), err=True)
        sys.exit(int(error.exit_code))
    except typer.TyperException as error:
        show = getattr(error, "show", None)  # usage errors print themselves with a hint
        if callable(show):
            show()
        else:
            typer.echo(f"error: {error.format_message()}", err=True)
        sys.exit(int(ExitCode.USAGE))
    except (KeyboardInterrupt, typer.Abort):
        typer.echo(INTERRUPTED, err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as error:
        if debug:
            raise
        typer.echo(f"error: unexpected {type(error).__name__}: {error}\n  run again with "
                   "--debug for the traceback, and please report it", err=True)
        sys.exit(int(exit_code_for(error)))
    code = int(code) if isinstance(code, int) else 0
    if code == ExitCode.INTERRUPTED:  # typer turns KeyboardInterrupt into this exit code
        typer.echo(INTERRUPTED, err=True)
    sys.exit(code)
