"""``irisfx init``: a fixtures.toml with a working example, its recipe, and the git ignore."""

from __future__ import annotations

import re
import secrets
import unicodedata
from pathlib import Path

from irisfx.errors import ConfigError
from irisfx.lockfile.models import FORMAT, Settings, writer
from irisfx.lockfile.names import check_project_name, generated_name
from irisfx.lockfile.project import CONFIG_NAME, STATE_DIR

TEMPLATE = """\
# irisfx fixtures: see 'irisfx --help' and 'irisfx schema'.
# When irisfx pins a fixture it writes only the [fixtures.NAME.pin] tables; comments, order
# and everything else stay as you wrote them.
[irisfx]
format = {format}                             # the layout of this file; irisfx writes it
format_by = "{writer}"  # the irisfx that wrote 'format'
project = "{project}"
{id_line}# iris = "iris://_SYSTEM@localhost:1972"   # default: sim://.irisfx/sim (the simulator)

[fixtures.example]
description = "{description}"
recipe = "recipes/example.sql"
# Namespaces carry the project's name, so that projects sharing an instance do not collide.
source = "{source}"
mount = "{mount}"
{expect}"""

EXAMPLE_RECIPE = """\
-- Builds the example fixture's source namespace from nothing.
CREATE TABLE Demo.Item (ID INTEGER PRIMARY KEY, Name VARCHAR(50) NOT NULL);
INSERT INTO Demo.Item (ID, Name) VALUES (1, 'alpha');
INSERT INTO Demo.Item (ID, Name) VALUES (2, 'beta');
INSERT INTO Demo.Item (ID, Name) VALUES (3, 'gamma');
"""
EXAMPLE_EXPECT = 'expect = { "Demo.Item" = 3 }\n'
# Temp files irisfx writes beside fixtures.toml while it replaces it atomically.
# irisfx's own partial files: snapshots (apply) and downloads (pull) not yet in place.
IGNORED = (f"{STATE_DIR}/", f".{CONFIG_NAME}.*.tmp", "*.irisfx-new", "*.irisfx-pull")


def default_project_name(folder: Path) -> str:
    """A valid project name made from a folder name, spelt in ASCII (Ærø -> aero, 日本 ->
    riben); ConfigError when nothing of it can be spelt so."""
    from anyascii import anyascii

    ascii_name = anyascii(unicodedata.normalize("NFC", folder.name))
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", ascii_name).strip("-._").lower()[:64].rstrip("-._")
    if not name:
        raise ConfigError(f"cannot make a project name from the folder name {folder.name!r}",
                          fix="pass one: irisfx init --project NAME (ASCII letters, digits, "
                          "'.', '_', '-')")
    return name


def namespace_part(project: str) -> str:
    """The project name as it goes into a namespace name: letters, digits, '_', upper-case."""
    return re.sub(r"[^A-Za-z0-9]+", "_", project).strip("_").upper()


def enclosing_config(folder: Path) -> Path | None:
    """A fixtures.toml in ``folder`` or a folder above it: an existing project."""
    for parent in (folder, *folder.parents):
        if (parent / CONFIG_NAME).is_file():
            return parent / CONFIG_NAME
    return None


def init_project(folder: Path, project: str | None) -> list[str]:
    """Create the files; refuse inside an existing project. Returns what was done, as lines."""
    existing = enclosing_config(folder)
    if existing is not None:
        where = "this folder" if existing.parent == folder else f"{existing.parent}"
        raise ConfigError(f"{where} already holds an irisfx project ({existing})",
                          fix="edit that fixtures.toml to add fixtures, or run 'irisfx init' "
                          "in a folder outside it")
    name = project or default_project_name(folder)
    derived = project is None and name != folder.name
    try:
        check_project_name(name)
    except ValueError as exc:
        raise ConfigError(str(exc), fix="pass --project NAME") from None
    part = namespace_part(name)
    done = []
    recipe = folder / "recipes" / "example.sql"
    kept = recipe.exists()
    if kept:
        done.append(f"kept the existing {recipe.relative_to(folder)} (no 'expect' written: "
                    "add row counts once you know them)")
    else:
        recipe.parent.mkdir(parents=True, exist_ok=True)
        recipe.write_text(EXAMPLE_RECIPE, encoding="utf-8")
        done.append(f"created {recipe.relative_to(folder)}")
    # The decl model gains [irisfx] id; write one only where this irisfx knows the key.
    id_line = f'id = "{secrets.token_hex(8)}"\n' if "id" in Settings.model_fields else ""
    text = TEMPLATE.format(
        project=name, id_line=id_line,
        description="built by recipes/example.sql" if kept
        else "three rows built by recipes/example.sql",
        source=generated_name(f"FXSRC_{part}", "_EXAMPLE"),
        mount=generated_name(f"FX_{part}", "_EXAMPLE"), format=FORMAT, writer=writer(),
        expect="" if kept else EXAMPLE_EXPECT)
    (folder / CONFIG_NAME).write_text(text, encoding="utf-8")
    made = (f", made from the folder name {folder.name!r}; choose another with --project NAME"
            if derived else "")
    done.append(f"created {CONFIG_NAME} (project '{name}'{made})")
    gitignore = folder / ".gitignore"
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    missing = [entry for entry in IGNORED if entry not in lines
               and entry.rstrip("/") not in lines]
    if missing:
        with gitignore.open("a", encoding="utf-8") as handle:
            if lines and lines[-1] != "":
                handle.write("\n")
            handle.write("".join(f"{entry}\n" for entry in missing))
        done.append(f"added {', '.join(missing)} to .gitignore")
    done.append("next: irisfx plan, then irisfx apply")
    return done
