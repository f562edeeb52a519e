"""Ownership records, the inventory built from the helper's reply, and the engine's SQL.

The SQL helpers run on sqlite3 here: a real DB-API connection, for the Python side of counting;
the IRIS side (INFORMATION_SCHEMA on IRIS, delimited names) is for the live suite.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from irisfx.engines.base import OwnedNamespace, ProjectRef, not_owned
from irisfx.engines.iris.records import (
    Record,
    group_projects,
    is_mine,
    observed_from_reply,
)
from irisfx.engines.iris.sql import (
    count_rows,
    count_statement,
    is_user_schema,
    resolve_tables,
    user_tables,
)
from irisfx.engines.iris.transfer import FileStat
from irisfx.errors import EngineError, ExitCode

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
        "projects": {"p": {
            "FX_A": {"record": mount_record().to_json(), "nsExists": True,
                     "file": {"exists": 1, "size": 8192, "mtime": "67000,1"}},
            "FX_GONE": {"record": mount_record().to_json(), "nsExists": False,
                        "file": {"exists": 0}},
            "FX_MOVED": {"record": mount_record().to_json(), "nsExists": True,
                         "file": {"exists": 1, "size": 8192, "mtime": "67002,0"}},
        }},
    }
    observed = observed_from_reply(reply, "p")
    inventory = observed.inventory
    assert inventory.namespaces == frozenset({"%SYS", "USER", "FX_A", "FXSRC_B"})
    assert inventory.owned["FX_A"] == OwnedNamespace(
        namespace="FX_A", role="mount", fixture="items", state="ready", sha256=DIGEST,
        readonly=True, changed=False, database_present=True, owner=ProjectRef("p"))
    assert inventory.owned["FX_GONE"].database_present is False
    assert inventory.owned["FX_MOVED"].changed is True
    assert observed.records["FX_GONE"].dir == "/mgr/irisfx/p/FX_A/"
    assert observed.files["FX_GONE"] is None
    assert observed.files["FX_A"] == FileStat(8192, "67000,1")
    assert inventory.others == {}


def test_an_empty_instance() -> None:
    observed = observed_from_reply({"ok": 1, "namespaces": ["%SYS"], "projects": {}}, "p")
    assert observed.inventory.owned == {} and observed.records == {}
    assert observed.everyone == ()


# -- which project owns a record ------------------------------------------------------------


def test_records_keep_the_project_id_and_folder() -> None:
    record = mount_record(project_id="id-1", location="/home/ann/demo")
    again = Record.from_json("FX_A", record.to_json())
    assert (again.project_id, again.location) == ("id-1", "/home/ann/demo")
    assert again.owner("demo") == ProjectRef("demo", "id-1", "/home/ann/demo")


def test_a_record_written_before_ids_has_none_and_still_reads() -> None:
    old = json.loads(mount_record().to_json())
    del old["project_id"], old["location"]
    record = Record.from_json("FX_A", json.dumps(old))
    assert (record.project_id, record.location) == (None, None)


@pytest.mark.parametrize(("key", "value"), [("project_id", "a\nb"), ("location", 7),
                                            ("location", "")])
def test_an_id_or_folder_that_is_not_printable_text_is_a_damaged_record(
        key: str, value: object) -> None:
    data = {**json.loads(mount_record().to_json()), key: value}
    with pytest.raises(EngineError, match="FX_A"):
        Record.from_json("FX_A", json.dumps(data))


@pytest.mark.parametrize(
    ("owner", "project", "project_id", "mine"),
    [
        (ProjectRef("demo", "A"), "demo", "A", True),
        (ProjectRef("demo", "A"), "demo", "B", False),  # same name, another project
        (ProjectRef("demo", None), "demo", "B", True),  # an old record: by name
        (ProjectRef("demo", "A"), "demo", None, True),  # a project without an id: by name
        (ProjectRef("demo", None), "demo", None, True),
        (ProjectRef("other", "A"), "demo", "A", False),  # another name is never ours
    ],
)
def test_is_mine_needs_the_name_and_a_matching_id_when_both_are_known(
        owner: ProjectRef, project: str, project_id: str | None, mine: bool) -> None:
    assert is_mine(owner, project, project_id) is mine


def entry(record: Record, exists: bool = True) -> dict[str, object]:
    return {"record": record.to_json(), "nsExists": exists,
            "file": {"exists": 1, "size": 8192, "mtime": "67000,1"} if exists
            else {"exists": 0}}


TWO_DEMOS = {
    "ok": 1,
    "namespaces": ["FX_MINE", "FX_THEIRS", "FX_OLD", "FX_PB"],
    "projects": {
        "demo": {
            "FX_MINE": entry(mount_record(project_id="A", location="/w/a/demo")),
            "FX_THEIRS": entry(mount_record(project_id="B", location="/w/b/demo")),
            "FX_OLD": entry(mount_record()),
        },
        "pb": {"FX_PB": entry(mount_record(project_id="C", location="/w/pb"))},
    },
}


def test_a_same_name_project_with_another_id_is_in_others_not_owned() -> None:
    observed = observed_from_reply(TWO_DEMOS, "demo", "A")
    inventory = observed.inventory
    assert sorted(inventory.owned) == ["FX_MINE", "FX_OLD"]
    assert sorted(observed.records) == ["FX_MINE", "FX_OLD"]
    assert sorted(inventory.others) == ["FX_PB", "FX_THEIRS"]
    assert inventory.others["FX_THEIRS"].owner == ProjectRef("demo", "B", "/w/b/demo")
    assert inventory.others["FX_PB"].owner == ProjectRef("pb", "C", "/w/pb")
    assert inventory.owned["FX_OLD"].owner == ProjectRef("demo")
    assert all(view.owner is not None for view in observed.everyone)


def test_a_project_without_an_id_owns_every_record_of_its_name() -> None:
    observed = observed_from_reply(TWO_DEMOS, "demo")
    assert sorted(observed.inventory.owned) == ["FX_MINE", "FX_OLD", "FX_THEIRS"]
    assert sorted(observed.inventory.others) == ["FX_PB"]


def test_projects_are_grouped_by_owner_and_sorted_by_name_then_id() -> None:
    grouped = group_projects(observed_from_reply(TWO_DEMOS, "pb").everyone)
    assert [(g.owner.name, g.owner.id) for g in grouped] == [
        ("demo", None), ("demo", "A"), ("demo", "B"), ("pb", "C")]
    assert [[r.namespace for r in g.records] for g in grouped] == [
        ["FX_OLD"], ["FX_MINE"], ["FX_THEIRS"], ["FX_PB"]]
    assert all(r.owner == g.owner for g in grouped for r in g.records)


def test_a_damaged_record_of_any_project_names_the_node_to_remove() -> None:
    reply = {"namespaces": [], "projects": {"pb": {"FX_A": {"record": "{", "file": {}}}}}
    with pytest.raises(EngineError) as caught:
        observed_from_reply(reply, "p")
    assert caught.value.fix is not None
    assert 'kill ^ZIRISFX("own","pb","FX_A")' in caught.value.fix


def test_a_project_name_irisfx_never_makes_is_a_damaged_record() -> None:
    reply = {"namespaces": [], "projects": {"bad name\n": {"FX_A": entry(mount_record())}}}
    with pytest.raises(EngineError, match="FX_A") as caught:
        observed_from_reply(reply, "p")
    assert caught.value.fix is not None and "^ZIRISFX" in caught.value.fix


def test_the_refusal_names_the_owning_project_or_says_nobody_recorded_it() -> None:
    owner = ProjectRef("demo", "B", "/w/b/demo")
    error = not_owned("FX_THEIRS", "demo", owner)
    assert error.exit_code == ExitCode.USAGE
    assert owner.describe() in error.render()
    assert "made outside irisfx" in not_owned("FX_X", "demo", None).render()


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
