"""Writing pins into fixtures.toml without touching anything else the user wrote.

fixtures.toml is edited and reviewed by people, so a pin changes only the pin tables and
``[irisfx] format``: comments, blank lines, key order, quoting and inline tables stay byte for
byte. A fixture's old pin (a ``[fixtures.NAME.pin]`` table and its sub-tables, or ``pin``
keys inside the fixture's table) is cut out, and the new one, rendered by tomli-w, goes where
the old table was, or else after the fixture's last line.

The result is parsed again and must hold exactly the document asked for. When the layout
cannot take a pin table (a fixture written as an inline table, ``a = { recipe = "..." }``) or
the document also changes declarations, the whole file is written in the canonical layout
instead, as irisfx did before; :func:`updated_text` says which happened.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from typing import Any

import tomli_w

from irisfx.lockfile.models import FORMAT, Document, Pin
from irisfx.lockfile.tomlscan import Entry, Path, ScanError, scan

_BARE = re.compile(r"[A-Za-z0-9_-]+")


class _CannotKeep(Exception):
    """The file's layout cannot take the change in place."""


def render_document(doc: Document) -> str:
    """The canonical TOML text of a document (with ``[irisfx] format``)."""
    return tomli_w.dumps(doc.dump())


def updated_text(text: str, new: Document, old: Document | None = None) -> tuple[str, bool]:
    """The text of fixtures.toml holding ``new``, and whether the user's layout was kept.

    ``text`` is the file as read and ``old`` what it declares (parsed from ``text`` when not
    given). Only pins (and ``format``) are written in place; any other difference between
    ``text`` and ``new`` is written by re-rendering the whole file canonically.
    """
    try:
        if old is None:
            old = Document.model_validate(tomllib.loads(text))
        pins = {name: fixture.pin for name, fixture in new.fixtures.items()
                if name not in old.fixtures or old.fixtures[name].pin != fixture.pin}
        kept = replace_pins(text, pins)
        if Document.model_validate(tomllib.loads(kept)) == new:
            return kept, True
    except (_CannotKeep, ScanError, tomllib.TOMLDecodeError, ValueError):
        pass
    return render_document(new), False


def replace_pins(text: str, pins: Mapping[str, Pin | None]) -> str:
    """``text`` with the named fixtures' pins replaced (None removes one), format set."""
    entries = scan(text)
    by_fixture = _by_fixture(entries)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), non-overlapping
    for name, pin in pins.items():
        edits += _pin_edits(text, entries, by_fixture.get(name, []), name, pin)
    edits += _format_edits(text, entries)
    edits.sort()
    # New lines end as the file's lines do (Windows editors write CRLF).
    newline = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    out, pos = [], 0
    for start, end, replacement in edits:
        if start < pos:
            raise _CannotKeep("overlapping edits")
        out += [text[pos:start], replacement.replace("\n", newline)]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def render_pin(name: str, pin: Pin) -> str:
    """``[fixtures.NAME.pin]`` as irisfx writes it: values, then one line per nested entry.

    A nested table (``tables``, and any later one such as a per-table manifest) is one
    sub-table with one line per key; a value that is itself a table is written inline.
    """
    data = pin.model_dump(mode="python", exclude_none=True)
    prefix = f"fixtures.{_key(name)}.pin"
    lines = [f"[{prefix}]"]
    nested = []
    for key, value in data.items():
        if isinstance(value, dict) and value:
            nested.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, table in nested:
        lines += ["", f"[{prefix}.{_key(key)}]"]
        lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if _BARE.fullmatch(key) else tomli_w.dumps({key: 0}).split(" = ", 1)[0]


def _value(value: Any) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value})[len("v = "):].rstrip("\n")


# --- where a pin goes -------------------------------------------------------------------


def _by_fixture(entries: list[Entry]) -> dict[str, list[int]]:
    """Fixture name -> the indexes of its headers and keys, in order (one pass: a file may
    declare thousands of fixtures)."""
    found: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        path = entry.table if entry.kind == "header" else entry.key
        if entry.kind == "trivia" or path[:1] != ("fixtures",):
            continue
        if len(path) == 1:  # fixtures = { ... }: every fixture is an inline table
            raise _CannotKeep("[fixtures] is written as an inline table")
        found.setdefault(path[1], []).append(index)
    return found


def _pin_edits(text: str, entries: list[Entry], mine: list[int], name: str, pin: Pin | None
               ) -> list[tuple[int, int, str]]:
    fixture: Path = ("fixtures", name)
    pin_path: Path = (*fixture, "pin")
    if any(entries[i].kind == "keyval" and entries[i].key == fixture for i in mine):
        raise _CannotKeep(f"fixture '{name}' is written as an inline table")
    headers = [i for i in mine if entries[i].kind == "header" and entries[i].within(pin_path)]
    spans = _merged([_table_span(entries, i) for i in headers], entries)
    # pin keys written in the fixture's own table (``pin.size = 1``, ``pin = { ... }``)
    spans += [(i, i) for i in mine if entries[i].kind == "keyval"
              and entries[i].within(pin_path) and entries[i].table[:3] != pin_path]
    edits = [(entries[first].start, entries[last].end, "") for first, last in sorted(spans)]
    rendered = render_pin(name, pin) if pin is not None else ""
    if headers:  # the new table takes the old one's place
        first = entries[headers[0]].start
        return [(s, e, rendered if s == first else "") for s, e, _ in edits]
    if pin is None:
        return edits
    rest = [i for i in mine if not entries[i].within(pin_path)]
    if not rest:
        raise _CannotKeep(f"fixture '{name}' is not declared in the text")
    at = entries[_table_span(entries, rest[-1])[1]].end
    lead = "\n" if at == len(text) and not text.endswith("\n") else ""
    return [*edits, (at, at, lead + "\n" + rendered)]


def _merged(spans: list[tuple[int, int]], entries: list[Entry]) -> list[tuple[int, int]]:
    """Join pin tables that follow each other with only blank lines and comments between:
    those lines are inside the pin, which is replaced as a whole."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and all(e.kind == "trivia" for e in entries[merged[-1][1] + 1:first]):
            merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged


def _table_span(entries: list[Entry], index: int) -> tuple[int, int]:
    """From entry ``index`` to the last key before the next header (comments after it stay),
    as entry indexes."""
    last = index
    for at in range(index + 1, len(entries)):
        kind = entries[at].kind
        if kind == "header":
            break
        if kind == "keyval":
            last = at
    return index, last


# --- [irisfx] format --------------------------------------------------------------------


def _format_edits(text: str, entries: list[Entry]) -> list[tuple[int, int, str]]:
    settings: Path = ("irisfx",)
    written = str(FORMAT)
    for entry in entries:
        if entry.kind == "keyval" and entry.key == (*settings, "format"):
            if text[entry.value_start:entry.value_end] == written:
                return []
            return [(entry.value_start, entry.value_end, written)]
    for entry in entries:
        if entry.kind == "header" and entry.table == settings:
            lead = "" if text[:entry.end].endswith("\n") else "\n"
            return [(entry.end, entry.end, f"{lead}format = {written}\n")]
    for entry in entries:
        if entry.kind == "keyval" and entry.table == () and entry.within(settings):
            if len(entry.key) == 1:
                raise _CannotKeep("[irisfx] is written as an inline table")
            return [(entry.start, entry.start, f"irisfx.format = {written}\n")]
    raise _CannotKeep("no [irisfx] table")
