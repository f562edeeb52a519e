"""``python -m irisfx``: the command line, safe to interrupt from its first moment."""

# The C module: the first handler goes in before any import (``signal`` imports enum).
import _signal  # type: ignore[import-not-found]
import os


def _before_start(signum: int, frame: object) -> None:
    # Ctrl-C or SIGTERM while irisfx is still loading: nothing has run, so leave at once with
    # the documented code instead of a traceback from the middle of an import.
    os.write(2, b"Interrupted before irisfx started; nothing was changed.\n")
    os._exit(130)


_signal.signal(_signal.SIGINT, _before_start)
_signal.signal(_signal.SIGTERM, _before_start)

from irisfx.cli import main  # noqa: E402 - loaded once the early handlers are in place

# main() puts Ctrl-C's usual handler back once typer and the commands are loaded: an interrupt
# inside an import can surface as another error (a class's __set_name__ wraps it).
main()
