"""verify checks what the repository promises, with no engine (issue 9.5, 9.7)."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import tomli_w

from tests.conftest import ProjectDir, flip_last_byte

DAT = Path("fixtures/items/IRIS.DAT")
NO_ENGINE = {"IRISFX_IRIS": "iris://nobody@127.0.0.1:9"}  # nothing listens: never contacted


def test_unpinned_fixture_fails_verify_with_exit_3(project: ProjectDir) -> None:
    run = project.irisfx("verify", env=NO_ENGINE)
    assert run.code == 3, run.text
    assert "not pinned" in run.out and "irisfx apply" in run.out


def test_pinned_repository_verifies_without_an_engine(applied: ProjectDir) -> None:
    run = applied.irisfx("verify", env=NO_ENGINE)
    assert run.code == 0, run.text
    data = json.loads(applied.irisfx("verify", "--json", env=NO_ENGINE).out)
    (item,) = data["fixtures"]
    assert item["status"] == "ok" and len(item["pin"]["sha256"]) == 64


def test_changed_recipe_is_exit_2_and_edited_file_exit_3(applied: ProjectDir) -> None:
    recipe = applied.root / "recipes" / "items.sql"
    recipe.write_text(recipe.read_text() + "-- changed\n")
    run = applied.irisfx("verify", env=NO_ENGINE)
    assert run.code == 2, run.text
    assert "recipe changed" in run.out
    flip_last_byte(applied.root / DAT)
    run = applied.irisfx("verify", "--json", env=NO_ENGINE)
    assert run.code == 3
    (item,) = json.loads(run.out)["fixtures"]
    problem = item["problem"]
    assert (problem["reason"], problem["kind"]) == ("mismatch", "integrity")
    assert problem["expected"]["sha256"] != problem["actual"]["sha256"]
    assert len(problem["actual"]["sha256"]) == 64


def test_expect_that_contradicts_the_pin_is_exit_2(applied: ProjectDir) -> None:
    doc = tomllib.loads(applied.config.read_text())
    doc["fixtures"]["items"]["expect"] = {"Shop.Item": 4}
    applied.config.write_text(tomli_w.dumps(doc))
    run = applied.irisfx("verify", env=NO_ENGINE)
    assert run.code == 2, run.text
    assert "expect" in run.out


def test_renamed_fixture_advice_works_as_written_and_gc_keeps_the_file(
        applied: ProjectDir) -> None:
    doc = tomllib.loads(applied.config.read_text())
    body = doc["fixtures"].pop("items")
    doc["fixtures"]["sample"] = body
    applied.config.write_text(tomli_w.dumps(doc))
    move = "mkdir -p fixtures/sample && mv fixtures/items/IRIS.DAT fixtures/sample/IRIS.DAT"
    for command in (["verify"], ["plan"], ["apply", "--auto-approve"]):
        run = applied.irisfx(*command)
        assert run.code == 3, run.text
        assert move in run.text, run.text
        assert "git checkout" not in run.text and "git mv" not in run.text
        assert 'file = "fixtures/items/IRIS.DAT"' in run.text
    gc = applied.irisfx("gc", "--yes")
    assert "kept fixtures/items/IRIS.DAT" in gc.out and "fixture 'sample'" in gc.out, gc.text
    assert (applied.root / "fixtures/items/IRIS.DAT").exists()
    # The advice is a command that works: in a folder git does not track, too.
    subprocess.run(move, shell=True, cwd=applied.root, check=True)
    assert applied.irisfx("apply", "--auto-approve").code == 0
