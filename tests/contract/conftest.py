"""The engine under test: the simulator always, a live IRIS when IRISFX_TEST_IRIS names one.

``IRISFX_TEST_IRIS`` is ``iris://USER:PASSWORD@HOST:PORT`` for an IRIS you run, or
``container`` / ``container:IMAGE`` for a throwaway one started for the session (Docker and
``pip install 'irisfx[container]'``). Without Docker the container form skips, saying why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

import pytest

from irisfx.engines import EngineSettings, open_engine
from irisfx.engines.base import Engine
from irisfx.engines.iris.container import RunningIris, container_image, start_iris
from irisfx.errors import EngineError
from irisfx.recipes.recipe import Recipe, load_recipe
from tests.contract.live_report import LiveReport, report_path
from tests.standin.fixtures import PASSWORD_ENV, USERNAME_ENV, activate, make_standin

EngineT = TypeVar("EngineT", bound=Engine)
#: The two-row recipe the live IRIS tests build.
RECIPE = """\
CREATE TABLE Shop.Item (ID INTEGER PRIMARY KEY, Name VARCHAR(50) NOT NULL);
INSERT INTO Shop.Item (ID, Name) VALUES (1, 'apple');
INSERT INTO Shop.Item (ID, Name) VALUES (2, 'pear');
"""
LIVE_ENV = "IRISFX_TEST_IRIS"
SKIP_REASON = (
    f"no live IRIS: set {LIVE_ENV}=iris://USER:PASSWORD@HOST:PORT "
    f"(e.g. iris://_SYSTEM:SYS@localhost:1972), or {LIVE_ENV}=container to start one in "
    "Docker, to run the contract suite against it; docs/iris.md says how"
)


def container_skip_reason(error: EngineError) -> str:
    """Why the container form skips: the error, and how to run the suite anyway."""
    return (f"{LIVE_ENV}=container: {error.message}. {error.fix or ''} "
            f"(or set {LIVE_ENV}=iris://USER:PASSWORD@HOST:PORT)").strip()


def _iris_settings(url: str, project: str, root: Path) -> EngineSettings:
    parts = urlsplit(url)
    # The engine reads credentials from the environment, never from its URL.
    os.environ["IRISFX_TEST_USERNAME"] = unquote(parts.username or "_SYSTEM")
    os.environ["IRISFX_TEST_PASSWORD"] = unquote(parts.password or "")
    port = f":{parts.port}" if parts.port else ""
    return EngineSettings(url=f"iris://{parts.hostname}{port}", project=project, root=root,
                          username_env="IRISFX_TEST_USERNAME",
                          password_env="IRISFX_TEST_PASSWORD")


@pytest.fixture(scope="session")
def live_report() -> Iterator[LiveReport]:
    """Observations of this session, written to $IRISFX_LIVE_REPORT at its end."""
    report = LiveReport()
    yield report
    path = report_path()
    if path is not None:
        report.write(path)


@pytest.fixture(scope="session")
def live_url(live_report: LiveReport) -> Iterator[str]:
    """The live IRIS's URL (with its password): the one named, or a container started now."""
    value = os.environ.get(LIVE_ENV, "")
    if not value:
        pytest.skip(SKIP_REASON)
    try:
        image = container_image(value)
    except EngineError as exc:
        pytest.fail(exc.render(), pytrace=False)
    if image is None:
        yield value
        return
    running: RunningIris | None = None
    try:
        running = start_iris(image)
    except EngineError as exc:
        if "Docker" in exc.message or "testcontainers" in exc.message:
            pytest.skip(container_skip_reason(exc))
        raise
    live_report.record("iris", "container_image", image)
    try:
        yield running.url
    finally:
        running.stop()


@contextmanager
def cleaned_up(opened: EngineT) -> Iterator[EngineT]:
    """``opened``; afterwards everything it owns is removed and it is closed."""
    try:
        yield opened
    finally:
        for namespace in list(opened.inventory().owned):
            opened.unmount(namespace)
        opened.close()


@pytest.fixture(params=["sim", "iris-standin", "iris"])
def engine(request: pytest.FixtureRequest, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An engine bound to a fresh, unique project; everything it owns is removed afterwards.

    ``sim`` is the simulator; ``iris-standin`` the real iris engine on the stand-in IRIS
    (tests/standin); ``iris`` a live IRIS, skipped (saying how to run it) without one.
    """
    project = f"contract-{uuid.uuid4().hex[:8]}"
    if request.param == "sim":
        settings = EngineSettings(url="sim://sim", project=project, root=tmp_path)
    elif request.param == "iris-standin":
        standin = make_standin(tmp_path / "standin-mgr")
        activate(monkeypatch, standin)
        settings = EngineSettings(url=standin.url, project=project, root=tmp_path,
                                  username_env=USERNAME_ENV, password_env=PASSWORD_ENV)
    else:
        url = request.getfixturevalue("live_url")
        settings = _iris_settings(url, project, tmp_path)
    with cleaned_up(open_engine(settings)) as opened:
        yield opened


@pytest.fixture
def recipe(tmp_path: Path) -> Recipe:
    """RECIPE, loaded from a file in tmp_path."""
    path = tmp_path / "items.sql"
    path.write_text(RECIPE, encoding="utf-8")
    return load_recipe(path)


@pytest.fixture
def unique() -> str:
    """A short unique suffix for namespace names, so live runs never collide."""
    return uuid.uuid4().hex[:6].upper()
