"""SIGTERM stops apply like Ctrl-C: the resume message, exit 130, and a clean resume."""

from __future__ import annotations

import pytest

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
