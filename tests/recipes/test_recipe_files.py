"""Recipe files: reading them safely, Python build(conn), digests, failures named by line."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from irisfx.errors import RecipeError
from irisfx.recipes.recipe import MAX_RECIPE_BYTES, load_recipe, load_recipes, run_recipe


def test_digest_changes_with_content(tmp_path: Path) -> None:
    path = tmp_path / "r.sql"
    path.write_text("SELECT 1")
    first = load_recipe(path).sha256
    path.write_text("SELECT 2")
    assert load_recipe(path).sha256 != first


def test_unknown_kind_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match=r"neither \.sql nor \.py"):
        load_recipe(tmp_path / "r.txt")
    with pytest.raises(RecipeError, match="does not exist"):
        load_recipe(tmp_path / "r.sql")


def test_python_recipe_gets_a_connection_and_is_committed(tmp_path: Path) -> None:
    path = tmp_path / "r.py"
    path.write_text(
        "def build(conn):\n"
        "    cur = conn.cursor()\n"
        "    cur.execute('CREATE TABLE t (a INTEGER)')\n"
        "    cur.executemany('INSERT INTO t VALUES (?)', [(i,) for i in range(5)])\n"
    )
    db = tmp_path / "db.sqlite"
    with sqlite3.connect(db) as conn:
        run_recipe(load_recipe(path), conn)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 5


def test_python_recipe_without_build_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.py"
    path.write_text("x = 1\n")
    with sqlite3.connect(tmp_path / "db") as conn, pytest.raises(RecipeError, match="build"):
        run_recipe(load_recipe(path), conn)


def test_failing_statement_is_named_and_rolled_back(tmp_path: Path) -> None:
    path = tmp_path / "r.sql"
    path.write_text(
        "CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);\nINSERT INTO nope VALUES (2);"
    )
    db = tmp_path / "db.sqlite"
    conn = sqlite3.connect(db)
    with pytest.raises(RecipeError, match=r"r\.sql:3: the statement failed") as info:
        run_recipe(load_recipe(path, "recipes/r.sql"), conn)
    assert info.value.message.startswith("recipes/r.sql:3: ")
    assert "INSERT INTO nope" in info.value.render()
    assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0  # the INSERT rolled back


def _in_thread(call: Callable[[], object]) -> BaseException | None:
    """Run ``call`` in a daemon thread; the exception it raised (it must return or raise)."""
    caught: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:
            caught.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(60)  # a guard against a hang, not a speed check: it returns at once
    assert not worker.is_alive(), "load_recipe hung"
    return caught[0] if caught else None


def test_a_fifo_recipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "r.sql"
    os.mkfifo(fifo)
    error = _in_thread(lambda: load_recipe(fifo, "recipes/r.sql"))
    assert isinstance(error, RecipeError)
    assert error.message == "recipe recipes/r.sql is not a regular file"


def test_a_character_device_recipe_is_refused(tmp_path: Path) -> None:
    device = tmp_path / "zero.sql"
    os.symlink("/dev/zero", device)
    error = _in_thread(lambda: load_recipe(device))
    assert isinstance(error, RecipeError)
    assert "is not a regular file" in error.message


def test_a_folder_recipe_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d.sql").mkdir()
    with pytest.raises(RecipeError, match="is a folder"):
        load_recipe(tmp_path / "d.sql")


def test_a_recipe_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.sql"
    with path.open("wb") as handle:  # sparse: no disk space used
        handle.truncate(MAX_RECIPE_BYTES + 1)
    with pytest.raises(RecipeError, match="larger than 64 MiB"):
        load_recipe(path)
    with path.open("r+b") as handle:
        handle.truncate(MAX_RECIPE_BYTES)
    assert load_recipe(path).sha256


def test_each_distinct_recipe_is_loaded_once(tmp_path: Path) -> None:
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "a.sql").write_text("SELECT 1")
    (tmp_path / "recipes" / "b.py").write_text("def build(conn): pass\n")
    loaded = load_recipes(tmp_path, ["recipes/a.sql", "recipes/b.py", "recipes/a.sql"])
    assert sorted(loaded) == ["recipes/a.sql", "recipes/b.py"]
    assert loaded["recipes/a.sql"].display == "recipes/a.sql"
    assert loaded["recipes/b.py"].kind == "python"
