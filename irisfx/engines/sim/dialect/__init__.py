"""IRIS SQL on the simulator: each statement is emulated, skipped with a note, or refused.

A statement is read on tokens first (dialect.tokens), sorted by what it is, and then either
translated to SQLite (DDL here and in ddl/schema; queries and DML through sqlglot in dml),
skipped (it changes nothing in a database file: GRANT, TUNE TABLE, ...), or refused with
:class:`irisfx.errors.NotEmulatedError`. Nothing the simulator did not understand reaches
SQLite. sqlglot is imported only when a query or DML statement needs it.
"""

from __future__ import annotations

import re
import sqlite3

from irisfx.engines.sim.dialect.catalog import Catalog, read_catalog
from irisfx.engines.sim.dialect.problems import FunctionError, SyntaxProblem
from irisfx.engines.sim.dialect.result import Translation
from irisfx.engines.sim.dialect.tokens import Token, join, tokenize
from irisfx.errors import NotEmulatedError

__all__ = ["Catalog", "FunctionError", "SyntaxProblem", "Translation", "read_catalog",
           "register", "translate"]

# Statements that change nothing in a database file (privileges, users, statistics, plans).
_SKIPPED = {
    ("GRANT",): "privileges are not kept in a database file",
    ("REVOKE",): "privileges are not kept in a database file",
    ("CREATE", "ROLE"): "roles are not kept in a database file",
    ("DROP", "ROLE"): "roles are not kept in a database file",
    ("CREATE", "USER"): "users are not kept in a database file",
    ("DROP", "USER"): "users are not kept in a database file",
    ("ALTER", "USER"): "users are not kept in a database file",
    ("TUNE", "TABLE"): "table statistics only guide IRIS's query plans",
    ("BUILD", "INDEX"): "the simulator's indexes are always built",
    ("FREEZE", "PLANS"): "query plans are not data",
    ("UNFREEZE", "PLANS"): "query plans are not data",
    ("PURGE",): "cached queries are not data",
    ("SET", "OPTION"): "SET OPTION changes the process, not the data",
    ("LOCK",): "locks are released when the recipe ends",
    ("UNLOCK",): "locks are released when the recipe ends",
}
_REFUSED = {
    "PROCEDURE", "FUNCTION", "METHOD", "QUERY", "TRIGGER", "CLASS", "DATABASE", "FOREIGN",
    "SERVER", "ML", "AGGREGATE",
}
# Words that start only the inside of a procedure body: a script split at its inner ';'.
_FRAGMENTS = {"ELSE", "ELSEIF", "END", "THEN", "WHEN", "BEGIN", "IF", "DECLARE", "RETURN",
              "WHILE", "LOOP", "LEAVE", "OPEN", "CLOSE", "FETCH", "}", "{"}
# Statements of IRIS SQL (RSQL reference) the simulator does not emulate: refused as such.
_IRIS_STATEMENTS = {"CREATE", "ALTER", "DROP", "CALL", "LOAD", "USE", "SET", "EXECUTE",
                    "INSERT", "UPDATE", "DELETE", "SELECT", "TRUNCATE", "VALUES", "EXPLAIN",
                    "CANCEL", "VALIDATE", "OPEN", "DECLARE", "%CHECKPRIV", "%INTRANSACTION",
                    "%INTRAN", "RELEASE", "SAVEPOINT", "START", "COMMIT", "ROLLBACK",
                    "UNION", "JOIN", "MERGE"}
_DML = {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "(", "COMMIT", "ROLLBACK",
        "START", "SAVEPOINT"}


# Checked on the raw text: an ObjectScript body ('= is "not equal") is not SQL to tokenize.
_OBJECTSCRIPT = re.compile(
    r"^\s*(?:CREATE|ALTER)\s+(?:OR\s+REPLACE\s+)?(PROCEDURE|FUNCTION|METHOD|QUERY|TRIGGER"
    r"|CLASS)\b.*?\bLANGUAGE\s+OBJECTSCRIPT\b|\b(COMPUTECODE|SQLCOMPUTECODE)\b",
    re.IGNORECASE | re.DOTALL)


def register(connection: sqlite3.Connection) -> None:
    """IRIS's collations and functions on ``connection``, and foreign keys enforced as IRIS
    enforces them (GSQL_foreignkeys)."""
    from irisfx.engines.sim.dialect.functions import register as register_functions

    register_functions(connection)
    connection.execute("PRAGMA foreign_keys = ON")


