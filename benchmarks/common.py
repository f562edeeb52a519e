"""What the benchmark scripts share: whole-process timing with peak memory, the reference
tools (openssl, cp + fsync, a bare interpreter), scratch projects, and the table's rows.

Every figure is the wall time of a real process (``irisfx`` from this interpreter's folder),
measured beside its reference in the same round; a round repeats both, and the table shows
medians. Peak memory is the child's own high-water mark (VmHWM), read by GNU time or by
watching /proc, never ``ru_maxrss`` of a parent that forked it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GNU_TIME = "/usr/bin/time"


def irisfx_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m irisfx``."""
    script = Path(sys.executable).with_name("irisfx")
    return [str(script)] if script.exists() else [sys.executable, "-m", "irisfx"]


@dataclass(frozen=True)
class Run:
    """One whole process: wall seconds, peak resident memory (KiB), exit code, output."""

    seconds: float
    peak_kib: int | None
    returncode: int
    stdout: str
    stderr: str


class OverBudget(Exception):
    """A process ran longer than it was allowed to (it and its children were stopped)."""


def run(cmd: Sequence[str], cwd: Path | None = None, *, check: bool = True,
        env: dict[str, str] | None = None, timeout: float | None = None) -> Run:
    """Run ``cmd`` to its end, timing it from outside; peak memory from GNU time if present.

    Past ``timeout`` seconds the process group is killed and OverBudget raised.
    """
    full_env = {**os.environ, **(env or {})}
    # Users run with compiled bytecode cached; a shell that forbids writing it would make every
    # irisfx process compile its modules again, which no user pays for.
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    wrapped = list(cmd)
    report = None
    if Path(GNU_TIME).exists():
        fd, name = tempfile.mkstemp(prefix="irisfx-bench-time-")
        os.close(fd)
        report = Path(name)
        wrapped = [GNU_TIME, "-f", "%M", "-o", str(report), *cmd]
    start = time.perf_counter()
    # A session of its own, so that a timeout stops irisfx too, not only GNU time.
    with subprocess.Popen(wrapped, cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, start_new_session=True) as child:
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            if report is not None:
                report.unlink(missing_ok=True)
            raise OverBudget(f"{' '.join(cmd)} ran over {timeout:.0f} s") from None
    seconds = time.perf_counter() - start
    done = subprocess.CompletedProcess(wrapped, child.returncode, out, err)
    peak = None
    if report is not None:
        text = report.read_text()
        report.unlink()
        numbers = re.findall(r"^(\d+)$", text, re.MULTILINE)
        peak = int(numbers[-1]) if numbers else None
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return Run(seconds, peak, done.returncode, done.stdout, done.stderr)


def median(values: Sequence[float]) -> float:
    """The median (the figure the table shows)."""
    return statistics.median(values)


def rounds(count: int, steps: dict[str, Callable[[], float]]) -> dict[str, list[float]]:
    """Run every step once per round, in order, ``count`` rounds: values per step."""
    out: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(count):
        for name, step in steps.items():
            out[name].append(step())
    return out


