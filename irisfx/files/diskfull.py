"""Recognise "out of room" (disk full, quota, file size limit) in an error and say it plainly.

Engines and recipes wrap the OS error in their own (SQLite says "database or disk is full" or
"disk I/O error"), so the whole chain of causes is searched.
"""

from __future__ import annotations

import errno
import resource
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_SQLITE_WRITE_ERRORS = ("SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC",
                        "SQLITE_IOERR_TRUNCATE", "SQLITE_IOERR_SHORT_WRITE",
                        "SQLITE_IOERR_SHMSIZE")  # WAL index grown past the limit


@dataclass(frozen=True)
class NoRoom:
    """Where a write ran out of room, and how much more it needs (when known)."""

    path: str
    free: int | None
    needed: int | None
    size_limit: int | None

    def message(self) -> str:
        """One sentence: the path and the room needed."""
        if self.size_limit is not None:
            return (f"no room to write {self.path}: files may not grow beyond the "
                    f"{self.size_limit:,}-byte file size limit (ulimit -f)")
        free = f"{self.free:,} bytes free" if self.free is not None else "no room left"
        need = (f"; it needs about {self.needed:,} bytes free" if self.needed else
                "; free more space")
        return f"no room to write {self.path}: the disk is full ({free}{need})"

    def fix(self) -> str:
        """How to get past it."""
        if self.size_limit is not None:
            return "raise the limit (ulimit -f unlimited), then run 'irisfx apply' again"
        return "free space on that disk, then run 'irisfx apply' again to resume"


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _size_limit() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft


def no_room(error: BaseException, where: Path | str, needed: int | None) -> NoRoom | None:
    """A NoRoom if ``error`` (or a cause of it) means a write ran out of space, else None.

    ``where`` is the path or place the failing step writes to, used when the error names
    none; ``needed`` the bytes the step writes, when known.
    """
    for cause in _chain(error):
        if isinstance(cause, OSError) and cause.errno in _NO_ROOM:
            path = cause.filename or where
            limit = _size_limit() if cause.errno == errno.EFBIG else None
            return NoRoom(str(path), _free(path), needed, limit)
        if isinstance(cause, sqlite3.Error):
            name = getattr(cause, "sqlite_errorname", "")
            if name in _SQLITE_WRITE_ERRORS:
                limit = _size_limit()
                free = _free(where)
                # A write error with room and no limit is a real I/O error: leave it be.
                if name == "SQLITE_FULL" or limit is not None or (free or 0) < (16 << 20):
                    return NoRoom(str(where), free, needed, limit)
    return None


def _free(path: Path | str) -> int | None:
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder if folder.is_dir() else folder.parent).free
    except OSError:
        return None


def file_size(path: Path) -> int | None:
    """The size of ``path``, or None."""
    try:
        return path.stat().st_size
    except OSError:
        return None
