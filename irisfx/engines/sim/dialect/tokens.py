"""A tokenizer for one IRIS SQL statement, so IRIS's own syntax can be read before sqlglot.

sqlglot knows no ``%EXACT``, ``{fn NOW()}`` or ``%Library.String(MAXLEN=30)``; these are found
here, on tokens, so nothing inside a string literal, a quoted name or a comment is ever taken
for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from irisfx.engines.sim.dialect.problems import SyntaxProblem

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<qident>"(?:[^"]|"")*")
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[%A-Za-z_\u00c0-\uffff][\w$%#]*)
  | (?P<param>\?)
  | (?P<op><=>|<>|!=|<=|>=|\|\||[-+*/=<>(),.;{}\[\]:&|^~!@#$])
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class Token:
    """One token: its kind (word, string, number, qident, param, op) and its text."""

    kind: str
    text: str

    @property
    def upper(self) -> str:
        """The text in upper case (keywords compare this way)."""
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        """Whether this is one of ``words`` (unquoted, any case)."""
        return self.kind == "word" and self.text.upper() in words

    @property
    def name(self) -> str:
        """An identifier's name: a quoted one without its quotes."""
        if self.kind == "qident":
            return self.text[1:-1].replace('""', '"')
        return self.text


def tokenize(sql: str) -> list[Token]:
    """The significant tokens of ``sql`` (no spaces, no comments)."""
    tokens: list[Token] = []
    position = 0
    while position < len(sql):
        match = _TOKEN.match(sql, position)
        if match is None:
            snippet = sql[position:position + 20]
            if sql[position] in "'\"":
                raise SyntaxProblem(f"an unclosed quote at {snippet!r}")
            raise SyntaxProblem(f"an unexpected character at {snippet!r}")
        kind = match.lastgroup or ""
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group()))
        position = match.end()
    return tokens


def join(tokens: list[Token]) -> str:
    """Tokens back into SQL text, a space between words so none run together."""
    out: list[str] = []
    previous: Token | None = None
    for token in tokens:
        if previous is not None and not (token.text in ",)." or previous.text in "(."):
            out.append(" ")
        out.append(token.text)
        previous = token
    return "".join(out)


def split_top(tokens: list[Token], separator: str = ",") -> list[list[Token]]:
    """``tokens`` cut at ``separator`` outside parentheses."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        if depth == 0 and token.kind == "op" and token.text == separator:
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def closing(tokens: list[Token], start: int) -> int:
    """The index of the ``)`` that closes the ``(`` at ``start``."""
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].text == "(" and tokens[index].kind == "op":
            depth += 1
        elif tokens[index].text == ")" and tokens[index].kind == "op":
            depth -= 1
            if depth == 0:
                return index
    raise SyntaxProblem("an unbalanced '('")


def string_value(token: Token) -> str:
    """The value of a string literal token."""
    return token.text[1:-1].replace("''", "'")


def quote_string(value: str) -> str:
    """``value`` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"
