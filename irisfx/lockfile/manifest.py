"""A pin's manifest: one line of text per table, so ``git diff fixtures.toml`` reads as a review.

A table's line holds its row count, a content digest that does not depend on row order, the
primary key and the columns with their types::

    "RAG.Entities" = "100 rows; digest 5be2…(32 hex); key ID; ID INTEGER, Name VARCHAR(100)"

It is a string, not an inline table, so that every TOML writer keeps it on one line. The
engine version that wrote the file and when are the pin's ``built_by`` and ``created``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGEST_HEX = 32  # blake2b-128: a change detector; the pin's sha256 guards the file itself
ROW_ID = "%ID"  # the key of a table without a primary key: IRIS's row id
_BARE_NAME = re.compile(r"^[A-Za-z_%][A-Za-z0-9_%$]*$")
_LINE = re.compile(r"^(?P<rows>\d+) rows?; digest (?P<digest>[0-9a-f]{" + str(DIGEST_HEX)
                   + r"}); key (?P<key>.+?); columns (?P<columns>.*)$")
_COLUMN = re.compile(r'(?P<name>"(?:[^"]|"")*"|[^\s",]+) (?P<type>[^,(]*(?:\([^)]*\)[^,(]*)?)'
                     r"(?:, |$)")
_KEY_PART = re.compile(r'"(?:[^"]|"")*"|[^\s",+]+')


@dataclass(frozen=True)
class Column:
    """A column and its type as the engine reports it (normalised: upper case, no spaces in
    parentheses)."""

    name: str
    type: str


@dataclass(frozen=True)
class TableManifest:
    """What a pin records about one table."""

    rows: int
    digest: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # primary key columns; () means rows are keyed by row id

    def line(self) -> str:
        """The table's line in fixtures.toml."""
        key = "+".join(_name(k) for k in self.key) if self.key else ROW_ID
        columns = ", ".join(f"{_name(c.name)} {c.type}" for c in self.columns)
        unit = "row" if self.rows == 1 else "rows"
        return f"{self.rows} {unit}; digest {self.digest}; key {key}; columns {columns}"


def normalize_type(raw: str) -> str:
    """A column type as the manifest writes it: ``varchar ( 100 )`` -> ``VARCHAR(100)``."""
    text = " ".join(raw.upper().split())
    text = re.sub(r"\s*\(\s*", "(", text)
    text = re.sub(r"\s*,\s*", ",", text)
    text = re.sub(r"\s*\)", ")", text)
    # A comma outside parentheses or a second parenthesis would make the line ambiguous.
    head, paren, rest = text.partition("(")
    inner, close, tail = rest.partition(")")
    if paren and close:
        text = f"{head}({inner}){tail.replace('(', ' ').replace(')', ' ')}".rstrip()
    text = text.replace(";", " ")
    if not paren:
        text = text.replace(",", " ").replace(")", " ")
    return text.strip() or "ANY"


def _name(name: str) -> str:
    return name if _BARE_NAME.match(name) else '"' + name.replace('"', '""') + '"'


def _unquote(token: str) -> str:
    return token[1:-1].replace('""', '"') if token.startswith('"') else token


def parse_line(text: str) -> TableManifest:
    """The table manifest a line holds; ValueError (saying what is wrong) for anything else."""
    match = _LINE.match(text)
    if match is None:
        raise ValueError("must be a manifest line written by irisfx: "
                         "'N rows; digest HEX; key COLUMNS; columns NAME TYPE, ...'")
    columns: list[Column] = []
    rest = match["columns"]
    at = 0
    while at < len(rest):
        column = _COLUMN.match(rest, at)
        if column is None or column.end() == at:
            raise ValueError(f"the columns of the manifest line cannot be read at {rest[at:]!r}")
        columns.append(Column(_unquote(column["name"]), column["type"]))
        at = column.end()
    key_text = match["key"]
    key = () if key_text == ROW_ID else tuple(
        _unquote(part) for part in _KEY_PART.findall(key_text))
    return TableManifest(int(match["rows"]), match["digest"], tuple(columns), key)


def check_line(text: str) -> str:
    """Pydantic validator: a manifest line that parses, returned as it is."""
    parse_line(text)
    return text
