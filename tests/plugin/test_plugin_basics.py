"""The plugin end to end: passing and failing runs, the marker, the header, settings."""

from __future__ import annotations

import subprocess
import sys

import pytest
from plugin_project import FxProject

PASSING = """\
import pytest
from conftest import rows

pytestmark = pytest.mark.irisfx("items")


def test_reads_the_pinned_rows(irisfx):
    conn = irisfx.connect("items")
    assert rows(conn, "SELECT Name FROM Shop.Item ORDER BY ID") == [
        ("apple",), ("pear",), ("plum",)]


def test_namespace_and_pin(irisfx):
    assert irisfx.namespace("items") == "FX_ITEMS"
    assert irisfx.pin("items").tables == {"Shop.Item": 3}
    assert irisfx.fixture("items").decl.readonly
    assert irisfx.names == ("items",)


def test_read_only_fixture_refuses_writes(irisfx):
    conn = irisfx.connect("items")
    with pytest.raises(Exception, match="(?i)read.?only"):
        conn.cursor().execute("DELETE FROM Shop.Item")
"""

TWO_TESTS = """\
import pytest

pytestmark = pytest.mark.irisfx("items")


def test_one(irisfx):
    pass


def test_two(irisfx):
    pass
"""


def test_passing_run_applies_then_serves_the_fixture(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_items=PASSING)
    result = fx.pytester.runpytest()
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([
        "irisfx: config */fixtures.toml (found from *)",
        "irisfx: engine sim://.irisfx/sim (fixtures.toml), mode apply (default; like "
        "'irisfx apply' it re-pins fixtures.toml after a recipe edit; --irisfx-mode locked, "
        "or CI set, forbids that)",
        "irisfx: engine irisfx-sim * (simulator*",
        "irisfx: applied: build items, snapshot items, mount items, build orders, *",
    ])
    assert fx.owned()["FX_ITEMS"].role == "mount"
    again = fx.pytester.runpytest()
    again.assert_outcomes(passed=3)
    again.stdout.fnmatch_lines(["irisfx: apply: no changes"])


def test_failing_test_fails_the_run(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_items="""
        import pytest
        from conftest import rows

        @pytest.mark.irisfx("items")
        def test_wrong_count(irisfx):
            assert len(rows(irisfx.connect("items"), "SELECT * FROM Shop.Item")) == 4
    """)
    result = fx.pytester.runpytest()
    result.assert_outcomes(failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*assert 3 == 4*"])


@pytest.mark.parametrize("where", ["function", "class", "module"])
def test_misspelled_fixture_fails_collection_with_known_names(fx: FxProject, where: str) -> None:
    body = {
        "function": '@pytest.mark.irisfx("itemz")\ndef test_a(irisfx):\n    pass\n',
        "class": '@pytest.mark.irisfx("itemz")\nclass TestA:\n    def test_a(self, irisfx):\n'
                 '        pass\n',
        "module": 'pytestmark = pytest.mark.irisfx("itemz")\ndef test_a(irisfx):\n    pass\n',
    }[where]
    fx.pytester.makepyfile(test_bad="import pytest\n" + body)
    result = fx.pytester.runpytest()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR collecting test_bad.py*",
        "irisfx error: unknown fixture 'itemz' (in test_a)",
        "  fixtures.toml declares: items, orders",
    ])
    result.stdout.no_fnmatch_line("*Traceback*")
    assert not (fx.root / ".irisfx" / "sim").exists(), "nothing may be applied"


def test_bad_scope_fails_collection(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_bad="""
        import pytest

        @pytest.mark.irisfx("orders", scope="forever")
        def test_a(irisfx):
            pass
    """)
    result = fx.pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*scope='forever' is not one of function, class, module, "
                                 "session (in test_a)"])


def test_marker_is_registered_with_help(fx: FxProject) -> None:
    result = fx.pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        ['@pytest.mark.irisfx("NAME", ..., writable=None, scope="session"): *'])
    fx.pytester.makepyfile(test_items=TWO_TESTS)
    fx.pytester.runpytest("--strict-markers").assert_outcomes(passed=2)


def test_invalid_fixtures_toml_fails_collection_with_its_line(fx: FxProject) -> None:
    path = fx.root / "fixtures.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("readonly = false",
                                                             "read_only = false"))
    fx.pytester.makepyfile(test_items=TWO_TESTS)
    result = fx.pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["irisfx error: fixtures.toml has 1 problem(s) (in test_one, "
                                 "test_two)",
                                 "  fixtures.toml:*: fixtures.orders.read_only: unknown key*"])


