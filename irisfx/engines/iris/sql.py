"""The SQL the iris engine runs through DB-API: listing user tables and counting rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from irisfx.errors import EngineError

LIST_TABLES = (
    "SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES "
    "WHERE TABLE_TYPE = 'BASE TABLE'"
)

# Any namespace can run it: the probe proves the database serves SQL, not that tables exist.
PROBE_QUERY = "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES"

# Schemas IRIS itself (or its interoperability and health layers) projects into a namespace.
SYSTEM_SCHEMAS = frozenset({"INFORMATION_SCHEMA", "Ens", "EnsLib", "EnsPortal", "HS", "HSMOD"})
SYSTEM_SCHEMA_PREFIXES = ("%", "Ens_", "EnsLib_", "EnsPortal_", "HS_", "HSMOD_", "IRIS_")


def is_user_schema(schema: str) -> bool:
    """Whether tables in ``schema`` are the user's, not IRIS's."""
    return schema not in SYSTEM_SCHEMAS and not schema.startswith(SYSTEM_SCHEMA_PREFIXES)


def user_tables(rows: Iterable[Sequence[Any]]) -> list[str]:
    """``Schema.Table`` names of the user's tables among INFORMATION_SCHEMA rows, sorted."""
    found = {f"{row[0]}.{row[1]}" for row in rows if is_user_schema(str(row[0]))}
    return sorted(found)


def quote_identifier(name: str) -> str:
    """An SQL delimited identifier."""
    return '"' + name.replace('"', '""') + '"'


def count_statement(table: str) -> str:
    """``SELECT COUNT(*)`` for a table as IRIS lists it (``Schema.Table``), delimited."""
    schema, _, name = table.partition(".")
    if not name:
        raise EngineError(f"cannot count rows of {table!r}: not Schema.Table")
    return f"SELECT COUNT(*) FROM {quote_identifier(schema)}.{quote_identifier(name)}"


def resolve_tables(requested: Iterable[str], present: Iterable[str]) -> dict[str, str]:
    """Each requested name mapped to the present table it names; absent tables are left out.

    Matching ignores case, as IRIS SQL does; a name without a schema is in SQLUser, IRIS's
    default schema. The result keeps the names as requested.
    """
    by_lower = {table.lower(): table for table in present}
    found: dict[str, str] = {}
    for name in requested:
        qualified = name if "." in name else f"SQLUser.{name}"
        actual = by_lower.get(qualified.lower())
        if actual is not None:
            found[name] = actual
    return found


def count_rows(connection: Any, tables: Mapping[str, str], namespace: str) -> dict[str, int]:
    """Rows of each table (requested name -> name as IRIS lists it) over a DB-API connection."""
    counts: dict[str, int] = {}
    cursor = connection.cursor()
    try:
        for requested, actual in tables.items():
            try:
                cursor.execute(count_statement(actual))
                row = cursor.fetchone()
            except EngineError:
                raise
            except Exception as exc:
                raise EngineError(
                    f"cannot count rows of {actual} in namespace {namespace}: {exc}"
                ) from None
            counts[requested] = int(row[0])
    finally:
        cursor.close()
    return counts


def list_user_tables(connection: Any) -> list[str]:
    """Every user table of the namespace the connection is in."""
    cursor = connection.cursor()
    try:
        cursor.execute(LIST_TABLES)
        return user_tables(cursor.fetchall())
    finally:
        cursor.close()


def probe(connection: Any, namespace: str) -> None:
    """Run PROBE_QUERY in ``namespace``; EngineError (with the fix) if it cannot answer."""
    cursor = connection.cursor()
    try:
        cursor.execute(PROBE_QUERY)
        cursor.fetchall()
    except Exception as exc:
        raise EngineError(
            f"namespace {namespace} was created but cannot run a query: {exc}",
            fix="the database file may be damaged or copied while it was mounted; "
            "rebuild it: irisfx apply --rebuild NAME",
        ) from None
    finally:
        cursor.close()
