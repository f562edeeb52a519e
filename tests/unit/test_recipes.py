"""Recipes: SQL splitting, Python build(conn), digests, failures."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from irisfx.errors import RecipeError
from irisfx.recipes import load_recipe, run_recipe, split_sql


def test_split_keeps_semicolons_in_strings_and_drops_comments() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE t (a VARCHAR(10)); /* block; comment */
    INSERT INTO t VALUES ('x;y');
    INSERT INTO t VALUES ('it''s; fine') ;
    SELECT "odd;name" FROM t
    """
    assert split_sql(script) == [
        "CREATE TABLE t (a VARCHAR(10))",
        "INSERT INTO t VALUES ('x;y')",
        "INSERT INTO t VALUES ('it''s; fine')",
        'SELECT "odd;name" FROM t',
    ]


def test_empty_script_has_no_statements() -> None:
    assert split_sql("-- nothing\n;;\n/* */") == []


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
    with pytest.raises(RecipeError, match="statement 3 failed") as info:
        run_recipe(load_recipe(path), conn)
    assert "INSERT INTO nope" in info.value.render()
