"""IRIS vector search on the simulator: VECTOR columns hold text, as TO_VECTOR's input does.

IRIS stores ``VECTOR(DOUBLE, n)`` natively; the simulator keeps the text form ("0.1,0.2" or
"[0.1,0.2]") and computes VECTOR_COSINE and VECTOR_DOT_PRODUCT in Python, which is enough for
test fixtures of RAG tables.
"""

from __future__ import annotations

import math
import sqlite3


def parse_vector(text: str | None) -> list[float] | None:
    """The numbers of a vector's text form; None stays None."""
    if text is None:
        return None
    return [float(part) for part in str(text).strip().strip("[]").split(",") if part.strip()]


def dot_product(a: str | None, b: str | None) -> float | None:
    """VECTOR_DOT_PRODUCT(a, b)."""
    x, y = parse_vector(a), parse_vector(b)
    if x is None or y is None:
        return None
    if len(x) != len(y):
        raise ValueError(f"vectors of different lengths ({len(x)} and {len(y)})")
    return sum(p * q for p, q in zip(x, y, strict=True))


def cosine(a: str | None, b: str | None) -> float | None:
    """VECTOR_COSINE(a, b): cosine similarity."""
    dot = dot_product(a, b)
    x, y = parse_vector(a), parse_vector(b)
    if dot is None or x is None or y is None:
        return None
    norms = math.sqrt(sum(p * p for p in x)) * math.sqrt(sum(q * q for q in y))
    return dot / norms if norms else None


def register(connection: sqlite3.Connection) -> None:
    """Make the vector functions callable from SQL on ``connection``."""
    connection.create_function("VECTOR_DOT_PRODUCT", 2, dot_product, deterministic=True)
    connection.create_function("VECTOR_COSINE", 2, cosine, deterministic=True)
