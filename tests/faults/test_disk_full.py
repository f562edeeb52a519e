"""Out of space in the middle of apply: exit 5 (or 1 before any action), one message naming the
path, fixtures.toml intact, no traceback; and once there is room again, apply converges.

Two ways to run out: a small tmpfs (needs root to mount it; skipped with the reason otherwise)
filled to a few levels of headroom, and RLIMIT_FSIZE (``ulimit -f``) with SIGXFSZ ignored,
which makes any write past the limit fail with EFBIG and runs everywhere.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.harness import Case, Run, make_case, problems_in_output

BIG_RECIPE = '''\
def build(conn):
    """About 300 KB of rows: enough that a source, its snapshot and its mount need ~1 MB."""
    cur = conn.cursor()
    cur.execute("CREATE TABLE Shop.Blob (ID INTEGER PRIMARY KEY, Body VARCHAR(400))")
    cur.executemany("INSERT INTO Shop.Blob (ID, Body) VALUES (?, ?)",
                    [(i, f"{i:06d}" * 60) for i in range(1, 801)])
'''

BIG_CONFIG = """\
[irisfx]
project = "demo"
iris = "sim://sim"

[fixtures.big]
source = "FXSRC_BIG"
recipe = "recipes/big.py"
mount = "FX_BIG"
expect = { "Shop.Blob" = 800 }
"""

FINISHED_ACTION = re.compile(r"^done\b", re.MULTILINE)

#: The message checks (one error line naming the path, no "None", not blaming the recipe)
#: wait for the fix of issue 10, item 9; reported with reproductions, switched on when it lands.
CHECK_MESSAGE = True


def big_case(root: Path) -> Case:
    """A case whose one fixture needs about a megabyte on disk to apply."""
    case = make_case(root, BIG_CONFIG)
    (case.proj / "recipes" / "big.py").write_text(BIG_RECIPE, encoding="utf-8")
    return case


def assert_clean_failure(case: Case, run: Run, original_config: str) -> None:
    """The documented answer to a full disk."""
    assert not problems_in_output(run), run.text
    if run.code == 0:
        return  # there was room enough at this level; the converge check still runs
    assert run.code == 5 or (run.code == 1 and not FINISHED_ACTION.search(run.out)), run.text
    if CHECK_MESSAGE:
        errors = [line for line in run.err.splitlines() if line.startswith("error")]
        assert len(errors) == 1, run.err
        assert ": None" not in run.err, run.err
        assert "correct the recipe" not in run.err, run.err
        named = re.search(r"(/\S+|\b(?:fixtures|sim|\.irisfx)/\S*|fixtures\.toml)", run.err)
        assert named, f"the message names no path: {run.err}"
    text = case.config.read_text(encoding="utf-8")
    tomllib.loads(text)  # intact: old or new, never half
    assert text == original_config or "[fixtures.big.pin]" in text


def assert_converges(case: Case) -> None:
    """With room again, a plain apply finishes and verify passes."""
    healed = case.irisfx("apply", "--auto-approve")
    assert healed.code == 0, healed.text
    assert case.irisfx("verify").code == 0
    again = case.irisfx("apply", "--auto-approve")
    assert "No changes." in again.out, again.text


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs mounted in tmp_path (root only), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the ulimit -f variant runs instead")
    point = tmp_path / "small"
    point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(point)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


def fill_to(folder: Path, headroom: int) -> Path:
    """A filler file leaving about ``headroom`` bytes free on ``folder``'s filesystem."""
    filler = folder / "filler"
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with filler.open("wb") as handle:
        remaining = max(free - headroom, 0)
        while remaining > 0:
            chunk = min(remaining, 1 << 20)
            try:
                handle.write(b"\0" * chunk)
                handle.flush()
            except OSError:
                break
            remaining -= chunk
    return filler


@pytest.mark.parametrize("headroom_kib", [8, 200, 800])
def test_a_full_disk_fails_cleanly_and_heals(small_fs: Path, headroom_kib: int) -> None:
    case = big_case(small_fs / "case")
    original = case.config.read_text(encoding="utf-8")
    filler = fill_to(small_fs, headroom_kib * 1024)
    run = case.irisfx("apply", "--auto-approve")
    assert_clean_failure(case, run, original)
    filler.unlink()
    assert_converges(case)


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def run_limited(case: Case, limit: int, *args: str) -> Run:
    """``python -m irisfx ARGS`` with ``ulimit -f`` of ``limit`` bytes, SIGXFSZ ignored."""
    proc = subprocess.run(
        [sys.executable, "-m", "irisfx", *args], cwd=case.proj, env=case.env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False,
        preexec_fn=lambda: _limit_file_size(limit),
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.mark.parametrize("limit_kib", [4, 200])
def test_a_file_size_limit_fails_cleanly_and_heals(tmp_path: Path, limit_kib: int) -> None:
    case = big_case(tmp_path / "case")
    original = case.config.read_text(encoding="utf-8")
    run = run_limited(case, limit_kib * 1024, "apply", "--auto-approve")
    assert run.code != 0, "the limit was never reached: raise the recipe's size"
    assert_clean_failure(case, run, original)
    assert_converges(case)
