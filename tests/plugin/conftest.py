"""Fixtures of the plugin tests: ``fx``, a fresh irisfx project in the pytester folder."""

from __future__ import annotations

import os

import pytest
from plugin_project import INNER_CONFTEST, ITEMS_SQL, ORDERS_SQL, FxProject

# pytester itself is enabled in tests/conftest.py: pytest refuses pytest_plugins in a
# conftest below the top level once the suite is run as a whole.


@pytest.fixture
def fx_env(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """The pytester folder, with no IRISFX_*, IRIS_*, PYTEST_XDIST_* or CI settings inherited."""
    # PYTEST_XDIST_*: when this suite itself runs under xdist, inner runs must not believe
    # they are that worker. CI: where it is set the plugin's default mode is "locked".
    for name in list(os.environ):
        if name.startswith(("IRISFX_", "IRIS_", "PYTEST_XDIST_")) or name == "CI":
            monkeypatch.delenv(name)
    return pytester


@pytest.fixture
def fx(fx_env: pytest.Pytester) -> FxProject:
    """A fresh irisfx project in the pytester folder (fixtures 'items' and 'orders')."""
    (fx_env.path / "recipes").mkdir()
    (fx_env.path / "recipes" / "items.sql").write_text(ITEMS_SQL, encoding="utf-8")
    (fx_env.path / "recipes" / "orders.sql").write_text(ORDERS_SQL, encoding="utf-8")
    fx_env.makeconftest(INNER_CONFTEST)
    project = FxProject(fx_env)
    project.write_config()
    return project
