"""merge_pins: pins go into fixtures.toml as it is on disk, never over an edited declaration."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from irisfx.errors import ConfigError
from irisfx.lockfile.models import Pin
from irisfx.lockfile.project import load_project, merge_pins
from tests.decl.conftest import BASE, write


def pin(digit: str) -> Pin:
    return Pin(sha256=digit * 64, size=8192, built_by="irisfx-sim 0.1.0",
               tables={"Demo.T": 3}, created=datetime(2026, 1, 1, tzinfo=UTC))


def test_edits_made_since_planning_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + '[fixtures.a]\nexpect = { "Demo.T" = 3 }\n[fixtures.b]\n')
    planned = load_project(path)
    # Someone edits the file while apply runs: a new fixture, another's description.
    write(tmp_path, BASE + '[fixtures.a]\nexpect = { "Demo.T" = 3 }\n'
          '[fixtures.b]\ndescription = "edited"\n[fixtures.c]\nmount = "FX_NEW"\n')
    merged = merge_pins(path, {"a": pin("1")}, planned=planned)
    on_disk = load_project(path)
    assert on_disk.doc == merged.doc
    assert on_disk.fixture("a").pin == pin("1")
    assert on_disk.fixture("b").decl.description == "edited"
    assert on_disk.fixture("b").pin is None
    assert on_disk.fixture("c").mount == "FX_NEW"
    assert not [p.name for p in tmp_path.iterdir() if p.name != "fixtures.toml"]


def test_a_second_merge_keeps_the_first_pins(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "[fixtures.a]\n[fixtures.b]\n")
    planned = load_project(path)
    merge_pins(path, {"a": pin("1")}, planned=planned)
    merge_pins(path, {"b": pin("2")}, planned=planned)
    on_disk = load_project(path)
    assert (on_disk.fixture("a").pin, on_disk.fixture("b").pin) == (pin("1"), pin("2"))
    merge_pins(path, {"a": pin("3")}, planned=planned)
    assert load_project(path).fixture("a").pin == pin("3")


@pytest.mark.parametrize(
    ("edited", "says"),
    [
        ('[fixtures.a]\nexpect = { "Demo.T" = 4 }\n', "fixture 'a' was changed"),
        ('[fixtures.a]\nexpect = { "Demo.T" = 3 }\nrecipe = "r.sql"\n', "fixture 'a' was changed"),
        ("[fixtures.b]\n", "fixture 'a' is no longer declared"),
    ],
)
def test_an_edited_declaration_is_refused_and_nothing_written(
        tmp_path: Path, edited: str, says: str) -> None:
    path = write(tmp_path, BASE + '[fixtures.a]\nexpect = { "Demo.T" = 3 }\n')
    planned = load_project(path)
    write(tmp_path, BASE + edited)
    before = path.read_bytes()
    with pytest.raises(ConfigError) as info:
        merge_pins(path, {"a": pin("1")}, planned=planned)
    assert says in info.value.render()
    assert "Nothing was pinned" in info.value.render()
    assert path.read_bytes() == before


def test_the_same_declaration_written_differently_is_not_an_edit(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + '[fixtures.a]\nmount = "fx_a"\n')
    planned = load_project(path)
    write(tmp_path, BASE + '# a comment\n[fixtures.a]\nmount = "FX_A"  # upper-case now\n')
    merge_pins(path, {"a": pin("1")}, planned=planned)
    assert load_project(path).fixture("a").pin == pin("1")
