"""Command-line errors in irisfx's words, not the parsing library's.

typer's click layer says "-5.0 is not in the range x>=0.0." and "'x' is not a valid int
range."; a person at a prompt reads "must be 0 or more" and "must be a whole number" better.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import typer


def _bound(words: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return words.format(match.group(1).removesuffix(".0"))
    return replace


_PLAIN: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\S+ is not in the range x>=(\S+?)\.?$"), _bound("must be {} or more")),
    (re.compile(r"\S+ is not in the range x>(\S+?)\.?$"), _bound("must be more than {}")),
    (re.compile(r"\S+ is not in the range x<=(\S+?)\.?$"), _bound("must be {} or less")),
    (re.compile(r"('[^']*') is not a valid int range\."), r"\1 is not a whole number"),
    (re.compile(r"('[^']*') is not a valid float range\."), r"\1 is not a number"),
)


def plain(message: str) -> str:
    """``message`` with the parser's phrases replaced by plain ones."""
    for pattern, replacement in _PLAIN:
        message = pattern.sub(replacement, message)
    return message


def plain_words(error: typer.TyperException) -> None:
    """Rewrite a usage error's message in place, before it prints itself."""
    message = getattr(error, "message", None)
    if isinstance(message, str):
        error.message = plain(message)
