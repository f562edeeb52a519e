"""`irisfx verify --verify full` as a whole process, beside OpenSSL's raw SHA-256 speed.

Rows: one file of SIZE (goal >= 0.9 of `openssl speed -evp sha256`), and two files of SIZE/2
against one of SIZE (goal >= 1.85x, reference `openssl speed -multi 2`). Each round runs the
references and the commands once; the table shows medians. Peak memory is each process's
VmHWM. Files go to BENCH_DIR or /tmp and are deleted at the end.
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
    make_file,
    median,
    openssl_sha256,
    print_table,
    quiet_line,
    run,
    scratch,
)

GIB = 1 << 30


def pinned_project(root: Path, files: dict[str, int]) -> Path:
    """A project whose fixtures are random files of the given sizes, pinned by hand."""
    (root / "fixtures").mkdir(parents=True)
    (root / "r.sql").write_text("CREATE TABLE B.T (ID INTEGER PRIMARY KEY);\n")
    doc = ['[irisfx]\nproject = "bench-verify"\niris = "sim://.irisfx/sim"\n']
    for name, size in files.items():
        path = make_file(root / "fixtures" / f"{name}.dat", size)
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(8 << 20):
                digest.update(block)
        doc.append(f'[fixtures.{name}]\nrecipe = "r.sql"\nfile = "fixtures/{name}.dat"\n\n'
                   f'[fixtures.{name}.pin]\nsha256 = "{digest.hexdigest()}"\nsize = {size}\n'
                   'built_by = "benchmark"\ncreated = 2026-01-01T00:00:00Z\n')
    (root / "fixtures.toml").write_text("\n".join(doc))
    return root


def measure(size: int, count: int, openssl_seconds: int = 2) -> tuple[list[Row], str]:
    """The verify rows and the machine-quiet line, from ``count`` rounds."""
    root = scratch()
    try:
        if free_bytes(root) < 2 * size + GIB:
            raise SystemExit(f"not enough free space in {root} for 2 x {size >> 20} MiB")
        pinned_project(root, {"one": size, "half1": size // 2, "half2": size // 2,
                              "tiny": 1 << 20})
        verify = [*irisfx_command(), "verify", "--verify", "full"]
        raw, multi, one, two, tiny = [], [], [], [], []
        peaks: dict[str, list[int]] = {"one": [], "two": [], "tiny": []}
        for _ in range(count):
            raw.append(openssl_sha256(seconds=openssl_seconds) or 0.0)
            multi.append(openssl_sha256(seconds=openssl_seconds, multi=2) or 0.0)
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
    raw_s, multi_s = median(raw), median(multi)
    one_s, two_s, start_s = median(one), median(two), median(tiny)
    speed = size / one_s
    net = size / max(one_s - start_s, 1e-9)
    speedup = one_s / two_s
    net_speedup = (one_s - start_s) / max(two_s - start_s, 1e-9)
    mib = size >> 20
    peak = {k: f"{max(v) / 1024:.0f} MiB" if v else "?" for k, v in peaks.items()}
    one_row = Row(
        f"`verify --verify full`, 1 file of {mib} MiB, whole process",
        f"{speed / GIB:.2f} GiB/s = **{speed / raw_s:.2f}** of raw" if raw_s else
        f"{speed / GIB:.2f} GiB/s",
        f"`openssl speed -evp sha256` {raw_s / GIB:.2f} GiB/s" if raw_s else "openssl missing",
        ">= 0.9 of raw", speed / raw_s >= 0.9 if raw_s else None,
        [f"{one_s:.2f} s, of which start-up {start_s:.2f} s (verify of a 1 MiB fixture); net "
         f"of start-up {net / GIB:.2f} GiB/s = {net / raw_s:.2f} of raw" if raw_s else "",
         f"peak memory (VmHWM): 1 MiB file {peak['tiny']}, {mib} MiB file {peak['one']}, "
         f"2 x {mib // 2} MiB {peak['two']}"],
    )
    multi_ratio = multi_s / raw_s if raw_s else 0.0
    two_row = Row(
        f"same, 2 files of {mib // 2} MiB vs 1 of {mib} MiB",
        f"**{speedup:.2f}x** ({net_speedup:.2f}x net of start-up)",
        f"`openssl speed -multi 2` {multi_ratio:.2f}x",
        ">= 1.85x", speedup >= 1.85,
        [f"{two_s:.2f} s for 2 files vs {one_s:.2f} s for one, start-up {start_s:.2f} s"],
    )
    return [one_row, two_row], quiet_line(raw_s, multi_s)


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
