"""Digests: correct, streaming, stat-cached, parallel."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from irisfx.files.digest import (
    CHUNK,
    OVERLAP_THRESHOLD,
    StatCache,
    copy_with_digest,
    digest_files,
    sha256_file,
)


def make(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


def test_small_and_large_files_hash_like_hashlib(tmp_path: Path) -> None:
    for size in (0, 1, 4096, OVERLAP_THRESHOLD + 12345):
        path = tmp_path / f"f{size}"
        data = make(path, size)
        got = sha256_file(path)
        assert (got.sha256, got.size) == (hashlib.sha256(data).hexdigest(), size)


def test_copy_with_digest_copies_and_hashes(tmp_path: Path) -> None:
    data = make(tmp_path / "src", OVERLAP_THRESHOLD + 7)
    got = copy_with_digest(tmp_path / "src", tmp_path / "dst")
    assert (tmp_path / "dst").read_bytes() == data
    assert got.sha256 == hashlib.sha256(data).hexdigest()


def test_cache_serves_unchanged_files_and_rehashes_changed_ones(tmp_path: Path) -> None:
    files = [tmp_path / f"f{i}" for i in range(4)]
    for f in files:
        make(f, 1000)
    cache = StatCache(tmp_path / "cache.json")
    first = digest_files(files, cache)
    assert all(d is not None and d.hashed for d in first.values())
    cache.save()

    reloaded = StatCache(tmp_path / "cache.json")
    second = digest_files(files, reloaded)
    assert all(d is not None and not d.hashed for d in second.values())

    # Same size, same mtime, one byte different: ctime and inode-level stat still move.
    stat = files[0].stat()
    data = bytearray(files[0].read_bytes())
    data[0] ^= 1
    files[0].write_bytes(bytes(data))
    os.utime(files[0], ns=(stat.st_atime_ns, stat.st_mtime_ns))
    third = digest_files(files, reloaded)
    changed = third[files[0]]
    assert changed is not None and changed.hashed
    assert changed.sha256 == hashlib.sha256(bytes(data)).hexdigest()
    assert sum(1 for d in third.values() if d is not None and d.hashed) == 1


def test_full_rehashes_everything(tmp_path: Path) -> None:
    path = tmp_path / "f"
    make(path, 10)
    cache = StatCache(tmp_path / "c.json")
    digest_files([path], cache)
    again = digest_files([path], cache, full=True)[path]
    assert again is not None and again.hashed


def test_missing_file_is_none_and_damaged_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text("{not json")
    cache = StatCache(tmp_path / "c.json")
    assert digest_files([tmp_path / "absent"], cache) == {tmp_path / "absent": None}


def test_cache_keeps_only_digests_of_the_bytes_it_was_given(tmp_path: Path) -> None:
    path = tmp_path / "f"
    make(path, 100)
    before = path.stat()
    cache = StatCache(tmp_path / "c.json")
    make(path, 100)  # changed after it was hashed: the digest no longer describes it
    assert not cache.store(path, "0" * 64, before)
    assert cache.lookup(path, path.stat()) is None
    now = path.stat()
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert cache.store(path, sha, now)
    assert cache.lookup(path, path.stat()) == sha


def test_cache_drops_malformed_entries_and_keeps_good_ones(tmp_path: Path) -> None:
    good = tmp_path / "good"
    make(good, 10)
    stat = good.stat()
    key = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]
    sha = hashlib.sha256(good.read_bytes()).hexdigest()
    files = {str(good): {"stat": key, "sha256": sha},
             "a": 1, "b": None, "c": {"stat": key, "sha256": "NOTHEX"},
             "d": {"stat": [True, 1, 2, 3, 4], "sha256": sha},
             "e": {"stat": key, "sha256": sha, "extra": 1}}
    (tmp_path / "c.json").write_text(json.dumps({"version": 1, "files": files}))
    cache = StatCache(tmp_path / "c.json")
    assert cache.lookup(good, stat) == sha
    for name in "abcde":
        assert cache.lookup(Path(name), stat) is None


def test_large_files_hash_like_hashlib_with_and_without_helper(tmp_path: Path) -> None:
    for size in (OVERLAP_THRESHOLD, 3 * CHUNK, 3 * CHUNK + 1):
        path = tmp_path / f"f{size}"
        data = make(path, size)
        expected = hashlib.sha256(data).hexdigest()
        for overlap in (True, False):
            got = sha256_file(path, overlap=overlap)
            assert (got.sha256, got.size) == (expected, size), (size, overlap)


def test_parallel_digests_match_serial_ones(tmp_path: Path) -> None:
    files = [tmp_path / f"f{i}" for i in range(3)]
    datas = [make(f, OVERLAP_THRESHOLD + 4096 * i) for i, f in enumerate(files)]
    got = digest_files(files, StatCache(tmp_path / "cache.json"), full=True)
    for path, data in zip(files, datas, strict=True):
        found = got[path]
        assert found is not None and found.hashed
        assert found.sha256 == hashlib.sha256(data).hexdigest()


class _StopAfterFirstBlock:
    """A Progress that interrupts the hash after its first block, as Ctrl-C would."""

    def __init__(self) -> None:
        self.blocks = 0
        self.finished = False

    def start(self, label: str, total: int | None) -> None:
        pass

    def advance(self, amount: int) -> None:
        self.blocks += 1
        raise KeyboardInterrupt

    def finish(self) -> None:
        self.finished = True


def test_an_interrupted_hash_of_a_large_file_stops_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "f"
    make(path, OVERLAP_THRESHOLD + 4 * CHUNK)
    for overlap in (True, False):
        shown = _StopAfterFirstBlock()
        with pytest.raises(KeyboardInterrupt):
            sha256_file(path, shown, overlap=overlap)
        assert (shown.blocks, shown.finished) == (1, True)
    # Nothing is left reading or locked: the file hashes again and can be replaced.
    assert sha256_file(path).size == OVERLAP_THRESHOLD + 4 * CHUNK
    path.unlink()


def test_flush_appends_only_the_change_and_a_fresh_load_sees_it(tmp_path: Path) -> None:
    files = [tmp_path / f"f{i}" for i in range(50)]
    for f in files:
        make(f, 100)
    cache = StatCache(tmp_path / "cache.json")
    digest_files(files, cache)
    cache.save()
    whole = (tmp_path / "cache.json").read_bytes()

    new = tmp_path / "new"
    data = make(new, 100)
    cache.store(new, hashlib.sha256(data).hexdigest(), new.stat())
    cache.forget(files[0])
    cache.flush()
    # O(changed): the whole cache is untouched and the log holds two short lines.
    assert (tmp_path / "cache.json").read_bytes() == whole
    lines = (tmp_path / "cache.log").read_text().splitlines()
    assert len(lines) == 2 and all(len(line) < 300 for line in lines)

    reloaded = StatCache(tmp_path / "cache.json")
    assert reloaded.lookup(new, new.stat()) == hashlib.sha256(data).hexdigest()
    assert reloaded.lookup(files[0], files[0].stat()) is None
    assert reloaded.lookup(files[1], files[1].stat()) is not None
    reloaded.save()  # folds the log into the cache file and removes it
    assert not (tmp_path / "cache.log").exists()
    assert StatCache(tmp_path / "cache.json").lookup(new, new.stat()) is not None


def test_a_torn_or_forged_log_line_never_changes_a_digest(tmp_path: Path) -> None:
    good = tmp_path / "good"
    data = make(good, 10)
    sha = hashlib.sha256(data).hexdigest()
    cache = StatCache(tmp_path / "cache.json")
    cache.store(good, sha, good.stat())
    cache.flush()
    stat = good.stat()
    key = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]
    with (tmp_path / "cache.log").open("a") as log:
        log.write(f'{{"path": "{good}", "stat": [1, 2')  # a kill mid-append
        log.write("\n[1]\n{}\n" + json.dumps({"path": str(good), "stat": key,
                                                 "sha256": "NOTHEX"}) + "\n")
        log.write(json.dumps({"path": str(good), "stat": [True, 1, 2, 3, 4],
                              "sha256": "0" * 64}) + "\n")
        log.write(json.dumps({"path": str(good), "forget": 1}) + "\n")
    assert StatCache(tmp_path / "cache.json").lookup(good, stat) == sha
