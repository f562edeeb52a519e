"""Family: kill during push to a folder store (issue 17 item 9). SIGKILL lands at a fixed
block of the upload; the temp file it leaves is aged past the staleness limit; the next push
must remove it, upload the object whole and exit 0."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import clean_env
from tests.store.conftest import blob_project, object_path


@pytest.mark.parametrize("size", [5 << 20, 9 << 20])
def test_a_push_killed_mid_upload_leaves_nothing_the_next_push_keeps(
        tmp_path: Path, size: int) -> None:
    body = os.urandom(size)  # more than one upload block
    project = blob_project(tmp_path / "proj", clean_env(tmp_path), {"big": body})
    killed = project.irisfx("push", env={"IRISFX_KILL_AT": "push.block"})
    assert killed.code < 0, killed.text
    obj = object_path(tmp_path / "store", body)
    temps = list(obj.parent.glob(f"{obj.name}.tmp-*"))
    assert temps and not obj.exists()
    an_hour_ago = time.time() - 3600
    for temp in temps:
        os.utime(temp, (an_hour_ago, an_hour_ago))
    run = project.irisfx("push")
    assert run.code == 0, run.text
    assert obj.read_bytes() == body
    assert not list(obj.parent.glob(f"{obj.name}.tmp-*"))
