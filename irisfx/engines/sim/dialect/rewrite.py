"""IRIS-only syntax in queries and DML, rewritten on tokens into SQL sqlglot can read.

``%ID`` (RowID), ``%EXACT``/``%SQLUPPER``/``%SQLSTRING``/``%TRUNCATE`` (RSQL_exact,
RSQL_sqlupper), ``x %STARTSWITH y`` (RSQL_startswith), ODBC escapes ``{fn f(...)}``, ``{d '...'}``,
``{ts '...'}`` (RSQL_now, RSQL_dateconstruct), DATEADD/DATEDIFF/DATEPART date parts
(RSQL_dateadd), INSERT/UPDATE/DELETE ``%keyword`` options and INSERT OR UPDATE
(RSQL_insertorupdate). What is recognised but not emulated raises NotEmulatedError.
"""

from __future__ import annotations

from dataclasses import dataclass

from irisfx.engines.sim.dialect.dates import part_name
from irisfx.engines.sim.dialect.problems import SyntaxProblem
from irisfx.engines.sim.dialect.tokens import Token, closing, quote_string, split_top
from irisfx.errors import NotEmulatedError

_COLLATION_FUNCTIONS = {"%SQLUPPER": "IRISFX_SQLUPPER", "%SQLSTRING": "IRISFX_SQLSTRING",
                        "%TRUNCATE": "IRISFX_TRUNCATE", "%EXACT": "IRISFX_EXACT"}
_NOT_EMULATED = {"%ALPHAUP", "%STRING", "%UPPER", "%MVR", "%PLUS", "%MINUS", "%SPACE",
                 "%CONTAINS", "%CONTAINSTERM", "%FIND", "%INLIST", "%MATCHES", "%PATTERN",
                 "%SIMILARITY", "%KEY", "%VALUE", "%INTERNAL", "%EXTERNAL", "%ODBCOUT",
                 "%ODBCIN", "%OID", "%TABLENAME", "%CLASSNAME", "%FOREACH", "%AFTERHAVING",
                 "%VID", "%PARALLEL", "%NOFLATTEN", "%NOMERGE", "%NOTOPOPT", "%NOUNIONOROPT",
                 "%FIRSTTABLE", "%INORDER", "%FULL", "%STARTTABLE", "%IGNOREINDEX"}
_DATE_FUNCTIONS = {"DATEADD": "IRISFX_DATEADD", "DATEDIFF": "IRISFX_DATEDIFF",
                   "DATEPART": "IRISFX_DATEPART", "TIMESTAMPADD": "IRISFX_DATEADD",
                   "TIMESTAMPDIFF": "IRISFX_DATEDIFF"}
_NOW = {"NOW", "GETDATE", "SYSDATE", "CURRENT_TIMESTAMP", "GETUTCDATE"}


@dataclass
class Rewritten:
    """The statement's tokens for sqlglot, and what the rewriting learnt."""

    tokens: list[Token]
    upsert: bool = False


def rewrite(tokens: list[Token]) -> Rewritten:
    """IRIS syntax in ``tokens`` replaced by SQL sqlglot reads (and our SQLite functions)."""
    out = Rewritten(odbc_escapes(tokens))
    out.tokens = _statement_options(out)
    result: list[Token] = []
    index = 0
    source = out.tokens
    while index < len(source):
        token = source[index]
        upper = token.upper if token.kind == "word" else ""
        following = source[index + 1] if index + 1 < len(source) else None
        if token.text == "<=>":
            raise SyntaxProblem("'<=>' is pgvector's operator, not IRIS SQL (IRIS computes "
                                "similarity with VECTOR_COSINE(a, b))")
        if token.text == "-" and following is not None and following.text == ">":
            raise NotEmulatedError("the implicit join arrow (->)")
        if upper == "ISNULL" and following is not None and following.text == "(":
            result.append(Token("word", "IFNULL"))  # IRIS's ISNULL(x, y); a keyword to SQLite
        elif upper == "%ID":
            result.append(Token("word", "rowid"))
        elif upper in _NOT_EMULATED:
            raise NotEmulatedError(token.text)
        elif upper in _COLLATION_FUNCTIONS:
            index = _collation_function(source, index, result)
            continue
        elif upper == "%STARTSWITH":
            index = _startswith(source, index, result)
            continue
        elif upper in _DATE_FUNCTIONS and following is not None and following.text == "(":
            index = _date_function(source, index, result)
            continue
        elif upper in _NOW and not (result and result[-1].text == "."):
            result += [Token("word", "IRISFX_NOW"), Token("op", "("), Token("op", ")")]
            if following is not None and following.text == "(":
                index = closing(source, index + 1)
        elif upper == "CURRENT_DATE":
            result += _call("substr", [[Token("word", "IRISFX_NOW"), Token("op", "("),
                                        Token("op", ")")], [Token("number", "1")],
                                       [Token("number", "10")]])
        elif upper == "TO_VECTOR" and following is not None and following.text == "(":
            index = _to_vector(source, index, result)
            continue
        elif upper.startswith("%") and upper not in ("%STARTSWITH",):
            raise NotEmulatedError(token.text)
        else:
            result.append(token)
        index += 1
    out.tokens = result
    return out


def _call(name: str, args: list[list[Token]]) -> list[Token]:
    tokens = [Token("word", name), Token("op", "(")]
    for position, arg in enumerate(args):
        if position:
            tokens.append(Token("op", ","))
        tokens += arg
    return [*tokens, Token("op", ")")]


