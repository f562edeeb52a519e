"""Real DAT files recognised by their label (issue 19, "Real DAT files").

The files here are built in tmp_path with the layout seen in three real database files from
public repositories (irisfx/files/dbfile.py); no database irisfx did not make is committed."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from irisfx.engines.compat import byte_order_refusal, server_byte_order
from irisfx.engines.iris.transfer import refuse_foreign_file
from irisfx.errors import ConflictError
from irisfx.files.dbfile import DatabaseLabel, build_label, label_of, read_label
from tests.conftest import ProjectDir

IRIS_DIR = "c:\\intersystems\\iris\\mgr\\cache\\"
CACHE_DIR = "c:\\sandbox\\myapp\\odb\\"
LINUX = "IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2024.1 (Build 267.2U)"
AIX = "IRIS for UNIX (IBM AIX for System Power System-64) 2024.1 (Build 267.2U)"


def dat(path: Path, directory: str = IRIS_DIR, resource: str = "%DB_%DEFAULT", *,
        byte_order: str = "little") -> Path:
    """A 1 MiB file with an IRIS label of the real layout (128 blocks of 8 KiB)."""
    head = build_label(directory, resource, byte_order=byte_order)  # type: ignore[arg-type]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(head + b"\x00" * (1_048_576 - len(head)))
    return path


def test_the_real_layout_gives_directory_and_resource(tmp_path: Path) -> None:
    label = read_label(dat(tmp_path / "IRIS.DAT"))
    assert label == DatabaseLabel("iris", IRIS_DIR, "%DB_%DEFAULT", "little")
    assert label.describe() == ["IRIS/Caché database", f"created in {IRIS_DIR}",
                                "resource %DB_%DEFAULT"]


def test_the_lengths_are_two_bytes(tmp_path: Path) -> None:
    # The byte at 1533 is the length's high byte (0), not part of the directory.
    head = build_label(CACHE_DIR, "%DB_MYAPP")
    assert head[1532:1534] == len(CACHE_DIR).to_bytes(2, "little")
    assert head[1792:1794] == (9).to_bytes(2, "little")
    assert label_of(head) == DatabaseLabel("iris", CACHE_DIR, "%DB_MYAPP", "little")


def test_a_big_endian_file_is_told_apart_and_refused_on_a_little_endian_server(
        tmp_path: Path) -> None:
    path = dat(tmp_path / "IRIS.DAT", "/aix/mgr/app/", "%DB_APP", byte_order="big")
    label = read_label(path)
    assert label is not None and label.byte_order == "big"
    assert label.directory == "/aix/mgr/app/" and label.resource == "%DB_APP"
    assert byte_order_refusal("big", LINUX) is not None
    assert byte_order_refusal("big", AIX) is None and byte_order_refusal("little", LINUX) is None
    assert server_byte_order(AIX) == "big" and server_byte_order(LINUX) == "little"
    with pytest.raises(ConflictError) as caught:
        refuse_foreign_file("items", path, LINUX)
    assert "big-endian" in caught.value.message and "cvendian" in (caught.value.fix or "")


@pytest.mark.parametrize("content", [
    b"1,0.5,0.25\n" * 1000,  # a text file named IRIS.DAT (such files exist in public repos)
    b"\x00" * 4096,
    b"Cache DB" * 400,  # the magic in the wrong place
])
def test_anything_else_is_not_an_iris_database(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "IRIS.DAT"
    path.write_bytes(content)
    assert read_label(path) is None
    with pytest.raises(ConflictError) as caught:
        refuse_foreign_file("items", path, LINUX)
    assert "not an IRIS database" in caught.value.message and caught.value.fix


def test_a_simulator_file_is_a_simulator_database(tmp_path: Path) -> None:
    path = tmp_path / "IRIS.DAT"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    assert read_label(path) == DatabaseLabel("sim")
    with pytest.raises(ConflictError) as caught:
        refuse_foreign_file("items", path, LINUX)
    assert "simulator" in caught.value.message


def test_pin_refuses_a_file_that_is_no_database(project: ProjectDir) -> None:
    with project.config.open("a") as handle:
        handle.write('\n[fixtures.other]\nsource = "FXSRC_OTHER"\nmount = "FX_OTHER"\n')
    path = project.root / "fixtures/other/IRIS.DAT"
    path.parent.mkdir(parents=True)
    path.write_text("x,y\n1,2\n", encoding="utf-8")
    run = project.irisfx("pin", "other", "--yes")
    # Refused when fixtures.toml is loaded (lockfile/paths.py, the ux helper's): exit 1.
    assert run.code == 1 and "is not a database file" in run.err and "fix:" in run.err, run.text
    assert "Traceback" not in run.text
    assert "pin" not in tomllib.loads(project.config.read_text())["fixtures"]["other"]


def test_pin_adopts_an_iris_database_and_show_tells_its_label(project: ProjectDir) -> None:
    with project.config.open("a") as handle:
        handle.write('\n[fixtures.other]\nsource = "FXSRC_OTHER"\nmount = "FX_OTHER"\n')
    dat(project.root / "fixtures/other/IRIS.DAT", CACHE_DIR, "%DB_MYAPP")
    run = project.irisfx("pin", "other", "--yes")
    assert run.code == 0, run.text
    pin = tomllib.loads(project.config.read_text())["fixtures"]["other"]["pin"]
    assert pin["built_by"].startswith("IRIS (adopted file")
    shown = project.irisfx("show", "other")
    assert shown.code == 0, shown.text
    assert f"label:       created in {CACHE_DIR}" in shown.out
    assert "label:       resource %DB_MYAPP" in shown.out
    as_json = json.loads(project.irisfx("show", "other", "--json").out)
    assert as_json["label"] == ["IRIS/Caché database", f"created in {CACHE_DIR}",
                                "resource %DB_MYAPP"]
