"""Recipes: files under recipes/ that build a source namespace from nothing.

An SQL recipe is statements separated by ``;`` (``--`` and ``/* */`` comments allowed; a ``;``
inside a string or quoted identifier does not split). A Python recipe defines ``build(conn)``
and receives a DB-API connection to the source namespace.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from irisfx.errors import RecipeError

if TYPE_CHECKING:
    from irisfx.engines.base import Connection


@dataclass(frozen=True)
class Recipe:
    """A recipe file: SQL statements, or a Python module with ``build(conn)``."""

    path: Path
    kind: Literal["sql", "python"]
    sha256: str
    display: str = ""  # the path as fixtures.toml writes it, for messages

    @property
    def name(self) -> str:
        """How messages name the recipe."""
        return self.display or str(self.path)


def load_recipe(path: Path, display: str = "") -> Recipe:
    """Read a recipe's kind and digest; RecipeError if it is missing or of an unknown kind."""
    kinds: dict[str, Literal["sql", "python"]] = {".sql": "sql", ".py": "python"}
    kind = kinds.get(path.suffix.lower())
    if kind is None:
        raise RecipeError(
            f"recipe {path.name} is neither .sql nor .py",
            fix="write the recipe as an SQL script (.sql) or a Python file with build(conn) (.py)",
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RecipeError(
            f"recipe {path} does not exist",
            fix="create it, or correct the fixture's 'recipe' key in fixtures.toml",
        ) from None
    return Recipe(path=path, kind=kind, sha256=hashlib.sha256(data).hexdigest(),
                  display=display)


def split_sql(text: str) -> list[str]:
    """Split an SQL script into statements, dropping comments and empty statements."""
    statements: list[str] = []
    current: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"":
            end = _end_of_quoted(text, i)
            current.append(text[i:end])
            i = end
        elif text.startswith("--", i):
            newline = text.find("\n", i)
            i = n if newline == -1 else newline
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close == -1 else close + 2
            current.append(" ")
        elif ch == ";":
            statements.append("".join(current))
            current = []
            i += 1
        else:
            current.append(ch)
            i += 1
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


def _end_of_quoted(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == quote:
            if text.startswith(quote * 2, i):
                i += 2
                continue
            return i + 1
        i += 1
    return len(text)


def run_recipe(recipe: Recipe, connection: Connection) -> None:
    """Run ``recipe`` on ``connection`` and commit; roll back and raise RecipeError on failure."""
    try:
        if recipe.kind == "sql":
            _run_sql(recipe, connection)
        else:
            _run_python(recipe, connection)
        connection.commit()
    except RecipeError:
        connection.rollback()
        raise
    except SystemExit as exc:
        # A recipe runs inside irisfx: its sys.exit() must not become irisfx's exit code.
        connection.rollback()
        raise RecipeError(
            f"recipe {recipe.name} called sys.exit({exc.code!r})",
            fix="let build(conn) return, or raise an exception to fail the build",
        ) from None
    except Exception as exc:
        connection.rollback()
        raise RecipeError(
            f"recipe {recipe.name}{_line_in(recipe, exc)} failed: {type(exc).__name__}: {exc}",
            fix="correct the recipe (irisfx --debug apply shows the traceback) and run "
            "'irisfx apply' again; nothing was snapshotted",
        ) from exc


def _line_in(recipe: Recipe, exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if Path(f.filename) == recipe.path]
    return f", line {frames[-1].lineno}" if frames else ""


def _run_sql(recipe: Recipe, connection: Connection) -> None:
    text = recipe.path.read_text(encoding="utf-8")
    cursor = connection.cursor()
    try:
        for number, statement in enumerate(split_sql(text), start=1):
            try:
                cursor.execute(statement)
            except Exception as exc:
                first_line = statement.splitlines()[0][:80]
                raise RecipeError(
                    f"recipe {recipe.name}, statement {number} failed: {exc}",
                    details=[f"statement: {first_line}"],
                    fix="correct the statement and run 'irisfx apply' again",
                ) from exc
    finally:
        cursor.close()


def _run_python(recipe: Recipe, connection: Connection) -> None:
    module_name = f"irisfx_recipe_{recipe.sha256[:12]}"
    spec = importlib.util.spec_from_file_location(module_name, recipe.path)
    if spec is None or spec.loader is None:
        raise RecipeError(f"cannot load recipe {recipe.name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
        build = getattr(module, "build", None)
        if not callable(build):
            raise RecipeError(
                f"recipe {recipe.name} has no build(conn) function",
                fix="define 'def build(conn):' that fills the source namespace",
            )
        build(connection)
    finally:
        sys.modules.pop(module_name, None)
