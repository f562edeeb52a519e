"""Known queries: per fixture, read-only statements and the answers a test author relies on.

Declared in fixtures.toml as ``queries = [{ sql = "SELECT COUNT(*) FROM T", equals = 40 }]``.
Statements are checked to be read-only when fixtures.toml is loaded (:func:`check_read_only`)
and run on a DB-API connection by :func:`irisfx.reconcile.answers.check_queries`.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

from irisfx.errors import ConfigError

MAX_ROWS = 1000  # "a small list of rows": the answer lives in fixtures.toml
MAX_SQL = 10_000  # characters

Scalar = str | int | float | bool
QUERY_TIMEOUT_ENV = "IRISFX_QUERY_TIMEOUT"
DEFAULT_QUERY_TIMEOUT = 30.0  # seconds a known query or 'irisfx sql' may run
# Words that change data or schema. A read-only statement starts with SELECT or WITH and
# holds none of them outside strings and quoted identifiers (IRIS's SELECT ... INTO writes).
_WRITES = frozenset({
    "ALTER", "CALL", "CREATE", "DELETE", "DROP", "EXEC", "EXECUTE", "GRANT", "INSERT", "INTO",
    "KILL", "LOCK", "MERGE", "PURGE", "REVOKE", "SET", "TRUNCATE", "UNLOCK", "UPDATE",
})
_QUOTED = re.compile(r"'(?:[^']|'')*'?|\"(?:[^\"]|\"\")*\"?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_read_only(sql: str) -> str:
    """Return ``sql`` if it is one read-only statement (SELECT or WITH), else ValueError.

    Only an early, friendlier message: the engine itself enforces read-only (a connection
    opened with ``read_only=True``), since no reading of SQL text can be made safe.
    """
    if len(sql) > MAX_SQL:
        raise ValueError(f"the statement is longer than {MAX_SQL:,} characters")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in sql):
        raise ValueError("the statement holds a control character (such as a NUL byte)")
    from irisfx.recipes.script import split_sql

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


def query_timeout() -> float:
    """Seconds a known query or ``irisfx sql`` statement may run: IRISFX_QUERY_TIMEOUT or 30."""
    raw = os.environ.get(QUERY_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_QUERY_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{QUERY_TIMEOUT_ENV} must be a number of seconds above 0, not "
                          f"{raw[:40]!r}", fix=f"set {QUERY_TIMEOUT_ENV}=30, or unset it "
                          f"for the default of {DEFAULT_QUERY_TIMEOUT:g} s")
    return value


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
