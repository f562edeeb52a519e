"""Files irisfx writes: temp files a kill left are removed, links planted under fixtures/ are
not followed, and the stat cache only holds digests computed from the bytes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from irisfx.errors import ApplyFailed
from tests.conftest import ProjectDir
from tests.durable.conftest import apply_in_process

DAT = Path("fixtures") / "items" / "IRIS.DAT"


def test_stale_temp_files_of_irisfx_are_removed_and_others_kept(project: ProjectDir) -> None:
    state = project.root / ".irisfx"
    state.mkdir()
    stale = [project.root / ".fixtures.toml.k1ll3d.tmp", state / ".stat-cache.json.x9.tmp"]
    kept = [project.root / ".fixtures.toml.keep", project.root / "notes.tmp",
            project.root / "fixtures.toml.k1ll3d.tmp"]
    for path in stale + kept:
        path.write_text("left over")
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert project.irisfx("apply").code == 0
    assert [p for p in stale if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []


def test_a_link_planted_during_apply_is_not_written_through(project: ProjectDir,
                                                             tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = project.root / DAT.parent

    def attacker_swaps_the_folder() -> None:
        # The snapshot is written; move its folder out and leave a link in its place.
        shutil.move(folder, outside / "items")
        folder.symlink_to(outside / "items", target_is_directory=True)

    with pytest.raises(ApplyFailed) as failed:
        apply_in_process(project.config, {"row_counts": attacker_swaps_the_folder})
    assert "symbolic link" in failed.value.message
    assert not (outside / "items" / "IRIS.DAT").exists()
    assert "[fixtures.items.pin]" not in project.config.read_text()
    assert not (project.root / ".irisfx" / "pins.journal").exists()


def test_a_linked_new_file_is_replaced_not_followed(project: ProjectDir, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (project.root / DAT.parent).mkdir(parents=True)
    (project.root / f"{DAT}.irisfx-new").symlink_to(victim)
    assert project.irisfx("apply").code == 0
    assert victim.read_text() == "precious"
    assert not (project.root / DAT).is_symlink()


def test_the_cache_holds_the_digest_of_the_bytes_after_apply(applied: ProjectDir) -> None:
    cache = json.loads((applied.root / ".irisfx" / "stat-cache.json").read_text())["files"]
    path = applied.root / DAT
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    assert cache[str(path)]["sha256"] == actual
    stat = path.stat()
    assert cache[str(path)]["stat"] == [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns,
                                        stat.st_ino, stat.st_dev]


@pytest.mark.parametrize("cache", [
    '{"version": 1, "files": [1]}', '{"version": 1, "files": null}', '{"files": [1]}',
    '[1]', '{"version": 1, "files": {"x": {"stat": "a", "sha256": 1}}}',
    '{"version": 1, "files": {"x": [1, 2]}}',
])
def test_a_malformed_stat_cache_is_discarded(applied: ProjectDir, cache: str) -> None:
    (applied.root / ".irisfx" / "stat-cache.json").write_text(cache)
    for command in ("verify", "check", "plan"):
        run = applied.irisfx(command)
        assert run.code == 0, f"{command}: {run.text}"


def test_a_fresh_config_temp_is_removed_and_a_link_at_its_name_kept(project: ProjectDir,
                                                                      tmp_path: Path) -> None:
    # Every writer of fixtures.toml holds the apply lock, so any such temp file is a leftover.
    fresh = project.root / ".fixtures.toml.n0w.tmp"
    fresh.write_text("left over")
    victim = tmp_path / "victim"
    victim.write_text("precious")
    link = project.root / ".fixtures.toml.l1nk.tmp"
    link.symlink_to(victim)
    assert project.irisfx("apply").code == 0
    assert not fresh.exists()
    assert link.is_symlink() and victim.read_text() == "precious"
