"""What changed between two databases: tables, columns and rows, by primary key (or row id).

:func:`diff_databases` reads both sides through :class:`irisfx.engines.manifest.DatabaseReader`
(either engine), keeps each table's rows by key, and reports tables added and removed, columns
added, removed and retyped, and rows added, removed and changed (on the columns both sides
have), with the first few changed rows of each table in key order. Rendering is in
irisfx.reconcile.diffout.
"""

from __future__ import annotations

import heapq
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from irisfx.engines.manifest import DatabaseReader, Row, TableSchema
from irisfx.lockfile.manifest import Column

DEFAULT_SAMPLES = 5
TableStatus = Literal["added", "removed", "changed", "unchanged"]
RowChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class RowSample:
    """One changed row, both sides (None where the row is absent), by column name."""

    change: RowChangeKind
    key: Any
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class Retyped:
    """A column whose type changed."""

    name: str
    before: str
    after: str


@dataclass
class TableDiff:
    """The differences in one table."""

    table: str
    status: TableStatus
    key: tuple[str, ...] = ()
    rows_before: int = 0
    rows_after: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    columns_added: list[Column] = field(default_factory=list)
    columns_removed: list[Column] = field(default_factory=list)
    columns_retyped: list[Retyped] = field(default_factory=list)
    samples: list[RowSample] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        """Anything at all differs."""
        return self.status != "unchanged"


@dataclass(frozen=True)
class Side:
    """What one side of a diff is, for people: ``pinned file (sha256:3f2a…)``, ``HEAD~1``."""

    label: str
    detail: str = ""


@dataclass
class FixtureDiff:
    """The differences of one fixture (or of two files)."""

    fixture: str
    before: Side
    after: Side
    tables: list[TableDiff] = field(default_factory=list)
    note: str | None = None  # why there is nothing to compare (e.g. no recipe)

    @property
    def has_changes(self) -> bool:
        """Any table differs."""
        return any(t.has_changes for t in self.tables)


def diff_databases(before: DatabaseReader, after: DatabaseReader, *,
                   samples: int = DEFAULT_SAMPLES) -> list[TableDiff]:
    """Every table of either side, sorted by name, with its differences."""
    old = {t.name: t for t in before.tables()}
    new = {t.name: t for t in after.tables()}
    result = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            count = sum(1 for _ in before.keyed_rows(old[name]))
            result.append(TableDiff(name, "removed", old[name].key, rows_before=count,
                                    removed=count, columns_removed=list(old[name].columns)))
        elif name not in old:
            count = sum(1 for _ in after.keyed_rows(new[name]))
            result.append(TableDiff(name, "added", new[name].key, rows_after=count,
                                    added=count, columns_added=list(new[name].columns)))
        else:
            result.append(_diff_table(before, old[name], after, new[name], samples))
    return result


def _diff_table(before: DatabaseReader, old: TableSchema, after: DatabaseReader,
                new: TableSchema, samples: int) -> TableDiff:
    old_types = {c.name: c.type for c in old.columns}
    new_types = {c.name: c.type for c in new.columns}
    diff = TableDiff(
        old.name, "unchanged", new.key,
        columns_added=[c for c in new.columns if c.name not in old_types],
        columns_removed=[c for c in old.columns if c.name not in new_types],
        columns_retyped=[Retyped(c.name, old_types[c.name], c.type) for c in new.columns
                         if c.name in old_types and old_types[c.name] != c.type],
    )
    common = [c.name for c in new.columns if c.name in old_types]
    old_names, new_names = [c.name for c in old.columns], [c.name for c in new.columns]
    same_shape = old_names == new_names
    old_view = _projection([old_names.index(n) for n in common])
    new_view = _projection([new_names.index(n) for n in common])
    old_rows: dict[Any, Row] = dict(before.keyed_rows(old))
    diff.rows_before = len(old_rows)
    events: list[tuple[RowChangeKind, Any, Row | None, Row | None]] = []
    seen = 0
    pop = old_rows.pop
    for key, row in after.keyed_rows(new):
        seen += 1
        was = pop(key, None)
        if was is None:
            diff.added += 1
            events.append(("added", key, None, row))
        elif (was != row) if same_shape else (old_view(was) != new_view(row)):
            diff.changed += 1
            events.append(("changed", key, was, row))
    diff.rows_after = seen
    diff.removed = len(old_rows)
    events += [("removed", key, gone, None) for key, gone in old_rows.items()]
    for kind, key, before_row, after_row in heapq.nsmallest(samples, events,
                                                            key=lambda e: _order(e[1])):
        diff.samples.append(RowSample(
            kind, key, None if before_row is None else _named(old, before_row),
            None if after_row is None else _named(new, after_row)))
    if (diff.added or diff.removed or diff.changed or diff.columns_added
            or diff.columns_removed or diff.columns_retyped or old.key != new.key):
        diff.status = "changed"
    return diff


def _named(table: TableSchema, row: Row) -> dict[str, Any]:
    return {c.name: v for c, v in zip(table.columns, row, strict=False)}


def _projection(positions: list[int]) -> Callable[[Row], Any]:
    """The values at ``positions`` of a row, in a form two rows can be compared by."""
    if not positions:
        return lambda row: ()
    return operator.itemgetter(*positions)


def _order(key: Any) -> tuple[Any, ...]:
    """Sort keys of mixed kinds without comparing a number with a string."""
    if isinstance(key, tuple):
        return tuple(_order(k) for k in key)
    if key is None:
        return (0, 0)
    if isinstance(key, int | float):
        return (1, key)
    return (2, str(key))
