"""Simulator database files made directly, for diff and manifest tests: a table is a dict of
rows by key, written as SQLite tables named ``Schema.Table`` as the simulator names them."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

Columns = Sequence[tuple[str, str]]  # (name, declared type); the first column is the key


def write_db(path: Path, tables: Mapping[str, tuple[Columns, Mapping[Any, Sequence[Any]]]],
             *, key: bool = True, order: Sequence[Any] | None = None) -> Path:
    """Write ``tables`` ({name: (columns, {key: row})}) to a new SQLite file at ``path``.

    ``key``: the first column is the primary key; else the table has none (row ids are
    assigned in insertion order). ``order``: the keys in the order rows are inserted.
    """
    with closing(sqlite3.connect(path)) as db:
        fill(db, tables, key=key, order=order)
    return path


def fill(db: sqlite3.Connection, tables: Mapping[str, tuple[Columns, Mapping[Any, Sequence[Any]]]],
         *, key: bool = True, order: Sequence[Any] | None = None) -> sqlite3.Connection:
    """Create and fill ``tables`` in ``db`` (see write_db)."""
    for name, (columns, rows) in tables.items():
        cols = ", ".join(f'"{c}" {t}' + (" PRIMARY KEY" if key and i == 0 else "")
                         for i, (c, t) in enumerate(columns))
        db.execute(f'CREATE TABLE "{name}" ({cols})')
        marks = ", ".join("?" for _ in columns)
        keys = list(order) if order is not None else list(rows)
        db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', [rows[k] for k in keys])
    db.commit()
    return db
