"""CLI flows and kill-at-every-checkpoint runs on the real iris engine over the stand-in IRIS.

The tests are the CLI suite's own (imported, not copied): this module's ``project`` puts the
suite's project on a stand-in IRIS beside it, so ``irisfx`` subprocesses open an ``iris://``
URL, the real IrisEngine, its transfer code and its records. A representative subset runs here
(every CLI test twice would double the suite's time): what differs per engine — apply, no-op,
drift, rebuild, replace, unmount, destroy, read-only SQL, interrupts — and a kill at every
checkpoint of the iris engine itself (the apply.* checkpoints are engine-neutral and run on
the simulator in tests/cli/test_kill_resume.py).
"""

from __future__ import annotations

import tomllib

import pytest
import tomli_w

from tests.cli.test_flows import (  # noqa: F401 - collected here, on the stand-in
    test_destructive_apply_needs_approval_off_terminal,
    test_one_byte_edit_is_drift_exit_3_and_nothing_mounted,
    test_rebuild_on_purpose_repins,
    test_removed_fixture_is_unmounted,
    test_second_apply_does_nothing_and_hashes_nothing,
)
from tests.cli.test_inspect_and_housekeeping import (  # noqa: F401
    test_destroy_removes_everything_with_consent,
    test_sql_reads_a_mounted_fixture_and_refuses_writes,
)
from tests.cli.test_interrupts import test_sigterm_is_an_interrupt_and_apply_resumes  # noqa: F401
from tests.cli.test_kill_resume import EXTRA, kill_then_resume
from tests.conftest import ProjectDir
from tests.standin.fixtures import make_standin

# The iris engine's own checkpoints (irisfx/engines/iris/engine.py), in the order apply meets
# them; iris.reset.replaced is reached only by the plugin (tests/plugin).
FIRST_APPLY = ["iris.build.created", "iris.build.ran", "iris.snapshot.copied",
               "iris.snapshot.transferred", "iris.mount.copied", "iris.mount.created"]
REMOVE = ["iris.unmount.removed"]


@pytest.fixture
def project(project: ProjectDir) -> ProjectDir:
    """The CLI suite's project, on a stand-in IRIS (``standin-mgr/`` beside the project)."""
    standin = make_standin(project.root.parent / "standin-mgr")
    project.env.update(standin.env())
    project.url = standin.url
    project.write_config()
    return project


@pytest.mark.parametrize("checkpoint", FIRST_APPLY)
def test_kill_during_first_apply(project: ProjectDir, checkpoint: str) -> None:
    kill_then_resume(project, checkpoint)


@pytest.mark.parametrize("checkpoint", REMOVE)
def test_kill_during_removal(project: ProjectDir, checkpoint: str) -> None:
    project.write_config(EXTRA)
    assert project.irisfx("apply").code == 0
    doc = tomllib.loads(project.config.read_text())
    del doc["fixtures"]["extra"]
    project.config.write_text(tomli_w.dumps(doc))
    kill_then_resume(project, checkpoint)
