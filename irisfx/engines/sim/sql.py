"""SQL for the simulator: DB-API wrappers that run IRIS SQL on a simulated database.

Each statement goes through :mod:`irisfx.engines.sim.dialect`, which emulates it, skips it with
a note, or refuses it (NotEmulatedError); SQLite's errors are said in IRIS's terms (SQLCODE,
``RAG.Entities`` rather than ``main."RAG.Entities"``).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from typing import Any

from irisfx.engines.sim.dialect import (
    Catalog,
    FunctionError,
    SyntaxProblem,
    Translation,
    read_catalog,
    translate,
)
from irisfx.engines.sim.dialect.catalog import DEFAULT_SCHEMA, qualified
from irisfx.errors import NotEmulatedError

__all__ = ["DEFAULT_SCHEMA", "SimConnection", "SimCursor", "qualified", "quote"]

_CACHE_SIZE = 4096


def quote(table: str) -> str:
    """The SQLite identifier that stands for the IRIS table ``table``."""
    return '"' + qualified(table).replace('"', '""') + '"'


# One token of SQL text, for finding the literals of an INSERT. Quoted identifiers and
# comments are matched only to be skipped, and every string is consumed whole, so nothing
# inside one is mistaken for a token.
_TOKEN = re.compile(r"""
    (?P<skip>"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|\[[^\]]*\]|\{[^}]*\})
  | (?P<param>\?)
  | (?P<string>'(?:[^']|'')*')
  | (?P<number>(?<![\w.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.]))
