"""Named checkpoints where tests may kill irisfx, to prove that every step is resumable.

Setting ``IRISFX_KILL_AT=<checkpoint>`` makes the process SIGKILL itself on reaching that
checkpoint: a real, uncatchable death, exactly what a power cut or ``kill -9`` does. It is a
test hook with no effect when the variable is unset.
"""

from __future__ import annotations

import os
import signal

KILL_AT_ENV = "IRISFX_KILL_AT"
# "<checkpoint>:<SIGNAL>" sends that catchable signal instead (SIGINT, SIGTERM): a Ctrl-C or a
# `kill` arriving at exactly that moment.
SIGNAL_AT_ENV = "IRISFX_SIGNAL_AT"


def checkpoint(name: str) -> None:
    """Die here, at once and without clean-up, if IRISFX_KILL_AT names this checkpoint."""
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
    at, _, signame = os.environ.get(SIGNAL_AT_ENV, "").partition(":")
    if at == name and signame in ("SIGINT", "SIGTERM"):
        os.kill(os.getpid(), signal.Signals[signame])