def odbc_escapes(tokens: list[Token]) -> list[Token]:
    """``{fn f(x)}`` -> ``f(x)``; ``{d 'x'}``, ``{t 'x'}``, ``{ts 'x'}`` -> ``'x'``."""
    if not any(t.text == "{" for t in tokens):
        return tokens
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.text == "{" and index + 1 < len(tokens):
            kind = tokens[index + 1].upper
            end = next((i for i in range(index + 1, len(tokens)) if tokens[i].text == "}"), -1)
            if end < 0:
                raise SyntaxProblem("an ODBC escape '{' without its '}'")
            inner = tokens[index + 2:end]
            if kind == "FN":
                out += odbc_escapes(inner)
            elif kind in ("D", "T", "TS") and len(inner) == 1 and inner[0].kind == "string":
                out.append(inner[0])
            else:
                raise NotEmulatedError(f"the ODBC escape {{{tokens[index + 1].text} ...}}")
            index = end + 1
            continue
        out.append(token)
        index += 1
    return out


def _statement_options(out: Rewritten) -> list[Token]:
    """Drop INSERT/UPDATE/DELETE %keyword options; note INSERT OR UPDATE."""
    tokens = out.tokens
    if not tokens or tokens[0].upper not in ("INSERT", "UPDATE", "DELETE"):
        return tokens
    result = [tokens[0]]
    index = 1
    if tokens[0].is_word("INSERT") and len(tokens) > 2 and tokens[1].is_word("OR") \
            and tokens[2].is_word("UPDATE"):
        out.upsert = True
        index = 3
    while index < len(tokens) and tokens[index].kind == "word" and (
            tokens[index].upper.startswith("%NO") or tokens[index].upper.startswith("%PROFILE")):
        index += 1
    rest = tokens[index:]
    if tokens[0].is_word("DELETE") and rest and not rest[0].is_word("FROM"):
        rest = [Token("word", "FROM"), *rest]  # RSQL_delete: FROM is optional on IRIS
    return result + rest


def _operand_start(result: list[Token]) -> int:
    """Where the operand that ends ``result`` starts: a dotted name or a parenthesised group."""
    index = len(result) - 1
    if index < 0:
        raise SyntaxProblem("an operator without its left operand")
    if result[index].text == ")":
        depth = 0
        while index >= 0:
            depth += {")": 1, "(": -1}.get(result[index].text, 0)
            if depth == 0:
                break
            index -= 1
        if index > 0 and result[index - 1].kind == "word":
            index -= 1
        return index
    while index >= 2 and result[index - 1].text == "." and result[index - 2].kind in (
            "word", "qident"):
        index -= 2
    return index


def _operand_end(source: list[Token], index: int) -> int:
    """The index after the operand that starts at ``source[index]``."""
    if index >= len(source):
        raise SyntaxProblem("an operator without its right operand")
    if source[index].text == "(":
        return closing(source, index) + 1
    if source[index].kind == "word" and index + 1 < len(source) and source[index + 1].text == "(":
        return closing(source, index + 1) + 1
    end = index + 1
    while end + 1 < len(source) and source[end].text == "." and source[end + 1].kind in (
            "word", "qident"):
        end += 2
    return end


def _collation_function(source: list[Token], index: int, result: list[Token]) -> int:
    """``%EXACT(x)`` / ``%EXACT x`` and the other collation functions."""
    name = _COLLATION_FUNCTIONS[source[index].upper]
    start = index + 1
    if start < len(source) and source[start].text == "(":
        end = closing(source, start)
        args = [rewrite(arg).tokens for arg in split_top(source[start + 1:end])]
        result += _call(name, args)
        return end + 1
    end = _operand_end(source, start)
    result += _call(name, [rewrite(source[start:end]).tokens])
    return end


def _startswith(source: list[Token], index: int, result: list[Token]) -> int:
    """``x %STARTSWITH y`` -> ``IRISFX_STARTSWITH(x, y)`` (the collation is chosen later)."""
    start = _operand_start(result)
    left = result[start:]
    del result[start:]
    end = _operand_end(source, index + 1)
    result += _call("IRISFX_STARTSWITH", [left, rewrite(source[index + 1:end]).tokens])
    return end


def _date_function(source: list[Token], index: int, result: list[Token]) -> int:
    """DATEADD(month, ...) -> IRISFX_DATEADD('month', ...): the part is checked here."""
    end = closing(source, index + 1)
    args = split_top(source[index + 2:end])
    if not args or len(args[0]) != 1 or args[0][0].kind not in ("word", "string"):
        raise SyntaxProblem(f"{source[index].text} needs a date part first")
    part = part_name(args[0][0].text)
    rest = [rewrite(arg).tokens for arg in args[1:]]
    result += _call(_DATE_FUNCTIONS[source[index].upper], [[Token("string", quote_string(part))],
                                                            *rest])
    return end + 1


def _to_vector(source: list[Token], index: int, result: list[Token]) -> int:
    """TO_VECTOR(x, double, 3): the type is a keyword in IRIS, a string for our function."""
    end = closing(source, index + 1)
    args = [rewrite(arg).tokens for arg in split_top(source[index + 2:end])]
    if len(args) > 1 and len(args[1]) == 1 and args[1][0].kind == "word":
        args[1] = [Token("string", quote_string(args[1][0].text.upper()))]
    result += _call("TO_VECTOR", args)
    return end + 1
