"""irisfx init (issue 9.8, 9.14)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.conftest import ProjectDir, clean_env


def folder(tmp_path: Path, name: str) -> ProjectDir:
    root = tmp_path / name
    root.mkdir()
    return ProjectDir(root, clean_env(tmp_path))


def test_accented_folder_name_is_transliterated(tmp_path: Path) -> None:
    made = folder(tmp_path, "Ünïcödé")
    run = made.irisfx("init")
    assert run.code == 0, run.text
    doc = tomllib.loads(made.config.read_text())
    assert doc["irisfx"]["project"] == "unicode"
    example = doc["fixtures"]["example"]
    assert example["mount"] == "FX_UNICODE_EXAMPLE"
    assert example["source"] == "FXSRC_UNICODE_EXAMPLE"
    ignore = (made.root / ".gitignore").read_text().splitlines()
    assert ".irisfx/" in ignore and ".fixtures.toml.*.tmp" in ignore
    assert made.irisfx("apply").code == 0


def test_init_inside_a_project_is_refused(project: ProjectDir) -> None:
    inner = project.root / "sub"
    inner.mkdir()
    run = ProjectDir(inner, project.env).irisfx("init")
    assert run.code == 1 and "already holds an irisfx project" in run.err, run.text
    assert not (inner / "fixtures.toml").exists()
    assert project.irisfx("init").code == 1


def test_existing_recipe_is_kept_and_expect_not_assumed(tmp_path: Path) -> None:
    made = folder(tmp_path, "mine")
    (made.root / "recipes").mkdir()
    mine = ("CREATE TABLE Demo.Item (ID INTEGER PRIMARY KEY);\n"
            "INSERT INTO Demo.Item (ID) VALUES (1);\n")
    (made.root / "recipes" / "example.sql").write_text(mine)
    run = made.irisfx("init")
    assert run.code == 0 and "kept" in run.out, run.text
    assert (made.root / "recipes" / "example.sql").read_text() == mine
    assert "expect" not in tomllib.loads(made.config.read_text())["fixtures"]["example"]
    assert made.irisfx("apply").code == 0


def test_folder_names_outside_ascii_are_spelt_in_ascii_and_said(tmp_path: Path) -> None:
    for name, project in (("Ærø", "aero"), ("日本", "riben")):
        made = folder(tmp_path, name)
        run = made.irisfx("init")
        assert run.code == 0, run.text
        doc = tomllib.loads(made.config.read_text())
        assert doc["irisfx"]["project"] == project
        assert f"made from the folder name '{name}'" in run.out and "--project" in run.out


def test_init_writes_the_format_and_short_namespaces_for_a_long_folder(
        tmp_path: Path) -> None:
    made = folder(tmp_path, "x" * 200)
    run = made.irisfx("init")
    assert run.code == 0, run.text
    doc = tomllib.loads(made.config.read_text())
    assert doc["irisfx"]["format"] == 1
    example = doc["fixtures"]["example"]
    assert len(example["source"]) <= 30 and len(example["mount"]) <= 30
    assert example["source"] != example["mount"]
    assert made.irisfx("apply").code == 0