def scratch(prefix: str = "irisfx-bench-") -> Path:
    """A scratch folder under BENCH_DIR if set, else the system temp folder (/tmp)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("BENCH_DIR")))


def make_file(path: Path, size: int) -> Path:
    """A file of random bytes written in 64 MiB pieces, then read once to warm the cache."""
    piece = os.urandom(1 << 20) * min(64, max(1, size >> 20))
    with path.open("wb") as out:
        left = size
        while left > 0:
            chunk = piece[: min(left, len(piece))]
            out.write(chunk)
            left -= len(chunk)
    warm(path)
    return path


def make_fixture(path: Path, size: int) -> Path:
    """A real fixture file: an SQLite database of about ``size`` bytes, written page by page
    by SQLite itself (how the simulator's snapshots are written), then read once to warm the
    page cache. Rows carry random bytes, so nothing compresses or dedupes."""
    row = os.urandom(64 << 10)
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE blob (id INTEGER PRIMARY KEY, data BLOB)")
        rows = max(1, size // len(row))
        with db:
            db.executemany("INSERT INTO blob (data) VALUES (?)",
                           ((row[i % 997:] + row[:i % 997],) for i in range(rows)))
    warm(path)
    return path


def warm(path: Path) -> None:
    """Read ``path`` once so that every measurement starts from a warm page cache."""
    with path.open("rb") as handle:
        while handle.read(64 << 20):
            pass


def free_bytes(folder: Path) -> int:
    """Free space where ``folder`` lives."""
    return shutil.disk_usage(folder).free


# -- references ------------------------------------------------------------------------------

def openssl_sha256(seconds: int = 2, multi: int = 1) -> float | None:
    """Raw SHA-256 speed (bytes/s, all processes together) from ``openssl speed`` on 1 MiB
    blocks; ``multi`` > 1 runs that many processes at once."""
    if shutil.which("openssl") is None:
        return None
    # -elapsed: wall-clock time, like the irisfx processes it is compared with (the default,
    # CPU time, would hide a busy machine from the reference but not from irisfx).
    cmd = ["openssl", "speed", "-elapsed", "-evp", "sha256", "-bytes", str(1 << 20),
           "-seconds", str(seconds)]
    if multi > 1:
        cmd[2:2] = ["-multi", str(multi)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    # With -multi, the last line sums every process.
    found = re.findall(r"^sha256\s+([\d.]+)k", out, re.MULTILINE)
    return float(found[-1]) * 1000 if found else None


def openssl_dgst(*paths: Path) -> float | None:
    """Wall seconds of ``openssl dgst -sha256`` hashing each path, one process per file, all
    at once (two files: two processes on two cores); None without openssl."""
    if shutil.which("openssl") is None:
        return None
    start = time.perf_counter()
    children = [subprocess.Popen(["openssl", "dgst", "-sha256", str(p)],
                                 stdout=subprocess.DEVNULL) for p in paths]
    if any(child.wait() != 0 for child in children):
        raise RuntimeError("openssl dgst failed")
    return time.perf_counter() - start


def hash_copy_sync(src: Path, dst: Path) -> float | None:
    """Wall seconds of the same work a push or pull does, by the usual tools as processes:
    ``openssl dgst -sha256 SRC``, ``cp SRC DST``, ``sync DST`` (one fsync)."""
    if shutil.which("openssl") is None:
        return None
    dst.unlink(missing_ok=True)
    start = time.perf_counter()
    subprocess.run(["openssl", "dgst", "-sha256", str(src)], stdout=subprocess.DEVNULL,
                   check=True)
    subprocess.run(["cp", str(src), str(dst)], check=True)
    subprocess.run(["sync", str(dst)], check=True)
    return time.perf_counter() - start


def python_pass() -> float:
    """A bare interpreter (the one irisfx runs on), start to exit."""
    return run([sys.executable, "-c", "pass"]).seconds


# -- projects ----------------------------------------------------------------------------------

SMALL_SQL = ("CREATE TABLE B.T (ID INTEGER PRIMARY KEY, Name VARCHAR(20));\n"
             "INSERT INTO B.T (ID, Name) VALUES (1, 'one');\n")


def fixtures_project(root: Path, count: int, *, readonly: bool = True) -> Path:
    """A sim project with ``count`` fixtures built from one small SQL recipe."""
    (root / "recipes").mkdir(parents=True, exist_ok=True)
    (root / "recipes" / "t.sql").write_text(SMALL_SQL)
    lines = ['[irisfx]\nproject = "bench"\niris = "sim://.irisfx/sim"\n']
    for i in range(count):
        lines.append(f'[fixtures.f{i:05d}]\nrecipe = "recipes/t.sql"\n'
                     f'readonly = {"true" if readonly else "false"}\n')
    (root / "fixtures.toml").write_text("\n".join(lines))
    return root


# -- the table ---------------------------------------------------------------------------------

@dataclass
class Row:
    """A line of the table: what was measured, its reference, the goal and whether it is met."""

    figure: str
    now: str
    reference: str
    goal: str
    met: bool | None
    notes: list[str] = field(default_factory=list)


def yes_no(met: bool | None) -> str:
    """``yes``, ``NO``, or ``n/a`` when the figure could not be measured."""
    return "n/a" if met is None else ("yes" if met else "NO")


def print_table(rows: Sequence[Row], heading: str = "") -> None:
    """The rows as a Markdown table, then their notes."""
    if heading:
        print(heading)
    print("| figure | now | reference | goal | met |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row.figure} | {row.now} | {row.reference} | {row.goal} | {yes_no(row.met)} |")
    notes = [(row.figure, note) for row in rows for note in row.notes]
    if notes:
        print()
        for figure, note in notes:
            print(f"- {figure}: {note}")


def quiet_line(single: float | None, multi: float | None) -> str:
    """Whether the machine was quiet: ``openssl speed -multi 2`` should be ~2x one process."""
    if not single or not multi:
        return "machine quiet: unknown (openssl not found)"
    ratio = multi / single
    cores = os.cpu_count() or 1
    verdict = "yes" if ratio >= 1.9 or cores < 2 else "NO, other work is running; figures are noisy"
    load = os.getloadavg()[0]
    return (f"machine quiet: {verdict} (openssl speed -multi 2 = {ratio:.2f}x one process, "
            f"{single / 2**30:.2f} GiB/s per process; {cores} cores; load {load:.1f})")
