"""SQL for the simulator: IRIS-style ``Schema.Table`` names on SQLite, and DB-API wrappers.

IRIS keeps tables in schemas (``RAG.Entities``); unqualified names live in ``SQLUser``. SQLite
has no schemas, so every table name becomes one quoted identifier (``"RAG.Entities"``). The SQL is
parsed (sqlglot), not pattern-matched, so strings and column references are left alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

DEFAULT_SCHEMA = "SQLUser"


def qualified(table: str) -> str:
    """``Table`` -> ``SQLUser.Table``; ``Schema.Table`` is returned as it is."""
    return table if "." in table else f"{DEFAULT_SCHEMA}.{table}"


def quote(table: str) -> str:
    """The SQLite identifier that stands for the IRIS table ``table``."""
    return '"' + qualified(table).replace('"', '""') + '"'


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """Rewrite the table names of one IRIS SQL statement for SQLite."""
    import sqlglot
    import sqlglot.errors
    from sqlglot import exp

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
        cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        for table in list(tree.find_all(exp.Table)):
            name = table.name
            if not name or name.lower() in cte_names or name.lower().startswith("sqlite_"):
                continue
            schema = table.db or DEFAULT_SCHEMA
            table.set("db", None)
            table.set("catalog", None)
            table.set("this", exp.to_identifier(f"{schema}.{name}", quoted=True))
        out.append(tree.sql(dialect="sqlite"))
    return "; ".join(out)


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
        self._inner.execute(translate(operation), parameters)
        return self

    def executemany(self, operation: str, seq: Sequence[Sequence[Any]]) -> SimCursor:
        """Run one statement once per parameter row."""
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