""", re.VERBOSE | re.DOTALL)


def _is_value(sql: str, start: int) -> bool:
    # A literal counts only after '(' ',' '=' or an operator: typed and prefixed literals
    # (DATE '2024-01-01', N'x', X'00') keep their text in the statement's shape.
    if start and (sql[start - 1].isalnum() or sql[start - 1] == "_"):
        return False
    before = sql[max(0, start - 32):start].rstrip()
    return bool(before) and before[-1] in "(,=<>+-*/"


def shape(sql: str) -> tuple[str, list[str]] | None:
    """An INSERT with its value literals replaced by '?', and the literals in order."""
    literals: list[str] = []
    parts: list[str] = []
    last = 0
    for match in _TOKEN.finditer(sql):
        if match.lastgroup == "param":
            return None  # already parameterized: its '?'s would mix with the literals
        if match.lastgroup not in ("string", "number") or not _is_value(sql, match.start()):
            continue
        parts += [sql[last:match.start()], "?"]
        literals.append(match.group())
        last = match.end()
    parts.append(sql[last:])
    return "".join(parts), literals


def _restore(translated: str, literals: list[str]) -> str | None:
    """The template's translation with the literals back in place of its '?'s, or None if
    the translation lost or gained some."""
    pieces, last = [], 0
    for match in _TOKEN.finditer(translated):
        if match.lastgroup == "param":
            pieces.append(translated[last:match.start()])
            last = match.end()
    pieces.append(translated[last:])
    if len(pieces) != len(literals) + 1:
        return None
    out = [pieces[0]]
    for literal, piece in zip(literals, pieces[1:], strict=True):
        out += [literal, piece]
    return "".join(out)


class _Translator:
    """Translations of one connection, cached per statement text and schema version.

    Parsing is the slow part, and a recipe's INSERTs differ only in their values: an INSERT
    is translated once per shape, with its literals taken out and put back.
    """

    def __init__(self, inner: sqlite3.Connection) -> None:
        self._inner = inner
        self._catalog: Catalog | None = None
        self._cache: dict[tuple[str, int], Translation] = {}
        self.parsed = 0  # statements translated from scratch (not from the cache)

    def catalog(self) -> Catalog:
        version = int(self._inner.execute("PRAGMA schema_version").fetchone()[0])
        if self._catalog is None or self._catalog.version != version:
            self._catalog = read_catalog(self._inner)
        return self._catalog

    def __call__(self, sql: str) -> Translation:
        catalog = self.catalog()
        if sql.lstrip()[:6].upper() == "INSERT":
            shaped = shape(sql)
            if shaped is not None and shaped[1]:
                try:
                    template = self._cached(shaped[0], catalog)
                except Exception:  # the statement's own text decides what is said
                    template = None
                if template is not None and len(template.steps) == 1 and \
                        isinstance(template.steps[0], str):
                    restored = _restore(template.steps[0], shaped[1])
                    if restored is not None:
                        return replace(template, steps=(restored,))
        return self._cached(sql, catalog)

    def _cached(self, sql: str, catalog: Catalog) -> Translation:
        key = (sql, catalog.version)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self.parsed += 1
            found = self._cache[key] = translate(sql, catalog, self._inner)
        return found


_CONSTRAINTS = [
    (re.compile(r"CHECK constraint failed: irisfx_valid (.*)"),
     "SQLCODE -104: Field '{0}' failed validation in INSERT or UPDATE"),
    (re.compile(r"CHECK constraint failed: irisfx_date (.*)"),
     "SQLCODE -146: Field '{0}': not a valid ODBC date/time value ('yyyy-mm-dd', "
     "'yyyy-mm-dd hh:mm:ss', 'hh:mm:ss')"),
    (re.compile(r"NOT NULL constraint failed: (.*)"),
     "SQLCODE -108: Required field '{0}' missing; INSERT or UPDATE"),
    (re.compile(r"UNIQUE constraint failed: (.*)"),
     "SQLCODE -119: UNIQUE or PRIMARY KEY constraint failed uniqueness check ({0})"),
    (re.compile(r"FOREIGN KEY constraint failed"),
     "SQLCODE -121: FOREIGN KEY constraint failed (a referenced row is missing or still "
     "referenced)"),
    (re.compile(r"no such table: (.*)"), "SQLCODE -30: Table '{0}' not found"),
    (re.compile(r"table (.*) already exists"), "SQLCODE -201: Table '{0}' already exists"),
    (re.compile(r"no such column: (.*)"), "SQLCODE -29: Field '{0}' not found"),
]


def _in_iris_terms(exc: BaseException) -> str:
    text = re.sub(r'main\.|"', "", str(exc))
    if "user-defined function raised exception" in text:
        from irisfx.engines.sim.dialect.functions import last_function_error

        text = last_function_error() or text
    for pattern, message in _CONSTRAINTS:
        match = pattern.search(text)
        if match:
            text = message.format(*match.groups())
            break
    return text if "(simulator" in text else text + " (simulator)"


@contextmanager
def _iris_errors() -> Iterator[None]:
    """Say SQLite's errors, and the dialect's refusals of bad SQL, in IRIS's terms."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        # SQLite could not prepare what the dialect wrote: an IRIS function or form the
        # simulator does not have (nothing of the statement ran).
        missing = re.match(r"no such function: (\S+)", str(exc))
        if missing:
            raise NotEmulatedError(f"the function {missing.group(1)}") from None
        syntax = re.match(r"near (\S+): syntax error", str(exc))
        if syntax:
            raise NotEmulatedError(f"the SQL near {syntax.group(1)}") from None
        raise sqlite3.OperationalError(_in_iris_terms(exc)) from None
    except sqlite3.Error as exc:
        raise type(exc)(_in_iris_terms(exc)) from None
    except (SyntaxProblem, FunctionError) as exc:
        raise sqlite3.OperationalError(f"SQLCODE -1: invalid SQL: {exc} (simulator)") from None


