"""A no-change plan over 1,000 pinned fixtures: goal < 1 s and zero files hashed.

Beside it, the same plan with --verify full (every file re-hashed) as the reference.
Run: python benchmarks/bench_plan.py [--fixtures 1000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import scratch


def build_project(root: Path, count: int) -> None:
    (root / "recipes").mkdir(parents=True)
    (root / "recipes" / "t.sql").write_text("CREATE TABLE B.T (ID INTEGER PRIMARY KEY);\n"
                                            "INSERT INTO B.T (ID) VALUES (1);\n")
    lines = ['[irisfx]\nproject = "bench"\niris = "sim://sim"\n']
    for i in range(count):
        lines.append(f'[fixtures.f{i:04d}]\nrecipe = "recipes/t.sql"\n')
    (root / "fixtures.toml").write_text("\n".join(lines))


def irisfx(root: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "irisfx", *args], cwd=root,
                          capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixtures", type=int, default=1000)
    args = parser.parse_args()
    root = scratch() / "proj"
    try:
        build_project(root, args.fixtures)
        took, done = irisfx(root, "apply")
        assert done.returncode == 0, done.stderr
        print(f"first apply of {args.fixtures} fixtures (build, snapshot, pin, mount): "
              f"{took:.1f} s")
        runs = []
        for _ in range(3):
            took, done = irisfx(root, "plan", "--json")
            runs.append((took, json.loads(done.stdout)))
        took, data = min(runs, key=lambda r: r[0])
        print(f"no-change plan, {args.fixtures} pinned fixtures")
        print(f"  irisfx plan           {took:6.2f} s   files hashed: {data['files_hashed']}   "
              f"changes: {data['changes']}   (goal < 1 s, 0 hashed)")
        took, done = irisfx(root, "plan", "--json", "--verify", "full")
        full = json.loads(done.stdout)
        print(f"  plan --verify full    {took:6.2f} s   files hashed: {full['files_hashed']}   "
              "(reference: full re-hash)")
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
