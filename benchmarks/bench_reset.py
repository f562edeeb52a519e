"""Per-test reset of a writable fixture (scope="function"), through pytest and the plugin.

Each round runs the same K tests twice in a fresh pytest process: with scope="function" (the
copy is reset before every test after the first) and with scope="session" (never reset). The
difference over K - 1 is what one reset costs. The reference, in the same round, is a copy of
the same pinned file plus its fsync: the least a reset to a pinned file can cost.
Goal: a reset <= 2x that copy.
Run: python benchmarks/bench_reset.py [--tests 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from common import (
    SMALL_SQL,
    Row,
    copy_fsync_seconds,
    irisfx_command,
    median,
    print_table,
    run,
    scratch,
)

TEST = '''\
import pytest


@pytest.mark.irisfx("w", scope="{scope}")
def test_write(irisfx, n):
    conn = irisfx.connect("w")
    cursor = conn.cursor()
    cursor.execute("INSERT INTO B.T (ID, Name) VALUES (?, ?)", [1000 + n, "x"])
    conn.commit()


@pytest.fixture(params=range({count}))
def n(request):
    """One test per number."""
    return request.param
'''


def project(root: Path, count: int) -> Path:
    """A project with one writable fixture and a module of ``count`` tests per scope."""
    (root / "recipes").mkdir(parents=True)
    (root / "recipes" / "t.sql").write_text(SMALL_SQL)
    (root / "fixtures.toml").write_text('[irisfx]\nproject = "bench-reset"\n'
                                        'iris = "sim://.irisfx/sim"\n\n[fixtures.w]\n'
                                        'recipe = "recipes/t.sql"\nreadonly = false\n')
    for scope in ("function", "session"):
        (root / f"test_{scope}.py").write_text(TEST.format(scope=scope, count=count))
    return root


def measure(count: int, rounds: int) -> list[Row]:
    """The reset row."""
    root = project(scratch(), count)
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                  "-p", "no:xdist", "-p", "no:randomly"]
    try:
        run([*irisfx_command(), "apply"], cwd=root)
        pinned = root / "fixtures" / "w" / "IRIS.DAT"
        resets, copies = [], []
        for _ in range(rounds):
            times = {}
            for scope in ("function", "session"):
                done = run([*pytest_cmd, f"test_{scope}.py"], cwd=root, check=False)
                if done.returncode != 0 or f"{count} passed" not in done.stdout:
                    raise RuntimeError(f"pytest ({scope}) failed:\n{done.stdout[-3000:]}")
                times[scope] = done.seconds
            resets.append((times["function"] - times["session"]) / max(count - 1, 1))
            copies.append(median([copy_fsync_seconds(pinned, root / "copy.dat")
                                  for _ in range(count)]))
        size = pinned.stat().st_size
    finally:
        shutil.rmtree(root, ignore_errors=True)
    reset, copy = median(resets), median(copies)
    return [Row(
        f"per-test reset of a writable fixture (function scope), {size / 1024:.0f} KiB",
        f"{reset * 1000:.1f} ms = {reset / copy:.1f}x the copy",
        f"copy + fsync of the file {copy * 1000:.1f} ms",
        "<= 2x the copy", reset <= 2 * copy,
        [f"pytest with the plugin, {count} tests: scope=function minus scope=session, "
         f"over {count - 1} resets"],
    )]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print_table(measure(args.tests, args.rounds))


if __name__ == "__main__":
    main()
