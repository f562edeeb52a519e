"""Command-line errors in irisfx's words, not the validation library's.

typer checks option values with pydantic, whose messages ("Input should be greater than or
equal to 1", "Value error, ...") read like a traceback to a person at a prompt.
"""

from __future__ import annotations

import re

import typer

_PLAIN = (
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"must be \1 or more"),
    (re.compile(r"Input should be greater than (\S+)"), r"must be more than \1"),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"must be \1 or less"),
    (re.compile(r"Input should be a valid number[^.]*"), "must be a number"),
    (re.compile(r"Input should be a valid integer[^.]*"), "must be a whole number"),
    (re.compile(r"Value error, "), ""),
    (re.compile(r"'(\S+)' is not one of (.+)\.$"), r"'\1' is not one of \2"),
)


def plain(message: str) -> str:
    """``message`` with pydantic's phrases replaced by plain ones."""
    for pattern, replacement in _PLAIN:
        message = pattern.sub(replacement, message)
    return message


def plain_words(error: typer.TyperException) -> None:
    """Rewrite a usage error's message in place, before it prints itself."""
    message = getattr(error, "message", None)
    if isinstance(message, str):
        error.message = plain(message)
