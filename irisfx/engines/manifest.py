"""Reading a database's tables and rows, the same way on both engines: for manifests and diffs.

An engine hands out a :class:`DatabaseReader` for a namespace (``Engine.reader``); the simulator
can also open a file directly (irisfx.engines.sim.manifest). The manifest of a table is its row
count, its columns and a content digest that does not depend on row order: each row's values
are encoded canonically and hashed, the row digests are sorted, and the sorted list is hashed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from irisfx.lockfile.manifest import DIGEST_HEX, Column, TableManifest

Row = tuple[Any, ...]


@dataclass(frozen=True)
class TableSchema:
    """A table as a reader sees it: ``Schema.Table``, columns in order, primary key."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # () : rows are keyed by the row id

    def key_positions(self) -> tuple[int, ...]:
        """Where the key's columns are in a row (rows from ``keyed_rows`` start with the id)."""
        names = [c.name for c in self.columns]
        return tuple(names.index(k) for k in self.key)


class DatabaseReader(Protocol):
    """Read-only access to one database's user tables; close it when done."""

    def tables(self) -> list[TableSchema]:
        """Every user table, sorted by name."""
        ...

    def keyed_rows(self, table: TableSchema) -> Iterator[tuple[Any, Row]]:
        """``(key, row)`` for every row, in key order; the key is the primary key's values
        (one value: itself) or the row id, always hashable (a tuple, never a list); the row
        holds the values of ``table.columns``."""
        ...

    def close(self) -> None:
        """Release the connection or file."""
        ...


def encode_value(value: Any) -> bytes:
    """A value's canonical bytes: its kind and its text, so ``1``, ``'1'`` and ``1.0`` differ."""
    if value is None:
        return b"n"
    if isinstance(value, bool):
        return b"i1" if value else b"i0"
    if isinstance(value, int):
        return b"i%d" % value
    if isinstance(value, float):
        return b"i%d" % value if value.is_integer() and abs(value) < 2**53 else \
            b"f" + repr(value).encode()
    if isinstance(value, Decimal):
        return b"d" + str(value.normalize()).encode()
    if isinstance(value, str):
        raw = value.encode("utf-8", "surrogatepass")
        return b"s%d:" % len(raw) + raw
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return b"b%d:" % len(raw) + raw
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return b"t" + value.isoformat().encode()
    text = str(value).encode("utf-8", "surrogatepass")
    return b"o%d:" % len(text) + text


def row_digest(row: Iterable[Any]) -> bytes:
    """The digest of one row's values."""
    h = hashlib.blake2b(digest_size=DIGEST_HEX // 2)
    for value in row:
        part = encode_value(value)
        h.update(b"%d|" % len(part))
        h.update(part)
    return h.digest()


def fold(digests: list[bytes]) -> str:
    """One digest for a set of rows, whatever their order: the sorted row digests, hashed."""
    digests.sort()
    h = hashlib.blake2b(digest_size=DIGEST_HEX // 2)
    for digest in digests:
        h.update(digest)
    return h.hexdigest()


def table_manifest(reader: DatabaseReader, table: TableSchema) -> TableManifest:
    """The manifest of one table: rows, content digest, columns, key."""
    digests = [row_digest(row) for _, row in reader.keyed_rows(table)]
    return TableManifest(rows=len(digests), digest=fold(digests), columns=table.columns,
                         key=table.key)


def database_manifest(reader: DatabaseReader) -> dict[str, TableManifest]:
    """The manifest of every user table, by ``Schema.Table``."""
    return {table.name: table_manifest(reader, table) for table in reader.tables()}
