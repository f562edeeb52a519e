"""The README example (this repository's fixtures.toml and recipes/): first apply and a
no-change plan, as whole processes.

References in the same round: `python -c pass` (the same interpreter) for `--version` (goal
<= 30 ms) and the plan (goal <= 120 ms); for the apply (goal <= 0.2 s), a Python process that
makes the same rows with sqlite3 (the example's two tables, 100 + 200 and 10,000
+ 30,000 rows, one file per fixture, like the simulator's databases).
Run: python benchmarks/bench_example.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tomllib
from pathlib import Path

import tomli_w
from common import REPO, Row, irisfx_command, median, print_table, python_pass, run, scratch

SQLITE_SAME_ROWS = """
import sqlite3, sys
for n, meta, name in ((100, 200, "a.db"), (10000, 30000, "b.db")):
    db = sqlite3.connect(sys.argv[1] + "/" + name)
    db.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, score REAL)")
    db.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, entity INTEGER, k TEXT, v TEXT)")
    with db:
        db.executemany("INSERT INTO e VALUES (?, ?, ?, ?)",
                       ((i, f"entity {i}", "kind", i / 7) for i in range(n)))
        db.executemany("INSERT INTO m VALUES (?, ?, ?, ?)",
                       ((i, i // 2, "key", f"value {i}") for i in range(meta)))
    db.close()
"""

def example_copy(only: str | None = None) -> Path:
    """A fresh copy of the README example (with only fixture ``only`` when given)."""
    root = scratch()
    shutil.copytree(REPO / "recipes", root / "recipes")
    doc = tomllib.loads((REPO / "fixtures.toml").read_text(encoding="utf-8"))
    # A first apply from scratch: drop pins that the README's first command may have written.
    for fixture in doc["fixtures"].values():
        fixture.pop("pin", None)
    if only is not None:
        doc["fixtures"] = {only: doc["fixtures"][only]}
    (root / "fixtures.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
    return root


def measure(rounds: int) -> list[Row]:
    """The --version row, the plan row and the first-apply row."""
    import sys

    applies, sqlite_same, plans, bare, versions = [], [], [], [], []
    hashed: set[int] = set()
    for _ in range(rounds):
        bare.append(python_pass())
        versions.append(run([*irisfx_command(), "--version"]).seconds)
        root = example_copy()
        try:
            applies.append(run([*irisfx_command(), "apply"], cwd=root).seconds)
            done = run([*irisfx_command(), "plan", "--json"], cwd=root)
            data = json.loads(done.stdout)
            if data["changes"]:
                raise RuntimeError("the example's second plan is not a no-change plan")
            plans.append(done.seconds)
            hashed.add(data["files_hashed"])
            sqlite_same.append(run([sys.executable, "-c", SQLITE_SAME_ROWS, str(root)]).seconds)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    plan, apply, same, python = median(plans), median(applies), median(sqlite_same), median(bare)
    version = median(versions)
    return [
        Row("`irisfx --version`", f"{version * 1000:.0f} ms",
            f"`python -c pass` {python * 1000:.0f} ms", "<= 30 ms", version <= 0.030),
        Row("no-change `plan` on the README example",
            f"{plan * 1000:.0f} ms, {'/'.join(map(str, sorted(hashed)))} hashed",
            f"`python -c pass` {python * 1000:.0f} ms", "<= 120 ms", plan <= 0.120),
        Row("README example, first apply", f"{apply:.2f} s",
            f"the same rows through sqlite3 in one process: {same:.2f} s", "<= 0.2 s",
            apply <= 0.2),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print_table(measure(args.rounds))


if __name__ == "__main__":
    main()
