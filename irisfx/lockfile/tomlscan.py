"""The layout of a valid TOML text: where each table header, key/value and comment line is.

The comment-preserving writer (:mod:`irisfx.lockfile.write`) needs byte offsets, which no TOML
library gives: tomllib returns data only, and tomlkit re-renders neighbouring whitespace and
comments when a table is replaced. This scanner splits a text that tomllib already accepted
into logical lines (a multi-line string or array is one line) and names the key path of each.
It relies on that validity; the writer checks its result with tomllib, so a misreading can
cost a comment, never a wrong pin.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["header", "keyval", "trivia"]
Path = tuple[str, ...]

_SIMPLE = r'[A-Za-z0-9_-]+|"(?:[^"\\\r\n]|\\.)*"|\'[^\'\r\n]*\''
_KEY = rf"(?:{_SIMPLE})(?:[ \t]*\.[ \t]*(?:{_SIMPLE}))*"
_PART = re.compile(_SIMPLE)
_EOL = r"(?:\r?\n|\Z)"
_TRIVIA = re.compile(rf"[ \t]*(?:#[^\r\n]*)?{_EOL}")
_HEADER = re.compile(rf"[ \t]*(\[\[?)[ \t]*({_KEY})[ \t]*\]\]?[ \t]*(?:#[^\r\n]*)?{_EOL}")
_KEYVAL = re.compile(rf"[ \t]*({_KEY})[ \t]*=[ \t]*")
_SPECIAL = re.compile(r"[\"'\[\]{}#\n]")


@dataclass(frozen=True)
class Entry:
    """One logical line: ``text[start:end]``, its newline included."""

    kind: Kind
    start: int
    end: int
    table: Path  # the table the line is in (a header: the table it opens)
    key: Path = ()  # a key/value: its full path from the top of the document
    value_start: int = 0  # a key/value: where its value is written
    value_end: int = 0

    def within(self, prefix: Path) -> bool:
        """True when this header or key/value is ``prefix`` or below it."""
        path = self.table if self.kind == "header" else self.key
        return self.kind != "trivia" and path[:len(prefix)] == prefix


class ScanError(ValueError):
    """The text is not laid out as this scanner understands (it should be valid TOML)."""


def key_path(written: str) -> Path:
    """``fixtures . "a.b" .pin`` -> ("fixtures", "a.b", "pin"), escapes decoded."""
    return tuple(_simple_key(m.group(0)) for m in _PART.finditer(written))


def _simple_key(token: str) -> str:
    if token.startswith("'"):
        return token[1:-1]
    if token.startswith('"'):
        value = tomllib.loads(f"k = {token}")["k"]
        assert isinstance(value, str)
        return value
    return token


def scan(text: str) -> list[Entry]:
    """Every logical line of ``text``, in order."""
    entries: list[Entry] = []
    table: Path = ()
    pos, size = 0, len(text)
    while pos < size:
        header = _HEADER.match(text, pos)
        if header:
            table = key_path(header.group(2))
            entries.append(Entry("header", pos, header.end(), table))
            pos = header.end()
            continue
        trivia = _TRIVIA.match(text, pos)
        if trivia and trivia.end() > pos:
            entries.append(Entry("trivia", pos, trivia.end(), table))
            pos = trivia.end()
            continue
        keyval = _KEYVAL.match(text, pos)
        if not keyval:
            line = text.count("\n", 0, pos) + 1
            raise ScanError(f"line {line} is neither a table, a key nor a comment")
        value_end, end = _value_end(text, keyval.end())
        entries.append(Entry("keyval", pos, end, table, table + key_path(keyval.group(1)),
                             keyval.end(), value_end))
        pos = end
    return entries


def _value_end(text: str, pos: int) -> tuple[int, int]:
    """Where the value starting at ``pos`` ends, and where its logical line ends."""
    depth = 0
    while True:
        found = _SPECIAL.search(text, pos)
        if found is None:
            return _trimmed(text, len(text)), len(text)
        char, at = found.group(0), found.start()
        if char in "\"'":
            pos = _string_end(text, at)
        elif char in "[{":
            depth, pos = depth + 1, at + 1
        elif char in "]}":
            depth, pos = depth - 1, at + 1
        elif char == "#":
            newline = text.find("\n", at)
            pos = len(text) if newline < 0 else newline
            if depth == 0:
                return _trimmed(text, at), (pos + 1 if newline >= 0 else pos)
        elif depth == 0:  # a newline ends the value unless a bracket is open
            return _trimmed(text, at), at + 1
        else:
            pos = at + 1


def _trimmed(text: str, end: int) -> int:
    """``end`` moved back over spaces, tabs and line ends (without copying the text)."""
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _string_end(text: str, at: int) -> int:
    quote = text[at]
    if text.startswith(quote * 3, at):
        close = quote * 3
        pos = at + 3
        while True:
            found = text.find(close, pos) if quote == "'" else _basic_close(text, pos, close)
            if found < 0:
                raise ScanError("a multi-line string is not closed")
            end = found + 3
            # Up to two quotes right before the closing delimiter belong to the string.
            while end < len(text) and text[end] == quote and end - found < 5:
                end += 1
            return end
    end = text.find("'", at + 1) if quote == "'" else _basic_close(text, at + 1, '"')
    if end < 0:
        raise ScanError("a string is not closed")
    return end + 1


def _basic_close(text: str, pos: int, close: str) -> int:
    """The first unescaped ``close`` in a basic string from ``pos`` (-1 when none)."""
    while True:
        quote = text.find(close, pos)
        # Look for an escape only before that quote: searching on to the end of the text
        # for every string would make a long file quadratic.
        escape = text.find("\\", pos, len(text) if quote < 0 else quote)
        if escape < 0:
            return quote
        pos = escape + 2
