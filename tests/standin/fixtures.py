"""Making a stand-in IRIS and pointing the real iris engine at it.

``make_standin`` creates an instance in a folder; ``StandinIris.env`` is what a subprocess needs
to reach it (the stand-in driver first on PYTHONPATH, the folder, the credentials);
``activate`` does the same for the test process itself, with ``monkeypatch`` so that the real
driver is back afterwards.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.standin.iris._server.instance import MGR_ENV, Instance

#: The folder to put first on sys.path / PYTHONPATH: it holds the stand-in ``iris`` package.
DRIVER_PATH = Path(__file__).resolve().parent
USERNAME_ENV = "IRIS_USERNAME"
PASSWORD_ENV = "IRIS_PASSWORD"


@dataclass(frozen=True)
class StandinIris:
    """A stand-in instance: its <mgr> folder and how to log in."""

    mgr: Path
    url: str = "iris://127.0.0.1:1972"
    username: str = "_SYSTEM"
    password: str = "standin-password"

    def env(self) -> dict[str, str]:
        """Environment variables a process needs to use this instance as iris://."""
        path = os.environ.get("PYTHONPATH", "")
        return {
            MGR_ENV: str(self.mgr),
            "PYTHONPATH": os.pathsep.join(p for p in (str(DRIVER_PATH), path) if p),
            USERNAME_ENV: self.username,
            PASSWORD_ENV: self.password,
        }


def make_standin(mgr: Path) -> StandinIris:
    """A new stand-in instance in the folder ``mgr`` (made here; it must not exist)."""
    made = StandinIris(mgr)
    Instance.create(mgr, {made.username: made.password})
    return made


def activate(monkeypatch: pytest.MonkeyPatch, standin: StandinIris) -> None:
    """Make ``import iris`` in this process (and in the subprocesses it starts) the stand-in
    driver reaching ``standin``, until the test ends."""
    from tests.standin import iris as driver

    for name, value in standin.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(sys.modules, "iris", driver)
    monkeypatch.setitem(sys.modules, "iris.dbapi", driver.dbapi)
    # None in sys.modules makes the import fail: the stand-in has no _elsdk_ (trap 1).
    monkeypatch.setitem(sys.modules, "iris._elsdk_", None)
