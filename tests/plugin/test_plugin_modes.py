"""What happens at session start in each mode: apply, check, never."""

from __future__ import annotations

import subprocess
import sys

import pytest
from plugin_project import FxProject

USES_ITEMS = """\
import pytest
from conftest import rows


@pytest.mark.irisfx("items")
def test_items(irisfx):
    assert len(rows(irisfx.connect("items"), "SELECT * FROM Shop.Item")) == 3


def test_unrelated():
    pass
"""


def irisfx_cli(fx: FxProject, *args: str) -> subprocess.CompletedProcess[str]:
    """The irisfx command, run in the project folder."""
    return subprocess.run([sys.executable, "-m", "irisfx", *args], cwd=fx.root,
                          capture_output=True, text=True, timeout=120, check=False)


def test_apply_mode_builds_and_mounts_from_nothing(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_items=USES_ITEMS)
    result = fx.pytester.runpytest("--irisfx-mode", "apply")
    result.assert_outcomes(passed=2)
    assert {"FX_ITEMS", "FX_ORDERS"} <= set(fx.owned())
    assert "[fixtures.items.pin]" in (fx.root / "fixtures.toml").read_text(encoding="utf-8")


def test_apply_mode_replaces_a_namespace_removed_by_hand(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_items=USES_ITEMS)
    fx.pytester.runpytest().assert_outcomes(passed=2)
    removed = irisfx_cli(fx, "unmount", "items", "--auto-approve")
    assert removed.returncode == 0, removed.stderr
    result = fx.pytester.runpytest()
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["irisfx: applied: *mount items*"])


def test_check_mode_passes_when_in_sync(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_items=USES_ITEMS)
    fx.pytester.runpytest().assert_outcomes(passed=2)
    result = fx.pytester.runpytest("--irisfx-mode", "check")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["irisfx: check: fixtures match fixtures.toml"])


def test_check_mode_fails_the_session_with_the_plan(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_items=USES_ITEMS)
    result = fx.pytester.runpytest("--irisfx-mode", "check")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.assert_outcomes()  # not even the unrelated test ran
    result.stderr.fnmatch_lines([
        "ERROR: irisfx: the fixtures do not match fixtures.toml (--irisfx-mode check)",
        "engine: irisfx-sim * (simulator*",
        "*+ build    items (FXSRC_ITEMS)*",
        "Plan: 2 to build, 2 to snapshot, 2 to mount, 0 to unmount.",
        "fix: run 'irisfx apply', or run pytest with --irisfx-mode apply",
    ])
    assert not fx.owned(), "check mode changes nothing"


def test_never_mode_uses_what_is_mounted(fx: FxProject) -> None:
    applied = irisfx_cli(fx, "apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    fx.pytester.makepyfile(test_items=USES_ITEMS)
    result = fx.pytester.runpytest("--irisfx-mode", "never")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["irisfx: mode never: using what is mounted"])


def test_never_mode_fails_tests_whose_fixture_is_not_mounted(
        fx: FxProject, monkeypatch: pytest.MonkeyPatch) -> None:
    applied = irisfx_cli(fx, "apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert irisfx_cli(fx, "unmount", "items", "--auto-approve").returncode == 0
    fx.pytester.makepyfile(test_items=USES_ITEMS)
    monkeypatch.setenv("IRISFX_MODE", "never")
    result = fx.pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "irisfx error: fixture 'items' is not ready: namespace FX_ITEMS is not mounted",
        "  fix: run 'irisfx apply', or run pytest with --irisfx-mode apply",
    ])


def test_never_mode_on_an_unpinned_fixture_says_to_apply(fx: FxProject) -> None:
    fx.pytester.makepyfile(test_items=USES_ITEMS)
    result = fx.pytester.runpytest("--irisfx-mode", "never")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["irisfx error: fixture 'items' has no pin yet, *"])
