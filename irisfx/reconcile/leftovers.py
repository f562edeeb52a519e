"""What lies in a project folder that no declared fixture claims: renamed fixtures' files,
files of fixtures no longer declared, and snapshots a killed apply left half-way.

Everything here is found and removed link by link (irisfx.files.atomic): a symbolic link
planted under ``fixtures/`` is never followed, so nothing outside the project is listed or
deleted through one.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path, PurePosixPath
from stat import S_ISDIR, S_ISREG

from irisfx.errors import IrisfxError
from irisfx.files.atomic import open_folder
from irisfx.lockfile.project import Project
from irisfx.reconcile.observe import NEW_SUFFIX

FIXTURES_DIR = "fixtures"
DEFAULT_FILE = "IRIS.DAT"
PULL_SUFFIX = ".irisfx-pull"  # irisfx.store.transfer's partial downloads (store is above)


def claimed_files(project: Project) -> set[Path]:
    """The files declared fixtures use (their ``file``, default fixtures/<name>/IRIS.DAT)."""
    return {project.path(f.file).resolve() for f in project.fixtures()}


def unclaimed_files(project: Project) -> list[Path]:
    """``fixtures/<dir>/IRIS.DAT`` files that no declared fixture uses, sorted."""
    claimed = claimed_files(project)
    return [project.root / relative for relative in _plain_files(project, depth=1)
            if relative.name == DEFAULT_FILE
            and (project.root / relative).resolve() not in claimed]


def stray_new_files(project: Project) -> list[Path]:
    """Every ``*.irisfx-new`` snapshot and ``*.irisfx-pull`` download under fixtures/."""
    return [project.root / relative for relative in _plain_files(project, depth=8)
            if relative.name.endswith((NEW_SUFFIX, PULL_SUFFIX))]


def remove_leftover(project: Project, path: Path) -> None:
    """Delete the plain file ``path`` under the project, and its folder if that is now empty.

    Reached link by link: a folder or file replaced by a link since it was listed is refused
    (ConfigError), and nothing it points to is touched.
    """
    relative = PurePosixPath(path.relative_to(project.root).as_posix())
    folder = open_folder(project.root, relative.parent)
    try:
        info = os.stat(relative.name, dir_fd=folder, follow_symlinks=False)
        if S_ISREG(info.st_mode):
            os.unlink(relative.name, dir_fd=folder)
    except FileNotFoundError:
        pass
    finally:
        os.close(folder)
    if relative.parent.parts[:1] == (FIXTURES_DIR,) and len(relative.parent.parts) > 1:
        parent = open_folder(project.root, relative.parent.parent)
        try:
            with contextlib.suppress(OSError):  # not empty, or gone: keep it
                os.rmdir(relative.parent.name, dir_fd=parent)
        finally:
            os.close(parent)


def remove_stale_new_files(project: Project, keep: set[str]) -> list[Path]:
    """Remove the ``*.irisfx-new`` files of declared fixtures not named in ``keep``.

    apply calls it holding the lock, with the fixtures its plan resumes from their new file:
    any other such file was left by an interrupted apply and is redone from scratch anyway.
    """
    removed = []
    for fixture in project.fixtures():
        if fixture.name in keep:
            continue
        fresh = project.path(fixture.file + NEW_SUFFIX)
        with contextlib.suppress(OSError, IrisfxError):
            if fresh.is_file() and not fresh.is_symlink():
                remove_leftover(project, fresh)
                removed.append(fresh)
    return removed


def _plain_files(project: Project, *, depth: int) -> list[PurePosixPath]:
    """Regular files under fixtures/ (at most ``depth`` folders down), reached without
    following any link, as paths relative to the project; sorted."""
    found: list[PurePosixPath] = []

    def walk(relative: PurePosixPath, level: int) -> None:
        try:
            fd = open_folder(project.root, relative)
        except (OSError, IrisfxError):  # a link or a non-folder: not ours to list
            return
        try:
            for name in sorted(os.listdir(fd)):  # noqa: PTH208 - a descriptor, not a path
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
                if S_ISREG(info.st_mode) and level > 0:
                    found.append(relative / name)
                elif S_ISDIR(info.st_mode) and level < depth:
                    walk(relative / name, level + 1)
        finally:
            os.close(fd)

    walk(PurePosixPath(FIXTURES_DIR), 0)
    return sorted(found)
