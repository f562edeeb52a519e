"""How a helper method is called: ObjectScript's view of arguments, errors and replies.

``public`` marks a method of the stand-in as a public class method of ZIrisFx.Helper and names
the keys its reply may hold (tests/static/test_standin_matches_helper.py holds them equal to
the class's source). ``invoke`` calls one as the Native API would: wrong arity fails as IRIS
fails, an error becomes ``{"ok":0,"error":...}`` like the class's ``Fail``, and a reply with a
key the method does not declare is refused, so the declaration cannot drift from the code.
"""

from __future__ import annotations

import inspect
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .instance import IrisError, normalize_directory

F = TypeVar("F", bound=Callable[..., Any])
BASE_KEYS = frozenset({"ok", "error"})
# Replies whose objects are keyed by data (project names, namespaces), not by reply keys:
# key -> how many levels of data keys to pass before reply keys again.
DATA_LEVELS = {"projects": 2}


def public(*keys: str, json_reply: bool = True) -> Callable[[F], F]:
    """Mark a public class method of the helper and the keys of its reply."""

    def mark(method: F) -> F:
        method.reply_keys = frozenset(keys)  # type: ignore[attr-defined]
        method.json_reply = json_reply  # type: ignore[attr-defined]
        return method

    return mark


def public_methods(cls: type) -> dict[str, Callable[..., Any]]:
    """The public class methods of a helper class, by name."""
    return {name: member for name, member in inspect.getmembers(cls, inspect.isfunction)
            if hasattr(member, "reply_keys")}


def arity(method: Callable[..., Any]) -> list[str]:
    """The formal parameters of a helper method, without self."""
    return list(inspect.signature(method).parameters)[1:]


def invoke(helper: object, method: str, args: tuple[Any, ...]) -> Any:
    """Call ``method`` as the Native API does; the value IRIS would return."""
    found = public_methods(type(helper)).get(method)
    if found is None:
        raise IrisError(f"<METHOD DOES NOT EXIST> {method},ZIrisFx.Helper")
    formals = arity(found)
    required = [name for name, p in inspect.signature(found).parameters.items()
                if p.default is inspect.Parameter.empty][1:]
    if len(args) > len(formals):
        raise IrisError(f"<PARAMETER> {method}+1^ZIrisFx.Helper.1")
    if len(args) < len(required):
        raise IrisError(f"<UNDEFINED> {method}+1^ZIrisFx.Helper.1 *{required[len(args)]}")
    if not found.json_reply:  # type: ignore[attr-defined]
        return found(helper, *args)
    try:
        reply = found(helper, *args)
    except IrisError as exc:
        reply = {"ok": 0, "error": exc.display}
    extra = reply_keys(reply) - found.reply_keys - BASE_KEYS  # type: ignore[attr-defined]
    if extra:
        raise AssertionError(f"stand-in {method} replied with undeclared keys {sorted(extra)}")
    return json.dumps(reply, separators=(",", ":"))


def reply_keys(value: Any, data_levels: int = 0) -> frozenset[str]:
    """Every key of a reply object, nested ones included, data keys left out."""
    if not isinstance(value, dict):
        return frozenset()
    found: set[str] = set()
    for key, inner in value.items():
        if data_levels:
            found |= reply_keys(inner, data_levels - 1)
            continue
        found.add(key)
        found |= reply_keys(inner, DATA_LEVELS.get(key, 0))
    return frozenset(found)


# -- ObjectScript's values and %Library.File --------------------------------------------------

def number(value: Any) -> float:
    """An argument as ObjectScript reads it as a number (leading numeric part, else 0)."""
    match = re.match(r"\s*[-+]?(\d+\.?\d*|\.\d+)", str(value))
    return float(match.group()) if match else 0.0


def truth(value: Any) -> bool:
    """ObjectScript truth: a number that is not 0."""
    return number(value) != 0


def get_directory(path: str) -> str:
    """%File.GetDirectory: the directory part, with its trailing separator."""
    return os.path.dirname(path) + "/"


def below(path: str, base: str) -> bool:
    """The class's Below: strictly under ``base``, and never through a ``..`` segment."""
    if base == "":
        return False
    if "/../" in "/" + path.replace("\\", "/") + "/":
        return False
    directory = normalize_directory(base)
    return path.startswith(directory) and len(path) > len(directory)


def horolog_utc(path: Path) -> str:
    """%File.GetFileDateModified(path, 1): $HOROLOG "days,seconds" in UTC."""
    seconds = int(path.stat().st_mtime)
    days, rest = divmod(seconds, 86400)
    return f"{days + 47117},{rest}"  # $H day 47117 is 1970-01-01
