"""Where keys are written in a TOML text, so a problem can name its line; how to show a key.

The text is indexed once (one pass over its lines); each lookup is then a few dictionary
probes, so a file with thousands of problems is reported in linear time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_.-]+)\s*=")
_PART = re.compile(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)")
_BARE = re.compile(r"[A-Za-z0-9_-]+")

Loc = Sequence[str | int]


def split_dotted(key: str) -> list[str]:
    """``fixtures."a.b".pin`` -> ``["fixtures", "a.b", "pin"]``."""
    return [a or b or c for a, b, c in _PART.findall(key)]


def show_key(loc: Loc) -> str:
    """A key path as TOML writes it: ``fixtures.a.expect."Demo.T"``, ``queries[0].sql``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":  # pydantic's marker for a problem with a table key itself
            continue
        else:
            text = part if _BARE.fullmatch(part) else json.dumps(part, ensure_ascii=False)
            out += f".{text}" if out else text
    return out


class KeyLines:
    """The 1-based line of every key and table header in a TOML text."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, ...], int] = {}
        arrays: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                table = tuple(split_dotted(header.group(2)))
                self._lines.setdefault(table, number)
                if header.group(1) == "[[":  # an array of tables: entries count from 0
                    index = arrays.get(table, -1) + 1
                    arrays[table] = index
                    table = (*table, str(index))
                    self._lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self._lines.setdefault((*table, *split_dotted(key.group(1))), number)

    def line(self, loc: Loc) -> int | None:
        """Where ``loc`` is written, or else the nearest enclosing key or table header."""
        parts = tuple(str(p) for p in loc if p != "[key]")
        for end in range(len(parts), 0, -1):
            found = self._lines.get(parts[:end])
            if found is not None:
                return found
        return None
