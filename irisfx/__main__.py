"""``python -m irisfx``: the command line, safe to interrupt from its first moment."""

import os
import signal
from types import FrameType


def _before_start(signum: int, frame: FrameType | None) -> None:
    # Ctrl-C or SIGTERM while irisfx is still loading: nothing has run, so leave at once with
    # the documented code instead of a traceback from the middle of an import.
    os.write(2, b"Interrupted before irisfx started; nothing was changed.\n")
    os._exit(130)


signal.signal(signal.SIGINT, _before_start)
signal.signal(signal.SIGTERM, _before_start)

from irisfx.cli import main  # noqa: E402 - loaded once the early handlers are in place

signal.signal(signal.SIGINT, signal.default_int_handler)
main()
