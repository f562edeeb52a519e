"""The example irisfx grew from, as ONE fixture: read-only tests and per-worker writable copies.

test-entities-100 (RAG.Entities, RAG.EntityMetadata; the repository's recipes/entities.sql)
is declared once. Under ``pytest -n 2`` a class of read-only tests counts its 100 rows on the
shared mount, while tests marked ``writable=True`` each delete rows in their worker's own copy;
every test names the fixture once, in its marker, and reaches it with ``irisfx.connect()``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from plugin_project import owned_namespaces

from irisfx.lockfile.project import load_project

REPO = Path(__file__).resolve().parents[2]

SEED_CONFIG = """\
[irisfx]
project = "seed"
iris = "sim://.irisfx/sim"

[fixtures.test-entities-100]
description = "100 RAG entities with 2 metadata rows each"
recipe = "recipes/entities.sql"
mount = "FX_ENTITIES"
expect = { "RAG.Entities" = 100, "RAG.EntityMetadata" = 200 }
"""

SEED_TESTS = """\
import os

import pytest


def count(conn, table):
    cursor = conn.cursor()
    cursor.execute(f"SELECT COUNT(*) FROM {table}")
    return cursor.fetchone()[0]


def worker():
    return os.environ.get("PYTEST_XDIST_WORKER", "main").upper()


@pytest.mark.irisfx("test-entities-100")
class TestEntities:
    # Read-only: every worker reads the one shared mount.
    @pytest.mark.parametrize("n", range(4))
    def test_counts_100(self, irisfx, n):
        conn = irisfx.connect()
        assert count(conn, "RAG.Entities") == 100
        assert count(conn, "RAG.EntityMetadata") == 200
        assert irisfx.namespace() == "FX_ENTITIES"

    def test_refuses_writes(self, irisfx):
        with pytest.raises(Exception, match="(?i)read.?only"):
            irisfx.connect().cursor().execute("DELETE FROM RAG.Entities")


@pytest.mark.irisfx("test-entities-100", writable=True, scope="function")
@pytest.mark.parametrize("n", range(4))
def test_writes_go_to_this_workers_copy(irisfx, n):
    conn = irisfx.connect()
    assert irisfx.namespace() == "FX_ENTITIES_" + worker()
    assert count(conn, "RAG.Entities") == 100, "scope=function: the pinned state each time"
    cursor = conn.cursor()
    cursor.execute("DELETE FROM RAG.EntityMetadata WHERE EntityID <= 10")
    cursor.execute("DELETE FROM RAG.Entities WHERE ID <= 10")
    conn.commit()
    assert count(conn, "RAG.Entities") == 90
"""


@pytest.fixture
def seed(fx_env: pytest.Pytester) -> pytest.Pytester:
    """The seed project: one fixture, the repository's own entities recipe."""
    (fx_env.path / "recipes").mkdir()
    shutil.copy(REPO / "recipes" / "entities.sql", fx_env.path / "recipes" / "entities.sql")
    (fx_env.path / "fixtures.toml").write_text(SEED_CONFIG, encoding="utf-8")
    fx_env.makepyfile(test_seed=SEED_TESTS)
    return fx_env


def test_seed_example_is_one_fixture_read_only_and_writable_under_two_workers(
        seed: pytest.Pytester) -> None:
    result = seed.runpytest_subprocess("-n", "2", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=9)
    for worker in ("gw0", "gw1"):
        assert any(line.startswith(f"[{worker}]") and "PASSED" in line
                   for line in result.stdout.lines), f"{worker} ran no test"
    project = load_project(seed.path / "fixtures.toml")
    assert list(project.doc.fixtures) == ["test-entities-100"]
    assert project.fixture("test-entities-100").pin is not None
    # One file was built and pinned; the copies were made from it and are gone again.
    assert sorted(p.relative_to(seed.path).as_posix()
                  for p in (seed.path / "fixtures").rglob("*") if p.is_file()) == [
        "fixtures/test-entities-100/IRIS.DAT"]
    roles = owned_namespaces(seed.path)
    assert {ns: role for ns, role in roles.items() if role != "source"} == {
        "FX_ENTITIES": "mount"}, "the workers' copies are removed at the end"
