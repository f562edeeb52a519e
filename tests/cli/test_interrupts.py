"""Ctrl-C and SIGTERM say what is true (issue 9.13, 10.15).

IRISFX_KILL_AT=<checkpoint> with IRISFX_KILL_SIGNAL=INT|TERM makes irisfx send itself that
signal at a named
checkpoint (irisfx/files/faults.py): a Ctrl-C or `kill` arriving at exactly that moment.
"""

from __future__ import annotations

import json

from tests.conftest import ProjectDir


def test_ctrl_c_at_the_question_says_nothing_changed(applied: ProjectDir) -> None:
    applied.config.write_text(applied.config.read_text().replace(
        "[fixtures.items]\n", "[fixtures.items]\nreadonly = false\n"))
    run = applied.irisfx("apply", env={"IRISFX_KILL_AT": "cli.apply.confirm",
                                       "IRISFX_KILL_SIGNAL": "INT"})
    assert run.code == 130, run.text
    assert "nothing was changed" in run.err
    assert "finished actions are recorded" not in run.err


def test_sigint_after_apply_complete_exits_0(project: ProjectDir) -> None:
    run = project.irisfx("apply", env={"IRISFX_KILL_AT": "cli.apply.complete",
                                       "IRISFX_KILL_SIGNAL": "INT"})
    assert run.code == 0, run.text
    assert "Apply complete." in run.out


def test_sigterm_is_an_interrupt_and_apply_resumes(project: ProjectDir) -> None:
    run = project.irisfx("apply", env={"IRISFX_KILL_AT": "apply.build.done",
                                       "IRISFX_KILL_SIGNAL": "TERM"})
    assert run.code == 130, run.text
    assert "finished actions are recorded" in run.err and "Traceback" not in run.text
    assert project.irisfx("apply").code == 0
    owned = json.loads(project.irisfx("status", "--json").out)["owned"]
    assert {r["state"] for r in owned} == {"ready"}
