"""One live run settles the open questions of docs/iris-calls.md ("Open questions").

Each test here decides one question (or observes one number) and writes what it saw into the
live report ($IRISFX_LIVE_REPORT, tests/contract/live_report.py). The observations that make
sense on the simulator run there too, so the report is written on every run that asks for it;
the rest need IRIS and skip without one (the skip says how to run them).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from irisfx.engines import open_engine
from irisfx.engines.base import Engine, NoProgress
from irisfx.engines.iris.connect import Target, load_driver, open_native
from irisfx.errors import EngineError
from irisfx.recipes.recipe import Recipe
from tests.contract.conftest import RECIPE, _iris_settings
from tests.contract.live_report import LiveReport

README_CONFIG = """\
[irisfx]
project = "{project}"
iris = "{url}"

[fixtures.items]
description = "two rows"
recipe = "recipes/items.sql"
expect = {{ "Shop.Item" = 2 }}

[fixtures.basket]
description = "writable"
recipe = "recipes/items.sql"
readonly = false
expect = {{ "Shop.Item" = 2 }}
"""

README_TEST = """\
import pytest

@pytest.mark.irisfx("items")
def test_query_through_the_plugin(irisfx):
    cursor = irisfx.connect("items").cursor()
    cursor.execute("SELECT COUNT(*) FROM Shop.Item")
    assert cursor.fetchone()[0] == 2

@pytest.mark.irisfx("basket", scope="function")
@pytest.mark.parametrize("round", [1, 2])
def test_writable_copy_is_reset(irisfx, round):
    conn = irisfx.connect("basket")
    cursor = conn.cursor()
    cursor.execute("SELECT COUNT(*) FROM Shop.Item")
    assert cursor.fetchone()[0] == 2
    cursor.execute("INSERT INTO Shop.Item (ID, Name) VALUES (9, 'fig')")
    conn.commit()
"""


@pytest.fixture
def iris_url(live_url: str) -> str:
    """The live IRIS only (these questions have no simulator answer)."""
    return live_url


def kind_of(engine: Engine) -> str:
    return engine.info().kind


_OPEN: list[Any] = []  # Native API connections native_for opened, closed after each test


@pytest.fixture(autouse=True)
def _close_native_connections() -> Iterator[None]:
    """Close what native_for opened: Community Edition has 5 license units (issue 19 item 14)."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def native_for(url: str) -> Any:
    """A Native API object on %SYS, as the URL's user (test-side access to IRIS); its
    connection is closed after the test."""
    parts = urlsplit(url)
    target = Target(parts.hostname or "", parts.port or 1972, unquote(parts.username or ""),
                    unquote(parts.password or ""), 10)
    driver = load_driver()
    connection = open_native(driver, target, "U", "P")
    _OPEN.append(connection)
    return driver.create_iris(connection)


