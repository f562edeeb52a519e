"""Live checks for issue 19 (review, round 3) and the IRIS side of issue 17 (read-only
connections, statement time limit): what only a real IRIS can tell, written to the live report.

Every test needs a live IRIS (IRISFX_TEST_IRIS; skipped without one, saying how to run it) and
closes every connection it opens: Community Edition has 5 license units (issue 19 item 14).
Set-up the Native API cannot express (a global mapping, a second namespace on a database, the
implicit namespaces ListAll returns) goes through a small test class compiled into %SYS for the
session and deleted after it (``ZIrisFxTest.Live``), the same way irisfx installs its helper.
None of these has run yet: no IRIS runs where irisfx is written.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from irisfx.engines import open_engine
from irisfx.engines.base import NoProgress
from irisfx.engines.iris.connect import Target, classify, load_driver, open_native
from irisfx.engines.iris.engine import IrisEngine
from irisfx.engines.iris.helper import check_status
from irisfx.errors import EngineError, IrisfxError
from irisfx.files.dbfile import read_label
from irisfx.recipes.recipe import Recipe
from tests.contract.conftest import _iris_settings, cleaned_up
from tests.contract.live_report import LiveReport

TEST_CLASS = "ZIrisFxTest.Live"
TEST_CLASS_TEXT = """\
/// irisfx live tests only: set-up the Native API cannot express. Deleted after the session.
Class ZIrisFxTest.Live Extends %RegisteredObject
{

ClassMethod MapGlobal(ns As %String, name As %String, db As %String) As %Status
{
    New $NAMESPACE
    Set $NAMESPACE = "%SYS"
    Kill p  Set p("Database") = db
    Quit ##class(Config.MapGlobals).Create(ns, name, .p)
}

ClassMethod UnmapGlobal(ns As %String, name As %String) As %Status
{
    New $NAMESPACE
    Set $NAMESPACE = "%SYS"
    Quit ##class(Config.MapGlobals).Delete(ns, name)
}

ClassMethod ShareNamespace(ns As %String, db As %String) As %Status
{
    New $NAMESPACE
    Set $NAMESPACE = "%SYS"
    Kill q  Set q("Globals") = db, q("Routines") = db
    Quit ##class(Config.Namespaces).Create(ns, .q)
}

ClassMethod DropNamespace(ns As %String) As %Status
{
    New $NAMESPACE
    Set $NAMESPACE = "%SYS"
    Quit ##class(Config.Namespaces).Delete(ns)
}

ClassMethod ListAllText() As %String
{
    New $NAMESPACE
    Set $NAMESPACE = "%SYS"
    Do ##class(%SYS.Namespace).ListAll(.all)
    Set out = "", ns = ""
    For {
        Set ns = $Order(all(ns))
        Quit:ns=""
        Set out = out_$Select(out = "": "", 1: ",")_ns
    }
    Quit out
}

}
"""

# Statements a read-only connection must never run (issue 17 item 1's tricks among them).
WRITES = [
    "INSERT INTO Shop.Item (ID, Name) VALUES (9, 'fig')",
    "ınsert ınto Shop.Item (ID, Name) VALUES (10, 'fig')",
    "UPDATE Shop.Item SET Name = 'x'",
    "DELETE FROM Shop.Item",
    "SELECT * INTO Shop.Copy FROM Shop.Item",
    "-- a comment\rDELETE FROM Shop.Item",
    "DROP TABLE Shop.Item",
    "TRUNCATE TABLE Shop.Item",
]

RUNAWAY = ("SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS a, INFORMATION_SCHEMA.COLUMNS b, "
           "INFORMATION_SCHEMA.COLUMNS c, INFORMATION_SCHEMA.COLUMNS d")


@contextmanager
def native_on(url: str) -> Iterator[Any]:
    """A Native API object on %SYS as the URL's user; its connection closes on exit."""
    parts = urlsplit(url)
    target = Target(parts.hostname or "", parts.port or 1972, unquote(parts.username or ""),
                    unquote(parts.password or ""), 10)
    driver = load_driver()
    connection = open_native(driver, target, "U", "P")
    try:
        yield driver.create_iris(connection)
    finally:
        connection.close()


def ok(native: Any, status: Any, what: str) -> None:
    check_status(native, status, what)


