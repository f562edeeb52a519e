"""Known queries: per fixture, read-only statements and the answers a test author relies on.

Declared in fixtures.toml as ``queries = [{ sql = "SELECT COUNT(*) FROM T", equals = 40 }]``.
Statements are checked to be read-only when fixtures.toml is loaded (:func:`check_read_only`)
and run on a DB-API connection by :func:`check_queries`, which returns what did not match.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from irisfx.engines.base import Connection
    from irisfx.models import ResolvedFixture

MAX_ROWS = 1000  # "a small list of rows": the answer lives in fixtures.toml
MAX_SQL = 10_000  # characters

Scalar = str | int | float | bool
# Words that change data or schema. A read-only statement starts with SELECT or WITH and
# holds none of them outside strings and quoted identifiers (IRIS's SELECT ... INTO writes).
_WRITES = frozenset({
    "ALTER", "CALL", "CREATE", "DELETE", "DROP", "EXEC", "EXECUTE", "GRANT", "INSERT", "INTO",
    "KILL", "LOCK", "MERGE", "PURGE", "REVOKE", "SET", "TRUNCATE", "UNLOCK", "UPDATE",
})
_QUOTED = re.compile(r"'(?:[^']|'')*'?|\"(?:[^\"]|\"\")*\"?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_read_only(sql: str) -> str:
    """Return ``sql`` if it is one read-only statement (SELECT or WITH), else ValueError."""
    if len(sql) > MAX_SQL:
        raise ValueError(f"the statement is longer than {MAX_SQL:,} characters")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in sql):
        raise ValueError("the statement holds a control character (such as a NUL byte)")
    from irisfx.recipes import split_sql

    statements = split_sql(sql)
    if not statements:
        raise ValueError("the statement is empty; write a SELECT")
    if len(statements) > 1:
        raise ValueError(f"write one statement, not {len(statements)} (a ';' ends the first)")
    words = [w.upper() for w in _WORD.findall(_QUOTED.sub(" ", statements[0]))]
    if not words or words[0] not in ("SELECT", "WITH"):
        first = words[0] if words else statements[0][:20]
        raise ValueError(f"only SELECT and WITH are allowed, not {first}: known queries "
                         "read, they never change the fixture")
    writes = sorted(set(words) & _WRITES)
    if writes:
        raise ValueError(f"{', '.join(writes)} would change data or schema: known queries "
                         "only read")
    return sql


def check_equals(value: Any) -> Scalar | list[Scalar | list[Scalar]]:
    """Return ``value`` if it is a value, or a list of at most MAX_ROWS rows of values."""
    if _is_scalar(value):
        return value  # type: ignore[no-any-return]
    if not isinstance(value, list):
        raise ValueError("must be a value (string, number, true or false) or a list of rows")
    if len(value) > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS:,} rows; check a COUNT(*) for more")
    for number, row in enumerate(value, start=1):
        if not _is_scalar(row) and not (isinstance(row, list) and all(map(_is_scalar, row))):
            raise ValueError(f"row {number} must be an array of values (strings, numbers, "
                             "true or false), or one value for a one-column row")
    return value


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


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
