"""IRIS vectors on the simulator: VECTOR columns hold the checked text form ("1,0.5,3").

IRIS stores ``VECTOR(DOUBLE, n)`` natively; the simulator keeps the text TO_VECTOR makes of its
input (docs: RSQL_tovector) after checking it as IRIS does, and computes VECTOR_COSINE and
VECTOR_DOT_PRODUCT (RSQL_vectorcosine, RSQL_vectordotproduct) in Python.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from irisfx.engines.sim.dialect.problems import FunctionError

_NUMERIC = {"DOUBLE", "FLOAT", "DECIMAL", "INTEGER", "INT"}
_KNOWN = _NUMERIC | {"STRING", "VARCHAR", "TIMESTAMP"}


def _elements(text: str) -> list[str]:
    body = text.strip()
    if body.startswith("[") and body.endswith("]"):
        body = body[1:-1]
    parts = [part.strip() for part in body.split(",")]
    if parts == [""] or any(part == "" for part in parts):
        raise FunctionError(f"SQLCODE -1: TO_VECTOR cannot read {text[:40]!r} as a vector "
                            "(comma-separated elements, optionally in [ ])")
    return parts


def _number(element: str, kind: str) -> str:
    try:
        value = Decimal(element)
    except InvalidOperation:
        raise FunctionError(f"SQLCODE -1: TO_VECTOR element {element!r} is not a number "
                            f"(vector type {kind.lower()})") from None
    if not value.is_finite():
        raise FunctionError(f"SQLCODE -1: TO_VECTOR element {element!r} is not a number")
    if kind in ("INTEGER", "INT"):
        return str(int(value))  # RSQL_tovector: decimals are truncated, not rounded
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f") if kind == "DECIMAL" else repr(float(value))


def to_vector(data: Any, kind: Any = "DOUBLE", length: Any = None) -> str | None:
    """TO_VECTOR(data [, type] [, length]): the vector's text, or SQLCODE -1 for bad input."""
    if data is None:
        return None
    kind = str(kind).upper()
    if kind not in _KNOWN:
        raise FunctionError(f"SQLCODE -1: TO_VECTOR type {kind.lower()} is not one of "
                            "integer, double, decimal, float, string")
    parts = _elements(str(data))
    if kind in _NUMERIC:
        parts = [_number(part, kind) for part in parts]
    if length is not None:
        size = int(length)
        padding = "0" if kind in _NUMERIC else ""
        parts = (parts + [padding] * size)[:size]
    return ",".join(parts)


def vector_ok(value: Any, kind: str, length: int) -> int:
    """Whether ``value`` may be stored in a VECTOR(kind, length) column (else SQLCODE -104)."""
    if value is None:
        return 1
    try:
        parts = _elements(str(value))
        if kind in _NUMERIC:
            parts = [_number(part, kind) for part in parts]
    except FunctionError:
        return 0
    return int(not length or len(parts) == length)


def parse_vector(text: Any) -> list[float] | None:
    """The numbers of a vector's text form; None stays None (SQLCODE -258 if not numeric)."""
    if text is None:
        return None
    try:
        return [float(part) for part in _elements(str(text))]
    except ValueError:
        raise FunctionError("SQLCODE -258: a vector function needs numeric vectors") from None


def dot_product(a: Any, b: Any) -> float | None:
    """VECTOR_DOT_PRODUCT(a, b); vectors of different lengths fail with SQLCODE -257."""
    x, y = parse_vector(a), parse_vector(b)
    if x is None or y is None:
        return None
    if len(x) != len(y):
        raise FunctionError(f"SQLCODE -257: vectors of different lengths ({len(x)} and "
                            f"{len(y)})")
    return sum(p * q for p, q in zip(x, y, strict=True))


def cosine(a: Any, b: Any) -> float | None:
    """VECTOR_COSINE(a, b): cosine similarity."""
    dot = dot_product(a, b)
    x, y = parse_vector(a), parse_vector(b)
    if dot is None or x is None or y is None:
        return None
    norms = math.sqrt(sum(p * p for p in x)) * math.sqrt(sum(q * q for q in y))
    return dot / norms if norms else None
