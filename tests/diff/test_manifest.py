"""Manifests: the one-line form in fixtures.toml, the order-independent digest, the engine
contract's reader on the simulator, and a damaged manifest line reported like any bad key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from irisfx.engines.iris.manifest import type_text
from irisfx.engines.manifest import database_manifest, encode_value, row_digest
from irisfx.engines.sim.manifest import SimReader
from irisfx.errors import ConfigError, IntegrityError
from irisfx.lockfile.manifest import Column, TableManifest, normalize_type, parse_line
from irisfx.lockfile.project import load_project
from tests.diff.simfiles import write_db

COLUMNS = [("ID", "INTEGER"), ("Name", "VARCHAR(20)"), ("Price", "NUMERIC(10, 2)")]
ROWS = {i: (i, f"item {i}", i * 1.5) for i in range(1, 40)}


def manifest_of(path: Path) -> dict[str, TableManifest]:
    reader = SimReader.open_file(path)
    try:
        return database_manifest(reader)
    finally:
        reader.close()


@pytest.mark.parametrize("manifest", [
    TableManifest(3, "0" * 32, (Column("ID", "INTEGER"), Column("Name", "VARCHAR(100)")),
                  ("ID",)),
    TableManifest(1, "a" * 32, (Column("weird, name", "NUMERIC(10,2)"),
                                Column('q"uote', "DOUBLE PRECISION"),
                                Column("x", "NUMERIC(5,1) UNSIGNED")), ()),
    TableManifest(0, "f" * 32, (), ()),
    TableManifest(7, "1" * 32, (Column("A", "INTEGER"), Column("B b", "VARCHAR(3)")),
                  ("A", "B b")),
])
def test_line_round_trips(manifest: TableManifest) -> None:
    line = manifest.line()
    assert "\n" not in line
    assert parse_line(line) == manifest


@pytest.mark.parametrize("bad", ["", "100 rows", "x rows; digest 00; key ID; columns ",
                                 "1 rows; digest " + "0" * 31 + "; key ID; columns A INT"])
def test_a_line_irisfx_did_not_write_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="manifest line"):
        parse_line(bad)


def test_types_are_normalised() -> None:
    assert normalize_type("varchar ( 100 )") == "VARCHAR(100)"
    assert normalize_type("numeric(10, 2)") == "NUMERIC(10,2)"
    assert normalize_type("") == "ANY"
    assert type_text("varchar", 50, None, None) == "VARCHAR(50)"
    assert type_text("numeric", None, 12, 3) == "NUMERIC(12,3)"
    assert type_text("integer", None, 10, 0) == "INTEGER"


def test_values_of_different_kinds_encode_differently() -> None:
    values = [None, 1, "1", b"1", 1.5, "1.5", Decimal("1.50"), dt.date(2024, 1, 2),
              "2024-01-02", True]
    encoded = [encode_value(v) for v in values]
    assert len(set(encoded[:-1])) == len(values) - 1
    assert encode_value(True) == encode_value(1)  # IRIS has no boolean storage apart from 0/1
    assert row_digest(["a", "bc"]) != row_digest(["ab", "c"])


def test_digest_ignores_row_order_but_sees_every_value(tmp_path: Path) -> None:
    table = {"Shop.Item": (COLUMNS, ROWS)}
    one = manifest_of(write_db(tmp_path / "a.db", table))
    reverse = manifest_of(write_db(tmp_path / "b.db", table, key=False,
                                   order=sorted(ROWS, reverse=True)))
    assert one["Shop.Item"].digest == reverse["Shop.Item"].digest
    assert one["Shop.Item"].rows == 39 and reverse["Shop.Item"].key == ()
    changed = dict(ROWS)
    changed[17] = (17, "item 17", 25.6)
    other = manifest_of(write_db(tmp_path / "c.db", {"Shop.Item": (COLUMNS, changed)}))
    assert other["Shop.Item"].digest != one["Shop.Item"].digest
    assert [c.type for c in one["Shop.Item"].columns] == ["INTEGER", "VARCHAR(20)",
                                                          "NUMERIC(10,2)"]


def test_sqlite_own_tables_are_not_user_tables(tmp_path: Path) -> None:
    path = write_db(tmp_path / "a.db", {"Shop.Item": (COLUMNS, ROWS)})
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE plain (x)")  # not Schema.Table: never made by a recipe
        db.execute('CREATE TABLE "S.Auto" (id INTEGER PRIMARY KEY AUTOINCREMENT, v)')
    assert sorted(manifest_of(path)) == ["S.Auto", "Shop.Item"]


def test_a_damaged_file_is_an_integrity_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.DAT"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(IntegrityError) as info:
        manifest_of(path)
    assert info.value.fix and "rebuild" in info.value.fix


def test_the_engine_reader_sees_what_the_snapshot_holds(tmp_path: Path) -> None:
    from irisfx.engines import EngineSettings, open_engine
    from irisfx.files.progress import NoProgress
    from irisfx.recipes.recipe import load_recipe

    recipe_path = tmp_path / "r.sql"
    recipe_path.write_text("CREATE TABLE Shop.Item (ID INTEGER PRIMARY KEY, Name VARCHAR(9));\n"
                           "INSERT INTO Shop.Item (ID, Name) VALUES (2, 'b');\n"
                           "INSERT INTO Shop.Item (ID, Name) VALUES (1, 'a');\n")
    engine = open_engine(EngineSettings(url="sim://sim", project="p", root=tmp_path))
    try:
        engine.build("f", "FXSRC_F", load_recipe(recipe_path, "r.sql"))
        reader = engine.reader("FXSRC_F")
        try:
            live = database_manifest(reader)
        finally:
            reader.close()
        engine.snapshot("FXSRC_F", tmp_path / "snap.DAT", NoProgress())
    finally:
        engine.close()
    assert live == manifest_of(tmp_path / "snap.DAT")
    assert live["Shop.Item"].line().startswith("2 rows; digest ")
    assert live["Shop.Item"].line().endswith("; key ID; columns ID INTEGER, Name VARCHAR(9)")


def test_a_hand_edited_manifest_line_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "fixtures.toml"
    config.write_text(
        '[irisfx]\nproject = "p"\n\n[fixtures.a]\nrecipe = "r.sql"\n\n[fixtures.a.pin]\n'
        f'sha256 = "{"0" * 64}"\nsize = 1\nbuilt_by = "irisfx-sim 0.1.0"\n'
        'created = 2026-01-01T00:00:00Z\n\n[fixtures.a.pin.manifest]\n'
        '"Shop.Item" = "lots of rows"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_project(config)
    text = info.value.render()
    assert ('fixtures.toml:14: fixtures.a.pin.manifest."Shop.Item": must be a manifest line '
            "written by irisfx") in text, text
