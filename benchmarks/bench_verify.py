"""`irisfx verify --verify full` as a whole process, beside `openssl dgst -sha256` as a process.

The files are real fixtures: SQLite databases written page by page by SQLite, as the
simulator writes snapshots (a file written in large pieces hides costs of hashing through a
memory map). Rows: one file of SIZE (goal >= 0.9 of the speed of `openssl dgst -sha256` on the
same file), and two files of SIZE/2 against one of SIZE (goal >= 1.9x; reference: two
`openssl dgst` processes at once against one). Each round runs the references and the commands
once; the table shows medians. Peak memory is each process's VmHWM. Files go to BENCH_DIR or
/tmp and are deleted at the end.
Run: python benchmarks/bench_verify.py [--size-mib 1024] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
from pathlib import Path

from common import (
    Row,
    free_bytes,
    irisfx_command,
    make_fixture,
    median,
    openssl_dgst,
    openssl_sha256,
    print_table,
    quiet_line,
    run,
    scratch,
)

GIB = 1 << 30


def pinned_project(root: Path, files: dict[str, int]) -> Path:
    """A project whose fixtures are real SQLite fixture files of about the given sizes, pinned
    by hand."""
    (root / "fixtures").mkdir(parents=True)
    recipe = b"CREATE TABLE B.T (ID INTEGER PRIMARY KEY);\n"
    (root / "r.sql").write_bytes(recipe)
    recipe_sha256 = hashlib.sha256(recipe).hexdigest()
    doc = ['[irisfx]\nproject = "bench-verify"\niris = "sim://.irisfx/sim"\n']
    for name, size in files.items():
        path = make_fixture(root / "fixtures" / f"{name}.dat", size)
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(8 << 20):
                digest.update(block)
        doc.append(f'[fixtures.{name}]\nrecipe = "r.sql"\nfile = "fixtures/{name}.dat"\n\n'
                   f'[fixtures.{name}.pin]\nsha256 = "{digest.hexdigest()}"\n'
                   f'size = {path.stat().st_size}\nrecipe_sha256 = "{recipe_sha256}"\n'
                   'built_by = "benchmark"\ncreated = 2026-01-01T00:00:00Z\n')
    (root / "fixtures.toml").write_text("\n".join(doc))
    return root


def _ratio(a: float, b: float) -> float | None:
    """a / b when both are real durations, else None (too small to say)."""
    return a / b if a > 0 and b > 0 else None


def measure(size: int, count: int, openssl_seconds: int = 2) -> tuple[list[Row], str]:
    """The verify rows and the machine-quiet line, from ``count`` rounds (``openssl_seconds``
    0: the quiet line is not measured)."""
    root = scratch()
    try:
        if free_bytes(root) < 2 * size + GIB:
            raise SystemExit(f"not enough free space in {root} for 2 x {size >> 20} MiB")
        pinned_project(root, {"one": size, "half1": size // 2, "half2": size // 2,
                              "tiny": 1 << 20})
        files = {name: root / "fixtures" / f"{name}.dat" for name in ("one", "half1", "half2")}
        size = files["one"].stat().st_size
        verify = [*irisfx_command(), "verify", "--verify", "full"]
        ref_one, ref_two, one, two, tiny = [], [], [], [], []
        peaks: dict[str, list[int]] = {"one": [], "two": [], "tiny": []}
        raw = multi = 0.0
        for i in range(count):
            # The quiet line: two processes should hash at twice the speed of one.
            if i == 0 and openssl_seconds:
                raw = openssl_sha256(seconds=openssl_seconds) or 0.0
                multi = openssl_sha256(seconds=openssl_seconds, multi=2) or 0.0
            ref_one.append(openssl_dgst(files["one"]) or 0.0)
            ref_two.append(openssl_dgst(files["half1"], files["half2"]) or 0.0)
            for name, args, times in (("tiny", ["tiny"], tiny), ("one", ["one"], one),
                                      ("two", ["half1", "half2"], two)):
                done = run([*verify, *args], cwd=root)
                if "ok " not in done.stdout:
                    raise RuntimeError(f"verify did not pass:\n{done.stdout}{done.stderr}")
                times.append(done.seconds)
                if done.peak_kib:
                    peaks[name].append(done.peak_kib)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    ref_one_s, ref_two_s = median(ref_one), median(ref_two)
    one_s, two_s, start_s = median(one), median(two), median(tiny)
    mib = size >> 20
    of_ref = _ratio(ref_one_s, one_s)
    net = _ratio(ref_one_s, one_s - start_s)
    peak = {k: f"{max(v) / 1024:.0f} MiB" if v else "?" for k, v in peaks.items()}
    one_row = Row(
        f"`verify --verify full`, 1 fixture of {mib} MiB, whole process",
        f"{one_s:.2f} s = **{of_ref:.2f}** of openssl's speed" if of_ref else f"{one_s:.2f} s",
        f"`openssl dgst -sha256` {ref_one_s:.2f} s" if ref_one_s else "openssl missing",
        ">= 0.9", of_ref >= 0.9 if of_ref else None,
        [f"start-up {start_s:.2f} s (verify of a 1 MiB fixture)"
         + (f"; net of start-up {net:.2f} of openssl's speed" if net else ""),
         f"peak memory (VmHWM): 1 MiB file {peak['tiny']}, {mib} MiB file {peak['one']}, "
         f"2 x {mib // 2} MiB {peak['two']}"],
    )
    speedup = _ratio(one_s, two_s)
    ref_speedup = _ratio(ref_one_s, ref_two_s)
    net_speedup = _ratio(one_s - start_s, two_s - start_s)
    two_row = Row(
        f"same, 2 fixtures of {mib // 2} MiB vs 1 of {mib} MiB",
        f"**{speedup:.2f}x**" + (f" ({net_speedup:.2f}x net of start-up)" if net_speedup
                                 else "") if speedup else "n/a",
        f"two `openssl dgst` at once vs one: {ref_speedup:.2f}x" if ref_speedup
        else "openssl missing",
        ">= 1.9x", speedup >= 1.9 if speedup else None,
        [f"{two_s:.2f} s for 2 files vs {one_s:.2f} s for one, start-up {start_s:.2f} s"],
    )
    quiet = quiet_line(raw, multi) if openssl_seconds else "machine quiet: not measured"
    return [one_row, two_row], quiet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows, quiet = measure(args.size_mib << 20, args.rounds)
    print(quiet)
    print_table(rows)


if __name__ == "__main__":
    main()
