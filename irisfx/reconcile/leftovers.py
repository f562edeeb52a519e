"""What lies in a project folder that no declared fixture claims: renamed fixtures' files,
files of fixtures no longer declared, and snapshots a killed apply left half-way (read-only)."""

from __future__ import annotations

from pathlib import Path

from irisfx.lockfile.project import Project
from irisfx.reconcile.observe import NEW_SUFFIX

FIXTURES_DIR = "fixtures"
DEFAULT_FILE = "IRIS.DAT"


def claimed_files(project: Project) -> set[Path]:
    """The files declared fixtures use (their ``file``, default fixtures/<name>/IRIS.DAT)."""
    return {project.path(f.file).resolve() for f in project.fixtures()}


def unclaimed_files(project: Project) -> list[Path]:
    """``fixtures/<dir>/IRIS.DAT`` files that no declared fixture uses, sorted."""
    base = project.root / FIXTURES_DIR
    if not base.is_dir() or base.is_symlink():
        return []
    claimed = claimed_files(project)
    found = []
    for candidate in sorted(base.glob(f"*/{DEFAULT_FILE}")):
        if candidate.is_file() and not candidate.is_symlink() \
                and candidate.resolve() not in claimed:
            found.append(candidate)
    return found


def stray_new_files(project: Project) -> list[Path]:
    """``*.irisfx-new`` snapshots under fixtures/ that no declared fixture would resume."""
    base = project.root / FIXTURES_DIR
    if not base.is_dir() or base.is_symlink():
        return []
    resumable = {p.with_name(p.name + NEW_SUFFIX) for p in claimed_files(project)}
    return sorted(p for p in base.rglob(f"*{NEW_SUFFIX}")
                  if p.is_file() and not p.is_symlink() and p.resolve() not in resumable)
