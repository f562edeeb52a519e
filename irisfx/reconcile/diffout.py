"""``irisfx diff`` for people (text), for programs (versioned JSON, docs/diff.md) and for pull
requests (GitHub-flavoured Markdown for ``$GITHUB_STEP_SUMMARY``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from irisfx.reconcile.diff import FixtureDiff, RowSample, TableDiff

DIFF_FORMAT_VERSION = 1
MAX_VALUE = 40  # characters of a value shown in text and Markdown; JSON has it whole


def show_value(value: Any) -> str:
    """A value as SQL would write it: NULL, 12, 'text', X'00ff'."""
    if value is None:
        return "NULL"
    if isinstance(value, bytes | bytearray | memoryview):
        return "X'" + bytes(value).hex() + "'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.date | dt.time):
        return "'" + value.isoformat() + "'"
    return str(value)


def _short(text: str) -> str:
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def show_key(table: TableDiff, key: Any) -> str:
    """``ID=5``, ``A=1,B='x'`` or ``%ID=7``."""
    names = table.key or ("%ID",)
    values = key if isinstance(key, tuple) and len(names) > 1 else (key,)
    return ",".join(f"{n}={_short(show_value(v))}" for n, v in zip(names, values, strict=False))


def _counts(table: TableDiff) -> str:
    rows = f"{table.rows_before:,} → {table.rows_after:,} rows"
    return f"{rows}: +{table.added:,} added, -{table.removed:,} removed, " \
           f"~{table.changed:,} changed"


def _columns(table: TableDiff) -> list[str]:
    lines = [f"+ column {c.name} {c.type}" for c in table.columns_added]
    lines += [f"- column {c.name} {c.type}" for c in table.columns_removed]
    lines += [f"~ column {r.name} {r.before} → {r.after}" for r in table.columns_retyped]
    return lines


def _cells(sample: RowSample) -> list[tuple[str, str, str]]:
    """(column, before, after) for the columns a reviewer needs to see in this row."""
    before, after = sample.before or {}, sample.after or {}
    if sample.change == "changed":
        # Columns on one side only are reported once, as columns added or removed.
        return [(n, _short(show_value(before[n])), _short(show_value(after[n])))
                for n in after if n in before and before[n] != after[n]]
    return [(n, _short(show_value(before.get(n))) if n in before else "",
             _short(show_value(after.get(n))) if n in after else "")
            for n in (after or before)]


def _sample_rows(table: TableDiff) -> list[tuple[str, str, str, str]]:
    symbol = {"added": "+", "removed": "-", "changed": "~"}
    rows = []
    for sample in table.samples:
        key = f"{symbol[sample.change]} {show_key(table, sample.key)}"
        for i, (name, old, new) in enumerate(_cells(sample)):
            rows.append((key if i == 0 else "", name, old, new))
    return rows


def render_text(diffs: Sequence[FixtureDiff]) -> str:
    """The diff as people read it in a terminal."""
    out: list[str] = []
    for fixture in diffs:
        out.append(f"fixture {fixture.fixture}: {fixture.before.label} → {fixture.after.label}")
        if fixture.note:
            out.append(f"  {fixture.note}")
        elif not fixture.has_changes:
            out.append("  no differences")
        for table in fixture.tables:
            if not table.has_changes:
                continue
            head = {"added": "+ table", "removed": "- table", "changed": "~ table"}
            out.append(f"  {head[table.status]} {table.table}: {_counts(table)}")
            out += [f"      {line}" for line in _columns(table)]
            rows = _sample_rows(table)
            if rows:
                shown = len(table.samples)
                out.append(f"      first {shown} changed row{'s' if shown != 1 else ''}:")
                out += _aligned([("key", "column", "before", "after"), *rows], "        ")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _aligned(rows: list[tuple[str, ...]], indent: str) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]


def json_value(value: Any) -> Any:
    """A value as JSON holds it: bytes as hex text, decimals and times as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return {"hex": bytes(value).hex()}
    if isinstance(value, Decimal | dt.date | dt.time):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, tuple):
        return [json_value(v) for v in value]
    return str(value)


def _row_json(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else {k: json_value(v) for k, v in row.items()}


def _table_json(table: TableDiff) -> dict[str, Any]:
    return {
        "table": table.table, "status": table.status, "key": list(table.key) or ["%ID"],
        "rows": {"before": table.rows_before, "after": table.rows_after,
                 "added": table.added, "removed": table.removed, "changed": table.changed},
        "columns": {
            "added": [{"name": c.name, "type": c.type} for c in table.columns_added],
            "removed": [{"name": c.name, "type": c.type} for c in table.columns_removed],
            "retyped": [{"name": r.name, "before": r.before, "after": r.after}
                        for r in table.columns_retyped]},
        "samples": [{"change": s.change, "key": json_value(s.key), "before": _row_json(s.before),
                     "after": _row_json(s.after)} for s in table.samples],
    }


def render_json(diffs: Sequence[FixtureDiff]) -> dict[str, Any]:
    """The documented JSON form (docs/diff.md), ``format_version`` 1."""
    return {
        "format_version": DIFF_FORMAT_VERSION,
        "changes": any(f.has_changes for f in diffs),
        "fixtures": [{
            "fixture": f.fixture, "changes": f.has_changes, "note": f.note,
            "before": {"label": f.before.label, "detail": f.before.detail},
            "after": {"label": f.after.label, "detail": f.after.detail},
            "tables": [_table_json(t) for t in f.tables],
        } for f in diffs],
    }


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "\\`") or " "


def render_markdown(diffs: Sequence[FixtureDiff]) -> str:
    """A Markdown section for a pull request's step summary."""
    out = ["## irisfx diff", ""]
    if not any(f.has_changes for f in diffs):
        out += ["No fixture data changed.", ""]
    for fixture in diffs:
        out += [f"### {_md(fixture.fixture)}", "",
                f"{_md(fixture.before.label)} → {_md(fixture.after.label)}", ""]
        changed = [t for t in fixture.tables if t.has_changes]
        if fixture.note or not changed:
            out += [_md(fixture.note or "No differences."), ""]
            continue
        out += ["| table | rows | added | removed | changed | columns |",
                "| --- | ---: | ---: | ---: | ---: | --- |"]
        for t in changed:
            cols = "; ".join(_columns(t)) or ""
            out.append(f"| {t.status} `{_md(t.table)}` | {t.rows_before:,} → {t.rows_after:,} "
                       f"| {t.added:,} | {t.removed:,} | {t.changed:,} | {_md(cols)} |")
        out.append("")
        for t in changed:
            rows = _sample_rows(t)
            if not rows:
                continue
            out += [f"<details><summary>{_md(t.table)}: first {len(t.samples)} changed rows"
                    "</summary>", "", "| key | column | before | after |",
                    "| --- | --- | --- | --- |"]
            out += [f"| {_md(k)} | {_md(c)} | {_md(b)} | {_md(a)} |" for k, c, b, a in rows]
            out += ["", "</details>", ""]
    return "\n".join(out)
