"""pytest-xdist: the controller applies once, each worker writes to its own copy."""

from __future__ import annotations

import pytest
from plugin_project import FxProject

# Eight tests over two workers: each adds a row tagged with its worker and then requires every
# added row in its copy to carry its own tag. A copy shared between workers shows the other's
# rows (session scope keeps them), so this fails whatever order the tests run in.
ISOLATION = """\
import pytest
from conftest import add_order, rows, worker

pytestmark = pytest.mark.irisfx("orders", "items")


@pytest.mark.parametrize("n", range(8))
def test_writes_only_see_their_own_worker(irisfx, n):
    conn = irisfx.connect("orders")
    add_order(conn, worker())
    added = {who for (who,) in rows(conn, "SELECT Who FROM Shop.Orders WHERE ID > 1")}
    assert added == {worker()}
    assert irisfx.namespace("orders") == "FX_ORDERS_" + worker().upper()
    assert irisfx.namespace("items") == "FX_ITEMS"
"""


def test_two_workers_write_to_their_own_copies_and_clean_up(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_isolation=ISOLATION)
    result = fx.pytester.runpytest_subprocess("-n", "2", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["irisfx: engine irisfx-sim * (simulator*",
                                 "irisfx: applied: *mount items*"])
    for worker in ("gw0", "gw1"):
        ran = [line for line in result.stdout.lines
               if line.startswith(f"[{worker}]") and "PASSED" in line]
        assert ran, f"{worker} ran no test, so nothing shows the copies are apart"
    assert fx.copies() == set(), "workers remove their copies at the end"


def test_workers_keep_copies_on_request_and_the_next_run_replaces_them(fx: FxProject
                                                                       ) -> None:
    fx.pytester.makepyfile(test_isolation=ISOLATION)
    kept = fx.pytester.runpytest_subprocess("-n", "2", "--irisfx-keep", "-p", "no:cacheprovider")
    kept.assert_outcomes(passed=8)
    kept.stdout.fnmatch_lines(["irisfx: kept test copies (--irisfx-keep): FX_ORDERS_GW0, "
                               "FX_ORDERS_GW1; *"])
    assert fx.copies() == {"FX_ORDERS_GW0", "FX_ORDERS_GW1"}
    # A run without xdist makes and removes its own FX_ORDERS_MAIN; the kept ones stay.
    serial = fx.pytester.runpytest_subprocess("-p", "no:cacheprovider")
    serial.assert_outcomes(passed=8)
    assert fx.copies() == {"FX_ORDERS_GW0", "FX_ORDERS_GW1"}
    # The next xdist run replaces the stale copies, then removes them.
    again = fx.pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    again.assert_outcomes(passed=8)
    assert fx.copies() == set()


def test_workers_do_not_apply_and_check_mode_stops_before_workers_start(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_isolation=ISOLATION)
    result = fx.pytester.runpytest_subprocess("-n", "2", "--irisfx-mode", "check")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: irisfx: the fixtures do not match fixtures.toml *"])
    assert "gw0" not in result.stdout.str()
    assert not fx.owned()


CRASH = """\
import os

import pytest
from conftest import add_order, worker


@pytest.mark.irisfx("orders")
@pytest.mark.parametrize("n", range(4))
def test_worker_gw0_dies(irisfx, n):
    add_order(irisfx.connect("orders"), worker())
    if worker() == "gw0":
        os._exit(3)  # a worker killed mid-run cannot remove its copy
"""


def test_controller_removes_the_copy_of_a_crashed_worker(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_crash=CRASH)
    result = fx.pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*worker 'gw0' crashed*"])
    assert fx.copies() == set()
