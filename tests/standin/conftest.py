"""Fixtures of the stand-in's own tests: a stand-in IRIS, and the real iris engine on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from irisfx.engines import EngineSettings
from irisfx.engines.iris import IrisEngine
from tests.standin.fixtures import (
    PASSWORD_ENV,
    USERNAME_ENV,
    StandinIris,
    activate,
    make_standin,
)


@pytest.fixture
def standin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StandinIris:
    """A fresh stand-in IRIS that ``import iris`` reaches, for this test."""
    made = make_standin(tmp_path / "standin-mgr")
    activate(monkeypatch, made)
    return made


@pytest.fixture
def settings(standin: StandinIris, tmp_path: Path) -> EngineSettings:
    """Engine settings of a project 'demo' on the stand-in."""
    return EngineSettings(url=standin.url, project="demo", root=tmp_path / "proj",
                          username_env=USERNAME_ENV, password_env=PASSWORD_ENV)


@pytest.fixture
def iris_engine(settings: EngineSettings) -> Iterator[IrisEngine]:
    """The real IrisEngine, open on the stand-in."""
    engine = IrisEngine.open(settings)
    try:
        yield engine
    finally:
        engine.close()
