"""IRIS table names (``Schema.Table``, unqualified -> ``SQLUser``) read from tokens."""

from __future__ import annotations

from irisfx.engines.sim.dialect.catalog import qualified
from irisfx.engines.sim.dialect.problems import SyntaxProblem
from irisfx.engines.sim.dialect.tokens import Token


def table_name(tokens: list[Token], index: int) -> tuple[str, int]:
    """The qualified table name starting at ``tokens[index]`` and the index after it."""
    parts: list[str] = []
    while index < len(tokens) and tokens[index].kind in ("word", "qident"):
        parts.append(tokens[index].name)
        index += 1
        if index < len(tokens) and tokens[index].text == ".":
            index += 1
        else:
            break
    if not parts:
        raise SyntaxProblem("a table name is missing")
    return qualified(".".join(parts[-2:])), index
