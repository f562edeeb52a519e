"""Every benchmark, printed as one table: figure, now, reference, goal, met.

Every figure is a whole `irisfx` process (or pytest with the plugin) beside its reference in
the same round, median of --rounds rounds (>= 3 for a measurement). The first line says
whether the machine was quiet: `openssl speed -multi 2` should be ~2x one process.
--quick shrinks every size and runs one round: a smoke test of the scripts, not a measurement.
Run: python benchmarks/run_all.py [--quick] [--fixtures 10,40,100,400,1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import time

import bench_apply
import bench_example
import bench_reset
import bench_store
import bench_verify
from common import Row, print_table

QUICK = {"fixtures": [2, 4], "plan_fixtures": [3], "size_mib": 4, "store_mib": 4, "tests": 3,
         "rounds": 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    bench_apply.add_arguments(parser)
    parser.add_argument("--size-mib", type=int, default=1024,
                        help="size of the one-file verify (two files of half of it)")
    parser.add_argument("--store-mib", type=int, default=256,
                        help="size of the file pushed to and pulled from a folder store")
    parser.add_argument("--tests", type=int, default=100, help="tests in the reset row")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one round: checks the scripts run")
    args = parser.parse_args()
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    started = time.perf_counter()
    rows: list[Row] = []
    verify_rows, quiet = bench_verify.measure(args.size_mib << 20, args.rounds,
                                              openssl_seconds=0 if args.quick else 2)
    print(quiet, flush=True)
    rows += bench_apply.measure(args.fixtures, args.plan_fixtures, args.rounds, args.budget)
    rows += verify_rows
    rows += bench_reset.measure(args.tests, args.rounds)
    rows += bench_store.folder_rows(args.store_mib, args.rounds)
    rows += bench_example.measure(args.rounds)
    print()
    heading = (f"irisfx benchmarks, median of {args.rounds} round(s)"
               + (" (--quick: a smoke test, not a measurement)" if args.quick else ""))
    print_table(rows, heading)
    met = sum(row.met is True for row in rows)
    print(f"\n{met} of {len(rows)} goals met; took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
