"""The helper's SQL methods: StatementType (IRIS's parse of a statement, for read-only
connections) and CancelQuery (the statement time limit)."""

# ruff: noqa: N802  (the names are the class's, so that the two can be compared)

from __future__ import annotations

import re
import sqlite3
from typing import Any

from irisfx.engines.sim.sql import _Translator
from irisfx.errors import NotEmulatedError

from .calls import number, public
from .instance import Instance, IrisError, status_error
from .sql import cancel, serve_as_helper

# %SQL.StatementMetadata statementType (Documatic %SQL.Statement), by what the parse gives.
TYPES = {"Select": 1, "Union": 1, "Intersect": 1, "Except": 1, "Insert": 2, "Update": 3,
         "Delete": 4, "Commit": 5, "Rollback": 6, "Grant": 7, "Revoke": 8,
         "Create TABLE": 9, "Alter TABLE": 10, "Drop TABLE": 11, "Create VIEW": 12,
         "Drop VIEW": 14, "Create INDEX": 15, "Drop INDEX": 17, "Create FUNCTION": 35,
         "Create PROCEDURE": 37, "Create TRIGGER": 43}
# What the parser reads otherwise (``START TRANSACTION`` would be an alias, ``CALL`` a command).
PREFIXES = ((r"SET\s+TRANSACTION\b", 20), (r"START\s+TRANSACTION\b", 21), (r"CALL\b", 45),
            (r"SAVEPOINT\b", 46), (r"LOCK\s+TABLE\b", 47), (r"UNLOCK\s+TABLE\b", 48))


def statement_type(sql: str) -> int:
    """The statement type IRIS gives ``sql``; IrisError when it cannot be prepared."""
    for pattern, kind in PREFIXES:
        if re.match(pattern, sql.strip(), re.I):
            return kind
    import sqlglot
    import sqlglot.errors

    try:
        # IRIS's %-words (%ID, %EXACT) are names to IRIS; sqlglot would read '%' as modulo.
        trees = [t for t in sqlglot.parse(re.sub(r"%(\w+)", r"pct_\1", sql)) if t is not None]
    except sqlglot.errors.ParseError as exc:
        raise status_error(f"SQLCODE -1: {exc}") from None
    if len(trees) != 1:
        raise status_error("SQLCODE -25: one statement only")
    tree = trees[0]
    name = type(tree).__name__
    what = tree.args.get("kind")
    found = TYPES.get(f"{name} {what}" if isinstance(what, str) else name)
    if found is None:
        raise status_error(f"SQLCODE -1: the stand-in does not know the type of {name}")
    return found


def _explain(connection: sqlite3.Connection, sql: str) -> None:
    """Prepare ``sql`` as the simulator's SQL layer would run it, running nothing."""
    translation = _Translator(connection)(sql)
    for step in translation.steps:
        if isinstance(step, str):
            unquoted = re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", "", step)
            connection.execute("EXPLAIN " + step, [None] * unquoted.count("?"))


class SqlMethods:
    """StatementType and CancelQuery over the stand-in's SQL layer."""

    instance: Instance

    @public("type")
    def StatementType(self, ns: str, sql: str) -> dict[str, Any]:
        """IRIS's statement type for ``sql`` in namespace ``ns``; %Prepare runs nothing, but a
        statement naming a table the namespace lacks does not prepare."""
        kind = statement_type(str(sql))
        if kind in (1, 2, 3, 4):
            connection = serve_as_helper(self.instance, str(ns))
            try:
                _explain(connection, str(sql))
            except (sqlite3.Error, NotEmulatedError) as exc:
                raise status_error(f"SQLCODE -30: {exc}") from None
            except IrisError:
                raise
            finally:
                connection.close()
        return {"ok": 1, "type": kind}

    @public("cancelled")
    def CancelQuery(self, pid: int) -> dict[str, Any]:
        """$SYSTEM.SQL.CancelQuery(pid): interrupt what the process runs."""
        return {"ok": 1, "cancelled": cancel(int(number(pid)))}
