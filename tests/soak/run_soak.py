"""The long attack: many signal rounds and fuzz cases, with figures. Not collected by pytest.

    python tests/soak/run_soak.py [--rounds N] [--examples N] [--seed S] [--only KIND]

Prints the cases run and the failures by kind, with the first example of each kind, and exits
1 if anything failed. The same checks run in CI with small counts (tests/faults/).
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.faults.signals import SCENARIOS, SIGNALS, run_round


def soak_signals(rounds: int, seed: int, scratch: Path) -> tuple[int, collections.Counter[str],
                                                                   dict[str, str]]:
    """Run ``rounds`` signal rounds over every scenario and signal; count failures by kind."""
    failures: collections.Counter[str] = collections.Counter()
    first: dict[str, str] = {}
    killed_codes: collections.Counter[str] = collections.Counter()
    done = 0
    for n in range(rounds):
        name = list(SCENARIOS)[n % len(SCENARIOS)]
        sig = SIGNALS[(n // len(SCENARIOS)) % len(SIGNALS)]
        outcome = run_round(SCENARIOS[name], sig, seed + n, scratch, scratch / f"round-{n}")
        done += 1
        killed_codes[f"{sig.name} -> {outcome.killed_code}"] += 1
        if "Traceback" in outcome.killed_output:
            outcome.fail("killed-run-traceback", outcome.killed_output)
        for failure in outcome.failures:
            kind = failure.split(":", 1)[0]
            failures[kind] += 1
            first.setdefault(kind, f"round {n} seed {seed + n} {name} {sig.name} "
                                   f"({outcome.trigger}): {failure[:600]}")
    print("signalled runs' exit codes:", dict(sorted(killed_codes.items())))
    return done, failures, first


def main() -> int:
    """Parse the options, run the soak, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60, help="signal rounds")
    parser.add_argument("--examples", type=int, default=1000,
                        help="fuzz examples per target (sets IRISFX_SOAK_EXAMPLES)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--only", choices=["signals", "fuzz"], default=None)
    options = parser.parse_args()
    status = 0
    with tempfile.TemporaryDirectory(prefix="irisfx-soak-") as scratch:
        if options.only in (None, "signals"):
            started = time.monotonic()
            done, failures, first = soak_signals(options.rounds, options.seed, Path(scratch))
            print(f"signals: {done} rounds (seed {options.seed}), "
                  f"{sum(failures.values())} failures in {time.monotonic() - started:.0f} s")
            for kind, count in failures.most_common():
                print(f"  {count:5d}  {kind}\n         e.g. {first[kind]}")
            status |= bool(failures)
    if options.only in (None, "fuzz"):
        from tests.soak.fuzz_soak import soak_fuzz

        status |= soak_fuzz(options.examples, options.seed)
    return int(status)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
