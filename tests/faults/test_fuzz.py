"""Property-based fuzzing of everything irisfx reads back from disk.

Each target writes hostile input into a copy of a prepared project (fixtures.toml, a saved
plan, the simulator's files, the stat cache), runs one irisfx command, and checks: a documented
exit code (0-5), no traceback and no "please report it", nothing changed outside the project,
no hang. The examples are derandomized (fixed), so CI sees the same cases every run;
IRISFX_SOAK_EXAMPLES raises the count, and tests/soak/run_soak.py runs them long.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.fuzzing import Templates, examples, fuzz

#: Examples per target in CI, sized to keep tests/faults well inside its time budget.
CI_EXAMPLES = {"config": 400, "plan": 150, "sim-state": 200, "stat-cache": 150}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """Fresh, applied and pending projects that every example copies."""
    return Templates.build(tmp_path_factory.mktemp("fuzz-templates"))


def fail(target: str, problems: list[str], detail: str) -> None:
    """Report a broken property to hypothesis, which shrinks it and prints the input."""
    raise AssertionError(f"{target}: {', '.join(problems)}\n{detail}")


@pytest.mark.parametrize("target", sorted(CI_EXAMPLES))
def test_hostile_input_gets_a_clear_answer(
    target: str, templates: Templates, tmp_path: Path
) -> None:
    ran = fuzz(target, templates, tmp_path, examples(CI_EXAMPLES[target]), fail)
    assert ran > 0
