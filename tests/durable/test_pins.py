"""Pins go to a journal (one fsynced line each) and are merged into fixtures.toml as it is on
disk: edits made while apply runs survive, and a changed declaration is refused."""

from __future__ import annotations

import json
import tomllib

import pytest

from irisfx.errors import ApplyFailed
from tests.conftest import ProjectDir
from tests.durable.conftest import apply_in_process

OTHER = """
[fixtures.other]
source = "FXSRC_OTHER"
recipe = "recipes/items.sql"
mount = "FX_OTHER"
"""


def pins(project: ProjectDir) -> dict[str, str]:
    doc = tomllib.loads(project.config.read_text())
    return {n: f["pin"]["sha256"] for n, f in doc["fixtures"].items() if "pin" in f}


def test_an_edit_made_while_apply_runs_is_kept(project: ProjectDir) -> None:
    def user_edits() -> None:
        project.config.write_text(project.config.read_text() + OTHER)

    apply_in_process(project.config, {"build": user_edits})
    doc = tomllib.loads(project.config.read_text())
    assert "other" in doc["fixtures"], "the edit made during apply was lost"
    assert "pin" in doc["fixtures"]["items"]
    assert not (project.root / ".irisfx" / "pins.journal").exists()
    assert project.irisfx("apply").code == 0
    assert set(pins(project)) == {"items", "other"}


def test_a_declaration_changed_while_apply_runs_is_refused(project: ProjectDir) -> None:
    def user_changes_items() -> None:
        text = project.config.read_text().replace("[fixtures.items]\n",
                                                  "[fixtures.items]\nreadonly = false\n")
        project.config.write_text(text)

    with pytest.raises(ApplyFailed) as failed:
        apply_in_process(project.config, {"build": user_changes_items})
    assert "fixtures.toml changed while apply ran" in failed.value.message
    assert "readonly = false" in project.config.read_text()
    assert pins(project) == {}
    run = project.irisfx("apply")
    assert run.code == 0, run.text
    assert "items" in pins(project)


def test_a_pin_is_one_journal_line_and_fixtures_toml_is_written_once(
        project: ProjectDir) -> None:
    before = project.config.read_bytes()
    killed = project.irisfx("apply", env={"IRISFX_KILL_AT": "apply.snapshot.done"})
    assert killed.code < 0
    assert project.config.read_bytes() == before, "fixtures.toml was rewritten for one pin"
    lines = (project.root / ".irisfx" / "pins.journal").read_text().splitlines()
    assert [json.loads(line)["fixture"] for line in lines] == ["items"]
    # plan sees the journal before it is folded; verify checks fixtures.toml alone.
    verify = project.irisfx("verify")
    assert verify.code == 3 and "no pin" in verify.out, verify.text
    plan = project.irisfx("plan")
    assert "+ snapshot" not in plan.out and "mount    items" in plan.out, plan.text
    assert project.irisfx("apply").code == 0
    assert "items" in pins(project)
    assert not (project.root / ".irisfx" / "pins.journal").exists()


def test_a_torn_journal_line_is_ignored(applied: ProjectDir) -> None:
    journal = applied.root / ".irisfx" / "pins.journal"
    journal.write_text('{"fixture": "items", "base": null, "pin": {"sha2')
    assert applied.irisfx("plan", "--detailed-exitcode").code == 0
    assert applied.irisfx("apply").code == 0
    assert not journal.exists()


def test_a_journal_never_overwrites_a_pin_written_since(project: ProjectDir) -> None:
    assert project.irisfx("apply", env={"IRISFX_KILL_AT": "apply.snapshot.done"}).code < 0
    journal = project.root / ".irisfx" / "pins.journal"
    entry = json.loads(journal.read_text())
    entry["base"] = "0" * 64  # it replaced a pin the file no longer holds
    journal.write_text(json.dumps(entry) + "\n")
    before = project.config.read_bytes()
    # The journal's line is not folded: the fixture stays unpinned, as fixtures.toml says.
    assert "has a file but no pin" in project.irisfx("verify").out
    project.irisfx("apply")
    assert b"[fixtures.items.pin]" not in before
    assert entry["pin"]["sha256"] not in project.config.read_text()


def test_locked_refuses_pins_left_in_the_journal(project: ProjectDir) -> None:
    assert project.irisfx("apply", env={"IRISFX_KILL_AT": "apply.snapshot.done"}).code < 0
    run = project.irisfx("apply", "--locked")
    assert run.code == 1
    assert "--locked forbids writing them" in run.err
