"""What kind of database a file is, read from its first bytes: an IRIS (or Caché) database, a
simulator database (SQLite), or neither.

An IRIS database file carries a label in its first block. Seen in three real database
files (one IRIS, two Caché, 1,048,576 bytes each): ASCII ``Cache DB`` at byte 1524; at 1532 a
2-byte length and then the directory the database was created in
(``c:\\intersystems\\iris\\mgr\\cache\\``); at 1792 a 2-byte length and then the
resource that guards it (``%DB_%DEFAULT``). The lengths are little-endian in all three files,
which came from little-endian machines; a file whose lengths read right only big-endian was
made on a big-endian platform (AIX) and needs converting before a little-endian IRIS can
mount it. Where the block size is written was not
established (no field of the first 8 KiB holds 8192 in those files), so it is not reported.

The simulator's files are SQLite files, whose header is ``SQLite format 3`` and a NUL.
Anything else is not a database irisfx can pin, mount or write over.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SQLITE_HEADER = b"SQLite format 3\x00"
IRIS_MAGIC = b"Cache DB"
IRIS_MAGIC_AT = 1524
IRIS_DIRECTORY_AT = IRIS_MAGIC_AT + len(IRIS_MAGIC)  # 2-byte length, then the directory
IRIS_RESOURCE_AT = 1794  # the resource name; its 2-byte length is at 1792
_RESOURCE_LENGTH_AT = IRIS_RESOURCE_AT - 2
_MAX_NAME = 255  # an IRIS directory or resource name in the label is shorter than this
_LABEL_BYTES = 2048

NOT_A_DATABASE_FIX = (
    "point the fixture's 'file' at an IRIS database (an IRIS.DAT copied while its database "
    "was dismounted) or at a file irisfx built; irisfx pins and mounts nothing else"
)

ByteOrder = Literal["little", "big"]


@dataclass(frozen=True)
class DatabaseLabel:
    """What a database file says about itself."""

    kind: Literal["iris", "sim"]
    directory: str | None = None  # IRIS: where the database was created
    resource: str | None = None  # IRIS: the resource that guards it (%DB_...)
    byte_order: ByteOrder | None = None  # IRIS: of the machine that wrote the file

    def describe(self) -> list[str]:
        """What the label tells, one fact a line, for ``irisfx show``."""
        if self.kind == "sim":
            return ["simulator database (SQLite)"]
        lines = ["IRIS/Caché database"]
        if self.directory:
            lines.append(f"created in {self.directory}")
        if self.resource:
            lines.append(f"resource {self.resource}")
        if self.byte_order == "big":
            lines.append("big-endian (made on a big-endian platform such as AIX)")
        return lines


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
    order = _byte_order(head)
    directory = _counted(head, IRIS_DIRECTORY_AT, order)
    resource = _counted(head, _RESOURCE_LENGTH_AT, order)
    return DatabaseLabel("iris", directory or None, resource or None, order)


def _byte_order(head: bytes) -> ByteOrder:
    """The order in which the directory's length makes sense: the bytes it counts are text
    and the byte after them is a NUL. Little-endian when neither or both fit."""
    fits = {order: _fits(head, IRIS_DIRECTORY_AT, order) for order in ("little", "big")}
    return "big" if fits["big"] and not fits["little"] else "little"


def _fits(head: bytes, at: int, order: ByteOrder) -> bool:
    length = int.from_bytes(head[at:at + 2], order)
    text = head[at + 2:at + 2 + length]
    return (0 < length <= _MAX_NAME and len(text) == length and all(32 <= c < 127 for c in text)
            and head[at + 2 + length:at + 3 + length] in (b"\x00", b""))


def _counted(head: bytes, at: int, order: ByteOrder) -> str:
    """The text after the 2-byte length at ``at``; "" when the length does not fit."""
    if not _fits(head, at, order):
        return ""
    length = int.from_bytes(head[at:at + 2], order)
    return head[at + 2:at + 2 + length].decode("ascii")


def build_label(directory: str, resource: str, *, byte_order: ByteOrder = "little",
                size: int = _LABEL_BYTES) -> bytes:
    """The first ``size`` bytes of a file with an IRIS label of this layout (for tests and for
    documenting the layout; irisfx never writes database files itself)."""
    head = bytearray(max(size, _LABEL_BYTES))
    head[IRIS_MAGIC_AT:IRIS_MAGIC_AT + len(IRIS_MAGIC)] = IRIS_MAGIC
    for at, text in ((IRIS_DIRECTORY_AT, directory), (_RESOURCE_LENGTH_AT, resource)):
        raw = text.encode("ascii")
        head[at:at + 2] = len(raw).to_bytes(2, byte_order)
        head[at + 2:at + 2 + len(raw)] = raw
    return bytes(head)
