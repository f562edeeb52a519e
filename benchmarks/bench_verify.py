"""Verify throughput: one warm 1 GiB file, beside sha256sum and openssl's raw SHA-256 speed;
then several files on all cores beside one core.

Goals (DESIGN.md): >= 0.9 x raw speed on one file; >= 1.8 x one core on two cores.
Run: python benchmarks/bench_verify.py [--size-mib 1024]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

from common import best_of, make_file, openssl_sha256_mb_s, scratch, sha256sum_seconds

from irisfx.digest import StatCache, digest_files, sha256_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    args = parser.parse_args()
    size = args.size_mib << 20
    folder = scratch()
    try:
        one = make_file(folder / "one.dat", size)
        mb = size / 1e6
        irisfx_s = best_of(3, lambda: sha256_file(one))
        raw = openssl_sha256_mb_s()
        coreutils_s = sha256sum_seconds(one)
        print(f"verify one warm file of {args.size_mib} MiB")
        print(f"  irisfx      {mb / irisfx_s:8.0f} MB/s")
        if coreutils_s:
            print(f"  sha256sum   {mb / coreutils_s:8.0f} MB/s")
        if raw:
            print(f"  openssl raw {raw:8.0f} MB/s   irisfx/raw = {mb / irisfx_s / raw:.2f} "
                  "(goal >= 0.90)")

        cores = os.cpu_count() or 1
        files = [one] + [make_file(folder / f"f{i}.dat", size) for i in range(1, cores)]

        def all_files() -> None:
            digest_files(files, StatCache(folder / "none.json"), full=True)

        serial_s = best_of(2, lambda: [sha256_file(f) for f in files])
        parallel_s = best_of(2, all_files)
        total = mb * len(files)
        print(f"verify {len(files)} files on {cores} cores")
        print(f"  one file at a time     {total / serial_s:8.0f} MB/s")
        print(f"  all at once (per core) {total / parallel_s:8.0f} MB/s   speed-up = "
              f"{serial_s / parallel_s:.2f}x (goal >= 1.8x on two cores)")
        small = make_file(folder / "small.dat", 1 << 20)
        print("peak memory (VmHWM of a fresh process that imports irisfx and hashes one file)")
        for path, label in ((small, "1 MiB"), (one, f"{args.size_mib} MiB")):
            print(f"  {label:>9}  {peak_rss_mib(path):6.1f} MiB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def peak_rss_mib(path: object) -> float:
    # VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec.
    code = ("import re, sys; from pathlib import Path; from irisfx.digest import "
            "sha256_file; sha256_file(Path(sys.argv[1])); "
            "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])")
    out = subprocess.run([sys.executable, "-c", code, str(path)], check=True,
                         capture_output=True, text=True).stdout
    return int(out) / 1024


if __name__ == "__main__":
    main()
