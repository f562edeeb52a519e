"""``irisfx diff --from-file/--to-file`` and ``irisfx dump`` on files, outside any project, and
their answers to bad input: a clear message with a fix, a documented exit code, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ProjectDir, clean_env
from tests.diff.simfiles import write_db

COLUMNS = [("ID", "INTEGER"), ("Name", "VARCHAR(20)")]


@pytest.fixture
def folder(tmp_path: Path) -> ProjectDir:
    """An empty folder (no fixtures.toml) to run irisfx in."""
    root = tmp_path / "files"
    root.mkdir()
    return ProjectDir(root, clean_env(tmp_path))


def test_two_files_without_a_project(folder: ProjectDir) -> None:
    rows = {i: (i, f"n{i}") for i in range(1, 8)}
    write_db(folder.root / "old.DAT", {"A.T": (COLUMNS, rows)})
    newer = {**{i: rows[i] for i in range(2, 8)}, 3: (3, "changed"), 9: (9, "n9")}
    write_db(folder.root / "new.DAT", {"A.T": (COLUMNS, newer),
                                       "A.U": (COLUMNS, {1: (1, "u")})})
    run = folder.irisfx("diff", "--from-file", "old.DAT", "--to-file", "new.DAT", "--json",
                        "--rows", "2")
    assert run.code == 0, run.text
    tables = {t["table"]: t for t in json.loads(run.out)["fixtures"][0]["tables"]}
    assert tables["A.U"]["status"] == "added"
    t = tables["A.T"]
    assert t["rows"] == {"before": 7, "after": 7, "added": 1, "removed": 1, "changed": 1}
    assert [(s["change"], s["key"]) for s in t["samples"]] == [("removed", 1), ("changed", 3)]


def test_dump_is_deterministic_and_limited(folder: ProjectDir) -> None:
    rows = {i: (i, f"line\n{i}") for i in range(1, 6)}
    write_db(folder.root / "a.DAT", {"A.T": (COLUMNS, rows)}, order=[5, 3, 1, 2, 4])
    write_db(folder.root / "b.DAT", {"A.T": (COLUMNS, rows)})
    first = folder.irisfx("dump", "a.DAT", "--rows", "3")
    assert first.code == 0, first.text
    assert first.out == folder.irisfx("dump", "b.DAT", "--rows", "3").out
    lines = first.out.splitlines()
    assert lines[-4:] == ["  ID=1 | Name='line\\n1'", "  ID=2 | Name='line\\n2'",
                          "  ID=3 | Name='line\\n3'",
                          "  … 2 more rows not shown (the digest covers them; irisfx dump "
                          "--rows N shows more)"]


@pytest.mark.parametrize(("content", "words"), [
    (b"hello, not a database", "not a database file irisfx knows"),
    (None, "does not exist"),
])
def test_dump_refuses_what_is_no_database(folder: ProjectDir, content: bytes | None,
                                          words: str) -> None:
    if content is not None:
        (folder.root / "x.DAT").write_bytes(content)
    run = folder.irisfx("dump", "x.DAT")
    assert run.code == 1, run.text
    assert words in run.err and "fix:" in run.err and "Traceback" not in run.err


def test_dump_of_a_git_lfs_pointer_prints_the_pointer(folder: ProjectDir) -> None:
    pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n"
    (folder.root / "p.DAT").write_text(pointer)
    run = folder.irisfx("dump", "p.DAT")
    assert run.code == 0, run.text
    assert "git LFS pointer" in run.out and "oid sha256:abc" in run.out


def test_an_iris_file_needs_iris_to_diff_and_dumps_its_pin(folder: ProjectDir) -> None:
    head = bytearray(8192)
    head[1524:1532] = b"Cache DB"
    (folder.root / "iris.DAT").write_bytes(bytes(head))
    write_db(folder.root / "sim.DAT", {"A.T": (COLUMNS, {1: (1, "a")})})
    run = folder.irisfx("diff", "--from-file", "iris.DAT", "--to-file", "sim.DAT")
    assert run.code == 1 and "needs IRIS" in run.err and "fix:" in run.err, run.text
    dump = folder.irisfx("dump", "iris.DAT")
    assert dump.code == 0, dump.text
    assert "IRIS database" in dump.out and "no pin in fixtures.toml has this SHA-256" in dump.out


def test_half_a_file_pair_is_a_usage_error(folder: ProjectDir) -> None:
    run = folder.irisfx("diff", "--from-file", "a.DAT")
    assert run.code == 1 and "--from-file and --to-file go together" in run.err


def test_dump_of_a_pinned_iris_file_prints_its_manifest(folder: ProjectDir) -> None:
    import hashlib

    head = bytearray(8192)
    head[1524:1532] = b"Cache DB"
    data = bytes(head)
    (folder.root / "iris.DAT").write_bytes(data)
    line = "3 rows; digest " + "ab" * 16 + "; key ID; columns ID INTEGER, Name VARCHAR(9)"
    folder.config.write_text(
        '[irisfx]\nproject = "p"\n\n[fixtures.a]\nfile = "iris.DAT"\n\n[fixtures.a.pin]\n'
        f'sha256 = "{hashlib.sha256(data).hexdigest()}"\nsize = {len(data)}\n'
        'built_by = "IRIS for UNIX 2024.1"\ncreated = 2026-01-01T00:00:00Z\n\n'
        f'[fixtures.a.pin.manifest]\n"Shop.Item" = "{line}"\n', encoding="utf-8")
    run = folder.irisfx("dump", "iris.DAT")
    assert run.code == 0, run.text
    assert "# fixture a, built by IRIS for UNIX 2024.1" in run.out
    assert run.out.splitlines()[-2:] == ["table Shop.Item", f"  manifest: {line}"]


def test_pin_of_an_adopted_simulator_file_records_its_manifest(folder: ProjectDir) -> None:
    import tomllib

    (folder.root / "fx").mkdir()
    write_db(folder.root / "fx" / "IRIS.DAT", {"A.T": (COLUMNS, {2: (2, "b"), 1: (1, "a")})})
    folder.config.write_text('[irisfx]\nproject = "p"\niris = "sim://sim"\n\n[fixtures.a]\n'
                             'file = "fx/IRIS.DAT"\n', encoding="utf-8")
    run = folder.irisfx("pin", "a", "--yes")
    assert run.code == 0, run.text
    pin = tomllib.loads(folder.config.read_text())["fixtures"]["a"]["pin"]
    line = pin["manifest"]["A.T"]
    assert line.startswith("2 rows; digest ")
    assert line.endswith("; key ID; columns ID INTEGER, Name VARCHAR(20)")
