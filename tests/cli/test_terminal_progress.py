"""On a terminal, apply shows each running action (issue 9.13). A real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

from tests.conftest import ProjectDir


def run_on_terminal(project: ProjectDir, *args: str,
                    env: dict[str, str] | None = None) -> tuple[int, str]:
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "irisfx", *args], cwd=project.root,
                            env={**(env or project.env), "COLUMNS": "120"}, stdin=follower,
                            stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_apply_on_a_terminal_shows_each_action_while_it_runs(project: ProjectDir) -> None:
    code, text = run_on_terminal(project, "apply")
    assert code == 0, text
    assert "build items (FXSRC_ITEMS)" in text
    assert "mount items (FX_ITEMS)" in text
    assert "Apply complete." in text


COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-9]|9[0-7])[0-9;]*m")  # an SGR that sets a colour


def test_no_color_reaches_the_progress_display_and_sizes_are_not_guessed(
        project: ProjectDir) -> None:
    env = {k: v for k, v in project.env.items() if k != "NO_COLOR"}
    code, text = run_on_terminal(project, "apply", "--no-color", env=env)
    assert code == 0, text
    assert "build items (FXSRC_ITEMS)" in text
    assert not COLOUR.search(text), repr(text)
    assert "/? " not in text and "?/" not in text, text  # no "0/? bytes" for a build
