"""Fixtures for store tests: projects with pinned files, and an S3 API server on the loopback."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ProjectDir, clean_env

BLOB_CONFIG = """\
[irisfx]
project = "demo"
iris = "sim://sim"
{store}

{fixtures}
"""

BLOB_FIXTURE = """\
[fixtures.{name}]
file = "fixtures/{name}.dat"

[fixtures.{name}.pin]
sha256 = "{sha256}"
size = {size}
built_by = "irisfx-sim 0.1.0"
created = 2026-01-01T00:00:00Z
"""


def object_path(store: Path, data: bytes) -> Path:
    """Where a folder store keeps ``data``."""
    sha = hashlib.sha256(data).hexdigest()
    return store / "sha256" / sha[:2] / sha[2:]


def blob_project(root: Path, env: dict[str, str], blobs: dict[str, bytes],
                 store: str | None = "../store") -> ProjectDir:
    """A project whose fixtures are the given files, pinned (no recipe: push/pull only); a
    folder ``store`` beside it is made (push never makes one)."""
    (root / "fixtures").mkdir(parents=True, exist_ok=True)
    if store == "../store":
        (root.parent / "store").mkdir(exist_ok=True)
    parts = []
    for name, data in blobs.items():
        (root / "fixtures" / f"{name}.dat").write_bytes(data)
        parts.append(BLOB_FIXTURE.format(name=name, sha256=hashlib.sha256(data).hexdigest(),
                                         size=len(data)))
    setting = f'store = "{store}"' if store else ""
    (root / "fixtures.toml").write_text(BLOB_CONFIG.format(store=setting,
                                                           fixtures="\n".join(parts)))
    return ProjectDir(root, env)


@pytest.fixture
def blobs(tmp_path: Path) -> tuple[ProjectDir, dict[str, bytes]]:
    """A project with two pinned files of random bytes and a folder store beside it."""
    data = {"alpha": os.urandom(70_000), "beta": os.urandom(130_000)}
    return blob_project(tmp_path / "proj", clean_env(tmp_path), data), data


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class S3:
    """A running S3 API server: its endpoint, valid credentials, and an env that uses them."""

    endpoint: str
    key_id: str
    secret: str
    env: dict[str, str]

    def client(self) -> object:
        """A boto3 S3 client with the valid credentials."""
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=self.key_id, aws_secret_access_key=self.secret)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3]:
    """moto's S3 server on 127.0.0.1, enforcing credentials: only an IAM user's key passes."""
    import boto3
    from moto import settings
    from moto.server import ThreadedMotoServer

    home = tmp_path_factory.mktemp("awshome")
    # boto reads these files, never the real home directory's.
    (home / "config").write_text("")
    (home / "credentials").write_text("")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = settings.INITIAL_NO_AUTH_ACTION_COUNT
    settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")  # set up the user without auth
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="setup", aws_secret_access_key="setup")
    iam.create_user(UserName="ci")
    iam.put_user_policy(UserName="ci", PolicyName="all", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="ci")["AccessKey"]
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # from now on, every request is authenticated
    env = {
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    try:
        yield S3(endpoint, key["AccessKeyId"], key["SecretAccessKey"], env)
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = saved
        server.stop()


@pytest.fixture
def bucket(s3_server: S3, request: pytest.FixtureRequest) -> str:
    """A new, empty bucket on the S3 server, named after the test."""
    name = "t-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:20]
    s3_server.client().create_bucket(Bucket=name)  # type: ignore[attr-defined]
    return name
