"""First `irisfx apply` at several fixture counts, and a no-change `irisfx plan` at 1k / 10k.

Each apply round starts from a fresh copy of a project of N fixtures built from one small SQL
recipe (build, snapshot, pin, mount each). Goals: <= 4 ms per fixture up to 1,000 and linear
to 10,000 (<= 45 s; 400 fixtures <= 12x the time of 40). The plan rows run on a project that a
real apply built (the last apply round at that N when there was one), beside `python -c pass`
(the same interpreter) in the same round; goals <= 0.20 s at 1k and <= 0.8 s at 10k, with 0
files hashed.
A run longer than --budget seconds is stopped and its row says so (no further rounds, no
larger N), so that a quadratic apply cannot hold the whole table hostage.
Run: python benchmarks/bench_apply.py [--fixtures 10,40,100,400,1000] [--plan-fixtures 1000,10000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
from pathlib import Path

from common import (
    OverBudget,
    Row,
    fixtures_project,
    irisfx_command,
    median,
    print_table,
    python_pass,
    run,
    scratch,
)

APPLY_GOAL_S = {1000: 4.0, 10000: 45.0}
PLAN_GOAL_S = {1000: 0.20, 10000: 0.8}


def apply_rounds(n: int, count: int, budget: float, keep: list[Path]
                 ) -> tuple[list[float], str | None]:
    """Times of a first apply of ``n`` fixtures; the last project is appended to ``keep``
    (left where it is: the stat cache and the simulator know it by its path)."""
    times: list[float] = []
    for i in range(count):
        root = scratch()
        fixtures_project(root, n)
        try:
            times.append(run([*irisfx_command(), "apply"], cwd=root, timeout=budget).seconds)
        except OverBudget:
            shutil.rmtree(root, ignore_errors=True)
            return times, f"stopped after {budget:.0f} s"
        last = i == count - 1 or times[-1] > budget / 2
        if last:
            keep.append(root)
            break  # when over half the budget, another round would cross it
        shutil.rmtree(root, ignore_errors=True)
    return times, None


def apply_rows(sizes: list[int], count: int, budget: float, kept: dict[int, Path]
               ) -> tuple[list[Row], int | None]:
    """One row: ms per fixture at each N, the 400/40 ratio and the slope between sizes; and
    the smallest N whose apply ran over the budget."""
    medians: dict[int, float] = {}
    notes: list[str] = []
    over: int | None = None
    for n in sorted(sizes):
        keep: list[Path] = []
        times, stopped = apply_rounds(n, count, budget, keep)
        if keep:
            kept[n] = keep[0]
        if stopped:
            notes.append(f"N={n}: {stopped}; larger N skipped")
            over = n
            break
        medians[n] = median(times)
        notes.append(f"N={n}: {medians[n]:.2f} s, median of {len(times)} round(s)")
    ordered = sorted(medians)
    per = " / ".join(f"{medians[n] / n * 1000:.0f}" for n in ordered)
    slopes = [f"{a}->{b}: {(medians[b] - medians[a]) / (b - a) * 1000:.0f} ms/fixture"
              for a, b in itertools.pairwise(ordered)]
    if slopes:
        notes.append("slope between sizes " + ", ".join(slopes))
    checks: list[bool] = []
    ratio_text = ""
    if 40 in medians and 400 in medians:
        ratio = medians[400] / medians[40]
        ratio_text = f"; 400/40 = {ratio:.1f}x"
        checks.append(ratio <= 12)
    elif 40 in sizes and 400 in sizes:
        checks.append(False)  # 400 did not finish within the budget
    for n, goal_s in APPLY_GOAL_S.items():
        if n in medians:
            checks.append(medians[n] <= goal_s)
        elif n in sizes:
            checks.append(False)
    return [Row(
        f"first `apply`, {' / '.join(str(n) for n in ordered)} fixtures",
        f"{per} ms per fixture{ratio_text}",
        "—",
        "<= 4 ms per fixture to 1,000; linear: 400 <= 12x 40, 10,000 <= 45 s",
        all(checks) if checks else None,
        notes,
    )], over


def plan_rows(sizes: list[int], count: int, budget: float, kept: dict[int, Path],
              over: int | None = None) -> list[Row]:
    """A no-change plan at each N, beside a bare interpreter."""
    rows = []
    for n in sizes:
        root = kept.get(n)
        figure = f"no-change `plan`, {n:,} fixtures"
        goal_s = PLAN_GOAL_S.get(n)
        goal = f"<= {goal_s} s, 0 hashed" if goal_s else "0 hashed"
        if root is None and over is not None and over <= n:
            rows.append(Row(figure, "not measured", "—", goal, None,
                            [f"its set-up, a first apply of {n:,} fixtures, would run over the "
                             f"budget (the apply of {over:,} already did)"]))
            continue
        if root is None or not root.exists():
            root = fixtures_project(scratch(), n)
            try:
                setup = run([*irisfx_command(), "apply"], cwd=root, timeout=budget).seconds
            except OverBudget:
                shutil.rmtree(root, ignore_errors=True)
                rows.append(Row(figure, "not measured", "—", goal, None,
                                [f"the apply that sets it up ran over {budget:.0f} s"]))
                continue
            note = f"set up by one apply of {setup:.1f} s"
        else:
            note = "set up by the last apply round"
        try:
            plans, bare, hashed = [], [], set()
            for _ in range(count):
                bare.append(python_pass())
                done = run([*irisfx_command(), "plan", "--json"], cwd=root, check=False)
                if done.returncode != 0:
                    raise RuntimeError(f"plan exited {done.returncode}: {done.stderr[-800:]}")
                data = json.loads(done.stdout)
                plans.append(done.seconds)
                hashed.add(data["files_hashed"])
                if data["changes"]:
                    raise RuntimeError(f"plan at {n} fixtures is not a no-change plan")
        finally:
            shutil.rmtree(root, ignore_errors=True)
        took = median(plans)
        files = "/".join(str(h) for h in sorted(hashed))
        rows.append(Row(figure, f"{took:.2f} s, {files} hashed",
                        f"`python -c pass` {median(bare) * 1000:.0f} ms", goal,
                        (took <= goal_s if goal_s else True) and hashed == {0}, [note]))
    return rows


def measure(sizes: list[int], plan_sizes: list[int], count: int, budget: float) -> list[Row]:
    """The apply row then the plan rows."""
    kept: dict[int, Path] = {}
    try:
        rows, over = apply_rows(sizes, count, budget, kept)
        rows += plan_rows(plan_sizes, count, budget,
                          {n: kept.pop(n) for n in plan_sizes if n in kept}, over)
    finally:
        for root in kept.values():
            shutil.rmtree(root, ignore_errors=True)
    return rows


def sizes_arg(text: str) -> list[int]:
    """``10,40,100`` -> [10, 40, 100]."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive numbers: {text!r}")
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options this benchmark shares with run_all.py."""
    parser.add_argument("--fixtures", type=sizes_arg, default=[10, 40, 100, 400, 1000],
                        help="fixture counts for the first-apply row (comma-separated)")
    parser.add_argument("--plan-fixtures", type=sizes_arg, default=[1000, 10000],
                        help="fixture counts for the no-change plan rows")
    parser.add_argument("--budget", type=float, default=300.0,
                        help="seconds any one apply may take before it is stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print_table(measure(args.fixtures, args.plan_fixtures, args.rounds, args.budget))


if __name__ == "__main__":
    main()
