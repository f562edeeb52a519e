"""Database files of the simulator: a fast copy for test copies, and the stat of what it serves.

A mount records the served file's size, mtime, ctime and inode. Any write changes the ctime
(which only the kernel sets), so an edit made in place is seen even when the writer puts the
size and mtime back; reading the bytes again (``verify_mounts``) is the check that trusts
nothing.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from irisfx.engines.sim.database import open_database
from irisfx.engines.sim.records import OwnerRow
from irisfx.errors import IntegrityError
from irisfx.files.digest import FileDigest, copy_with_digest, sha256_file


def served_stat(path: Path) -> dict[str, int]:
    """The stat fields an ownership record keeps of the file it serves."""
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "ctime_ns": stat.st_ctime_ns,
            "inode": stat.st_ino}


def stat_changed(path: Path, row: OwnerRow) -> bool:
    """Whether ``path``'s stat differs from what ``row`` recorded at mount (unrecorded: no)."""
    if row.size is None:
        return False
    now = served_stat(path)
    recorded = {"size": row.size, "mtime_ns": row.mtime_ns, "ctime_ns": row.ctime_ns,
                "inode": row.inode}
    return any(value is not None and now[key] != value for key, value in recorded.items())


def clone_with_digest(src: Path, dst: Path) -> FileDigest:
    """Copy ``src`` to ``dst`` in the kernel (a reflink where the file system has them), then
    hash the copy: the digest is of the bytes that will be served.

    Not fsynced: this is for test copies, which a crashed run never reuses (the next run
    replaces every stale copy).
    """
    if not hasattr(os, "copy_file_range"):
        return copy_with_digest(src, dst)
    with src.open("rb", buffering=0) as reader, dst.open("wb", buffering=0) as writer:
        remaining = os.fstat(reader.fileno()).st_size
        try:
            while remaining > 0:
                done = os.copy_file_range(reader.fileno(), writer.fileno(), remaining)
                if done == 0:
                    break
                remaining -= done
        except OSError:
            remaining = -1  # e.g. EXDEV or EINVAL on an older kernel: copy in Python instead
    if remaining != 0:
        return copy_with_digest(src, dst)
    return sha256_file(dst)


def copy_mismatch(local_path: Path, expected: str, copied: str) -> IntegrityError:
    """The refusal to serve a copy whose digest is not the pin."""
    return IntegrityError(
        f"the copy of {local_path.name} on the instance does not match its pin",
        details=[f"expected: sha256:{expected}", f"copied:   sha256:{copied}"],
        fix="the file changed while it was copied; run 'irisfx apply' again",
    )


def refuse_non_sqlite(path: Path) -> None:
    """IntegrityError unless ``path`` is an SQLite file (what the simulator can serve)."""
    with path.open("rb") as handle:
        magic = handle.read(16)
    if magic and magic != b"SQLite format 3\x00":
        raise IntegrityError(
            f"{path.name} is not a simulator database (it was probably written by IRIS)",
            fix="the sim engine can only mount files it made; rebuild the fixture on the sim "
            "engine with 'irisfx apply --rebuild NAME', or point irisfx at an IRIS instance",
        )


def refuse_unreadable(path: Path) -> None:
    """IntegrityError unless SQLite reads ``path`` whole (a quick_check), before any record."""
    try:
        with closing(open_database(path, writable=False)) as db:
            verdict = [str(row[0]) for row in db.execute("PRAGMA quick_check")]
    except sqlite3.Error as exc:
        verdict = [str(exc)]
    if verdict != ["ok"]:
        raise IntegrityError(
            f"{path.name} is a damaged database: the simulator cannot read it",
            details=[f"SQLite: {'; '.join(verdict[:3])}", "Nothing was mounted."],
            fix="restore the file (git checkout, or irisfx pull NAME with a store), or rebuild "
            "it on purpose: irisfx apply --rebuild NAME",
        )
