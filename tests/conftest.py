"""Shared helpers: a throw-away irisfx project in tmp_path, and the CLI run as a subprocess."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.forkrun import Run, run_cli

# pytester drives the plugin tests (tests/plugin); pytest accepts pytest_plugins only here.
pytest_plugins = ["pytester"]

_PYCACHE = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Let the suite's child processes cache bytecode, outside the source tree.

    With PYTHONDONTWRITEBYTECODE set (some CI images and containers set it), each of the
    suite's several hundred Python processes would compile irisfx and its dependencies again:
    about 50% more time. The children get a cache in a temp folder instead
    (PYTHONPYCACHEPREFIX), so no .pyc file lands beside a source, as the setting wanted; the
    folder goes when the run ends. Set on the controller, before xdist starts its workers.
    """
    if hasattr(config, "workerinput") or not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return
    folder = tempfile.mkdtemp(prefix="irisfx-tests-pycache-")
    config.stash[_PYCACHE] = folder
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    os.environ["PYTHONPYCACHEPREFIX"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the children's bytecode cache folder, if pytest_configure made one."""
    folder = config.stash.get(_PYCACHE, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)

SQL_RECIPE = """\
-- a tiny source namespace
CREATE TABLE Shop.Item (ID INTEGER PRIMARY KEY, Name VARCHAR(50) NOT NULL);
INSERT INTO Shop.Item (ID, Name) VALUES (1, 'apple; red');
INSERT INTO Shop.Item (ID, Name) VALUES (2, 'pear');
INSERT INTO Shop.Item (ID, Name) VALUES (3, 'plum');
"""

CONFIG = """\
[irisfx]
project = "demo"
iris = "sim://sim"

[fixtures.items]
source = "FXSRC_ITEMS"
recipe = "recipes/items.sql"
mount = "FX_ITEMS"
expect = {{ "Shop.Item" = 3 }}
{extra}
"""


@dataclass
class ProjectDir:
    """A project folder with a fixtures.toml, and a way to run irisfx in it."""

    root: Path
    env: dict[str, str]
    url: str = "sim://sim"  # the engine fixtures.toml names

    @property
    def config(self) -> Path:
        """Its fixtures.toml."""
        return self.root / "fixtures.toml"

    def irisfx(self, *args: str, env: dict[str, str] | None = None, stdin: str = "",
               fresh: bool = False) -> Run:
        """Run ``python -m irisfx ARGS`` in the project folder (tests.forkrun; ``fresh``: in a
        new interpreter, for what start-up itself does)."""
        return run_cli(self.root, list(args), {**self.env, **(env or {})}, stdin=stdin,
                       fresh=fresh)

    def write_config(self, extra: str = "") -> None:
        """(Re)write fixtures.toml with the standard 'items' fixture and ``extra`` TOML."""
        text = CONFIG.format(extra=extra).replace('iris = "sim://sim"', f'iris = "{self.url}"')
        self.config.write_text(text, encoding="utf-8")


def clean_env(tmp_path: Path) -> dict[str, str]:
    """An environment that cannot reach the user's home or their irisfx settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IRISFX_", "IRIS_"))}
    env["HOME"] = str(tmp_path / "home")
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture
def project(tmp_path: Path) -> ProjectDir:
    """A project with one SQL-recipe fixture, 'items', on a simulator in ``sim/``."""
    root = tmp_path / "proj"
    (root / "recipes").mkdir(parents=True)
    (root / "recipes" / "items.sql").write_text(SQL_RECIPE, encoding="utf-8")
    made = ProjectDir(root, clean_env(tmp_path))
    made.write_config()
    return made


@pytest.fixture
def applied(project: ProjectDir) -> ProjectDir:
    """The project after a successful first apply."""
    run = project.irisfx("apply")
    assert run.code == 0, run.text
    return project


FlipByte = Callable[[Path], None]


def flip_last_byte(path: Path) -> None:
    """Change one byte of a file, keeping its size and mtime (a sneaky edit)."""
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.chmod(0o644)
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
