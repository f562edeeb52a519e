"""The engine under test: the simulator always, a live IRIS when IRISFX_TEST_IRIS names one."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from irisfx.engines import EngineSettings, open_engine
from irisfx.engines.base import Engine

LIVE_ENV = "IRISFX_TEST_IRIS"
SKIP_REASON = (
    f"no live IRIS: set {LIVE_ENV}=iris://USER:PASSWORD@HOST:PORT "
    "(e.g. iris://_SYSTEM:SYS@localhost:1972) to run the contract suite against it; "
    "docs/iris.md says how to start one"
)


def _iris_settings(url: str, project: str, root: Path) -> EngineSettings:
    parts = urlsplit(url)
    # The engine reads credentials from the environment, never from its URL.
    os.environ["IRISFX_TEST_USERNAME"] = parts.username or "_SYSTEM"
    os.environ["IRISFX_TEST_PASSWORD"] = parts.password or ""
    port = f":{parts.port}" if parts.port else ""
    return EngineSettings(url=f"iris://{parts.hostname}{port}", project=project, root=root,
                          username_env="IRISFX_TEST_USERNAME",
                          password_env="IRISFX_TEST_PASSWORD")


@pytest.fixture(params=["sim", "iris"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine bound to a fresh, unique project; everything it owns is removed afterwards."""
    project = f"contract-{uuid.uuid4().hex[:8]}"
    if request.param == "sim":
        settings = EngineSettings(url="sim://sim", project=project, root=tmp_path)
    else:
        url = os.environ.get(LIVE_ENV)
        if not url:
            pytest.skip(SKIP_REASON)
        settings = _iris_settings(url, project, tmp_path)
    opened = open_engine(settings)
    try:
        yield opened
    finally:
        for namespace in list(opened.inventory().owned):
            opened.unmount(namespace)
        opened.close()


@pytest.fixture
def unique() -> str:
    """A short unique suffix for namespace names, so live runs never collide."""
    return uuid.uuid4().hex[:6].upper()
