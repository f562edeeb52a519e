"""Chunked transfer, resume, the path map and the refusal of simulator files, on real files.

``LocalFiles`` is the real ServerFiles the path-map shortcut uses; ``Recording`` wraps it to see
every chunk that would cross the connection and to cut the transfer off part-way.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from irisfx.engines.base import Transferred
from irisfx.engines.iris.transfer import (
    CHUNK_SIZE,
    PART_SUFFIX,
    SQLITE_HEADER,
    FileStat,
    LocalFiles,
    PathMap,
    copy_on_server,
    download,
    refuse_simulator_file,
    server_dir,
    server_join,
    sha256_file,
    upload,
)
from irisfx.errors import ConflictError, EngineError, ExitCode, IntegrityError

SIZE = 3 * CHUNK_SIZE + 12345  # four chunks, the last one short


class Cut(Exception):
    """The connection 'dropped'."""


class Recording(LocalFiles):
    """LocalFiles that records chunk sizes and can fail after some number of chunks."""

    def __init__(self, fail_after: int | None = None, corrupt_reads: bool = False) -> None:
        self.appended: list[tuple[int, int]] = []  # (offset, length)
        self.reads: list[tuple[int, int]] = []
        self.fail_after = fail_after
        self.corrupt_reads = corrupt_reads

    def _tick(self) -> None:
        if self.fail_after is not None and len(self.appended) + len(self.reads) >= self.fail_after:
            raise Cut

    def append(self, path: str, offset: int, data: bytes) -> int:
        self._tick()
        self.appended.append((offset, len(data)))
        return super().append(path, offset, data)

    def read(self, path: str, offset: int, length: int) -> bytes:
        self._tick()
        data = super().read(path, offset, length)
        self.reads.append((offset, len(data)))
        if self.corrupt_reads and offset == 0:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        return data


class Progress:
    """Records what a Progress receives."""

    def __init__(self) -> None:
        self.totals: list[int | None] = []
        self.advanced = 0
        self.finished = 0

    def start(self, label: str, total: int | None) -> None:
        self.totals.append(total)
        self.advanced = 0

    def advance(self, amount: int) -> None:
        self.advanced += amount

    def finish(self) -> None:
        self.finished += 1


@pytest.fixture
def local(tmp_path: Path) -> Path:
    path = tmp_path / "client" / "IRIS.DAT"
    path.parent.mkdir()
    path.write_bytes(os.urandom(SIZE))
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- upload ---------------------------------------------------------------------------------


def test_upload_sends_chunks_of_at_most_1_mib_and_returns_the_server_digest(
    local: Path, tmp_path: Path
) -> None:
    files, progress = Recording(), Progress()
    remote = str(tmp_path / "server" / "incoming" / "x.DAT")
    got = upload(local, remote, files, progress, sha256=digest(local))
    assert got == Transferred(digest(local), SIZE)
    assert Path(remote).read_bytes() == local.read_bytes()
    assert all(length <= CHUNK_SIZE for _, length in files.appended)
    assert [offset for offset, _ in files.appended] == [0, CHUNK_SIZE, 2 * CHUNK_SIZE,
                                                        3 * CHUNK_SIZE]
    assert progress.totals == [SIZE] and progress.advanced == SIZE and progress.finished == 1


def test_an_empty_file_is_not_uploaded(tmp_path: Path) -> None:
    empty = tmp_path / "empty.DAT"
    empty.write_bytes(b"")
    with pytest.raises(ConflictError, match="empty"):
        upload(empty, str(tmp_path / "srv" / "e"), LocalFiles(), Progress(),
               sha256=hashlib.sha256(b"").hexdigest())
    assert not (tmp_path / "srv").exists()


def test_upload_with_the_wrong_digest_removes_the_server_copy(local: Path,
                                                             tmp_path: Path) -> None:
    remote = tmp_path / "server" / "x.DAT"
    with pytest.raises(IntegrityError) as caught:
        upload(local, str(remote), LocalFiles(), Progress(), sha256="0" * 64)
    assert caught.value.exit_code == ExitCode.INTEGRITY
    assert "nothing was mounted" in caught.value.render()
    assert not remote.exists()


def test_an_interrupted_upload_resumes_where_it_stopped(local: Path, tmp_path: Path) -> None:
    remote = str(tmp_path / "server" / "x.DAT")
    with pytest.raises(Cut):
        upload(local, remote, Recording(fail_after=2), Progress(), sha256=digest(local))
    assert Path(remote).stat().st_size == 2 * CHUNK_SIZE

    files, progress = Recording(), Progress()
    got = upload(local, remote, files, progress, sha256=digest(local))
    assert got.sha256 == digest(local)
    assert [offset for offset, _ in files.appended] == [2 * CHUNK_SIZE, 3 * CHUNK_SIZE]
    assert progress.advanced == SIZE  # the resumed part is shown as already done


def test_a_resumed_upload_with_a_damaged_prefix_is_redone_from_nothing(
    local: Path, tmp_path: Path
) -> None:
    remote = tmp_path / "server" / "x.DAT"
    remote.parent.mkdir()
    remote.write_bytes(b"\x00" * CHUNK_SIZE)  # right length, wrong bytes
    files = Recording()
    got = upload(local, str(remote), files, Progress(), sha256=digest(local))
    assert got.sha256 == digest(local)
    assert files.appended[0][0] == CHUNK_SIZE  # first it tried to resume ...
    assert (0, CHUNK_SIZE) in files.appended  # ... then sent everything again


def test_a_server_file_longer_than_the_local_one_is_replaced(local: Path,
                                                            tmp_path: Path) -> None:
    remote = tmp_path / "server" / "x.DAT"
    remote.parent.mkdir()
    remote.write_bytes(b"\x01" * (SIZE + 10))
    got = upload(local, str(remote), Recording(), Progress(), sha256=digest(local))
    assert got.size == SIZE


def test_append_refuses_a_write_that_would_leave_a_hole(tmp_path: Path) -> None:
    with pytest.raises(EngineError):
        LocalFiles().append(str(tmp_path / "f"), 10, b"x")


# -- the path-map shortcut ------------------------------------------------------------------


def test_copy_on_server_checks_the_digest_without_sending_bytes(local: Path,
                                                               tmp_path: Path) -> None:
    files = Recording()
    remote = str(tmp_path / "server" / "in.DAT")
    got = copy_on_server(str(local), str(local.parent), remote, files, sha256=digest(local),
                         label="IRIS.DAT")
    assert got.sha256 == digest(local) and files.appended == []
    with pytest.raises(IntegrityError):
        copy_on_server(str(local), str(local.parent), remote, files, sha256="1" * 64,
                       label="IRIS.DAT")
    assert not Path(remote).exists()


def test_path_map_translates_files_under_a_mapped_directory(tmp_path: Path) -> None:
    shared = tmp_path / "proj" / "fixtures"
    shared.mkdir(parents=True)
    paths = PathMap.from_settings({"fixtures": "/irisdata/fixtures"}, tmp_path / "proj")
    assert paths.to_server(shared / "a" / "IRIS.DAT") == "/irisdata/fixtures/a/IRIS.DAT"
    assert paths.to_server(tmp_path / "elsewhere" / "IRIS.DAT") is None


def test_path_map_prefers_the_deepest_directory(tmp_path: Path) -> None:
    paths = PathMap.from_settings(
        {str(tmp_path): "/outer", str(tmp_path / "inner"): "/inner"}, tmp_path
    )
    assert paths.to_server(tmp_path / "inner" / "x") == "/inner/x"
    assert paths.to_server(tmp_path / "x") == "/outer/x"


def test_path_map_follows_symlinks_and_dots(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    paths = PathMap.from_settings({"real": "/srv"}, tmp_path)
    assert paths.to_server(tmp_path / "link" / "sub" / ".." / "f.DAT") == "/srv/f.DAT"


def test_server_paths_keep_the_servers_style() -> None:
    assert server_join("/usr/irissys/mgr/irisfx/p/", "NS", "IRIS.DAT") == (
        "/usr/irissys/mgr/irisfx/p/NS/IRIS.DAT")
    assert server_join("C:\\InterSystems\\mgr\\irisfx\\", "NS") == (
        "C:\\InterSystems\\mgr\\irisfx\\NS")
    assert server_dir("/mgr/irisfx/", "p", "NS") == "/mgr/irisfx/p/NS/"
    assert server_dir("C:\\mgr\\irisfx\\", "p") == "C:\\mgr\\irisfx\\p\\"


# -- download -------------------------------------------------------------------------------


def expected_of(path: Path) -> Transferred:
    return sha256_file(path)


def test_download_writes_the_file_atomically_in_chunks(local: Path, tmp_path: Path) -> None:
    dest = tmp_path / "fixtures" / "IRIS.DAT"
    dest.parent.mkdir()
    files, progress = Recording(), Progress()
    download(files, str(local), dest, progress, expected_of(local))
    assert dest.read_bytes() == local.read_bytes()
    assert all(length <= CHUNK_SIZE for _, length in files.reads)
    assert len(files.reads) == 4
    assert progress.advanced == SIZE and progress.totals == [SIZE]
    assert sorted(p.name for p in dest.parent.iterdir()) == ["IRIS.DAT"]


def test_an_interrupted_download_leaves_no_destination_and_resumes(local: Path,
                                                                  tmp_path: Path) -> None:
    dest = tmp_path / "IRIS.DAT"
    with pytest.raises(Cut):
        download(Recording(fail_after=3), str(local), dest, Progress(), expected_of(local))
    assert not dest.exists()
    assert (tmp_path / f"IRIS.DAT{PART_SUFFIX}").stat().st_size == 3 * CHUNK_SIZE

    files = Recording()
    download(files, str(local), dest, Progress(), expected_of(local))
    assert [offset for offset, _ in files.reads] == [3 * CHUNK_SIZE]
    assert digest(dest) == digest(local)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["IRIS.DAT", "client"]


def test_a_part_of_another_server_file_is_not_resumed(local: Path, tmp_path: Path) -> None:
    dest = tmp_path / "IRIS.DAT"
    with pytest.raises(Cut):
        download(Recording(fail_after=2), str(local), dest, Progress(), expected_of(local))
    local.write_bytes(os.urandom(SIZE))  # the server made a new snapshot meanwhile
    files = Recording()
    download(files, str(local), dest, Progress(), expected_of(local))
    assert files.reads[0][0] == 0
    assert digest(dest) == digest(local)


def test_bytes_damaged_in_transit_are_caught_and_nothing_is_kept(local: Path,
                                                                tmp_path: Path) -> None:
    dest = tmp_path / "IRIS.DAT"
    with pytest.raises(IntegrityError):
        download(Recording(corrupt_reads=True), str(local), dest, Progress(),
                 expected_of(local))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["client"]


def test_a_server_file_shorter_than_announced_is_an_engine_error(local: Path,
                                                                tmp_path: Path) -> None:
    wrong = Transferred(digest(local), SIZE + 100)
    with pytest.raises(EngineError, match="ended at"):
        download(LocalFiles(), str(local), tmp_path / "IRIS.DAT", Progress(), wrong)


# -- simulator files ------------------------------------------------------------------------


def test_a_real_sqlite_file_is_refused_with_the_rebuild_command(tmp_path: Path) -> None:
    path = tmp_path / "IRIS.DAT"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    assert path.read_bytes().startswith(SQLITE_HEADER)
    with pytest.raises(ConflictError) as caught:
        refuse_simulator_file("entities-100", path)
    text = caught.value.render()
    assert "irisfx apply --rebuild entities-100" in text
    assert "iris engine" in text


def test_a_pin_built_by_the_simulator_is_refused(local: Path) -> None:
    with pytest.raises(ConflictError, match="simulator"):
        refuse_simulator_file("x", local, built_by="irisfx-sim 0.1.0 (simulator, SQLite 3.40)")
    with pytest.raises(ConflictError):
        refuse_simulator_file("x", None, built_by="irisfx-sim 0.1.0")


def test_an_iris_file_passes(local: Path) -> None:
    refuse_simulator_file("x", local, built_by="IRIS for UNIX (Ubuntu) 2025.1")
    refuse_simulator_file("x", local)


def test_file_stat_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert LocalFiles().stat(str(tmp_path / "nope")) is None
    (tmp_path / "f").write_bytes(b"abc")
    stat = LocalFiles().stat(str(tmp_path / "f"))
    assert isinstance(stat, FileStat) and stat.size == 3


def test_chunks_never_exceed_1_mib_and_fit_an_iris_string_in_base64() -> None:
    assert CHUNK_SIZE <= 1024 * 1024
    assert (CHUNK_SIZE + 2) // 3 * 4 < 3_641_144  # IRIS's longest string


def test_local_copy_refuses_a_source_outside_its_mapped_directory(tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    outside.write_bytes(b"x")
    (tmp_path / "map").mkdir()
    with pytest.raises(EngineError, match="outside the mapped directory"):
        LocalFiles().copy(str(tmp_path / "map" / ".." / "secret"), str(tmp_path / "map"),
                          str(tmp_path / "t"))
