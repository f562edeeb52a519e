"""``irisfx init``: a fixtures.toml with a working example, its recipe, and the git ignore."""

from __future__ import annotations

import re
from pathlib import Path

from irisfx.config import CONFIG_NAME, STATE_DIR
from irisfx.errors import ConfigError
from irisfx.names import check_project_name

TEMPLATE = """\
# irisfx fixtures: see 'irisfx --help' and 'irisfx schema'.
# irisfx rewrites this file when it pins a fixture (sorted, comments not kept):
# put notes in 'description'.
[irisfx]
project = "{project}"
# iris = "iris://_SYSTEM@localhost:1972"   # default: sim://.irisfx/sim (the simulator)

[fixtures.example]
description = "three rows built by recipes/example.sql"
recipe = "recipes/example.sql"
expect = {{ "Demo.Item" = 3 }}
"""

EXAMPLE_RECIPE = """\
-- Builds the example fixture's source namespace from nothing.
CREATE TABLE Demo.Item (ID INTEGER PRIMARY KEY, Name VARCHAR(50) NOT NULL);
INSERT INTO Demo.Item (ID, Name) VALUES (1, 'alpha');
INSERT INTO Demo.Item (ID, Name) VALUES (2, 'beta');
INSERT INTO Demo.Item (ID, Name) VALUES (3, 'gamma');
"""


def default_project_name(folder: Path) -> str:
    """A valid project name made from a folder name."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", folder.name).strip("-._") or "fixtures"
    return name[:64]


def init_project(folder: Path, project: str | None) -> list[str]:
    """Create the files; refuse to overwrite fixtures.toml. Returns what was done, as lines."""
    config = folder / CONFIG_NAME
    if config.exists():
        raise ConfigError(f"{config} already exists", fix="edit it, or run init elsewhere")
    name = project or default_project_name(folder)
    try:
        check_project_name(name)
    except ValueError as exc:
        raise ConfigError(str(exc), fix="pass --project NAME") from None
    done = []
    recipe = folder / "recipes" / "example.sql"
    if not recipe.exists():
        recipe.parent.mkdir(parents=True, exist_ok=True)
        recipe.write_text(EXAMPLE_RECIPE, encoding="utf-8")
        done.append(f"created {recipe.relative_to(folder)}")
    config.write_text(TEMPLATE.format(project=name), encoding="utf-8")
    done.append(f"created {CONFIG_NAME} (project '{name}')")
    gitignore = folder / ".gitignore"
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    if f"{STATE_DIR}/" not in lines and STATE_DIR not in lines:
        with gitignore.open("a", encoding="utf-8") as handle:
            if lines and lines[-1] != "":
                handle.write("\n")
            handle.write(f"{STATE_DIR}/\n")
        done.append(f"added {STATE_DIR}/ to .gitignore")
    done.append("next: irisfx plan, then irisfx apply")
    return done
