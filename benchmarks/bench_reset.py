"""Per-test reset of a writable fixture (scope="function"), through pytest and the plugin.

Each round runs K tests in three fresh pytest processes: with the plugin and scope="function"
(the copy is reset before every test after the first), with scope="session" (never reset),
and the reference: the same tests with a plain pytest fixture that copies the pinned file,
fsyncs it and opens it with sqlite3 for every test, the least a reset to a pinned file can
cost. Goal: the scope="function" process <= 1.5x the reference process.
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


PLAIN = '''\
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

PINNED = Path(__file__).parent / "fixtures" / "w" / "IRIS.DAT"


@pytest.fixture
def plain(tmp_path_factory):
    """A fresh copy of the pinned file, fsynced, opened: a reset done by hand."""
    copy = tmp_path_factory.getbasetemp() / "copy.dat"
    shutil.copyfile(PINNED, copy)
    with copy.open("rb+") as handle:
        os.fsync(handle.fileno())
    conn = sqlite3.connect(copy)
    yield conn
    conn.close()


def test_write(plain, n):
    cursor = plain.cursor()
    cursor.execute('INSERT INTO T (ID, Name) VALUES (?, ?)', [1000 + n, "x"])
    plain.commit()


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
    (root / "plain").mkdir()
    (root / "plain" / "test_plain.py").write_text(PLAIN.replace("{count}", str(count)))
    return root


def _plain_table(root: Path) -> None:
    """The reference's file holds the table as SQLite names it (the simulator's own name)."""
    import sqlite3
    from contextlib import closing

    pinned = root / "fixtures" / "w" / "IRIS.DAT"
    with closing(sqlite3.connect(pinned)) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    table = next(n for n in names if n.lower().endswith("t"))
    test = root / "plain" / "test_plain.py"
    test.write_text(test.read_text().replace("INTO T ", f'INTO "{table}" '))
    (root / "plain" / "fixtures").symlink_to(root / "fixtures")


def measure(count: int, rounds: int) -> list[Row]:
    """The reset row."""
    root = project(scratch(), count)
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                  "-p", "no:xdist", "-p", "no:randomly"]
    try:
        run([*irisfx_command(), "apply"], cwd=root)
        _plain_table(root)
        pinned = root / "fixtures" / "w" / "IRIS.DAT"
        size = pinned.stat().st_size
        times: dict[str, list[float]] = {"function": [], "session": [], "plain": []}
        for _ in range(rounds):
            for scope in ("function", "session", "plain"):
                where = root / "plain" if scope == "plain" else root
                test = "test_plain.py" if scope == "plain" else f"test_{scope}.py"
                extra = ["-p", "no:irisfx"] if scope == "plain" else []
                done = run([*pytest_cmd, *extra, test], cwd=where, check=False)
                if done.returncode != 0 or f"{count} passed" not in done.stdout:
                    raise RuntimeError(f"pytest ({scope}) failed:\n{done.stdout[-3000:]}")
                times[scope].append(done.seconds)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    function, session, plain = (median(times[k]) for k in ("function", "session", "plain"))
    reset = (function - session) / max(count - 1, 1)
    ratio = function / plain
    return [Row(
        f"per-test reset of a writable fixture (function scope), {size / 1024:.0f} KiB",
        f"{function:.2f} s = **{ratio:.2f}x** the reference; "
        + (f"{reset * 1000:.2f} ms per reset" if reset > 0 else "reset lost in the noise"),
        f"plain copy + fsync fixture, same tests: {plain:.2f} s",
        "<= 1.5x the reference process", ratio <= 1.5,
        [f"pytest, {count} tests; per reset: scope=function minus scope=session "
         f"({session:.2f} s) over {count - 1} resets"],
    )]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print_table(measure(args.tests, args.rounds))


if __name__ == "__main__":
    main()
