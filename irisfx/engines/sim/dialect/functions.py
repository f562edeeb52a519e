"""IRIS's collations and SQL functions, as SQLite collations and functions.

Registered on every connection to a simulator database (engines/sim/database.py), because the
stored schema names them: a column declared ``COLLATE SQLUPPER`` cannot even be read without
the collation.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from irisfx.engines.sim.dialect import dates
from irisfx.engines.sim.dialect.problems import FunctionError
from irisfx.engines.sim.vectors import cosine, dot_product, to_vector, vector_ok

_last_error = threading.local()


def last_function_error() -> str | None:
    """The message of the last function that failed on this thread, once."""
    message: str | None = getattr(_last_error, "message", None)
    _last_error.message = None
    return message


def _reporting(function: Any) -> Any:
    # SQLite reports any exception in a function as "user-defined function raised
    # exception"; the message is kept aside so the error can say what IRIS would.
    def call(*args: Any) -> Any:
        try:
            return function(*args)
        except FunctionError as exc:
            _last_error.message = str(exc)
            raise
    return call


def sqlupper_key(value: str) -> str:
    """SQLUPPER's collation key without its leading space: upper case, no trailing blanks."""
    return value.rstrip().upper()


def _compare(a: str, b: str) -> int:
    return (a > b) - (a < b)


def _sqlupper(a: str, b: str) -> int:
    return _compare(sqlupper_key(a), sqlupper_key(b))


def _sqlstring(a: str, b: str) -> int:
    return _compare(a.rstrip(), b.rstrip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def canonical(value: Any) -> Any:
    """A number as ObjectScript writes it: no trailing zeros, no leading zero (.5, -1.25)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    text = format(Decimal(repr(value)).normalize(), "f")
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def concat(a: Any, b: Any) -> Any:
    """``a || b``: NULL if either is NULL, numbers in canonical form (RSQL_concat)."""
    if a is None or b is None:
        return None
    return f"{canonical(a)}{canonical(b)}"


def sqlupper(value: Any, maxlen: int | None = None) -> str | None:
    """%SQLUPPER(x[, maxlen]): ' ' + upper case, trailing blanks gone (RSQL_sqlupper)."""
    if value is None:
        return None
    key = " " + sqlupper_key(_text(value))
    return key[:maxlen] if maxlen else key


def sqlstring(value: Any, maxlen: int | None = None) -> str | None:
    """%SQLSTRING(x[, maxlen]): ' ' + the value, trailing blanks gone (RSQL_sqlstring)."""
    if value is None:
        return None
    key = " " + _text(value).rstrip()
    return key[:maxlen] if maxlen else key


def truncate(value: Any, length: int | None = None) -> Any:
    """%TRUNCATE(x, n): the first n characters, case-sensitive."""
    if value is None or length is None:
        return value
    return _text(value)[:length]


def grouped_display(value: Any) -> Any:
    """What DISTINCT/GROUP BY return for a SQLUPPER column: upper case (GSQL_collation_query)."""
    if isinstance(value, str):
        return sqlupper_key(value)
    return value


@lru_cache(maxsize=512)
def _like_pattern(pattern: str, escape: str | None, fold: bool) -> re.Pattern[str]:
    out = []
    chars = iter(pattern)
    for char in chars:
        if escape and char == escape:
            out.append(re.escape(next(chars, "")))
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if fold else 0))


def _like(fold: bool) -> Any:
    def like(pattern: Any, value: Any, escape: Any = None) -> int | None:
        if pattern is None or value is None:
            return None
        text, wanted = _text(value), _text(pattern)
        if fold:  # SQLUPPER: case and trailing blanks do not count (RSQL_like)
            text, wanted = sqlupper_key(text), sqlupper_key(wanted)
        return int(_like_pattern(wanted, escape, fold).fullmatch(text) is not None)
    return like


def starts_exact(value: Any, prefix: Any) -> int | None:
    """%STARTSWITH on an EXACT/SQLSTRING value: case-sensitive."""
    if value is None or prefix is None:
        return None
    return int(_text(value).startswith(_text(prefix)))


def starts_upper(value: Any, prefix: Any) -> int | None:
    """%STARTSWITH on a SQLUPPER value: not case-sensitive (RSQL_startswith)."""
    if value is None or prefix is None:
        return None
    return int(sqlupper_key(_text(value)).startswith(sqlupper_key(_text(prefix))))


def now() -> str:
    """NOW(), GETDATE(), CURRENT_TIMESTAMP: local time, whole seconds (RSQL_now)."""
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def round_numeric(value: Any, scale: int) -> Any:
    """A NUMERIC(p,s) value rounded to s places, half away from zero (%Library.Numeric SCALE)."""
    if value is None or isinstance(value, (bytes, str)):
        return value
    try:
        exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return value
    return int(exact) if scale == 0 else float(exact)


def register(connection: sqlite3.Connection) -> None:
    """Make IRIS's collations and functions available on ``connection``."""
    connection.create_collation("SQLUPPER", _sqlupper)
    connection.create_collation("SQLSTRING", _sqlstring)
    functions: list[tuple[str, int, Any, bool]] = [
        ("IRISFX_SQLUPPER", 1, sqlupper, True), ("IRISFX_SQLUPPER", 2, sqlupper, True),
        ("IRISFX_SQLSTRING", 1, sqlstring, True), ("IRISFX_SQLSTRING", 2, sqlstring, True),
        ("IRISFX_TRUNCATE", 1, truncate, True), ("IRISFX_TRUNCATE", 2, truncate, True),
        ("IRISFX_GROUPED", 1, grouped_display, True),
        ("IRISFX_CONCAT", 2, concat, True),
        ("like", 2, _like(True), True), ("like", 3, _like(True), True),
        ("IRISFX_LIKE_EXACT", 2, _like(False), True), ("IRISFX_LIKE_EXACT", 3, _like(False), True),
        ("IRISFX_STARTS_EXACT", 2, starts_exact, True),
        ("IRISFX_STARTS_UPPER", 2, starts_upper, True),
        ("IRISFX_NOW", 0, now, False),
        ("IRISFX_ROUND", 2, round_numeric, True),
        ("TO_VECTOR", 1, to_vector, True), ("TO_VECTOR", 2, to_vector, True),
        ("TO_VECTOR", 3, to_vector, True),
        ("IRISFX_VECTOR_OK", 3, vector_ok, True),
        ("VECTOR_COSINE", 2, cosine, True), ("VECTOR_DOT_PRODUCT", 2, dot_product, True),
        ("IRISFX_DATEADD", 3, dates.dateadd, True),
        ("IRISFX_DATEDIFF", 3, dates.datediff, True),
        ("IRISFX_DATEPART", 2, dates.datepart, True),
        ("IRISFX_DATE_OK", 2, dates.date_ok, True),
    ]
    for name, arity, function, deterministic in functions:
        connection.create_function(name, arity, _reporting(function),
                                   deterministic=deterministic)
