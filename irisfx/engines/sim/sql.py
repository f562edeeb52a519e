"""SQL for the simulator: IRIS-style ``Schema.Table`` names on SQLite, and DB-API wrappers.

IRIS keeps tables in schemas (``RAG.Entities``); unqualified names live in ``SQLUser``. SQLite
has no schemas, so every table name becomes one quoted identifier (``"RAG.Entities"``). The SQL is
parsed (sqlglot), not pattern-matched, so strings and column references are left alone.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

DEFAULT_SCHEMA = "SQLUser"


def qualified(table: str) -> str:
    """``Table`` -> ``SQLUser.Table``; ``Schema.Table`` is returned as it is."""
    return table if "." in table else f"{DEFAULT_SCHEMA}.{table}"


def quote(table: str) -> str:
    """The SQLite identifier that stands for the IRIS table ``table``."""
    return '"' + qualified(table).replace('"', '""') + '"'


# One token of SQL text, for finding the literals of an INSERT. Quoted identifiers and
# comments are matched only to be skipped, and every string is consumed whole, so nothing
# inside one is mistaken for a token.
_TOKEN = re.compile(r"""
    (?P<skip>"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|\[[^\]]*\])
  | (?P<param>\?)
  | (?P<string>'(?:[^']|'')*')
  | (?P<number>(?<![\w.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.]))
