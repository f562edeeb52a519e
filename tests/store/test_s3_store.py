"""push and pull against a real S3 API (moto's server on 127.0.0.1) through s3fs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import ProjectDir, clean_env
from tests.store.conftest import S3, blob_project


@pytest.fixture
def s3_project(tmp_path: Path, s3_server: S3, bucket: str) -> tuple[ProjectDir, dict[str, bytes]]:
    """A project with two pinned files whose store is s3://BUCKET/fixtures."""
    data = {"alpha": b"a" * 70_000 + b"!", "beta": bytes(range(256)) * 4000}
    env = {**clean_env(tmp_path), **s3_server.env}
    return blob_project(tmp_path / "proj", env, data, store=f"s3://{bucket}/fixtures"), data


def _key(data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    return f"fixtures/sha256/{sha[:2]}/{sha[2:]}"


def test_push_and_pull_through_s3(s3_project: tuple[ProjectDir, dict[str, bytes]],
                                  s3_server: S3, bucket: str) -> None:
    project, data = s3_project
    run = project.irisfx("push")
    assert run.code == 0, run.text
    client = s3_server.client()
    for body in data.values():
        got = client.get_object(Bucket=bucket, Key=_key(body))  # type: ignore[attr-defined]
        assert got["Body"].read() == body
    for name in data:
        (project.root / "fixtures" / f"{name}.dat").unlink()
    run = project.irisfx("pull")
    assert run.code == 0, run.text
    for name, body in data.items():
        assert (project.root / "fixtures" / f"{name}.dat").read_bytes() == body
    assert "present" in project.irisfx("push").out


def test_endpoint_from_irisfx_store_options(s3_project: tuple[ProjectDir, dict[str, bytes]],
                                            s3_server: S3) -> None:
    project, _ = s3_project
    env = {k: v for k, v in project.env.items() if k != "AWS_ENDPOINT_URL"}
    options = json.dumps({"endpoint_url": s3_server.endpoint})
    run = ProjectDir(project.root, env).irisfx("push", env={"IRISFX_STORE_OPTIONS": options})
    assert run.code == 0, run.text
    assert "2 of 2 file(s) moved" in run.out


def test_tampered_object_is_refused(s3_project: tuple[ProjectDir, dict[str, bytes]],
                                    s3_server: S3, bucket: str) -> None:
    project, data = s3_project
    assert project.irisfx("push").code == 0
    body = data["alpha"]
    s3_server.client().put_object(Bucket=bucket, Key=_key(body),  # type: ignore[attr-defined]
                                  Body=b"b" + body[1:])
    target = project.root / "fixtures" / "alpha.dat"
    target.unlink()
    run = project.irisfx("pull", "alpha")
    assert run.code == 3, run.text
    assert "does not match its pin; nothing was written" in run.err
    assert list(target.parent.glob("alpha*")) == []


def test_interrupted_download_leaves_no_bad_file(tmp_path: Path, s3_server: S3,
                                                 bucket: str) -> None:
    body = bytes(range(256)) * (40 << 10)  # 10 MiB: several read blocks
    env = {**clean_env(tmp_path), **s3_server.env}
    project = blob_project(tmp_path / "proj", env, {"big": body}, store=f"s3://{bucket}/x")
    assert project.irisfx("push").code == 0
    target = project.root / "fixtures" / "big.dat"
    target.unlink()
    killed = project.irisfx("pull", env={"IRISFX_KILL_AT": "pull.block"})
    assert killed.code == -9
    assert not target.exists()
    assert project.irisfx("verify").code == 3  # missing, not wrong
    run = project.irisfx("pull")
    assert run.code == 0, run.text
    assert target.read_bytes() == body


def test_missing_bucket_is_exit_4(tmp_path: Path, s3_server: S3) -> None:
    env = {**clean_env(tmp_path), **s3_server.env}
    project = blob_project(tmp_path / "proj", env, {"a": b"abc"}, store="s3://no-such-bucket/x")
    for command in ("push", "pull"):
        if command == "pull":
            (project.root / "fixtures" / "a.dat").unlink()
        run = project.irisfx(command)
        assert run.code == 4, run.text
        assert "bucket 'no-such-bucket' does not exist" in run.err
        assert "Traceback" not in run.text


def test_wrong_credentials_exit_4_without_the_secret(
        s3_project: tuple[ProjectDir, dict[str, bytes]]) -> None:
    project, _ = s3_project
    secret = "wR0ngS3cretValueThatMustNotLeak"
    bad = {"AWS_ACCESS_KEY_ID": "AKIAWRONGWRONGWRONG1", "AWS_SECRET_ACCESS_KEY": secret}
    for command in ("push", "pull"):
        if command == "pull":
            (project.root / "fixtures" / "alpha.dat").unlink()
        run = project.irisfx(command, env=bad)
        assert run.code == 4, run.text
        assert "refused access" in run.err
        assert secret not in run.text
        assert "Traceback" not in run.text


def test_push_aborts_the_unfinished_uploads_a_killed_push_left(
        s3_project: tuple[ProjectDir, dict[str, bytes]], s3_server: S3, bucket: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from irisfx.files.digest import StatCache
    from irisfx.lockfile.project import load_project
    from irisfx.store import transfer
    from irisfx.store.location import open_store

    project, data = s3_project
    client = s3_server.client()
    key = _key(data["alpha"])
    left = client.create_multipart_upload(Bucket=bucket, Key=key)  # type: ignore[attr-defined]
    for name, value in s3_server.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(transfer, "STALE_TEMP", -60)  # posed: every upload is old enough
    loaded = load_project(project.config)
    items = transfer.pinned_items(loaded, loaded.fixtures())
    outcomes = transfer.push_files(open_store(loaded), items,
                                   StatCache.in_state_dir(project.root / ".irisfx"))
    assert {o.status for o in outcomes} == {"pushed"}
    uploads = client.list_multipart_uploads(Bucket=bucket)  # type: ignore[attr-defined]
    assert left["UploadId"] not in [u["UploadId"] for u in uploads.get("Uploads", [])]
