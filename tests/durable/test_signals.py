"""SIGTERM stops apply like Ctrl-C: the resume message, exit 130, and a clean resume."""

from __future__ import annotations

import os
import signal

import pytest

from irisfx.files.signals import interrupts_held, sigterm_as_interrupt
from tests.cli.test_kill_resume import assert_converged
from tests.conftest import ProjectDir


@pytest.mark.parametrize("checkpoint", ["apply.snapshot.copied", "apply.mount.mounted"])
def test_sigterm_is_an_interrupt_with_the_resume_message(project: ProjectDir,
                                                         checkpoint: str) -> None:
    stopped = project.irisfx("apply", env={"IRISFX_KILL_AT": checkpoint,
                                           "IRISFX_KILL_SIGNAL": "TERM"})
    assert stopped.code == 130, stopped.text
    assert "run 'irisfx apply' to resume" in stopped.err
    assert "Traceback" not in stopped.err
    assert not list(project.root.glob(".fixtures.toml.*.tmp"))
    resumed = project.irisfx("apply")
    assert resumed.code == 0, resumed.text
    assert_converged(project)


def test_an_interrupt_waits_for_the_held_block_then_acts() -> None:
    reached_the_end = False
    with sigterm_as_interrupt(), pytest.raises(KeyboardInterrupt), interrupts_held():
        os.kill(os.getpid(), signal.SIGTERM)
        reached_the_end = True
    assert reached_the_end

