"""Recipes: files under recipes/ that build a source namespace from nothing.

An SQL recipe is an IRIS SQL script, read by :mod:`irisfx.recipes.script` (``;`` or ``GO``
lines, procedure bodies whole); every message about a statement names ``recipe.sql:LINE``. A
Python recipe defines ``build(conn)`` and receives a DB-API connection to the source namespace.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import stat
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from irisfx.errors import NotEmulatedError, RecipeError
from irisfx.recipes.script import ScriptError, Statement, read_script

if TYPE_CHECKING:
    from irisfx.recipes.connection import Connection

MAX_RECIPE_BYTES = 64 * 1024 * 1024  # a recipe is a script, not data; a device is endless


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
    """Read a recipe's kind and digest; RecipeError if it is missing, not a regular file,
    larger than MAX_RECIPE_BYTES, or of an unknown kind."""
    kinds: dict[str, Literal["sql", "python"]] = {".sql": "sql", ".py": "python"}
    kind = kinds.get(path.suffix.lower())
    if kind is None:
        raise RecipeError(
            f"recipe {path.name} is neither .sql nor .py",
            fix="write the recipe as an SQL script (.sql) or a Python file with build(conn) (.py)",
        )
    data = read_recipe_bytes(path, display)
    return Recipe(path=path, kind=kind, sha256=hashlib.sha256(data).hexdigest(),
                  display=display)


def load_recipes(root: Path, relatives: Iterable[str]) -> dict[str, Recipe]:
    """Each distinct recipe, named as fixtures.toml writes it (relative to ``root``), read
    and hashed once: 10,000 fixtures built by one recipe cost one read, not 10,000."""
    recipes: dict[str, Recipe] = {}
    for relative in relatives:
        if relative not in recipes:
            recipes[relative] = load_recipe(root / relative, relative)
    return recipes


def read_recipe_bytes(path: Path, display: str = "") -> bytes:
    """The bytes of a recipe that is a regular file of at most MAX_RECIPE_BYTES.

    Opened without blocking and checked on the open descriptor before reading, so a FIFO
    (which would wait for a writer) or a device such as /dev/zero (which never ends) is
    refused, even if it replaced the file after a check by name.
    """
    name = display or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise RecipeError(
            f"recipe {name} does not exist",
            fix="create it, or correct the fixture's 'recipe' key in fixtures.toml",
        ) from None
    except OSError as exc:
        raise RecipeError(f"cannot read recipe {name}: {exc.strerror}",
                          fix="check the file's permissions") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RECIPE_BYTES:
        os.close(fd)
        if stat.S_ISREG(info.st_mode):
            raise _too_big(name)
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise RecipeError(f"recipe {name} is {what}", fix="point 'recipe' at a .sql or .py file")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_RECIPE_BYTES + 1)  # the file may have grown since fstat
    if len(data) > MAX_RECIPE_BYTES:
        raise _too_big(name)
    return data


def _too_big(name: str) -> RecipeError:
    return RecipeError(
        f"recipe {name} is larger than {MAX_RECIPE_BYTES // (1024 * 1024)} MiB",
        fix="generate large data in a Python recipe (build(conn)) instead of writing it out",
    )


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
    try:
        text = read_recipe_bytes(recipe.path, recipe.display).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecipeError(f"recipe {recipe.name} is not UTF-8 text (byte {exc.start})",
                          fix="save the recipe as UTF-8") from None
    try:
        statements = read_script(text)
    except ScriptError as exc:
        raise RecipeError(f"{recipe.name}:{exc.line}: {exc}",
                          fix="end every statement with ';' or a GO line, and close every "
                          "body it opens") from None
    cursor = connection.cursor()
    try:
        for statement in statements:
            _execute(recipe, cursor, statement)
    finally:
        cursor.close()


def _execute(recipe: Recipe, cursor: Any, statement: Statement) -> None:
    where = f"{recipe.name}:{statement.line}"
    try:
        cursor.execute(statement.text)
    except NotEmulatedError as exc:
        raise RecipeError(
            f"{where}: {exc}; build this fixture against IRIS (docs/iris.md)",
            fix="run this recipe on a real IRIS (irisfx --iris iris://HOST:PORT apply), or "
            "leave the statement out of the recipe",
        ) from exc
    except Exception as exc:
        first_line = statement.text.splitlines()[0][:80]
        raise RecipeError(
            f"{where}: the statement failed: {exc}",
            details=[f"statement: {first_line}"],
            fix=f"correct the statement at {where} and run 'irisfx apply' again; "
            "nothing was snapshotted",
        ) from exc


def _run_python(recipe: Recipe, connection: Connection) -> None:
    read_recipe_bytes(recipe.path, recipe.display)  # a FIFO or device must not reach import
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
