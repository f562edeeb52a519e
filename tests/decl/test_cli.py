"""The declaration checks as a user meets them: the real command, exit codes, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE = '[irisfx]\nproject = "p"\n'


def irisfx(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run irisfx in ``root`` (60 s is a guard against a hang, not a speed check)."""
    return subprocess.run([sys.executable, "-m", "irisfx", *args], cwd=root,
                          capture_output=True, text=True, check=False, timeout=60)


@pytest.mark.parametrize("args", [("plan",), ("apply", "--rebuild", "a", "--auto-approve")])
def test_fixtures_toml_as_a_fixture_file_is_refused_before_anything_is_written(
        tmp_path: Path, args: tuple[str, ...]) -> None:
    text = BASE + '[fixtures.a]\nfile = "fixtures.toml"\n'
    (tmp_path / "fixtures.toml").write_text(text)
    done = irisfx(tmp_path, *args)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "fixtures.toml:4: fixtures.a.file: fixtures.toml is fixtures.toml itself" \
        in done.stderr
    assert "Traceback" not in done.stderr
    assert "please report" not in done.stderr
    assert (tmp_path / "fixtures.toml").read_text() == text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (BASE + '[fixtures.a]\nrecipe = "recipes/p.sql"\n', "is not a regular file"),
        (BASE + '[fixtures.a]\nfile = "recipes"\n', "is an existing folder"),
        (BASE + '[fixtures.a]\nrecipe = "recipes/d.sql"\n', "is a folder"),
        (BASE + '[fixtures.a]\nrecipe = "r\\u0000.sql"\n', "control character"),
        (BASE + "x = " + "[" * 5000 + "]" * 5000 + "\n", "too deeply"),
        ("", "[irisfx] is missing"),
    ],
)
def test_hostile_declarations_exit_1_with_a_message(tmp_path: Path, text: str,
                                                    says: str) -> None:
    (tmp_path / "recipes" / "d.sql").mkdir(parents=True)
    os.mkfifo(tmp_path / "recipes" / "p.sql")
    (tmp_path / "fixtures.toml").write_text(text)
    done = irisfx(tmp_path, "plan")
    assert done.returncode == 1, done.stdout + done.stderr
    assert says in done.stderr
    assert "Traceback" not in done.stderr
