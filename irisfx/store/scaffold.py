"""What ``irisfx init --store URL`` and ``irisfx init --lfs`` add to a new project.

``--store``: the ``store`` setting in fixtures.toml and a .gitignore that keeps fixture files
out of git (the store has them). ``--lfs``: a .gitattributes that hands them to git LFS instead.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import tomli_w

from irisfx.errors import ConfigError

IGNORE_BLOCK = ["# fixture files live in the store (irisfx push / pull); fixtures.toml pins "
                "them", "fixtures/", "*.irisfx-new", "*.irisfx-pull"]
LFS_LINES = ["# fixture files go to git LFS; fixtures.toml pins them",
             "fixtures/** filter=lfs diff=lfs merge=lfs -text",
             "*.DAT filter=lfs diff=lfs merge=lfs -text"]
PARTIAL_IGNORE = ["# half-written files irisfx replaces on its next run", "*.irisfx-new",
                  "*.irisfx-pull"]


def check_store_url(url: str) -> None:
    """Refuse a URL that would publish credentials in fixtures.toml, before anything is written."""
    parts = urlsplit(url)
    if not url.strip():
        raise ConfigError("the store URL is empty", fix="pass --store s3://BUCKET/PREFIX")
    if parts.username is not None or parts.password is not None:
        raise ConfigError("the store URL holds credentials, and fixtures.toml is committed",
                          fix="remove them; the backend reads its standard credentials "
                          "(environment variables, profiles, instance roles)")


def add_store(folder: Path, config: Path, url: str) -> list[str]:
    """Write ``store = URL`` under ``[irisfx]`` and ignore fixture files in git."""
    check_store_url(url)
    lines = config.read_text(encoding="utf-8").splitlines()
    setting = tomli_w.dumps({"store": url}).strip()
    try:
        at = next(i for i, line in enumerate(lines) if line.strip().startswith("project"))
    except StopIteration:
        raise ConfigError(f"{config.name} has no 'project' line under [irisfx]") from None
    lines.insert(at + 1, setting)
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = [f"added {setting} to {config.name}"]
    if _append(folder / ".gitignore", IGNORE_BLOCK):
        done.append("added fixtures/ to .gitignore (the store keeps the files)")
    return done


def add_lfs(folder: Path) -> list[str]:
    """Route fixture files through git LFS with .gitattributes."""
    done = []
    if _append(folder / ".gitattributes", LFS_LINES):
        done.append("added fixture files to .gitattributes for git LFS (run: git lfs install)")
    if _append(folder / ".gitignore", PARTIAL_IGNORE):
        done.append("added irisfx's half-written files to .gitignore")
    return done


def _append(path: Path, block: list[str]) -> bool:
    """Append the lines of ``block`` that ``path`` lacks; True when something was added."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    have = text.splitlines()
    new = [line for line in block if not line.startswith("#") and line not in have]
    if not new:
        return False
    comments = [line for line in block if line.startswith("#")]
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + "\n".join(comments + new) + "\n", encoding="utf-8")
    return True
