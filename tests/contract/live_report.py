"""What a live run observed, written as JSON to the file IRISFX_LIVE_REPORT names.

The first run against a real IRIS settles the open questions in docs/iris-calls.md; this file
is how its answers get back to the docs. Every test may add observations; the session writes
them once at its end (and the simulator's runs write theirs too, under "sim", so the writing
is exercised on every run that sets the variable).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPORT_ENV = "IRISFX_LIVE_REPORT"


class LiveReport:
    """Observations per engine kind: ``{"iris": {"version": ..., ...}, "sim": {...}}``."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}

    def record(self, kind: str, key: str, value: Any) -> None:
        """Remember one observation (the last value of a key wins)."""
        self.data.setdefault(kind, {})[key] = value

    def append(self, kind: str, key: str, value: Any) -> None:
        """Add one observation to a list (several tests may see the same kind of thing)."""
        self.data.setdefault(kind, {}).setdefault(key, []).append(value)

    @contextmanager
    def timed(self, kind: str, key: str, size: int | None = None) -> Iterator[None]:
        """Record how long the block took (seconds), and MB/s when ``size`` bytes moved."""
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
        self.append(kind, f"{key}_seconds", round(seconds, 3))
        if size is not None and seconds > 0:
            self.append(kind, f"{key}_mb_per_s", round(size / seconds / 1e6, 2))

    def write(self, path: Path) -> None:
        """Write the report (whole, through a temporary file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.data, indent=2, sort_keys=True, default=str) + "\n",
                       encoding="utf-8")
        tmp.replace(path)


def report_path() -> Path | None:
    """The file IRISFX_LIVE_REPORT names, or None."""
    value = os.environ.get(REPORT_ENV)
    return Path(value) if value else None
