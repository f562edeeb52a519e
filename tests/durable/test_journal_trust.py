"""The pin journal is untrusted: a line becomes a pin only when the file on disk is what it
pins, verify never reads it, and a journal that is not a plain file is refused, never hung on.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ProjectDir, flip_last_byte

DAT = Path("fixtures/items/IRIS.DAT")


def journal(project: ProjectDir) -> Path:
    """The project's pin journal."""
    return project.root / ".irisfx" / "pins.journal"


def pinned(project: ProjectDir) -> dict[str, object]:
    """fixtures.toml's pin of 'items'."""
    return dict(tomllib.loads(project.config.read_text())["fixtures"]["items"]["pin"])


def forge(project: ProjectDir, **changes: object) -> dict[str, object]:
    """Append a journal line replacing the current pin of 'items' with ``changes`` to it."""
    pin = pinned(project)
    forged = {**pin, "created": str(pin["created"]).replace("+00:00", "Z"), **changes}
    entry = {"fixture": "items", "base": pin["sha256"], "pin": forged}
    with journal(project).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, default=str) + "\n")
    return forged


def tamper(project: ProjectDir) -> tuple[str, int]:
    """Change the fixture file in place; its new digest and size."""
    path = project.root / DAT
    flip_last_byte(path)
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)


def test_a_forged_line_for_a_tampered_file_is_not_believed_by_verify(
        applied: ProjectDir) -> None:
    sha256, size = tamper(applied)
    forge(applied, sha256=sha256, size=size)
    run = applied.irisfx("verify", "--verify", "full")
    assert run.code == 3, run.text


def test_a_line_the_file_does_not_hash_to_never_becomes_a_pin(applied: ProjectDir) -> None:
    before = pinned(applied)
    tamper(applied)
    forge(applied, sha256="ab" * 32)
    applied.irisfx("apply", "--auto-approve")
    assert "ab" * 32 not in applied.config.read_text()
    assert pinned(applied)["sha256"] == before["sha256"]


@pytest.mark.parametrize("lie", [{"size": 12}, {"tables": {"Shop.Item": 99}}])
def test_a_line_with_a_wrong_size_or_row_count_never_becomes_a_pin(
        applied: ProjectDir, lie: dict[str, object]) -> None:
    sha256, size = tamper(applied)
    forge(applied, **{"sha256": sha256, "size": size, **lie})
    applied.irisfx("apply", "--auto-approve")
    assert sha256 not in applied.config.read_text()


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dangling"])
def test_a_journal_that_is_not_a_plain_file_is_refused_at_once(
        applied: ProjectDir, kind: str) -> None:
    path = journal(applied)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.symlink_to(applied.root / "nowhere")
    for command in ("plan", "apply"):
        run = applied.irisfx(command)  # the harness times out after 120 s: a hang fails
        assert run.code == 1, run.text
        assert "is not a pin journal irisfx wrote" in run.err and "fix: move" in run.err
        assert "Traceback" not in run.text