def with_credentials(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    return f"iris://{user}:{password}@{parts.hostname}:{parts.port or 1972}"


def engine_error(url: str, tmp_path: Path, **changes: Any) -> EngineError:
    settings = replace(_iris_settings(url, f"live-{uuid.uuid4().hex[:8]}", tmp_path), **changes)
    with pytest.raises(EngineError) as caught:
        open_engine(settings).close()
    return caught.value


# -- observations on every engine ------------------------------------------------------------


def test_observe_version_digest_transfer_and_mount(engine: Engine, recipe: Recipe,
                                                   unique: str, tmp_path: Path,
                                                   live_report: LiveReport) -> None:
    kind = kind_of(engine)
    live_report.record(kind, "version", engine.info().product)
    source = f"FXSRC_L{unique}"
    engine.build("items", source, recipe)
    dest = tmp_path / "IRIS.DAT"
    sent = engine.snapshot(source, dest, NoProgress())
    local = hashlib.sha256(dest.read_bytes()).hexdigest()
    live_report.append(kind, "sha256_server_vs_client", {"server": sent.sha256, "client": local,
                                                         "size": sent.size})
    assert sent.sha256 == local
    # Upload (no path map): the chunked, append-mode transfer, then the mount itself.
    mount = f"FX_L{unique}"
    with live_report.timed(kind, "upload_and_mount", size=sent.size):
        engine.mount("items", dest, mount, readonly=True, sha256=local)
    assert engine.row_counts(mount, ["Shop.Item"]) == {"Shop.Item": 2}
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == local


def test_the_report_is_written_where_asked(tmp_path: Path) -> None:
    # The session fixture writes the real one; this proves the writing itself.
    report = LiveReport()
    report.record("sim", "version", "irisfx-sim")
    with report.timed("sim", "step", size=2_000_000):
        pass
    out = tmp_path / "deep" / "report.json"
    report.write(out)
    import json

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["sim"]["version"] == "irisfx-sim"
    assert len(data["sim"]["step_seconds"]) == 1


# -- questions only a live IRIS answers --------------------------------------------------------


def test_wrong_password_text(iris_url: str, tmp_path: Path, live_report: LiveReport) -> None:
    user = urlsplit(iris_url).username or "_SYSTEM"
    error = engine_error(with_credentials(iris_url, user, "wrong-" + uuid.uuid4().hex[:6]),
                         tmp_path)
    live_report.record("iris", "error_wrong_password", error.render())
    assert "wrong user name or password" in error.message


# test_missing_privileges_text moved to test_live_iris_round3.py
# (test_missing_privileges_text_on_a_privileged_call): open() calls only Stamp()/Info(), so the
# privileged call that fails comes after it (issue 19 item 5).


def test_callin_service_question(iris_url: str, tmp_path: Path,
                                 live_report: LiveReport) -> None:
    """Does a remote Native API / DB-API connection need %Service_CallIn? Disable it, try."""
    native = native_for(iris_url)
    service = native.classMethodObject("Security.Services", "%OpenId", "%Service_CallIn")
    was = service.get("Enabled")
    service.set("Enabled", False)
    service.invoke("%Save")
    try:
        try:
            open_engine(_iris_settings(iris_url, f"live-{uuid.uuid4().hex[:8]}",
                                       tmp_path)).close()
            live_report.record("iris", "callin_needed", False)
        except EngineError as exc:
            live_report.record("iris", "callin_needed", True)
            live_report.record("iris", "error_callin_disabled", exc.render())
            assert "CallIn" in exc.message
    finally:
        service.set("Enabled", was)
        service.invoke("%Save")


def test_missing_namespace_over_dbapi(engine: Engine, live_report: LiveReport) -> None:
    with pytest.raises(EngineError) as caught:
        engine.connect("FX_NO_SUCH_NAMESPACE")
    live_report.record(kind_of(engine), "error_namespace_missing", caught.value.render())
    if kind_of(engine) == "iris":
        assert "does not exist" in caught.value.message


def test_driver_timeout_and_long_calls(iris_url: str, tmp_path: Path,
                                       live_report: LiveReport) -> None:
    """Does the connect timeout also cut a call that takes longer? A Lock call waits 3 s for a
    lock held by another engine, on a connection opened with timeout=1."""
    project = f"live-{uuid.uuid4().hex[:8]}"
    holder = open_engine(_iris_settings(iris_url, project, tmp_path))
    short = open_engine(replace(_iris_settings(iris_url, project, tmp_path),
                                connect_timeout=1))
    try:
        with holder.lock():
            try:
                with short.lock(timeout=3):
                    pass
                outcome = "no lock"  # pragma: no cover - the holder has it
            except EngineError as exc:
                outcome = exc.render()
        live_report.record("iris", "long_call_with_timeout_1", outcome)
        assert "another irisfx process holds the lock" in outcome or "did not answer" in outcome
    finally:
        short.close()
        holder.close()


def test_system_table_types(iris_url: str, engine: Engine, recipe: Recipe, unique: str,
                            live_report: LiveReport) -> None:
    if kind_of(engine) != "iris":
        pytest.skip("IRIS's INFORMATION_SCHEMA")
    source = f"FXSRC_T{unique}"
    engine.build("items", source, recipe)
    with closing(engine.connect(source)) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT DISTINCT TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES")
        live_report.record("iris", "table_types", sorted(str(r[0]) for r in cursor.fetchall()))
    assert engine.row_counts(source) == {"Shop.Item": 2}


def test_old_records_are_migrated_to_the_z_global(iris_url: str, tmp_path: Path,
                                                  live_report: LiveReport) -> None:
    project = f"live-{uuid.uuid4().hex[:8]}"
    native = native_for(iris_url)
    record = '{"dir":"/nowhere/","fixture":"x","readonly":false,"role":"mount","state":"ready"}'
    native.set(record, "IRISFX", "own", project, "FX_OLD")
    opened = open_engine(_iris_settings(iris_url, project, tmp_path))  # Info() migrates
    try:
        moved = native.get("ZIRISFX", "own", project, "FX_OLD")
        live_report.record("iris", "migration_moved_record", moved == record)
        assert moved == record
        assert not native.isDefined("IRISFX", "own", project, "FX_OLD")
    finally:
        native.kill("ZIRISFX", "own", project)
        opened.close()


def test_readme_flow_on_iris(iris_url: str, tmp_path: Path, live_report: LiveReport) -> None:
    """The README's whole flow through the real command and the plugin: build, snapshot, pin,
    verify, mount, row counts, a query through the plugin's connection, a writable copy reset
    between tests, unmount, and a re-apply that says "No changes."."""
    parts = urlsplit(iris_url)
    root = tmp_path / "readme"
    (root / "recipes").mkdir(parents=True)
    (root / "recipes" / "items.sql").write_text(RECIPE, encoding="utf-8")
    (root / "tests").mkdir()
    (root / "tests" / "test_items.py").write_text(README_TEST, encoding="utf-8")
    project = f"readme-{uuid.uuid4().hex[:6]}"
    (root / "fixtures.toml").write_text(README_CONFIG.format(
        project=project, url=f"iris://{parts.username}@{parts.hostname}:{parts.port}"),
        encoding="utf-8")
    env = {**os.environ, "IRIS_PASSWORD": unquote(parts.password or ""), "NO_COLOR": "1"}
    env.pop("IRISFX_IRIS", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True,
                              timeout=900)

    irisfx = (sys.executable, "-m", "irisfx")
    with live_report.timed("iris", "readme_first_apply"):
        first = run(*irisfx, "apply", "--auto-approve")
    assert first.returncode == 0, first.stdout + first.stderr
    assert run(*irisfx, "check").returncode == 0
    tests = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    live_report.record("iris", "readme_plugin_run", tests.stdout[-2000:])
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert run(*irisfx, "unmount", "items", "--auto-approve").returncode == 0
    again = run(*irisfx, "apply", "--auto-approve")
    assert again.returncode == 0, again.stdout + again.stderr
    final = run(*irisfx, "apply", "--auto-approve")
    assert "No changes." in final.stdout, final.stdout + final.stderr
    cleanup = open_engine(_iris_settings(iris_url, project, root))
    try:
        for namespace in list(cleanup.inventory().owned):
            cleanup.unmount(namespace)
    finally:
        cleanup.close()
