"""The IRIS reader's SQL, run against a stand-in for IRIS's catalogue (no server can run here).

The stand-in is SQLite with databases attached under the names IRIS uses as schemas:
``INFORMATION_SCHEMA`` holds TABLES, COLUMNS and KEY_COLUMN_USAGE filled as IRIS documents
them, and each user schema (``Shop``) holds its tables, so ``"Shop"."Item"`` means the same in
both. Its one translation is IRIS's ``%ID``, which becomes SQLite's ``rowid``. The reader under
test is the product's, unchanged: this checks the shape of its queries and what it makes of
the answers (hidden row id column, primary key order, types), not IRIS itself.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from irisfx.engines.iris.manifest import IrisReader
from irisfx.engines.manifest import database_manifest
from irisfx.reconcile.diff import diff_databases


class _Cursor:
    def __init__(self, inner: sqlite3.Cursor) -> None:
        self._inner = inner
        self.description: Any = None

    def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> None:
        self._inner.execute(sql.replace("%ID", "rowid"), parameters)
        self.description = self._inner.description

    def fetchall(self) -> list[Any]:
        return self._inner.fetchall()

    def close(self) -> None:
        self._inner.close()


class StandIn:
    """A DB-API connection answering the catalogue queries as IRIS documents them."""

    def __init__(self, folder: Path) -> None:
        self._db = sqlite3.connect(":memory:")
        for name in ("INFORMATION_SCHEMA", "Shop"):
            self._db.execute(f"ATTACH DATABASE '{folder / name}.db' AS \"{name}\"")
        self._db.executescript("""
            CREATE TABLE INFORMATION_SCHEMA.TABLES (TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE);
            CREATE TABLE INFORMATION_SCHEMA.COLUMNS (TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME,
                ORDINAL_POSITION, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION,
                NUMERIC_SCALE);
            CREATE TABLE INFORMATION_SCHEMA.KEY_COLUMN_USAGE (TABLE_SCHEMA, TABLE_NAME,
                COLUMN_NAME, CONSTRAINT_TYPE, ORDINAL_POSITION);
        """)

    def table(self, name: str, columns: list[tuple[str, str, Any, Any, Any]],
              key: list[str], rows: list[tuple[Any, ...]]) -> None:
        """A user table; ``columns`` are (name, DATA_TYPE, length, precision, scale)."""
        schema, table = name.split(".")
        self._db.execute("INSERT INTO INFORMATION_SCHEMA.TABLES VALUES (?, ?, 'BASE TABLE')",
                         (schema, table))
        # IRIS lists the row id column too; SELECT * does not show it.
        self._db.execute("INSERT INTO INFORMATION_SCHEMA.COLUMNS VALUES "
                         "(?, ?, 'ID', 1, 'bigint', NULL, 19, 0)", (schema, table))
        for at, (column, kind, length, precision, scale) in enumerate(columns, start=2):
            self._db.execute("INSERT INTO INFORMATION_SCHEMA.COLUMNS VALUES (?,?,?,?,?,?,?,?)",
                             (schema, table, column, at, kind, length, precision, scale))
        for at, column in reversed(list(enumerate(key, start=1))):
            self._db.execute("INSERT INTO INFORMATION_SCHEMA.KEY_COLUMN_USAGE VALUES "
                             "(?, ?, ?, 'PRIMARY KEY', ?)", (schema, table, column, at))
        self._db.execute("INSERT INTO INFORMATION_SCHEMA.KEY_COLUMN_USAGE VALUES "
                         "(?, ?, 'Name', 'UNIQUE', 1)", (schema, table))
        cols = ", ".join(f'"{c[0]}"' for c in columns)
        self._db.execute(f'CREATE TABLE "{schema}"."{table}" ({cols})')
        marks = ", ".join("?" for _ in columns)
        self._db.executemany(f'INSERT INTO "{schema}"."{table}" VALUES ({marks})', rows)

    def cursor(self) -> _Cursor:
        return _Cursor(self._db.cursor())

    def close(self) -> None:
        self._db.close()


ITEM = [("Sku", "varchar", 12, None, None), ("Shelf", "integer", None, 10, 0),
        ("Name", "varchar", 40, None, None), ("Price", "numeric", None, 10, 2)]


def test_manifest_of_an_iris_namespace(tmp_path: Path) -> None:
    iris = StandIn(tmp_path)
    iris.table("Shop.Item", ITEM, ["Shelf", "Sku"],
               [("b", 1, "bolt", 0.5), ("a", 2, "nut", 0.25), ("a", 1, "washer", 0.1)])
    iris.table("Shop.Log", [("Line", "varchar", 80, None, None)], [],
               [("second",), ("first",)])
    reader = IrisReader(iris, "FX_SHOP")
    try:
        manifest = database_manifest(reader)
        item = next(t for t in reader.tables() if t.name == "Shop.Item")
        keys = [key for key, _ in reader.keyed_rows(item)]
        log = next(t for t in reader.tables() if t.name == "Shop.Log")
        log_keys = [key for key, _ in reader.keyed_rows(log)]
    finally:
        reader.close()
    assert sorted(manifest) == ["Shop.Item", "Shop.Log"]
    assert manifest["Shop.Item"].line().endswith(
        "; key Shelf+Sku; columns Sku VARCHAR(12), Shelf INTEGER, Name VARCHAR(40), "
        "Price NUMERIC(10,2)")
    assert manifest["Shop.Item"].rows == 3
    assert keys == [(1, "a"), (1, "b"), (2, "a")]  # ORDER BY the key, compound keys as tuples
    assert manifest["Shop.Log"].key == () and log_keys == [1, 2]  # keyed by %ID
    assert [c.name for c in manifest["Shop.Log"].columns] == ["Line"]  # no hidden row id


def test_diff_of_two_iris_namespaces(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    old, new = StandIn(tmp_path / "a"), StandIn(tmp_path / "b")
    old.table("Shop.Item", ITEM, ["Shelf", "Sku"],
              [("b", 1, "bolt", 0.5), ("a", 2, "nut", 0.25), ("a", 1, "washer", 0.1)])
    new.table("Shop.Item", ITEM, ["Shelf", "Sku"],
              [("b", 1, "bolt", 0.75), ("a", 1, "washer", 0.1), ("c", 3, "screw", 1.0)])
    before, after = IrisReader(old, "A"), IrisReader(new, "B")
    try:
        (table,) = diff_databases(before, after)
    finally:
        before.close()
        after.close()
    assert (table.added, table.removed, table.changed) == (1, 1, 1)
    assert [(s.change, s.key) for s in table.samples] == [
        ("changed", (1, "b")), ("removed", (2, "a")), ("added", (3, "c"))]
