"""What kind of database a file is, read from its first bytes: an IRIS (or Caché) database, a
simulator database (SQLite), or neither.

An IRIS database file carries a label in its first block: ASCII ``Cache DB`` at byte 1524, one
length byte and the directory the database was created in, and the resource name that guards it
at byte 1794 (seen in real IRIS.DAT files of IRIS and Caché). The simulator's files are SQLite
files, whose header is ``SQLite format 3`` and a NUL. Anything else is not a database irisfx can
pin, mount or write over.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SQLITE_HEADER = b"SQLite format 3\x00"
IRIS_MAGIC = b"Cache DB"
IRIS_MAGIC_AT = 1524
IRIS_RESOURCE_AT = 1794
_LABEL_BYTES = 2048


@dataclass(frozen=True)
class DatabaseLabel:
    """What a database file says about itself."""

    kind: Literal["iris", "sim"]
    directory: str | None = None  # IRIS: where the database was created
    resource: str | None = None  # IRIS: the resource that guards it (%DB_...)


def read_label(path: Path) -> DatabaseLabel | None:
    """The label of the database file at ``path``, or None when it is no database irisfx knows.

    Reads only the first 2 KiB, without following a symbolic link at ``path``.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        head = os.read(fd, _LABEL_BYTES)
    finally:
        os.close(fd)
    return label_of(head)


def label_of(head: bytes) -> DatabaseLabel | None:
    """The label in ``head``, a file's first bytes (at least 2 KiB when it is an IRIS file)."""
    if head.startswith(SQLITE_HEADER):
        return DatabaseLabel("sim")
    if head[IRIS_MAGIC_AT:IRIS_MAGIC_AT + len(IRIS_MAGIC)] != IRIS_MAGIC:
        return None
    at = IRIS_MAGIC_AT + len(IRIS_MAGIC)
    length = head[at] if len(head) > at else 0
    directory = _text(head[at + 1:at + 1 + length])
    resource = _text(head[IRIS_RESOURCE_AT:IRIS_RESOURCE_AT + 64].split(b"\x00", 1)[0])
    return DatabaseLabel("iris", directory or None, resource or None)


def _text(raw: bytes) -> str:
    return "".join(c for c in raw.decode("latin-1") if c.isprintable())
