"""A fixture's file is a path of its own; a recipe is a file (issue 9.1, 10.8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from irisfx.errors import ExitCode
from irisfx.lockfile.project import load_project
from tests.decl.conftest import BASE, error_of, write


@pytest.mark.parametrize(
    ("fixtures", "line", "key", "says"),
    [
        ('[fixtures.a]\nfile = "fixtures.toml"\n', 4, "file", "is fixtures.toml itself"),
        ('[fixtures.a]\nfile = "./fixtures.toml"\n', 4, "file", "is fixtures.toml itself"),
        ('[fixtures.a]\nfile = ".irisfx/sim/x.DAT"\n', 4, "file", "lies under .irisfx/"),
        ('[fixtures.a]\nfile = ".irisfx"\n', 4, "file", "lies under .irisfx/"),
        ('[fixtures.a]\nrecipe = "recipes/a.sql"\n[fixtures.b]\nfile = "recipes/a.sql"\n',
         6, "file", "is the recipe of fixture 'a'"),
        ('[fixtures.a]\nfile = "x.DAT"\n[fixtures.b]\nfile = "x.DAT"\n', 6, "file",
         "is already the file of fixture 'a'"),
        ('[fixtures.a]\nfile = "x.DAT"\n[fixtures.b]\nfile = "./x.DAT"\n', 6, "file",
         "is already the file of fixture 'a'"),
        ('[fixtures.a]\nfile = "recipes"\n', 4, "file", "is an existing folder"),
        ('[fixtures.a]\nrecipe = "recipes"\n', 4, "recipe", "is a folder"),
        ('[fixtures.a]\nrecipe = "recipes/dir.sql"\n', 4, "recipe", "is a folder"),
    ],
)
def test_a_file_irisfx_would_overwrite_is_refused_at_load(
        tmp_path: Path, fixtures: str, line: int, key: str, says: str) -> None:
    (tmp_path / "recipes" / "dir.sql").mkdir(parents=True)
    (tmp_path / "recipes" / "a.sql").write_text("SELECT 1")
    err = error_of(write(tmp_path, BASE + fixtures))
    assert err.exit_code == ExitCode.USAGE
    rendered = err.render()
    assert f"fixtures.toml:{line}: fixtures.{'b' if line == 6 else 'a'}.{key}: " in rendered
    assert says in rendered


def test_the_same_file_through_a_symlinked_folder_is_one_file(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    os.symlink("real", tmp_path / "alias")
    text = BASE + '[fixtures.a]\nfile = "real/x.DAT"\n[fixtures.b]\nfile = "alias/x.DAT"\n'
    assert "fixtures.toml:6: fixtures.b.file: alias/x.DAT is already the file of fixture 'a'" \
        in error_of(write(tmp_path, text)).render()


def test_a_default_file_that_collides_says_it_is_the_default(tmp_path: Path) -> None:
    (tmp_path / "fixtures" / "a" / "IRIS.DAT").mkdir(parents=True)
    rendered = error_of(write(tmp_path, BASE + "[fixtures.a]\n")).render()
    assert "fixtures.a.file: fixtures/a/IRIS.DAT is an existing folder" in rendered
    assert "(by default); set 'file' to choose another" in rendered


def test_a_fifo_as_recipe_or_file_is_refused_at_load(tmp_path: Path) -> None:
    (tmp_path / "recipes").mkdir()
    os.mkfifo(tmp_path / "recipes" / "r.sql")
    os.mkfifo(tmp_path / "x.DAT")
    text = BASE + '[fixtures.a]\nrecipe = "recipes/r.sql"\nfile = "x.DAT"\n'
    rendered = error_of(write(tmp_path, text)).render()
    assert "fixtures.toml:4: fixtures.a.recipe: recipes/r.sql is not a regular file" in rendered
    assert "fixtures.toml:5: fixtures.a.file: x.DAT is not a regular file" in rendered


def test_ordinary_paths_load(tmp_path: Path) -> None:
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "a.sql").write_text("SELECT 1")
    os.symlink("recipes", tmp_path / "r")
    text = BASE + ('[fixtures.a]\nrecipe = "recipes/a.sql"\n'
                   '[fixtures.b]\nrecipe = "r/a.sql"\nfile = "data/b.DAT"\n')
    project = load_project(write(tmp_path, text))
    assert [f.file for f in project.fixtures()] == ["fixtures/a/IRIS.DAT", "data/b.DAT"]


@pytest.mark.parametrize("key", ["file", "recipe"])
def test_a_nul_byte_in_a_path_is_a_clean_error(tmp_path: Path, key: str) -> None:
    text = BASE + f'[fixtures.a]\n{key} = "recipes/a\\u0000.sql"\n'
    rendered = error_of(write(tmp_path, text)).render()
    assert f"fixtures.toml:4: fixtures.a.{key}: the path holds a control character" in rendered


def test_a_nul_byte_in_the_engine_url_is_a_clean_error(tmp_path: Path) -> None:
    text = '[irisfx]\nproject = "p"\niris = "sim://x\\u0000y"\n'
    rendered = error_of(write(tmp_path, text)).render()
    assert "fixtures.toml:3: irisfx.iris: the engine URL holds a control character" in rendered


def test_the_memoised_resolver_agrees_with_path_resolve(tmp_path: Path) -> None:
    from irisfx.lockfile.paths import Resolver

    root = tmp_path / "proj"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "file").write_text("x")
    (tmp_path / "out").mkdir()
    os.symlink("a/b", root / "to-b")
    os.symlink("../out", root / "a" / "up")
    os.symlink("missing", root / "dangling")
    os.symlink("to-b", root / "chain")
    resolver = Resolver(str(root.resolve()))
    relatives = ["a", "a/b", "a/b/c/d", "a/file", "a/file/x", "to-b/x", "chain/y", "a/up/z",
                 "dangling", "dangling/q", "nope/deeper/x", "./a//b/", "a/./b/IRIS.DAT",
                 "to-b", "a/up"]
    for relative in [*relatives, *reversed(relatives)]:  # memo hits as well as misses
        real, mode = resolver.resolve(relative)
        expected = (root / relative).resolve()
        assert real == str(expected), relative
        assert (mode is not None) == expected.exists(), relative