def test_handle_refuses_a_fixture_the_test_did_not_ask_for(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_items="""
        import pytest

        @pytest.mark.irisfx("items")
        def test_a(irisfx):
            irisfx.connect("orders")
    """)
    result = fx.pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*did not ask for fixture 'orders' (it asked for 'items'); "
                                 "add @pytest.mark.irisfx('orders')*"])


def test_marker_without_fixtures_toml_is_a_clear_error(pytester: pytest.Pytester,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRISFX_CONFIG", raising=False)
    pytester.makepyfile(test_a="""
        import pytest

        @pytest.mark.irisfx("items")
        def test_a(irisfx):
            pass
    """)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "irisfx error: a test uses @pytest.mark.irisfx, but there is no fixtures.toml in *",
        "*--irisfx-config PATH*",
    ])


def test_project_without_markers_pays_nothing(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = fx.pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert not (fx.root / ".irisfx").exists(), "no marker: no apply, no engine"
    probe = ("import sys, irisfx.plugin.hooks; print(sorted(m for m in sys.modules if "
             "m.split('.')[0] in ('pydantic', 'sqlglot', 'tomli_w') or m in "
             "('irisfx.lockfile.project', 'irisfx.plugin.run')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=fx.root)
    assert out.stdout.strip() == "[]"


def test_settings_option_beats_env_beats_ini(fx: FxProject, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    fx.pytester.makeini("[pytest]\nirisfx_mode = check\nirisfx_iris = sim://from-ini\n")
    fx.pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = fx.pytester.runpytest()
    result.stdout.fnmatch_lines(["irisfx: engine sim://from-ini (ini irisfx_iris), "
                                 "mode check (ini irisfx_mode)"])
    monkeypatch.setenv("IRISFX_MODE", "never")
    result = fx.pytester.runpytest()
    result.stdout.fnmatch_lines(["*mode never (env IRISFX_MODE)"])
    result = fx.pytester.runpytest("--irisfx-mode", "apply", "--irisfx-iris", "sim://opt")
    result.stdout.fnmatch_lines(["irisfx: engine sim://opt (--irisfx-iris), "
                                 "mode apply (--irisfx-mode; *re-pins*)"])


def test_config_option_points_at_another_folder(fx: FxProject) -> None:
    sub = fx.root / "elsewhere"
    sub.mkdir()
    fx.pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = fx.pytester.runpytest("--irisfx-config", str(fx.root / "fixtures.toml"),
                                   str(fx.root / "test_plain.py"))
    result.stdout.fnmatch_lines(["irisfx: config */fixtures.toml (--irisfx-config)"])


def test_bad_mode_in_env_is_a_usage_error(fx: FxProject, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.setenv("IRISFX_MODE", "sometimes")
    result = fx.pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*irisfx mode 'sometimes' (env IRISFX_MODE) is not one of "
                                 "apply, locked, check, never"])


def test_apply_failure_stops_the_session_before_any_test(fx: FxProject) -> None:
    fx.write_config(items=4)  # the recipe makes 3 rows: apply refuses to pin the file
    fx.pytester.makepyfile(test_items=TWO_TESTS)
    result = fx.pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.assert_outcomes()
    result.stderr.fnmatch_lines([
        "ERROR: irisfx error: apply stopped at snapshot items: fixture 'items' does not hold "
        "the rows its 'expect' declares",
        "  Shop.Item: expected 4 rows, found 3",
    ])


def test_expected_row_counts_are_checked_once_with_a_clear_failure(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_items=TWO_TESTS)
    fx.pytester.runpytest().assert_outcomes(passed=2)
    fx.set_items_expect(4)  # the pinned file holds 3: every test using it must say so
    # apply mode refuses this at session start (the plan compares 'expect' with the pin);
    # with mode never only the plugin's own row check stands between the tests and the data.
    result = fx.pytester.runpytest("--irisfx-mode", "never")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_one*",
        "irisfx error: fixture 'items' does not hold the rows fixtures.toml expects "
        "(namespace FX_ITEMS)",
        "  Shop.Item: expected 4 rows, found 3",
        "*ERROR at setup of test_two*",
    ])
    result.stdout.no_fnmatch_line("*Traceback*")
