"""Which leftover files ``irisfx gc`` may remove, and which it keeps and why.

irisfx removes only files it could have made: databases that no declared fixture's pin names.
A file holding a pinned digest is a renamed fixture's only copy; a file that is not a database
was never irisfx's (a ``*.irisfx-new`` file is, by its name, whatever it holds).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from irisfx.files.dbfile import read_label
from irisfx.files.digest import digest_files
from irisfx.reconcile.observe import NEW_SUFFIX

if TYPE_CHECKING:
    from irisfx.reconcile.workspace import Workspace


def split_leftovers(ws: Workspace, candidates: list[Path]
                    ) -> tuple[list[Path], list[tuple[Path, str]]]:
    """``candidates`` split into the removable ones and (path, why it is kept) pairs."""
    if not candidates:
        return [], []
    pinned = {f.pin.sha256: f for f in ws.project.fixtures() if f.pin is not None}
    digests = digest_files(candidates, ws.cache)
    ws.save_cache()
    removable: list[Path] = []
    kept: list[tuple[Path, str]] = []
    for path in candidates:
        digest = digests.get(path)
        owner = pinned.get(digest.sha256) if digest is not None else None
        if owner is not None:
            kept.append((path, f"it holds the pinned file of fixture '{owner.name}' (renamed?); "
                         f"move it to {owner.file}, or set file = "
                         f"\"{path.relative_to(ws.project.root).as_posix()}\" in "
                         f"[fixtures.{owner.name}]"))
        elif not path.name.endswith(NEW_SUFFIX) and not _is_database(path):
            kept.append((path, "it is not a database file, so not irisfx's to remove"))
        else:
            removable.append(path)
    return removable, kept


def _is_database(path: Path) -> bool:
    try:
        return read_label(path) is not None
    except OSError:
        return False
