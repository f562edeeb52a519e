"""Property: for random pairs of databases made by known edits, ``diff`` reports exactly the
edits: tables added and removed, columns added, removed and retyped, rows added, removed and
changed (on the columns both sides have), with samples in key order."""

from __future__ import annotations

import sqlite3
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irisfx.engines.sim.manifest import SimReader
from irisfx.reconcile.diff import TableDiff, diff_databases
from tests.diff.simfiles import fill

VALUES = st.one_of(st.none(), st.integers(-10**6, 10**6), st.text(max_size=8),
                   st.floats(allow_nan=False, allow_infinity=False, width=32))
# Names with SQLite's BLOB affinity: a declared type there never converts a stored value, so a
# retyped column holds the same values (type conversion is the engine's business, not diff's).
TYPES = ["BLOB", "LONGBLOB", "BLOB(10)", "TINYBLOB"]


@st.composite
def table_pairs(draw: st.DrawFn) -> dict[str, Any]:
    """A base table and the edits that make the other side, with what diff must report."""
    ncols = draw(st.integers(1, 4))
    columns = [("K", "INTEGER")] + [(f"C{i}", draw(st.sampled_from(TYPES)))
                                    for i in range(ncols)]
    keys = draw(st.lists(st.integers(0, 400), unique=True, max_size=30))
    base = {k: (k, *[draw(VALUES) for _ in range(ncols)]) for k in keys}
    removed = set(draw(st.lists(st.sampled_from(keys), unique=True)) if keys else [])
    kept = [k for k in keys if k not in removed]
    drop = draw(st.booleans()) and ncols > 1
    retype = draw(st.booleans())
    add_col = draw(st.booleans())
    new_cols = list(columns)
    if drop:
        new_cols.pop()  # the last column goes
    if retype:
        name, _old = new_cols[1] if len(new_cols) > 1 else ("K", "INTEGER")
        if name != "K":
            new_cols[1] = (name, "MEDIUMBLOB")
    if add_col:
        new_cols.append(("Extra", "INTEGER"))
    width = len(new_cols)
    common = len([c for c in new_cols if c[0] in dict(columns)])

    def project(row: tuple[Any, ...]) -> list[Any]:
        return list(row[:common]) + [draw(VALUES) for _ in range(width - common)]

    after: dict[int, tuple[Any, ...]] = {}
    changed: set[int] = set()
    for k in kept:
        row = project(base[k])
        if common > 1 and draw(st.booleans()):
            at = draw(st.integers(1, common - 1))
            value = draw(VALUES)
            if value != row[at]:
                row[at] = value
                changed.add(k)
        after[k] = tuple(row)
    added = set(draw(st.lists(st.integers(401, 500), unique=True, max_size=10)))
    for k in added:
        after[k] = tuple([k, *[draw(VALUES) for _ in range(width - 1)]])
    return {"before": (columns, base), "after": (new_cols, after), "removed": removed,
            "added": added, "changed": changed, "dropped": drop, "retyped": retype
            and len(new_cols) > 1 and new_cols[1] != columns[1], "extra": add_col}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> list[TableDiff]:
    a = SimReader(fill(sqlite3.connect(":memory:"), before), "before")
    b = SimReader(fill(sqlite3.connect(":memory:"), after), "after")
    try:
        return diff_databases(a, b, samples=5)
    finally:
        a.close()
        b.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=table_pairs(), extra_table=st.sampled_from(["none", "added", "removed"]))
def test_diff_reports_exactly_the_edits(pair: dict[str, Any], extra_table: str) -> None:
    before = {"S.T": pair["before"]}
    after = {"S.T": pair["after"]}
    lone = ([("K", "INTEGER"), ("V", "VARCHAR(5)")], {1: (1, "x"), 2: (2, "y")})
    if extra_table == "added":
        after["S.New"] = lone
    elif extra_table == "removed":
        before["S.Old"] = lone
    tables = {t.table: t for t in _diff(before, after)}
    t = tables["S.T"]
    assert (t.rows_before, t.rows_after) == (len(pair["before"][1]), len(pair["after"][1]))
    assert (t.added, t.removed, t.changed) == (len(pair["added"]), len(pair["removed"]),
                                               len(pair["changed"]))
    assert [c.name for c in t.columns_removed] == (
        [pair["before"][0][-1][0]] if pair["dropped"] else [])
    assert [c.name for c in t.columns_added] == (["Extra"] if pair["extra"] else [])
    assert len(t.columns_retyped) == int(pair["retyped"])
    expected_keys = sorted(pair["added"] | pair["removed"] | pair["changed"])[:5]
    assert [s.key for s in t.samples] == expected_keys
    for sample in t.samples:
        kind = ("added" if sample.key in pair["added"] else
                "removed" if sample.key in pair["removed"] else "changed")
        assert sample.change == kind
    anything = bool(t.added or t.removed or t.changed or pair["dropped"] or pair["extra"]
                    or pair["retyped"])
    assert t.has_changes == anything
    if extra_table == "added":
        assert tables["S.New"].status == "added" and tables["S.New"].added == 2
    elif extra_table == "removed":
        assert tables["S.Old"].status == "removed" and tables["S.Old"].removed == 2
    assert set(tables) == {"S.T"} | ({"S.New"} if extra_table == "added" else set()) | (
        {"S.Old"} if extra_table == "removed" else set())
