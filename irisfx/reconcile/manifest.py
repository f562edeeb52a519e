"""Manifests in pins: computed when a file is pinned, compared when it is pinned again.

``apply`` records :func:`pin_manifest` of the source namespace beside the new pin (the file is a
consistent copy of it); ``plan`` shows :func:`expected_changes` under each rebuild, from the row
counts in ``expect``; ``apply`` prints :func:`manifest_changes` between the old pin and the new.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from irisfx.engines.base import Engine
from irisfx.engines.manifest import database_manifest
from irisfx.errors import IntegrityError
from irisfx.files.dbfile import read_label
from irisfx.lockfile.manifest import TableManifest, parse_line
from irisfx.lockfile.models import Pin, ResolvedFixture


def pin_manifest(engine: Engine, namespace: str) -> dict[str, str]:
    """Each user table's manifest line, read from ``namespace`` through the engine."""
    reader = engine.reader(namespace)
    try:
        return {name: m.line() for name, m in database_manifest(reader).items()}
    finally:
        reader.close()


def file_manifest(path: Path) -> dict[str, str] | None:
    """The manifest lines of a simulator file read directly; None when it is no simulator
    file or cannot be read (an IRIS file needs a server: its manifest comes from a build)."""
    try:
        label = read_label(path)
    except OSError:
        return None
    if label is None or label.kind != "sim":
        return None
    from irisfx.engines.sim.manifest import SimReader  # only for a simulator file

    try:
        reader = SimReader.open_file(path)
    except IntegrityError:
        return None
    try:
        return {name: m.line() for name, m in database_manifest(reader).items()}
    except IntegrityError:
        return None
    finally:
        reader.close()


def _parsed(pin: Pin | None) -> dict[str, TableManifest]:
    if pin is None or pin.manifest is None:
        return {}
    return {name: parse_line(line) for name, line in pin.manifest.items()}


def _rows(before: int | None, after: int | None) -> str:
    if before is None:
        return f"{after:,} rows"
    if after is None:
        return f"{before:,} rows"
    delta = after - before
    return f"{before:,} → {after:,} rows ({delta:+,})" if delta else f"{after:,} rows"


def manifest_changes(old: Pin | None, new: Pin) -> list[str]:
    """What the new pin's manifest says changed, table by table (unchanged tables left out).

    An old pin without a manifest is compared by its row counts.
    """
    before, after = _parsed(old), _parsed(new)
    if old is not None and not before:
        return _count_changes(old.tables, new.tables)
    lines = []
    for name in sorted(before.keys() | after.keys()):
        was, now = before.get(name), after.get(name)
        if now is None:
            assert was is not None
            lines.append(f"- {name}: {was.rows:,} rows (table removed)")
        elif was is None:
            lines.append(f"+ {name}: {now.rows:,} rows (new table)")
        elif was != now:
            lines.append(f"~ {name}: {_rows(was.rows, now.rows)}" + _column_note(was, now)
                         + ("" if was.digest != now.digest or was.rows != now.rows
                            else "; same rows"))
    return lines


def _column_note(was: TableManifest, now: TableManifest) -> str:
    old = {c.name: c.type for c in was.columns}
    new = {c.name: c.type for c in now.columns}
    parts = [f"+column {n}" for n in new if n not in old]
    parts += [f"-column {n}" for n in old if n not in new]
    parts += [f"column {n} {old[n]} → {new[n]}" for n in new if n in old and old[n] != new[n]]
    if was.digest != now.digest and was.rows == now.rows and not parts:
        parts.append("values changed")
    return "; " + ", ".join(parts) if parts else ""


def _count_changes(before: Mapping[str, int], after: Mapping[str, int]) -> list[str]:
    lines = []
    for name in sorted(before.keys() | after.keys()):
        was, now = before.get(name), after.get(name)
        if was != now:
            symbol = "+" if was is None else "-" if now is None else "~"
            lines.append(f"{symbol} {name}: {_rows(was, now)}")
    return lines


def expected_changes(fixture: ResolvedFixture) -> list[str]:
    """What a rebuild is expected to change, where ``expect`` says: row counts per table."""
    pin = fixture.pin
    expect = fixture.decl.expect
    if not expect:
        return []
    pinned = {name: m.rows for name, m in _parsed(pin).items()} or dict(pin.tables if pin
                                                                        else {})
    lines = []
    for name in sorted(expect):
        was = pinned.get(name)
        lines.append(f"{name}: {_rows(was, expect[name])} (expect)" if was != expect[name]
                     else f"{name}: {expect[name]:,} rows, unchanged (expect)")
    return lines