@pytest.fixture(scope="module")
def test_class(live_url: str) -> Iterator[str]:
    """ZIrisFxTest.Live compiled into %SYS for this module, deleted afterwards."""
    with native_on(live_url) as native:
        ok(native, native.classMethodValue("%Compiler.UDL.TextServices", "SetTextFromString",
                                           "%SYS", TEST_CLASS, TEST_CLASS_TEXT), "saving")
        ok(native, native.classMethodValue("%SYSTEM.OBJ", "Compile", TEST_CLASS, "ck-d"),
           "compiling")
    try:
        yield TEST_CLASS
    finally:
        with native_on(live_url) as native:
            native.classMethodValue("%SYSTEM.OBJ", "Delete", TEST_CLASS, "-d")


@pytest.fixture
def iris(live_url: str, tmp_path: Path) -> Iterator[IrisEngine]:
    """An iris engine on a fresh project; what it made is removed and it is closed after."""
    opened = open_engine(_iris_settings(live_url, f"live3-{uuid.uuid4().hex[:8]}", tmp_path))
    assert isinstance(opened, IrisEngine)
    with cleaned_up(opened) as engine:
        yield engine


@pytest.fixture
def source(iris: IrisEngine, recipe: Recipe) -> str:
    """A built source namespace with two rows."""
    namespace = f"FXSRC_R{uuid.uuid4().hex[:6].upper()}"
    iris.build("items", namespace, recipe)
    return namespace


# -- issue 17 items 1 and 5 ----------------------------------------------------------------------


def test_read_only_refuses_every_write_and_keeps_nothing(iris: IrisEngine, source: str,
                                                         live_report: LiveReport) -> None:
    seen: dict[str, str] = {}
    with closing(iris.connect(source, read_only=True)) as conn:
        for sql in WRITES:
            try:
                conn.cursor().execute(sql)
                seen[sql] = "RAN"
            except IrisfxError as exc:
                seen[sql] = exc.message
        rows = conn.cursor().execute("SELECT Name FROM Shop.Item ORDER BY ID").fetchall()
    live_report.record("iris", "read_only_statements", seen)
    assert "RAN" not in seen.values()
    assert [r[0] for r in rows] == ["apple", "pear"]
    assert iris.row_counts(source, ["Shop.Item"]) == {"Shop.Item": 2}


def test_a_runaway_query_is_cancelled(iris: IrisEngine, source: str,
                                      live_report: LiveReport) -> None:
    start = time.perf_counter()
    with closing(iris.connect(source, read_only=True, timeout=2)) as conn, \
            pytest.raises(EngineError) as caught:
        conn.cursor().execute(RUNAWAY).fetchall()
    live_report.record("iris", "runaway_query", {"seconds": round(time.perf_counter() - start, 2),
                                                 "error": caught.value.render()})
    assert "time limit" in caught.value.message


# -- issue 19 --------------------------------------------------------------------------------------


def test_missing_privileges_text_on_a_privileged_call(live_url: str, tmp_path: Path,
                                                      live_report: LiveReport) -> None:
    """Item 5: open() only calls Stamp()/Info(); the privileged calls come after."""
    name, password = f"irisfx{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    with native_on(live_url) as native:
        user = native.classMethodObject("Security.Users", "%New")
        user.set("Name", name)
        user.set("PasswordExternal", password)
        user.set("Roles", "%DB_USER")
        user.set("ChangePassword", False)
        ok(native, user.invoke("%Save"), "creating a low user")
    parts = urlsplit(live_url)
    low = f"iris://{name}:{password}@{parts.hostname}:{parts.port or 1972}"
    try:
        try:
            engine = open_engine(_iris_settings(low, f"live3-{uuid.uuid4().hex[:8]}", tmp_path))
        except EngineError as exc:
            live_report.record("iris", "low_user_open", exc.render())
            text = exc.render()
        else:
            live_report.record("iris", "low_user_open", "opened")
            try:
                with pytest.raises(EngineError) as caught:
                    engine.inventory()
                text = caught.value.render()
            finally:
                engine.close()
        live_report.record("iris", "error_missing_privilege_on_call", text)
        failure = classify(text)
        assert failure is not None and failure.kind == "missing_privileges"
    finally:
        with native_on(live_url) as native:
            native.classMethodValue("Security.Users", "Delete", name)


def test_the_path_map_writability_probe(iris: IrisEngine, live_report: LiveReport) -> None:
    """Item 1: IRIS may write its own <mgr>/irisfx/ (the probe's positive answer)."""
    root = str(iris._helper.call("Info")["root"])
    reply = iris._helper.call("DirectoryWritable", root + "probe-dir", root)
    live_report.record("iris", "directory_writable_own_root", reply.get("writable"))
    assert reply.get("writable") is True


