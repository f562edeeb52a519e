"""Helpers shared by the benchmark scripts: timing, a scratch folder, the reference tools."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``action`` in seconds (warm caches)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def scratch() -> Path:
    """A scratch folder (under BENCH_DIR if set, else the system temp folder)."""
    base = os.environ.get("BENCH_DIR")
    return Path(tempfile.mkdtemp(prefix="irisfx-bench-", dir=base))


def make_file(path: Path, size: int) -> Path:
    """A file of random bytes, written in 64 MiB pieces, then read once to warm the cache."""
    piece = os.urandom(1 << 20) * 64
    with path.open("wb") as out:
        left = size
        while left > 0:
            out.write(piece[: min(left, len(piece))])
            left -= len(piece)
    with path.open("rb") as warm:
        while warm.read(64 << 20):
            pass
    return path


def openssl_sha256_mb_s() -> float | None:
    """The machine's raw SHA-256 speed on 1 MiB blocks, single core, from openssl speed."""
    if shutil.which("openssl") is None:
        return None
    out = subprocess.run(
        ["openssl", "speed", "-evp", "sha256", "-bytes", "1048576", "-seconds", "3"],
        capture_output=True, text=True, check=True,
    ).stdout
    match = re.search(r"^sha256\s+([\d.]+)k", out, re.MULTILINE)
    return float(match.group(1)) * 1000 / 1e6 if match else None


def sha256sum_seconds(path: Path) -> float | None:
    """How long coreutils sha256sum takes on ``path``."""
    if shutil.which("sha256sum") is None:
        return None
    return best_of(2, lambda: subprocess.run(["sha256sum", str(path)], check=True,
                                             capture_output=True))
