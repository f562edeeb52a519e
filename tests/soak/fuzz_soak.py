"""The fuzz half of the soak: every target, many examples, failures counted by kind."""

from __future__ import annotations

import collections
import re
import tempfile
import time
from pathlib import Path

from tests.faults.fuzzing import TARGETS, Templates, fuzz
from tests.forkrun import cpu_seconds


def soak_fuzz(count: int, seed: int) -> int:
    """Run ``count`` examples of each target; print figures; 1 if anything failed."""
    failures: collections.Counter[tuple[str, str]] = collections.Counter()
    first: dict[tuple[str, str], str] = {}

    def record(target: str, problems: list[str], detail: str) -> None:
        unexpected = re.search(r"unexpected (\w+)", detail)
        for problem in problems:
            if unexpected and problem == "please-report":
                problem = f"{problem} ({unexpected.group(1)})"
            failures[target, problem] += 1
            first.setdefault((target, problem), detail)

    total = 0
    with tempfile.TemporaryDirectory(prefix="irisfx-fuzz-") as scratch:
        templates = Templates.build(Path(scratch) / "templates")
        for target in TARGETS:
            started = time.monotonic()
            ran = fuzz(target, templates, Path(scratch) / target, count, record, seed=seed,
                       shrink=False)
            total += ran
            bad = sum(n for (t, _), n in failures.items() if t == target)
            print(f"fuzz {target}: {ran} cases, {bad} failures, "
                  f"{time.monotonic() - started:.0f} s", flush=True)
        _summary(total, seed, failures, first)
        print("removing the cases...", flush=True)
    return int(bool(failures))


def _summary(total: int, seed: int, failures: collections.Counter[tuple[str, str]],
             first: dict[tuple[str, str], str]) -> None:
    cpu = sum(cpu_seconds) / len(cpu_seconds) if cpu_seconds else 0.0
    print(f"fuzz: {total} cases (seed {seed}), {sum(failures.values())} failures; "
          f"{cpu * 1000:.0f} ms CPU per irisfx run")
    for (target, kind), n in failures.most_common():
        example = first[target, kind].replace("\n", "\n           ")
        print(f"  {n:5d}  {target}: {kind}\n         e.g. {example}", flush=True)
