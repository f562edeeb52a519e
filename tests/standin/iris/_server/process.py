"""A server process: what belongs to one connection, its LOCKs.

IRIS's ``LOCK +^G(sub):timeout`` is held by the process that took it, counts up when taken
again, and goes when the process ends (ObjectScript reference, LOCK). A connection is one
server process; here each LOCK is an flock on a file of its own, held by this process's open
file, so it is released by ``close`` and, like IRIS's, by the death of the client.
"""

from __future__ import annotations

import fcntl
import time
from typing import IO

from .instance import Instance

POLL_SECONDS = 0.02


class Process:
    """The LOCKs one connection holds."""

    def __init__(self, instance: Instance) -> None:
        self._instance = instance
        self._held: dict[str, tuple[IO[str], int]] = {}

    def lock(self, name: str, timeout: float) -> bool:
        """LOCK +name:timeout; $Test."""
        if name in self._held:
            f, count = self._held[name]
            self._held[name] = (f, count + 1)
            return True
        f = self._instance.lock_path(name).open("a")
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    f.close()
                    return False
                time.sleep(POLL_SECONDS)
                continue
            self._held[name] = (f, 1)
            return True

    def unlock(self, name: str) -> None:
        """LOCK -name: one count less; a lock not held is no error."""
        if name not in self._held:
            return
        f, count = self._held[name]
        if count > 1:
            self._held[name] = (f, count - 1)
            return
        del self._held[name]
        f.close()

    def end(self) -> None:
        """The process ends: every LOCK it held goes."""
        for f, _ in self._held.values():
            f.close()
        self._held.clear()
