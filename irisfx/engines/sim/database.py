"""The one place a simulator database file (an SQLite file named IRIS.DAT) is opened.

Everything that reads or writes a simulated database goes through :func:`open_database`, so the
IRIS dialect the simulator emulates (functions, collations) is present on every connection, and
a read-only open is read-only by SQLite's own means.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from irisfx.engines.sim.dialect import register as register_dialect


def open_database(path: Path, *, writable: bool) -> sqlite3.Connection:
    """An SQLite connection to the simulated database file ``path`` with IRIS's functions."""
    mode = "rw" if writable else "ro"
    inner = sqlite3.connect(f"file:{path}?mode={mode}", uri=True, timeout=30,
                            check_same_thread=False)
    register_dialect(inner)
    return inner
