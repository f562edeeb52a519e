"""Reading an IRIS namespace's tables and rows through DB-API SQL (manifests and ``diff``).

IRIS documents its catalogue as SQL tables (class reference, INFORMATION.SCHEMA package):
``INFORMATION_SCHEMA.COLUMNS`` has one row per column with ``DATA_TYPE``,
``CHARACTER_MAXIMUM_LENGTH``, ``NUMERIC_PRECISION``, ``NUMERIC_SCALE`` and ``ORDINAL_POSITION``;
``INFORMATION_SCHEMA.KEY_COLUMN_USAGE`` has one row per column of each PRIMARY KEY constraint
(``CONSTRAINT_TYPE``). The row id is hidden from ``SELECT *`` for tables made by DDL and is
always reachable as ``%ID`` (docs: "the RowID field", GSQL_tables_idfield); the manifest's
columns are the ones ``SELECT *`` shows, and a table without a primary key is keyed by ``%ID``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from irisfx.engines.iris.sql import list_user_tables, quote_identifier
from irisfx.engines.manifest import Row, TableSchema
from irisfx.errors import EngineError
from irisfx.lockfile.manifest import Column, normalize_type

COLUMNS_QUERY = (
    "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE "
    "FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
    "ORDER BY ORDINAL_POSITION"
)
KEY_QUERY = (
    "SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? "
    "AND TABLE_NAME = ? AND CONSTRAINT_TYPE = 'PRIMARY KEY' ORDER BY ORDINAL_POSITION"
)
_SIZED = ("CHAR", "VARCHAR", "BINARY", "VARBINARY")
_SCALED = ("NUMERIC", "DECIMAL")


def type_text(data_type: str, length: Any, precision: Any, scale: Any) -> str:
    """``varchar`` with length 100 -> ``VARCHAR(100)``; ``numeric`` 10,2 -> ``NUMERIC(10,2)``."""
    base = normalize_type(data_type)
    if base in _SIZED and length is not None:
        return f"{base}({int(length)})"
    if base in _SCALED and precision is not None:
        return f"{base}({int(precision)},{int(scale or 0)})"
    return base


def table_sql(table: str) -> str:
    """``"Schema"."Table"`` for a ``Schema.Table`` name as IRIS lists it."""
    schema, _, name = table.partition(".")
    return f"{quote_identifier(schema)}.{quote_identifier(name)}"


def _hashable(value: Any) -> Any:
    # The driver may return binary values as bytearray, which cannot key a dict.
    return bytes(value) if isinstance(value, bytearray | memoryview) else value


class IrisReader:
    """A :class:`irisfx.engines.manifest.DatabaseReader` over a DB-API connection to IRIS."""

    def __init__(self, connection: Any, namespace: str) -> None:
        self._connection = connection
        self._namespace = namespace

    def _fetch(self, sql: str, parameters: tuple[Any, ...] = ()) -> tuple[list[Any], list[str]]:
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql, parameters) if parameters else cursor.execute(sql)
            names = [d[0] for d in cursor.description or ()]
            return list(cursor.fetchall()), names
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"cannot read namespace {self._namespace}: {exc}") from None
        finally:
            cursor.close()

    def tables(self) -> list[TableSchema]:
        """Every user table, with the columns ``SELECT *`` shows and the primary key."""
        return [self._schema(table) for table in list_user_tables(self._connection)]

    def _schema(self, table: str) -> TableSchema:
        schema, _, name = table.partition(".")
        _, visible = self._fetch(f"SELECT * FROM {table_sql(table)} WHERE 1 = 0")
        types = {str(r[0]).lower(): type_text(str(r[1]), r[2], r[3], r[4])
                 for r in self._fetch(COLUMNS_QUERY, (schema, name))[0]}
        columns = tuple(Column(v, types.get(v.lower(), "ANY")) for v in visible)
        key_rows, _ = self._fetch(KEY_QUERY, (schema, name))
        return TableSchema(table, columns, tuple(str(r[0]) for r in key_rows))

    def keyed_rows(self, table: TableSchema) -> Iterator[tuple[Any, Row]]:
        """``(key, row)`` in key order: the primary key, else ``%ID``."""
        columns = ", ".join(quote_identifier(c.name) for c in table.columns)
        order = ", ".join(quote_identifier(k) for k in table.key) or "%ID"
        rows, _ = self._fetch(f"SELECT %ID, {columns} FROM {table_sql(table.name)} "
                              f"ORDER BY {order}")
        positions = table.key_positions()
        for raw in rows:
            row = tuple(_hashable(v) for v in raw[1:])
            if not table.key:
                yield _hashable(raw[0]), row
            elif len(positions) == 1:
                yield row[positions[0]], row
            else:
                yield tuple(row[p] for p in positions), row

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()
