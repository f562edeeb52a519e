"""Random signals (SIGKILL, SIGTERM, SIGINT) at random moments of apply; a plain apply heals.

A fixed seed makes every round reproducible: the round's seed decides the trigger (a delay
within the command's measured duration, the appearance of the file being written, or an exact
checkpoint for SIGKILL). tests/soak/run_soak.py runs many more rounds.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.faults.signals import SCENARIOS, SIGNALS, run_round

SEED = 20261126
ROUNDS_PER_SIGNAL = 1

ROUNDS = [
    pytest.param(name, sig, SEED + 1000 * i + 10 * j + k,
                 id=f"{name}-{sig.name}-{k}")
    for i, name in enumerate(SCENARIOS)
    for j, sig in enumerate(SIGNALS)
    for k in range(ROUNDS_PER_SIGNAL)
]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the prepared templates and calibration runs shared by the rounds."""
    return tmp_path_factory.mktemp("signal-templates")


@pytest.mark.parametrize(("scenario", "sig", "seed"), ROUNDS)
def test_a_signalled_apply_is_healed_by_the_next(
    scenario: str, sig: signal.Signals, seed: int, scratch: Path, tmp_path: Path
) -> None:
    outcome = run_round(SCENARIOS[scenario], sig, seed, scratch, tmp_path / "case")
    assert not outcome.failures, (
        f"{scenario} {sig.name} ({outcome.trigger}), killed run exit {outcome.killed_code}:\n"
        + "\n".join(outcome.failures) + f"\nkilled run said:\n{outcome.killed_output}")
