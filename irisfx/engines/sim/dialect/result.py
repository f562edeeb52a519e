"""What a translated statement is: the SQLite steps to run, and how to read its rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

Step = str | Callable[[sqlite3.Cursor], None]


@dataclass(frozen=True)
class Translation:
    """SQLite statements (or actions on the cursor) that do what one IRIS statement does.

    Parameters go to the first step. ``scales`` gives, per result column, the scale of an exact
    NUMERIC column (its values come back as Decimal), or None. ``note`` says why a statement
    was skipped (it changes nothing in a database file). ``upsert_table``: the table an
    INSERT OR UPDATE writes to.
    """

    steps: tuple[Step, ...]
    scales: tuple[int | None, ...] = ()
    note: str | None = None
    upsert_table: str | None = None  # INSERT OR UPDATE: an update must not use up a RowID
