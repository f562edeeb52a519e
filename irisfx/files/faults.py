"""Named checkpoints where tests may kill irisfx, to prove that every step is resumable.

Setting ``IRISFX_KILL_AT=<checkpoint>`` makes the process SIGKILL itself on reaching that
checkpoint: a real, uncatchable death, exactly what a power cut or ``kill -9`` does. It is a
test hook with no effect when the variable is unset.
"""

from __future__ import annotations

import os
import signal

KILL_AT_ENV = "IRISFX_KILL_AT"
# KILL (the default), TERM or INT: a crash, a `kill`, or a Ctrl-C at exactly that moment.
KILL_SIGNAL_ENV = "IRISFX_KILL_SIGNAL"


def checkpoint(name: str) -> None:
    """Die here, at once and without clean-up, if IRISFX_KILL_AT names this checkpoint."""
    if os.environ.get(KILL_AT_ENV) == name:
        chosen = os.environ.get(KILL_SIGNAL_ENV, "KILL").upper().removeprefix("SIG")
        os.kill(os.getpid(), getattr(signal, f"SIG{chosen}", signal.SIGKILL))
