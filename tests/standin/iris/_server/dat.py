"""The stand-in's database file: an IRIS label block, then the SQLite image of the data.

The first block carries the label real IRIS.DAT files carry (``Cache DB`` at byte 1524, the
creation directory and the resource, each after a 2-byte length: irisfx/files/dbfile.py), so
irisfx sees an IRIS database and never mistakes it for a simulator file (those start with the
SQLite header). The data is an SQLite image after the label, padded to whole 8 KiB blocks.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from irisfx.files.dbfile import build_label

BLOCK = 8192
MAGIC = b"Cache DB"
MAGIC_AT = 1524
DEFAULT_RESOURCE = "%DB_%DEFAULT"  # what CreateDatabase gives without a resource argument
SQLITE_HEADER = b"SQLite format 3\x00"


class NotADatabase(ValueError):
    """The file is not one the stand-in can mount (IRIS says <DIRECTORY>)."""


def label(directory: str, resource: str = DEFAULT_RESOURCE) -> bytes:
    """A first block as IRIS writes it for a database created in ``directory``."""
    return build_label(directory, resource, size=BLOCK)


def empty_image() -> bytes:
    """The SQLite image of a database with nothing in it (one page)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "empty.db"
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 1")
        conn.commit()
        conn.close()
        return path.read_bytes()


def pack(first_block: bytes, image: bytes) -> bytes:
    """A database file: the label block, the image, zeros up to a whole block."""
    pad = -len(image) % BLOCK
    return first_block + image + bytes(pad)


def unpack(data: bytes) -> tuple[bytes, bytes]:
    """The label block and the SQLite image of a database file; NotADatabase otherwise."""
    if len(data) < BLOCK or data[MAGIC_AT:MAGIC_AT + len(MAGIC)] != MAGIC:
        raise NotADatabase("no IRIS database label")
    image = data[BLOCK:]
    if not image.startswith(SQLITE_HEADER):
        # A real IRIS or Caché database: the stand-in serves only files it made.
        raise NotADatabase("an IRIS database the stand-in did not make")
    page_size = int.from_bytes(image[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(image[28:32], "big")
    length = page_size * pages
    if not 0 < length <= len(image):
        raise NotADatabase("a damaged data image")
    return data[:BLOCK], image[:length]
