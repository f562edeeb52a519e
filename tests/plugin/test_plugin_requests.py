"""What a marker can ask: writable copies of any fixture, a read-only view, scope, no name."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_project import FxProject

from irisfx.plugin.settings import MarkerArgs, Request, parse_requests, resolve

REQUESTS = """\
import pytest
from conftest import add_order, rows


@pytest.mark.irisfx("items")
def test_the_only_fixture_needs_no_name(irisfx):
    assert rows(irisfx.connect(), "SELECT COUNT(*) FROM Shop.Item") == [(3,)]
    assert irisfx.name == "items" and irisfx.namespace() == "FX_ITEMS"
    assert irisfx.pin().tables == {"Shop.Item": 3}


@pytest.mark.irisfx("items", writable=True, scope="function")
def test_a_read_only_fixture_gets_a_writable_copy(irisfx):
    conn = irisfx.connect()
    conn.cursor().execute("DELETE FROM Shop.Item WHERE ID = 1")
    conn.commit()
    assert rows(conn, "SELECT COUNT(*) FROM Shop.Item") == [(2,)]
    assert irisfx.namespace() == "FX_ITEMS_MAIN"


@pytest.mark.irisfx("items")
def test_the_shared_mount_was_not_touched(irisfx):
    assert rows(irisfx.connect(), "SELECT COUNT(*) FROM Shop.Item") == [(3,)]


@pytest.mark.irisfx("orders", writable=False)
def test_a_writable_fixture_can_be_read_only(irisfx):
    conn = irisfx.connect()
    assert irisfx.namespace() == "FX_ORDERS"
    assert rows(conn, "SELECT Who FROM Shop.Orders") == [("pinned",)]
    with pytest.raises(Exception, match="(?i)read.?only"):
        add_order(conn, "refused")


@pytest.mark.irisfx("items", "orders")
def test_two_fixtures_need_a_name(irisfx):
    irisfx.connect()


@pytest.mark.irisfx("items", scope="class")
class TestScopeOnReadOnly:
    def test_one(self, irisfx):
        irisfx.connect()


@pytest.mark.irisfx("items", writable=True, scope="class")
class TestScopeOnACopy:
    def test_one(self, irisfx):
        irisfx.connect()
"""


def test_markers_ask_for_copies_views_and_the_only_fixture(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_requests=REQUESTS)
    result = fx.pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=6, failed=1, warnings=1)
    result.stdout.fnmatch_lines([
        "*irisfx: this test asked for 2 fixtures ('items', 'orders'), so say which one: "
        "irisfx.connect('items')",
    ])
    result.stdout.fnmatch_lines([
        "*IrisfxScopeWarning: irisfx: scope='class' changes nothing for 'items': served "
        "read-only, the data is the same for every test; add writable=True for a copy reset "
        "per scope, or drop scope=",
    ])
    assert fx.copies() == set(), "the copy of 'items' is removed at the end"


def test_writable_must_be_a_bool(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_bad="""
        import pytest

        @pytest.mark.irisfx("items", writable="yes")
        def test_a(irisfx):
            pass
    """)
    result = fx.pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*writable='yes' must be True, False or None (in test_a)"])


def test_the_closest_marker_that_says_so_decides_each_setting() -> None:
    function = MarkerArgs(("orders",), {"scope": "function"})
    klass = MarkerArgs(("orders", "items"), {"writable": True, "scope": "class"})
    module = MarkerArgs(("items",), {})
    requests, problems = parse_requests([function, klass, module])
    assert problems == []
    assert requests == {
        "orders": Request(scope="function", writable=True, scope_given=True),
        "items": Request(scope="class", writable=True, scope_given=True),
    }
    assert parse_requests([module])[0] == {"items": Request()}
    assert Request().copied(declared_readonly=False)
    assert not Request(writable=False).copied(declared_readonly=False)
    assert Request(writable=True).copied(declared_readonly=True)


@pytest.mark.parametrize(("env", "mode", "source"), [
    ({}, "apply", "default"),
    ({"CI": "true"}, "locked", "default: CI is set"),
    ({"CI": "1"}, "locked", "default: CI is set"),
    ({"CI": "false"}, "apply", "default"),
    ({"CI": "true", "IRISFX_MODE": "apply"}, "apply", "env IRISFX_MODE"),
])
def test_ci_makes_locked_the_default_mode(tmp_path: Path, env: dict[str, str], mode: str,
                                          source: str) -> None:
    settings = resolve(option={}, env=env, ini={}, invocation_dir=tmp_path, ini_dir=tmp_path,
                       rootpath=tmp_path)
    assert (settings.mode, settings.mode_source) == (mode, source)