class SimCursor:
    """A DB-API cursor that runs IRIS SQL on the simulator's SQLite database."""

    def __init__(self, inner: sqlite3.Cursor, connection: SimConnection) -> None:
        self._inner = inner
        self._connection = connection
        self._scales: tuple[int | None, ...] = ()

    @property
    def description(self) -> Any:
        """Column descriptions of the last query (PEP 249)."""
        return self._inner.description

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement (PEP 249)."""
        return self._inner.rowcount

    def execute(self, operation: str, parameters: Sequence[Any] = ()) -> SimCursor:
        """Run one IRIS statement with ``?`` parameters (NotEmulatedError if not emulated)."""
        with _iris_errors():
            translation = self._connection.translator(operation)
            self._run(translation, lambda sql: self._inner.execute(sql, parameters))
        return self

    def executemany(self, operation: str, seq: Sequence[Sequence[Any]]) -> SimCursor:
        """Run one statement once per parameter row."""
        with _iris_errors():
            translation = self._connection.translator(operation)
            if translation.upsert_table:
                for parameters in seq:
                    self._run(translation, lambda sql, p=parameters: self._inner.execute(sql, p))
            else:
                self._run(translation, lambda sql: self._inner.executemany(sql, seq))
        return self

    def _run(self, translation: Translation, first: Any) -> None:
        if translation.note:
            self._connection.notes.append(translation.note)
        self._scales = translation.scales
        if translation.upsert_table:
            self._upsert(translation.upsert_table, lambda: first(translation.steps[0]))
            return
        for position, step in enumerate(translation.steps):
            if callable(step):
                step(self._inner)
            elif position == 0:
                first(step)
            else:
                self._inner.execute(step)

    def _upsert(self, table: str, run: Any) -> None:
        """INSERT OR UPDATE that updated a row gives back the RowID SQLite set aside for it."""
        counter = "SELECT seq FROM sqlite_sequence WHERE name = ?"
        before = self._inner.execute(counter, (table,)).fetchone()
        run()
        after = self._inner.execute(counter, (table,)).fetchone()
        if before is not None and after is not None and after != before and not \
                self._inner.execute(f"SELECT 1 FROM {quote(table)} WHERE rowid = ?",
                                    (after[0],)).fetchone():
            self._inner.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?",
                                (before[0], table))

    def _exact(self, row: Any) -> Any:
        if not self._scales or row is None:
            return row
        return tuple(
            Decimal(repr(value)).quantize(Decimal(1).scaleb(-scale))
            if scale is not None and isinstance(value, (int, float)) and not isinstance(value, bool)
            else value
            for value, scale in zip(row, self._scales, strict=False))

    def fetchone(self) -> Any:
        """The next row, or None."""
        return self._exact(self._inner.fetchone())

    def fetchmany(self, size: int = 1) -> list[Any]:
        """Up to ``size`` rows."""
        return [self._exact(row) for row in self._inner.fetchmany(size)]

    def fetchall(self) -> list[Any]:
        """Every remaining row."""
        return [self._exact(row) for row in self._inner.fetchall()]

    def close(self) -> None:
        """Close the cursor."""
        self._inner.close()

    def __iter__(self) -> Iterator[Any]:
        return (self._exact(row) for row in self._inner)


class SimConnection:
    """A DB-API connection to a simulated namespace (paramstyle ``qmark``, like IRIS).

    ``notes`` lists the statements skipped because they change nothing in a database file.
    """

    paramstyle = "qmark"
    Error = sqlite3.Error

    def __init__(self, inner: sqlite3.Connection, namespace: str) -> None:
        self._inner = inner
        self.namespace = namespace
        self.translator = _Translator(inner)
        self.notes: list[str] = []

    def cursor(self) -> SimCursor:
        """A new cursor."""
        return SimCursor(self._inner.cursor(), self)

    def execute(self, operation: str, parameters: Sequence[Any] = ()) -> SimCursor:
        """Shortcut: a new cursor that has run ``operation``."""
        return self.cursor().execute(operation, parameters)

    def commit(self) -> None:
        """Commit the open transaction."""
        self._inner.commit()

    def rollback(self) -> None:
        """Roll back the open transaction."""
        self._inner.rollback()

    def close(self) -> None:
        """Close the connection."""
        self._inner.close()

    def __enter__(self) -> SimConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.commit()
        else:
            self.rollback()
        self.close()
