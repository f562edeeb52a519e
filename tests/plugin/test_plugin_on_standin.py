"""The plugin on the real iris engine over the stand-in IRIS (tests/standin), xdist included.

The tests are the plugin suite's own, imported: this module's ``fx`` puts the pytester project
on a stand-in IRIS, so the inner runs (in this process, and xdist workers as subprocesses) open
an ``iris://`` URL, the real IrisEngine and its ``reset_copy``. A representative subset runs
here: function scope (a reset per test), a namespace removed by hand, xdist
copies kept and replaced, and a crashed worker's copy removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from plugin_project import FxProject
from test_plugin_modes import (  # noqa: F401 - collected here, on the stand-in
    test_apply_mode_replaces_a_namespace_removed_by_hand,
)
from test_plugin_scopes import (  # noqa: F401
    test_function_scope_gives_every_test_the_pinned_state,
)
from test_plugin_xdist import (  # noqa: F401
    test_controller_removes_the_copy_of_a_crashed_worker,
    test_workers_keep_copies_on_request_and_the_next_run_replaces_them,
)

from tests.standin.fixtures import activate, make_standin


@dataclass
class StandinFxProject(FxProject):
    """A pytester project whose fixtures.toml names the stand-in's URL."""

    url: str = ""

    def write_config(self, *, items: int = 3) -> None:
        """As FxProject's, on the stand-in."""
        super().write_config(items=items)
        path = self.root / "fixtures.toml"
        path.write_text(path.read_text(encoding="utf-8").replace(
            'iris = "sim://.irisfx/sim"', f'iris = "{self.url}"'), encoding="utf-8")


@pytest.fixture
def fx(fx: FxProject, monkeypatch: pytest.MonkeyPatch) -> FxProject:
    """The plugin suite's project, on a stand-in IRIS beside the pytester folder."""
    standin = make_standin(fx.root.parent / f"{fx.root.name}-standin-mgr")
    activate(monkeypatch, standin)
    project = StandinFxProject(fx.pytester, url=standin.url)
    project.write_config()
    return project
