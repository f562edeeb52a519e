"""Ownership records, the inventory built from the helper's reply, and the engine's SQL.

The SQL helpers run on sqlite3 here: a real DB-API connection, for the Python side of counting;
the IRIS side (INFORMATION_SCHEMA on IRIS, delimited names) is for the live suite.
"""

from __future__ import annotations

import sqlite3

import pytest

from irisfx.engines.base import OwnedNamespace
from irisfx.engines.iris.records import Record, observed_from_reply
from irisfx.engines.iris.sql import (
    count_rows,
    count_statement,
    is_user_schema,
    resolve_tables,
    user_tables,
)
from irisfx.engines.iris.transfer import FileStat
from irisfx.errors import EngineError

DIGEST = "ab" * 32


def mount_record(**changes: object) -> Record:
    base = Record("items", "mount", "ready", "/mgr/irisfx/p/FX_A/", sha256=DIGEST,
                  readonly=True, file_size=8192, file_mtime="67000,1")
    data = {**base.__dict__, **changes}
    return Record(**data)  # type: ignore[arg-type]


def test_records_round_trip_through_json() -> None:
    record = mount_record()
    assert Record.from_json("FX_A", record.to_json()) == record
    source = Record("items", "source", "creating", "/d/", recipe_sha256=DIGEST)
    assert Record.from_json("S", source.to_json()) == source


@pytest.mark.parametrize("text", ["", "{}", '{"fixture":"a","role":"boss","state":"ready",'
                                            '"dir":"/d/"}', "[]"])
def test_a_damaged_record_names_its_namespace_and_the_fix(text: str) -> None:
    with pytest.raises(EngineError) as caught:
        Record.from_json("FX_A", text)
    assert "FX_A" in caught.value.message
    assert caught.value.fix is not None and "^ZIRISFX" in caught.value.fix


def test_a_read_only_mount_whose_file_changed_is_changed() -> None:
    record = mount_record()
    assert not record.changed(FileStat(8192, "67000,1"))
    assert record.changed(FileStat(16384, "67000,1"))
    assert record.changed(FileStat(8192, "67001,5"))


def test_only_ready_read_only_mounts_can_be_changed() -> None:
    moved = FileStat(1, "x")
    assert not mount_record(readonly=False).changed(moved)
    assert not mount_record(state="creating").changed(moved)
    assert not mount_record(file_size=None).changed(moved)
    assert not mount_record().changed(None)


def test_inventory_from_the_helper_reply() -> None:
    reply = {
        "ok": 1,
        "namespaces": ["%SYS", "USER", "FX_A", "fxsrc_b"],
        "owned": {
            "FX_A": {"record": mount_record().to_json(), "nsExists": True,
                     "file": {"exists": 1, "size": 8192, "mtime": "67000,1"}},
            "FX_GONE": {"record": mount_record().to_json(), "nsExists": False,
                        "file": {"exists": 0}},
            "FX_MOVED": {"record": mount_record().to_json(), "nsExists": True,
                         "file": {"exists": 1, "size": 8192, "mtime": "67002,0"}},
        },
    }
    observed = observed_from_reply(reply)
    inventory = observed.inventory
    assert inventory.namespaces == frozenset({"%SYS", "USER", "FX_A", "FXSRC_B"})
    assert inventory.owned["FX_A"] == OwnedNamespace(
        namespace="FX_A", role="mount", fixture="items", state="ready", sha256=DIGEST,
        readonly=True, changed=False, database_present=True)
    assert inventory.owned["FX_GONE"].database_present is False
    assert inventory.owned["FX_MOVED"].changed is True
    assert observed.records["FX_GONE"].dir == "/mgr/irisfx/p/FX_A/"


def test_an_empty_instance() -> None:
    observed = observed_from_reply({"ok": 1, "namespaces": ["%SYS"], "owned": {}})
    assert observed.inventory.owned == {} and observed.records == {}


# -- SQL ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "user"),
    [("RAG", True), ("SQLUser", True), ("Shop", True), ("%Dictionary", False),
     ("INFORMATION_SCHEMA", False), ("Ens_Config", False), ("EnsLib_X", False),
     ("HS_FHIR", False), ("Ensemble", True), ("HSales", True)],
)
def test_system_schemas_are_not_user_tables(schema: str, user: bool) -> None:
    assert is_user_schema(schema) is user


def test_user_tables_are_schema_dot_table_sorted_without_system_ones() -> None:
    rows = [("Shop", "Item"), ("%Library", "X"), ("SQLUser", "Plain"), ("Shop", "Item"),
            ("INFORMATION_SCHEMA", "TABLES")]
    assert user_tables(rows) == ["SQLUser.Plain", "Shop.Item"]


def test_requested_tables_resolve_case_insensitively_and_absent_ones_drop_out() -> None:
    present = ["SQLUser.Plain", "Shop.Item"]
    assert resolve_tables(["shop.item", "Nope.Missing", "Plain"], present) == {
        "shop.item": "Shop.Item", "Plain": "SQLUser.Plain"}


def test_count_statements_are_delimited() -> None:
    assert count_statement("Shop.Item") == 'SELECT COUNT(*) FROM "Shop"."Item"'
    assert count_statement('We"ird.T') == 'SELECT COUNT(*) FROM "We""ird"."T"'
    with pytest.raises(EngineError):
        count_statement("NoSchema")


def test_count_rows_over_a_real_dbapi_connection() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE Item (ID INTEGER)")
    conn.executemany("INSERT INTO Item VALUES (?)", [(1,), (2,), (3,)])
    assert count_rows(conn, {"shop.item": "main.Item"}, "NS") == {"shop.item": 3}
    with pytest.raises(EngineError, match=r"main\.Gone in namespace NS"):
        count_rows(conn, {"x": "main.Gone"}, "NS")
    conn.close()
