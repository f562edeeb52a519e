"""Known queries run on a connection: which answers differ from fixtures.toml's ``equals``."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from irisfx.lockfile.queries import MAX_ROWS, Scalar

if TYPE_CHECKING:
    from irisfx.lockfile.models import ResolvedFixture
    from irisfx.recipes.connection import Connection


@dataclass(frozen=True)
class QueryFailure:
    """A known query whose answer was not the declared one (or that could not run)."""

    fixture: str
    sql: str
    expected: Any
    actual: Any = None  # a value, or a list of rows (lists), as the engine returned them
    error: str | None = None  # the engine's message when the statement failed

    def describe(self) -> str:
        """One line for people: fixture, statement, expected and actual."""
        found = f"failed: {self.error}" if self.error else f"found {_show(self.actual)}"
        return (f"fixture '{self.fixture}': {_one_line(self.sql)}: expected "
                f"{_show(self.expected)}, {found}")


def check_queries(fixture: ResolvedFixture, connection: Connection) -> list[QueryFailure]:
    """Run ``fixture``'s known queries on ``connection``; the ones that did not match.

    ``connection`` is a DB-API connection to the namespace to check (e.g. ``engine.connect(
    fixture.mount)`` after mounting, or the source before pinning). Nothing is committed: the
    connection is rolled back afterwards. The caller closes the connection.
    """
    failures: list[QueryFailure] = []
    if not fixture.decl.queries:
        return failures
    cursor = connection.cursor()
    try:
        for query in fixture.decl.queries:
            try:
                cursor.execute(query.sql)
                rows = _fetch(cursor)
            except Exception as exc:  # any driver's error is this query's failure
                failures.append(QueryFailure(fixture.name, query.sql, query.equals,
                                             error=f"{type(exc).__name__}: {exc}"))
                continue
            actual = _answer(rows, query.equals)
            if not _same(query.equals, actual):
                failures.append(QueryFailure(fixture.name, query.sql, query.equals, actual))
    finally:
        with contextlib.suppress(Exception):
            cursor.close()
        with contextlib.suppress(Exception):
            connection.rollback()
    return failures


def _fetch(cursor: Any) -> list[list[Any]]:
    rows: list[list[Any]] = []
    # One more than allowed: enough to say "too many" without reading a huge result.
    while len(rows) <= MAX_ROWS:
        row = cursor.fetchone()
        if row is None:
            break
        rows.append(list(row))
    return rows


def _answer(rows: list[list[Any]], expected: Any) -> Any:
    if not isinstance(expected, list) and len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return rows


def _same(expected: Any, actual: Any) -> bool:
    if not isinstance(expected, list):
        return not isinstance(actual, list) and _equal(expected, actual)
    if not isinstance(actual, list) or len(actual) != len(expected):
        return False
    for want, got in zip(expected, actual, strict=True):
        row = want if isinstance(want, list) else [want]
        if len(row) != len(got) or not all(map(_equal, row, got)):
            return False
    return True


def _equal(expected: Scalar, actual: Any) -> bool:
    if isinstance(expected, bool):
        return actual in (0, 1) and not isinstance(actual, str) and bool(actual) is expected
    if isinstance(expected, int | float):
        if isinstance(actual, bool) or not isinstance(actual, int | float | Decimal):
            return False
        try:  # drivers return Decimal for NUMERIC and sometimes text: compare exactly
            return Decimal(str(actual)) == Decimal(str(expected))
        except InvalidOperation:
            return False
    if isinstance(actual, dt.date | dt.time):
        return str(actual) == expected or actual.isoformat() == expected
    return isinstance(actual, str) and actual == expected


def _show(value: Any) -> str:
    if isinstance(value, list) and len(value) > MAX_ROWS:
        return f"more than {MAX_ROWS:,} rows"
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _one_line(sql: str) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= 120 else text[:117] + "..."
