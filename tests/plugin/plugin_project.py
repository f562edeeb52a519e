"""The pytester project the plugin tests share: fixtures.toml on the sim engine, two recipes.

Every project is real: the inner pytest runs apply recipes, snapshot and mount on a simulated
instance in ``.irisfx/sim`` inside the pytester folder. Nothing is mocked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from irisfx.engines.base import OwnedNamespace
from irisfx.lockfile.project import load_project
from irisfx.reconcile.observe import open_project_engine

CONFIG = """\
[irisfx]
project = "plugin-test"
iris = "sim://.irisfx/sim"

[fixtures.items]
description = "three read-only rows"
recipe = "recipes/items.sql"
mount = "FX_ITEMS"
expect = {{ "Shop.Item" = {items} }}

[fixtures.orders]
description = "one order; tests may write"
recipe = "recipes/orders.sql"
mount = "FX_ORDERS"
readonly = false
expect = {{ "Shop.Orders" = 1 }}
"""

ITEMS_SQL = """\
CREATE TABLE Shop.Item (ID INTEGER PRIMARY KEY, Name VARCHAR(50) NOT NULL);
INSERT INTO Shop.Item (ID, Name) VALUES (1, 'apple');
INSERT INTO Shop.Item (ID, Name) VALUES (2, 'pear');
INSERT INTO Shop.Item (ID, Name) VALUES (3, 'plum');
"""

ORDERS_SQL = """\
CREATE TABLE Shop.Orders (ID INTEGER PRIMARY KEY, Who VARCHAR(50) NOT NULL);
INSERT INTO Shop.Orders (ID, Who) VALUES (1, 'pinned');
"""

# Shared by the inner test modules: small SQL helpers, written as the inner conftest.
INNER_CONFTEST = """\
import os


def rows(conn, sql):
    cursor = conn.cursor()
    cursor.execute(sql)
    return cursor.fetchall()


def add_order(conn, who):
    (top,) = rows(conn, "SELECT MAX(ID) FROM Shop.Orders")[0]
    cursor = conn.cursor()
    cursor.execute("INSERT INTO Shop.Orders (ID, Who) VALUES (?, ?)", [top + 1, who])
    conn.commit()


def worker():
    return os.environ.get("PYTEST_XDIST_WORKER", "main")
"""


def owned_namespaces(root: Path) -> dict[str, str]:
    """Namespace -> role ("source", "mount", "copy") of what the project in ``root`` owns."""
    project = load_project(root / "fixtures.toml")
    engine = open_project_engine(project, None)
    try:
        return {ns: record.role for ns, record in engine.inventory().owned.items()}
    finally:
        engine.close()


@dataclass
class FxProject:
    """A pytester folder holding an irisfx project."""

    pytester: pytest.Pytester

    @property
    def root(self) -> Path:
        """The project folder (the pytester folder)."""
        return self.pytester.path

    def write_config(self, *, items: int = 3) -> None:
        """(Re)write fixtures.toml; ``items`` is the row count 'items' expects."""
        (self.root / "fixtures.toml").write_text(CONFIG.format(items=items), encoding="utf-8")

    def owned(self) -> dict[str, OwnedNamespace]:
        """What the project owns on the simulated instance now."""
        project = load_project(self.root / "fixtures.toml")
        engine = open_project_engine(project, None)
        try:
            return dict(engine.inventory().owned)
        finally:
            engine.close()

    def copies(self) -> set[str]:
        """The namespaces the plugin made for writable fixtures (role "copy")."""
        return {ns for ns, record in self.owned().items() if record.role == "copy"}

    def set_items_expect(self, count: int) -> None:
        """Change what 'items' expects, keeping the pins apply wrote."""
        path = self.root / "fixtures.toml"
        # apply keeps the layout written by write_config (lockfile/write.py).
        text, n = re.subn(r'(expect = \{ "Shop\.Item" = )\d+',
                          rf"\g<1>{count}", path.read_text(encoding="utf-8"))
        assert n == 1, "fixtures.toml is not in the layout write_config wrote"
        path.write_text(text, encoding="utf-8")
