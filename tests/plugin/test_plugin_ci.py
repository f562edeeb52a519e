"""Where CI is set the plugin is locked: it mounts what is pinned and never re-pins."""

from __future__ import annotations

import pytest
from plugin_project import FxProject

USES_ITEMS = """\
import pytest
from conftest import rows


@pytest.mark.irisfx("items")
def test_items(irisfx):
    assert len(rows(irisfx.connect(), "SELECT * FROM Shop.Item")) >= 3
"""


def test_ci_never_repins_and_a_local_run_does(fx: FxProject,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fx.pytester.makepyfile(test_items=USES_ITEMS)
    fx.pytester.runpytest().assert_outcomes(passed=1)
    config = fx.root / "fixtures.toml"
    pinned = config.read_bytes()
    recipe = fx.root / "recipes" / "items.sql"
    recipe.write_text(recipe.read_text(encoding="utf-8")
                      + "INSERT INTO Shop.Item (ID, Name) VALUES (4, 'fig');\n", encoding="utf-8")
    fx.set_items_expect(4)
    edited = config.read_bytes()

    monkeypatch.setenv("CI", "true")
    locked = fx.pytester.runpytest()
    assert locked.ret == pytest.ExitCode.USAGE_ERROR
    locked.assert_outcomes()
    locked.stdout.fnmatch_lines(["irisfx: engine * mode locked (default: CI is set; never "
                                 "writes pins: a recipe edit stops the session)"])
    locked.stderr.fnmatch_lines([
        "ERROR: irisfx error: apply would write new pins to fixtures.toml, and --locked "
        "forbids it",
        "  snapshot items: *",
        "  the plugin runs in mode locked (CI is set): it never writes pins",
        "  fix: run 'irisfx apply' (or pytest) where CI is not set, and commit fixtures.toml "
        "and the fixture files; --irisfx-mode apply allows re-pinning here",
    ])
    assert config.read_bytes() == edited, "locked: fixtures.toml is not written"

    monkeypatch.delenv("CI")
    local = fx.pytester.runpytest()
    local.assert_outcomes(passed=1)
    local.stdout.fnmatch_lines(["irisfx: applied: build items, snapshot items, *"])
    assert config.read_bytes() != edited != pinned
    monkeypatch.setenv("CI", "true")
    fx.pytester.runpytest().assert_outcomes(passed=1)  # pinned and mounted: locked is fine
