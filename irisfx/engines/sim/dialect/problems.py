"""The two ways a statement fails before SQLite runs it, besides NotEmulatedError."""

from __future__ import annotations


class SyntaxProblem(Exception):
    """Text that is not SQL on IRIS either (an unclosed string, a stray character)."""


class FunctionError(ValueError):
    """An IRIS SQL function refused its arguments; the message carries IRIS's SQLCODE."""
