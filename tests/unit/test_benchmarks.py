"""benchmarks/run_all.py --quick runs every benchmark script end to end and prints the table.

No timing is asserted: this only proves the scripts work (they run the real commands).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

RUN_ALL = Path(__file__).resolve().parents[2] / "benchmarks" / "run_all.py"

ROWS = [
    "first `apply`, 2 / 4 fixtures",
    "no-change `plan`, 3 fixtures",
    "`verify --verify full`, 1 fixture of 4 MiB, whole process",
    "same, 2 fixtures of 2 MiB vs 1 of 4 MiB",
    "per-test reset of a writable fixture (function scope)",
    "folder store `push`, 4 MiB",
    "folder store `pull`, 4 MiB",
    "`irisfx --version`",
    "no-change `plan` on the README example",
    "README example, first apply",
]
# Every reference is a process doing the same work, named in its cell.
REFERENCES = {
    "`verify --verify full`": "`openssl dgst -sha256`",
    "same, 2 fixtures": "two `openssl dgst` at once",
    "per-test reset": "plain copy + fsync fixture",
    "folder store `push`": "`openssl dgst` + `cp` + `sync FILE`",
    "`irisfx --version`": "`python -c pass`",
    "README example, first apply": "through sqlite3",
}


def test_run_all_quick_prints_every_row(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(RUN_ALL), "--quick"],
        capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "BENCH_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert out.startswith("machine quiet: "), out
    assert "| figure | now | reference | goal | met |" in out
    table = [line for line in out.splitlines() if line.startswith("| ")]
    for row in ROWS:
        matching = [line for line in table if line.startswith(f"| {row}")]
        assert len(matching) == 1, f"row {row!r} missing from:\n{out}"
        assert matching[0].rstrip().endswith(("| yes |", "| NO |", "| n/a |")), matching[0]
    for row, reference in REFERENCES.items():
        (line,) = [line for line in table if line.startswith(f"| {row}")]
        assert reference in line, line
    # Tiny quick sizes once gave "-7003308.00x": a ratio of durations lost in start-up noise
    # is left out, never printed negative or absurd.
    assert not re.search(r"-\d[\d.]*x|\d{5,}\.\d+x", out), out
    assert "0 hashed" in out  # the no-change plans hashed nothing
    assert list(tmp_path.iterdir()) == [], "the benchmarks left scratch files behind"


def test_run_all_rejects_bad_fixture_counts() -> None:
    done = subprocess.run([sys.executable, str(RUN_ALL), "--fixtures", "ten"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "expected numbers separated by commas" in done.stderr
    assert "Traceback" not in done.stderr
