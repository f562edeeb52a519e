"""Writable fixtures: each process's own copy, reset as the marker's scope says, removed at end.

The inner tests run in file order (pytest's default), so each one can state what the previous
ones left behind.
"""

from __future__ import annotations

from plugin_project import FxProject


def test_function_scope_gives_every_test_the_pinned_state(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_orders="""
        import pytest
        from conftest import add_order, rows

        pytestmark = pytest.mark.irisfx("orders", scope="function")

        def test_first_writes(irisfx):
            conn = irisfx.connect("orders")
            add_order(conn, "first")
            assert len(rows(conn, "SELECT * FROM Shop.Orders")) == 2

        def test_second_sees_the_pinned_state(irisfx):
            conn = irisfx.connect("orders")
            assert rows(conn, "SELECT Who FROM Shop.Orders") == [("pinned",)]
            add_order(conn, "second")

        def test_third_too(irisfx):
            assert rows(irisfx.connect("orders"), "SELECT Who FROM Shop.Orders") == [
                ("pinned",)]
            assert irisfx.namespace("orders") == "FX_ORDERS_MAIN"
    """)
    result = fx.pytester.runpytest()
    result.assert_outcomes(passed=3)
    assert fx.copies() == set(), "the session's copies are removed at its end"


def test_session_scope_keeps_changes_between_tests(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_orders="""
        import pytest
        from conftest import add_order, rows

        @pytest.mark.irisfx("orders")
        def test_first_writes(irisfx):
            add_order(irisfx.connect("orders"), "first")

        @pytest.mark.irisfx("orders", scope="session")
        def test_second_sees_it(irisfx):
            assert rows(irisfx.connect("orders"), "SELECT Who FROM Shop.Orders") == [
                ("pinned",), ("first",)]

        @pytest.mark.irisfx("orders", scope="function")
        def test_function_scope_resets(irisfx):
            assert len(rows(irisfx.connect("orders"), "SELECT * FROM Shop.Orders")) == 1
    """)
    fx.pytester.runpytest().assert_outcomes(passed=3)


def test_module_and_class_scopes_reset_per_module_and_class(fx: FxProject) -> None:
    fx.pytester.makepyfile(
        test_a="""
            import pytest
            from conftest import add_order, rows

            pytestmark = pytest.mark.irisfx("orders", scope="module")

            def test_one(irisfx):
                add_order(irisfx.connect("orders"), "a1")

            def test_two_sees_one(irisfx):
                assert len(rows(irisfx.connect("orders"), "SELECT * FROM Shop.Orders")) == 2
        """,
        test_b="""
            import pytest
            from conftest import add_order, rows

            def count(irisfx):
                return len(rows(irisfx.connect("orders"), "SELECT * FROM Shop.Orders"))

            @pytest.mark.irisfx("orders", scope="class")
            class TestFirst:
                def test_fresh_in_a_new_module(self, irisfx):
                    assert count(irisfx) == 1
                    add_order(irisfx.connect("orders"), "b1")

                def test_shared_within_the_class(self, irisfx):
                    assert count(irisfx) == 2

            @pytest.mark.irisfx("orders", scope="class")
            class TestSecond:
                def test_fresh_in_a_new_class(self, irisfx):
                    assert count(irisfx) == 1
        """,
    )
    fx.pytester.runpytest("test_a.py", "test_b.py").assert_outcomes(passed=5)


def test_a_write_in_one_test_fails_the_next_if_scope_shares_it(fx: FxProject) -> None:
    # The negative of the function-scope test: proves the inner assertions can fail.
    fx.pytester.makepyfile(test_orders="""
        import pytest
        from conftest import add_order, rows

        pytestmark = pytest.mark.irisfx("orders", scope="session")

        def test_first_writes(irisfx):
            add_order(irisfx.connect("orders"), "first")

        def test_second_expects_the_pinned_state(irisfx):
            assert len(rows(irisfx.connect("orders"), "SELECT * FROM Shop.Orders")) == 1
    """)
    result = fx.pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*assert 2 == 1*"])


def test_keep_leaves_the_copy_and_the_next_run_replaces_it(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_orders="""
        import pytest
        from conftest import add_order, rows

        @pytest.mark.irisfx("orders")
        def test_starts_pinned_and_writes(irisfx):
            conn = irisfx.connect("orders")
            assert rows(conn, "SELECT Who FROM Shop.Orders") == [("pinned",)]
            add_order(conn, "left behind")
    """)
    kept = fx.pytester.runpytest("--irisfx-keep")
    kept.assert_outcomes(passed=1)
    kept.stdout.fnmatch_lines(["irisfx: kept test copies (--irisfx-keep): FX_ORDERS_MAIN; *"])
    assert fx.copies() == {"FX_ORDERS_MAIN"}
    # The kept (or a killed run's) copy holds a changed table: the next run starts over.
    again = fx.pytester.runpytest()
    again.assert_outcomes(passed=1)
    assert fx.copies() == set()


def test_failure_to_remove_a_copy_is_a_warning(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_orders="""
        import pytest

        @pytest.mark.irisfx("orders")
        def test_breaks_the_instance_at_the_end(irisfx):
            irisfx.connect("orders")
            # Stands in for an instance that stops answering: its state becomes unreadable.
            import sqlite3
            with sqlite3.connect(".irisfx/sim/instance.db") as state:
                state.execute("DROP TABLE owners")
    """)
    result = fx.pytester.runpytest()
    result.assert_outcomes(passed=1, warnings=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "*IrisfxCleanupWarning: irisfx: could not remove FX_ORDERS_MAIN, the test copy of "
        "'orders': *corrupt*",
    ])