def test_a_missing_resource_is_named(iris: IrisEngine, source: str, tmp_path: Path,
                                     live_report: LiveReport) -> None:
    """Item 6, and the label layout of a file this IRIS wrote (Real DAT files)."""
    dest = tmp_path / "snap" / "IRIS.DAT"
    iris.snapshot(source, dest, NoProgress())
    label = read_label(dest)
    live_report.record("iris", "snapshot_label", None if label is None else {
        "directory": label.directory, "resource": label.resource,
        "byte_order": label.byte_order, "size": dest.stat().st_size})
    assert label is not None and label.kind == "iris"
    missing = f"%DB_IRISFX{uuid.uuid4().hex[:6].upper()}"
    assert iris._helper.call("ResourceExists", missing).get("exists") is False
    if label.resource:
        assert iris._helper.call("ResourceExists", label.resource).get("exists") is True


def test_implicit_namespaces_are_not_listed(iris: IrisEngine, live_url: str, test_class: str,
                                            live_report: LiveReport) -> None:
    """Item 7: what ListAll returns, and that irisfx's inventory leaves out ^^DIR entries."""
    with native_on(live_url) as native:
        listed = str(native.classMethodString(test_class, "ListAllText")).split(",")
    live_report.record("iris", "listall_implicit", [ns for ns in listed if ns.startswith("^^")])
    assert not [ns for ns in iris.inventory().namespaces if ns.startswith("^^")]


def test_a_database_reached_through_a_mapping_is_shared(iris: IrisEngine, source: str,
                                                        live_url: str, test_class: str,
                                                        tmp_path: Path,
                                                        live_report: LiveReport) -> None:
    """Item 9: a global of USER mapped to the source's database makes it shared."""
    name = f"ZIrisFxProbe{uuid.uuid4().hex[:6]}"
    with native_on(live_url) as native:
        ok(native, native.classMethodValue(test_class, "MapGlobal", "USER", name, source),
           "mapping a global")
    try:
        with pytest.raises(EngineError) as caught:
            iris.snapshot(source, tmp_path / "mapped" / "IRIS.DAT", NoProgress())
        live_report.record("iris", "mapped_database_refused", caught.value.render())
        assert "shared" in caught.value.render()
    finally:
        with native_on(live_url) as native:
            native.classMethodValue(test_class, "UnmapGlobal", "USER", name)


def test_a_crash_consistent_copy_of_a_shared_database(iris: IrisEngine, source: str,
                                                      live_url: str, test_class: str,
                                                      tmp_path: Path,
                                                      live_report: LiveReport) -> None:
    """Item 3 (and 4): refused by default; with consistency "crash", frozen, copied, thawed."""
    other = f"FXSH_{uuid.uuid4().hex[:6].upper()}"
    with native_on(live_url) as native:
        ok(native, native.classMethodValue(test_class, "ShareNamespace", other, source),
           "sharing the database")
    try:
        with pytest.raises(EngineError) as caught:
            iris.snapshot(source, tmp_path / "strict" / "IRIS.DAT", NoProgress())
        assert "shared" in caught.value.render()
        iris.settings = replace(iris.settings, snapshot_consistency="crash")
        dest = tmp_path / "crash" / "IRIS.DAT"
        start = time.perf_counter()
        sent = iris.snapshot(source, dest, NoProgress())
        live_report.record("iris", "crash_consistent_copy", {
            "seconds": round(time.perf_counter() - start, 2), "size": sent.size})
        assert hashlib.sha256(dest.read_bytes()).hexdigest() == sent.sha256
        assert iris.row_counts(source, ["Shop.Item"]) == {"Shop.Item": 2}  # thawed
    finally:
        with native_on(live_url) as native:
            native.classMethodValue(test_class, "DropNamespace", other)


def test_download_speed_is_recorded(iris: IrisEngine, source: str, tmp_path: Path,
                                    live_report: LiveReport) -> None:
    """Item 15: FileRead seeks with $ZSEEK; the snapshot's MB/s (copy and download) is kept."""
    dest = tmp_path / "speed" / "IRIS.DAT"
    start = time.perf_counter()
    size = iris.snapshot(source, dest, NoProgress()).size
    seconds = time.perf_counter() - start
    live_report.append("iris", "snapshot_download", {
        "size": size, "seconds": round(seconds, 3),
        "mb_per_s": round(size / seconds / 1e6, 2) if seconds > 0 else None})
    assert dest.stat().st_size == size