""", re.VERBOSE | re.DOTALL)


def _is_value(sql: str, start: int) -> bool:
    # A literal counts only after '(' ',' '=' or an operator: typed and prefixed literals
    # (DATE '2024-01-01', N'x', X'00') keep their text in the statement's shape.
    if start and (sql[start - 1].isalnum() or sql[start - 1] == "_"):
        return False
    before = sql[max(0, start - 32):start].rstrip()
    return bool(before) and before[-1] in "(,=<>+-*/"


def translate(sql: str) -> str:
    """Rewrite the table names of one IRIS SQL statement for SQLite.

    Parsing is the slow part, and a recipe's INSERTs differ only in their values: an INSERT
    is translated once per shape, with its literals taken out and put back, and falls back
    to a translation of its own text whenever the shape's translation loses a literal.
    """
    if sql.lstrip()[:6].upper() == "INSERT":
        shape = _shape(sql)
        if shape is not None and shape[1]:
            try:
                restored = _restore(shape[0], shape[1])
            except (sqlite3.Error, ValueError):
                restored = None
            if restored is not None:
                return restored
    return _translate_text(sql)


def _shape(sql: str) -> tuple[str, list[str]] | None:
    """The statement with its value literals replaced by '?', and the literals in order."""
    literals: list[str] = []
    parts: list[str] = []
    last = 0
    for match in _TOKEN.finditer(sql):
        if match.lastgroup == "param":
            return None  # already parameterized: its '?'s would mix with the literals
        if match.lastgroup not in ("string", "number") or not _is_value(sql, match.start()):
            continue
        parts += [sql[last:match.start()], "?"]
        literals.append(match.group())
        last = match.end()
    parts.append(sql[last:])
    return "".join(parts), literals


def _restore(template: str, literals: list[str]) -> str | None:
    """The shape's translation with the literals back in place of its '?'s, or None if the
    translation lost some of them."""
    pieces = _translated_pieces(template)
    if len(pieces) != len(literals) + 1:
        return None
    out = [pieces[0]]
    for literal, piece in zip(literals, pieces[1:], strict=True):
        out += [literal, piece]
    return "".join(out)


@lru_cache(maxsize=4096)
def _translated_pieces(template: str) -> tuple[str, ...]:
    """The translation of a shape, cut at its '?'s."""
    translated = _translate_text(template)
    pieces, last = [], 0
    for match in _TOKEN.finditer(translated):
        if match.lastgroup == "param":
            pieces.append(translated[last:match.start()])
            last = match.end()
    pieces.append(translated[last:])
    return tuple(pieces)


@lru_cache(maxsize=4096)
def _translate_text(sql: str) -> str:
    # sqlglot is imported here, not at the top: it costs ~0.1 s of start-up to every command.
    import sqlglot
    import sqlglot.errors

    try:
        statements = sqlglot.parse(sql)
    except sqlglot.errors.ParseError:
        # IRIS accepts T-SQL's SELECT TOP n; T-SQL is only a fallback because it reads
        # TIMESTAMP as a row version, not a date and time as IRIS does.
        try:
            statements = sqlglot.parse(sql, read="tsql")
        except sqlglot.errors.ParseError as exc:
            first = exc.errors[0] if exc.errors else {}
            where = f"line {first.get('line')}, column {first.get('col')}" if first else ""
            raise sqlite3.OperationalError(
                f"the simulator cannot parse this SQL ({where}): {sql[:200]}"
            ) from None
    out = []
    for tree in statements:
        if tree is None:
            continue
        _rename_tables(tree)
        _translate_iris_features(tree)
        try:
            # RAISE: what SQLite cannot express must fail, not be silently dropped.
            out.append(tree.sql(dialect="sqlite",
                                unsupported_level=sqlglot.errors.ErrorLevel.RAISE))
        except sqlglot.errors.UnsupportedError as exc:
            raise sqlite3.NotSupportedError(
                f"the simulator cannot run this SQL ({exc}): {sql[:200]}") from None
    return "; ".join(out)


def _rename_tables(tree: Any) -> None:
    from sqlglot import exp

    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        name = table.name
        if not name or name.lower() in cte_names or name.lower().startswith("sqlite_"):
            continue
        schema = table.db or DEFAULT_SCHEMA
        table.set("db", None)
        table.set("catalog", None)
        table.set("this", exp.to_identifier(f"{schema}.{name}", quoted=True))


def _translate_iris_features(tree: Any) -> None:
    """IDENTITY columns, and VECTOR columns kept as text with TO_VECTOR as identity."""
    from sqlglot import exp

    has_primary_key = any(tree.find_all(exp.PrimaryKeyColumnConstraint, exp.PrimaryKey))
    for column in list(tree.find_all(exp.ColumnDef)):
        constraints = column.args.get("constraints") or []
        identity = [c for c in constraints if isinstance(c.args.get("kind"), (
            exp.AutoIncrementColumnConstraint, exp.GeneratedAsIdentityColumnConstraint))]
        if identity:
            # SQLite numbers rows itself only in an INTEGER PRIMARY KEY column.
            kept = [c for c in constraints if c not in identity]
            if not has_primary_key:
                kept.append(exp.ColumnConstraint(kind=exp.PrimaryKeyColumnConstraint()))
                column.set("kind", exp.DataType.build("INTEGER"))
            column.set("constraints", kept)
    for data_type in list(tree.find_all(exp.DataType)):
        if data_type.this == exp.DataType.Type.VECTOR:
            data_type.replace(exp.DataType.build("TEXT"))
    for call in list(tree.find_all(exp.Anonymous)):
        if str(call.this).upper() == "TO_VECTOR" and call.expressions:
            call.replace(call.expressions[0])


@contextmanager
def _iris_names_in_errors() -> Iterator[None]:
    """Say SQLite's errors in IRIS's terms: RAG.Entities, not main."RAG.Entities"."""
    try:
        yield
    except sqlite3.Error as exc:
        text = re.sub(r'main\.|"', "", str(exc))
        if "(simulator" not in text:
            text += " (simulator)"
        raise type(exc)(text) from None


class SimCursor:
    """A DB-API cursor that translates IRIS table names before SQLite sees them."""

    def __init__(self, inner: sqlite3.Cursor) -> None:
        self._inner = inner

    @property
    def description(self) -> Any:
        """Column descriptions of the last query (PEP 249)."""
        return self._inner.description

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement (PEP 249)."""
        return self._inner.rowcount

    def execute(self, operation: str, parameters: Sequence[Any] = ()) -> SimCursor:
        """Run one statement with ``?`` parameters."""
        with _iris_names_in_errors():
            self._inner.execute(translate(operation), parameters)
        return self

    def executemany(self, operation: str, seq: Sequence[Sequence[Any]]) -> SimCursor:
        """Run one statement once per parameter row."""
        with _iris_names_in_errors():
            self._inner.executemany(translate(operation), seq)
        return self

    def fetchone(self) -> Any:
        """The next row, or None."""
        return self._inner.fetchone()

    def fetchmany(self, size: int = 1) -> list[Any]:
        """Up to ``size`` rows."""
        return self._inner.fetchmany(size)

    def fetchall(self) -> list[Any]:
        """Every remaining row."""
        return self._inner.fetchall()

    def close(self) -> None:
        """Close the cursor."""
        self._inner.close()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._inner)


class SimConnection:
    """A DB-API connection to a simulated namespace (paramstyle ``qmark``, like IRIS)."""

    paramstyle = "qmark"
    Error = sqlite3.Error

    def __init__(self, inner: sqlite3.Connection, namespace: str) -> None:
        self._inner = inner
        self.namespace = namespace

    def cursor(self) -> SimCursor:
        """A new cursor."""
        return SimCursor(self._inner.cursor())

    def execute(self, operation: str, parameters: Sequence[Any] = ()) -> SimCursor:
        """Shortcut: a new cursor that has run ``operation``."""
        return self.cursor().execute(operation, parameters)

    def commit(self) -> None:
        """Commit the open transaction."""
        self._inner.commit()

    def rollback(self) -> None:
        """Roll back the open transaction."""
        self._inner.rollback()

    def close(self) -> None:
        """Close the connection."""
        self._inner.close()

    def __enter__(self) -> SimConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.commit()
        else:
            self.rollback()
        self.close()
