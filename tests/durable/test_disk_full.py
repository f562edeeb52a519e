"""Out of room part-way: one message naming the path and the room needed, exit 5, finished
work recorded, fixtures.toml intact; the next apply resumes."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ProjectDir

BIG = """
[fixtures.zbig]
recipe = "recipes/big.py"
"""

BIG_RECIPE = """\
def build(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE B.T (ID INTEGER PRIMARY KEY, V VARCHAR(2000))")
    for i in range(1500):
        cur.execute("INSERT INTO B.T (ID, V) VALUES (?, ?)", [i, "x" * 1000])
"""


def run_limited(project: ProjectDir, preexec: Callable[[], None] | None) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-m", "irisfx", "apply"], cwd=project.root,
                          env=project.env, capture_output=True, text=True, timeout=120,
                          preexec_fn=preexec)
    return proc.returncode, proc.stderr


def check_stopped_cleanly(project: ProjectDir, code: int, err: str) -> None:
    assert code == 5, err
    assert err.count("error:") == 1 and "no room to write" in err, err
    assert "Traceback" not in err and "recipe" not in err.splitlines()[0]
    doc = tomllib.loads(project.config.read_text())  # intact
    assert set(doc["fixtures"]) == {"items", "zbig"}
    assert "pin" in doc["fixtures"]["items"], "the finished fixture's pin was not recorded"


def add_big_fixture(project: ProjectDir) -> None:
    (project.root / "recipes" / "big.py").write_text(BIG_RECIPE)
    project.config.write_text(project.config.read_text() + BIG)


def test_file_size_limit_part_way(project: ProjectDir) -> None:
    add_big_fixture(project)

    def limit() -> None:
        # Ignored SIGXFSZ makes a write past the limit fail with EFBIG instead of killing.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))

    code, err = run_limited(project, limit)
    check_stopped_cleanly(project, code, err)
    assert "file size limit" in err and "ulimit -f" in err
    assert "1 of" in err or "3 of" in err
    code, err = run_limited(project, None)
    assert code == 0, err


def test_disk_full_on_a_small_tmpfs(project: ProjectDir, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        moved = ProjectDir(disk / "proj", project.env)
        subprocess.run(["cp", "-r", str(project.root), str(moved.root)], check=True)
        add_big_fixture(moved)
        code, err = run_limited(moved, None)
        check_stopped_cleanly(moved, code, err)
        assert "disk is full" in err
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
