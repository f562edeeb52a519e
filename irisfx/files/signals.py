"""SIGTERM as an interrupt: ``kill PID``, a CI timeout or ``docker stop`` stop irisfx like Ctrl-C.

Without a handler SIGTERM ends Python at once, like SIGKILL: no message, no clean-up. With it,
SIGTERM raises KeyboardInterrupt, so the same code paths run as for Ctrl-C: temp files are
removed, locks released, finished actions are already recorded, and the command line prints
the resume message and exits 130 (the documented "interrupted" code, for SIGINT and SIGTERM
alike).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


def handle_sigterm_as_interrupt() -> None:
    """Make SIGTERM raise KeyboardInterrupt in the main thread for the rest of the process.

    The command line's main() calls this first; elsewhere (not the main thread) it does nothing.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt inside the block (main thread only), then as before."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


_INTERRUPTS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends, then act as they would have.

    For the few steps that must not be split: making a file and noting it for clean-up. The
    handlers are swapped, not the thread's signal mask: the kernel hands a process's signal to
    any thread that does not block it, so a mask held by one thread holds nothing. Off the main
    thread it does nothing, as Python runs signal handlers in the main thread only.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {signum: signal.signal(signum, note) for signum in _INTERRUPTS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            # None: a handler installed outside Python, which cannot be put back; the default is
            # what such a process would have had.
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if caught:
            signal.raise_signal(caught[0])
