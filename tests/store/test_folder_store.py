"""push and pull against a folder store: real files, the CLI as a subprocess."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tests.conftest import ProjectDir, clean_env
from tests.store.conftest import blob_project, object_path

Blobs = tuple[ProjectDir, dict[str, bytes]]


def test_push_writes_content_addressed_objects(blobs: Blobs) -> None:
    project, data = blobs
    run = project.irisfx("push")
    assert run.code == 0, run.text
    store = project.root.parent / "store"
    for name, body in data.items():
        assert object_path(store, body).read_bytes() == body, name
    assert "2 of 2 file(s) moved" in run.out
    # Nothing left behind but the objects.
    assert sorted(p.name for p in store.rglob("*") if p.is_file()) == sorted(
        hashlib.sha256(b).hexdigest()[2:] for b in data.values())


def test_push_again_uploads_nothing_and_never_overwrites(blobs: Blobs) -> None:
    project, data = blobs
    assert project.irisfx("push").code == 0
    obj = object_path(project.root.parent / "store", data["alpha"])
    before = obj.stat().st_mtime_ns
    run = project.irisfx("push")
    assert run.code == 0, run.text
    assert "alpha: present" in run.out and "0 of 2 file(s) moved" in run.out
    assert obj.stat().st_mtime_ns == before


def test_push_refuses_a_file_that_fails_its_pin(blobs: Blobs) -> None:
    project, data = blobs
    path = project.root / "fixtures" / "alpha.dat"
    path.write_bytes(b"x" + data["alpha"][1:])
    run = project.irisfx("push", "alpha")
    assert run.code == 3, run.text
    assert "does not match its pin; not pushed" in run.err
    store = project.root.parent / "store"
    assert not [p for p in store.rglob("*") if p.is_file()]


def test_pull_restores_missing_and_damaged_files(blobs: Blobs) -> None:
    project, data = blobs
    assert project.irisfx("push").code == 0
    (project.root / "fixtures" / "alpha.dat").unlink()
    (project.root / "fixtures" / "beta.dat").write_bytes(b"damaged")
    run = project.irisfx("pull")
    assert run.code == 0, run.text
    for name, body in data.items():
        assert (project.root / "fixtures" / f"{name}.dat").read_bytes() == body
    assert project.irisfx("verify").code == 0
    again = project.irisfx("pull")
    assert again.code == 0 and "0 of 2 file(s) moved" in again.out


def test_pull_refuses_a_tampered_object_and_writes_nothing(blobs: Blobs) -> None:
    project, data = blobs
    assert project.irisfx("push").code == 0
    obj = object_path(project.root.parent / "store", data["alpha"])
    obj.write_bytes(b"\0" + data["alpha"][1:])  # same size, different bytes
    target = project.root / "fixtures" / "alpha.dat"
    target.unlink()
    run = project.irisfx("pull", "alpha")
    assert run.code == 3, run.text
    assert "does not match its pin; nothing was written" in run.err
    assert list((project.root / "fixtures").glob("alpha*")) == []


def test_pull_refuses_an_object_of_the_wrong_size(blobs: Blobs) -> None:
    project, data = blobs
    assert project.irisfx("push").code == 0
    object_path(project.root.parent / "store", data["beta"]).write_bytes(b"short")
    (project.root / "fixtures" / "beta.dat").unlink()
    run = project.irisfx("pull")
    assert run.code == 3, run.text
    assert "holds 5 bytes" in run.err
    assert not (project.root / "fixtures" / "beta.dat").exists()
    assert (project.root / "fixtures" / "alpha.dat").read_bytes() == data["alpha"]


def test_pull_of_an_object_the_store_lacks_says_push(blobs: Blobs) -> None:
    project, _ = blobs
    (project.root / "fixtures" / "alpha.dat").unlink()
    run = project.irisfx("pull", "alpha")
    assert run.code == 1, run.text
    assert "has no copy of fixture 'alpha'" in run.err and "irisfx push alpha" in run.err


def test_pull_from_a_store_folder_that_does_not_exist(blobs: Blobs) -> None:
    project, _ = blobs
    (project.root.parent / "store").rmdir()
    (project.root / "fixtures" / "alpha.dat").unlink()
    run = project.irisfx("pull")
    assert run.code == 4, run.text
    assert "store folder does not exist" in run.err
    assert "Traceback" not in run.text


def test_kill_during_download_then_pull_again(tmp_path: Path) -> None:
    body = os.urandom(9 << 20)  # more than two read blocks
    project = blob_project(tmp_path / "proj", clean_env(tmp_path), {"big": body})
    assert project.irisfx("push").code == 0
    target = project.root / "fixtures" / "big.dat"
    target.unlink()
    killed = project.irisfx("pull", env={"IRISFX_KILL_AT": "pull.block"})
    assert killed.code == -9, killed.text
    partial = target.with_name("big.dat.irisfx-pull")
    assert 0 < partial.stat().st_size < len(body)
    assert not target.exists()
    run = project.irisfx("pull")
    assert run.code == 0, run.text
    assert target.read_bytes() == body
    assert not partial.exists()


def test_a_damaged_partial_download_is_started_over(tmp_path: Path) -> None:
    body = os.urandom(300_000)
    project = blob_project(tmp_path / "proj", clean_env(tmp_path), {"blob": body})
    assert project.irisfx("push").code == 0
    target = project.root / "fixtures" / "blob.dat"
    target.unlink()
    target.with_name("blob.dat.irisfx-pull").write_bytes(b"garbage" * 1000)
    run = project.irisfx("pull")
    assert run.code == 0, run.text
    assert target.read_bytes() == body


def test_store_from_environment_wins_and_file_urls_work(blobs: Blobs) -> None:
    project, data = blobs
    elsewhere = project.root.parent / "elsewhere"
    elsewhere.mkdir()
    run = project.irisfx("push", env={"IRISFX_STORE": elsewhere.as_uri()})
    assert run.code == 0, run.text
    assert object_path(elsewhere, data["alpha"]).exists()
    assert not list((project.root.parent / "store").iterdir())


def test_missing_backend_names_the_extra(tmp_path: Path) -> None:
    project = blob_project(tmp_path / "proj", clean_env(tmp_path), {"a": b"abc"},
                           store="gs://bucket/fixtures")
    run = project.irisfx("push")
    assert run.code == 1, run.text
    assert "pip install 'irisfx[gcs]'" in run.err
    assert "Traceback" not in run.text


def test_no_store_configured(tmp_path: Path) -> None:
    project = blob_project(tmp_path / "proj", clean_env(tmp_path), {"a": b"abc"}, store=None)
    run = project.irisfx("pull")
    assert run.code == 1 and "no store is configured" in run.err


def test_credentials_in_the_store_url_are_refused(tmp_path: Path) -> None:
    project = blob_project(tmp_path / "proj", clean_env(tmp_path), {"a": b"abc"},
                           store="s3://user:hunter22@bucket/x")
    run = project.irisfx("push")
    assert run.code == 1 and "holds credentials" in run.err
    assert "hunter22" not in run.text


def test_bad_store_options_are_named_not_echoed(blobs: Blobs) -> None:
    project, _ = blobs
    run = project.irisfx("push", env={"IRISFX_STORE_OPTIONS": "{key: s3cr3t-value"})
    assert run.code == 1, run.text
    assert "IRISFX_STORE_OPTIONS is not a JSON object" in run.err
    assert "s3cr3t-value" not in run.text