def translate(sql: str, catalog: Catalog, connection: sqlite3.Connection) -> Translation:
    """What running the IRIS statement ``sql`` means on the simulator's SQLite database."""
    body = _OBJECTSCRIPT.search(sql)
    if body is not None:
        what = f"CREATE {body.group(1).upper()} ... LANGUAGE OBJECTSCRIPT" if body.group(1) \
            else body.group(2).upper()
        raise NotEmulatedError(what)
    tokens = tokenize(sql)
    while tokens and tokens[-1].text == ";":
        tokens.pop()
    if not tokens:
        return Translation((), note="an empty statement")
    words = [t.upper for t in tokens[:4]]
    for prefix, why in _SKIPPED.items():
        if tuple(words[:len(prefix)]) == prefix:
            return Translation((), note=f"{' '.join(prefix)} skipped: {why}")
    if any(t.is_word("OBJECTSCRIPT") for t in tokens) and "LANGUAGE" in {t.upper for t in tokens}:
        raise NotEmulatedError(f"{' '.join(words[:2])} ... LANGUAGE OBJECTSCRIPT")
    if words[0] in _FRAGMENTS:
        raise SyntaxProblem(f"a statement cannot start with {tokens[0].text} (is it part of "
                            "a procedure body cut at its inner ';'?)")
    return _ddl(tokens, words, catalog, connection) or _dml(tokens, catalog)


def _ddl(tokens: list[Token], words: list[str], catalog: Catalog,
         connection: sqlite3.Connection) -> Translation | None:
    from irisfx.engines.sim.dialect import ddl, schema

    kind = words[1] if len(words) > 1 else ""
    if words[0] == "CREATE" and kind == "OR" and "VIEW" in words:
        return _replace_view(tokens, catalog)
    if words[0] in ("CREATE", "ALTER", "DROP") and kind in _REFUSED:
        raise NotEmulatedError(f"{words[0]} {kind}")
    if words[0] == "CREATE" and kind == "TABLE":
        return ddl.create_table(tokens, catalog)
    if words[0] == "CREATE" and "INDEX" in words[1:4]:
        return schema.create_index(tokens)
    if words[:2] == ["DROP", "TABLE"]:
        return schema.drop_table(tokens, catalog)
    if words[:2] == ["DROP", "INDEX"]:
        return schema.drop_index(tokens, catalog, connection)
    if words[:2] == ["TRUNCATE", "TABLE"]:
        return schema.truncate(tokens, catalog)
    if words[:2] == ["CREATE", "SCHEMA"]:
        return schema.create_schema(tokens, catalog)
    if words[:2] == ["DROP", "SCHEMA"]:
        return schema.drop_schema(tokens, catalog)
    if words[:2] == ["ALTER", "TABLE"]:
        return schema.alter_table(tokens, catalog)
    if words[0] in ("CREATE", "DROP") and kind == "VIEW":
        return None
    if words[0] in _DML:
        return None
    if words[0] in _IRIS_STATEMENTS:
        named = words[:4] if words[1:3] == ["OR", "REPLACE"] else words[:2]
        raise NotEmulatedError(" ".join(named))
    raise SyntaxProblem(f"{tokens[0].text} does not start an IRIS SQL statement")


def _dml(tokens: list[Token], catalog: Catalog) -> Translation:
    from irisfx.engines.sim.dialect.dml import translate_tree
    from irisfx.engines.sim.dialect.rewrite import rewrite

    rewritten = rewrite(tokens)
    return translate_tree(join(rewritten.tokens), catalog, upsert=rewritten.upsert)


def _replace_view(tokens: list[Token], catalog: Catalog) -> Translation:
    """CREATE OR REPLACE VIEW v AS ... -> DROP VIEW IF EXISTS v, then CREATE VIEW."""
    from irisfx.engines.sim.dialect.names import table_name

    at = next(i for i, t in enumerate(tokens) if t.is_word("VIEW"))
    name, _ = table_name(tokens, at + 1)
    created = _dml([Token("word", "CREATE"), *tokens[at:]], catalog)
    return Translation((f'DROP VIEW IF EXISTS "{name}"', *created.steps))
