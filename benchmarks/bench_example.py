"""The README example (this repository's fixtures.toml and recipes/): first apply and a
no-change plan, as whole processes.

References in the same round: `python -c pass` for the plan (goal < 120 ms), and for the
apply, the same apply of the example's Python-recipe fixture alone (goal < 0.25 s).
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

PYTHON_RECIPE = "entities-10k"


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
    """The plan row and the first-apply row."""
    applies, python_only, plans, bare = [], [], [], []
    hashed: set[int] = set()
    for _ in range(rounds):
        bare.append(python_pass())
        for only, times in ((None, applies), (PYTHON_RECIPE, python_only)):
            root = example_copy(only)
            try:
                times.append(run([*irisfx_command(), "apply"], cwd=root).seconds)
                if only is None:
                    done = run([*irisfx_command(), "plan", "--json"], cwd=root)
                    data = json.loads(done.stdout)
                    if data["changes"]:
                        raise RuntimeError("the example's second plan is not a no-change plan")
                    plans.append(done.seconds)
                    hashed.add(data["files_hashed"])
            finally:
                shutil.rmtree(root, ignore_errors=True)
    plan, apply, alone, python = median(plans), median(applies), median(python_only), median(bare)
    return [
        Row("no-change `plan` on the README example",
            f"{plan * 1000:.0f} ms, {'/'.join(map(str, sorted(hashed)))} hashed",
            f"`python -c pass` {python * 1000:.0f} ms", "< 120 ms", plan < 0.120),
        Row("README example, first apply", f"{apply:.2f} s",
            f"the 10k-row Python-recipe fixture alone: {alone:.2f} s", "< 0.25 s",
            apply < 0.25),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print_table(measure(args.rounds))


if __name__ == "__main__":
    main()
