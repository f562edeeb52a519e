"""Where the store is: its URL, the fsspec filesystem that serves it, and its error messages.

Credentials never pass through irisfx: each backend reads its own standard chain (environment
variables, profiles, instance roles). Messages from a backend are scrubbed of secret values
before they reach an error, because some backends echo request details.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from irisfx.errors import ConfigError, IrisfxError, StoreError
from irisfx.lockfile.project import STORE_ENV, store_url

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

    from irisfx.lockfile.project import Project

OPTIONS_ENV = "IRISFX_STORE_OPTIONS"
# The pip extra that installs each protocol's backend.
EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "az": "azure", "abfs": "azure",
          "abfss": "azure", "adl": "azure"}
_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|KEY|CREDENTIAL|SAS", re.IGNORECASE)


@dataclass(frozen=True)
class Store:
    """An opened store: a filesystem, the folder of objects in it, and a URL to show."""

    url: str
    fs: AbstractFileSystem
    root: str
    local: bool
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def key(self, sha256: str) -> str:
        """The object path of a digest: ``<root>/sha256/<2 hex>/<62 hex>``."""
        return f"{self.root}/sha256/{sha256[:2]}/{sha256[2:]}"

    def scrub(self, text: str) -> str:
        """``text`` with every known secret value replaced."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def open_store(project: Project, url: str | None = None) -> Store:
    """Open the project's store (``url`` wins); a ConfigError when none is configured."""
    url = url or store_url(project)
    if not url:
        raise ConfigError(
            "no store is configured",
            fix=f'add store = "s3://BUCKET/PREFIX" (or a folder) under [irisfx] in '
            f"fixtures.toml, or set {STORE_ENV}",
        )
    parts = urlsplit(url)
    if parts.password is not None or parts.username is not None:
        raise ConfigError(
            "the store URL holds credentials",
            fix="remove them from the URL; the backend reads its own standard credentials "
            "(environment variables, profiles, instance roles)",
        )
    options = _storage_options()
    secrets = _secret_values(options)
    if "://" not in url:
        return _local(project.root / url, url, secrets)
    protocol = parts.scheme.lower()
    if protocol == "file":
        return _local(Path(parts.path), url, secrets)
    try:
        from fsspec.core import url_to_fs

        fs, root = url_to_fs(url, **options)
    except ImportError as exc:
        extra = EXTRAS.get(protocol)
        # fsspec names the package in its message and leaves exc.name unset.
        missing = f" ({exc.name})" if exc.name else (f": {exc}" if str(exc) else "")
        raise ConfigError(
            f"the {protocol}:// store needs a backend that is not installed{missing}",
            fix=f"pip install 'irisfx[{extra}]'" if extra
            else f"install the fsspec backend for {protocol}://",
        ) from None
    except ValueError as exc:
        raise ConfigError(f"cannot use store {url}: {_scrub(str(exc), secrets)}",
                          fix="use s3://, gs://, az://, file:// or a folder") from None
    return Store(url, fs, str(root).rstrip("/"), local=False, secrets=secrets)


def _local(folder: Path, url: str, secrets: tuple[str, ...]) -> Store:
    from fsspec.implementations.local import LocalFileSystem

    return Store(url, LocalFileSystem(), folder.resolve().as_posix(), local=True,
                 secrets=secrets)


def _storage_options() -> dict[str, Any]:
    raw = os.environ.get(OPTIONS_ENV)
    if not raw:
        return {}
    try:
        options = json.loads(raw)
    except ValueError:
        options = None
    if not isinstance(options, dict):
        # The value may hold a secret: name the variable, never echo it.
        raise ConfigError(f"{OPTIONS_ENV} is not a JSON object",
                          fix=f"""set {OPTIONS_ENV}='{{"endpoint_url": "http://..."}}'""")
    return options


def _secret_values(options: dict[str, Any]) -> tuple[str, ...]:
    found = {v for k, v in os.environ.items() if _SECRET_NAME.search(k)}

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, str) and _SECRET_NAME.search(key):
            found.add(value)

    walk(options, "")
    # Longest first, so a secret containing another is replaced whole.
    return tuple(sorted((s for s in found if len(s) >= 4), key=len, reverse=True))


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def backend_error(store: Store, exc: BaseException, doing: str) -> StoreError:
    """A backend's exception as a StoreError that says what to check, without secrets."""
    detail = store.scrub(f"{type(exc).__name__}: {exc}")[:400]
    if isinstance(exc, PermissionError):
        return StoreError(f"the store refused access while {doing}", details=[
            f"store: {store.url}", detail],
            fix="check the credentials the backend uses (e.g. AWS_ACCESS_KEY_ID / "
            "AWS_PROFILE) and their permissions on the store")
    return StoreError(f"cannot reach the store while {doing}", details=[
        f"store: {store.url}", detail],
        fix="check the store URL, the network, and IRISFX_STORE_OPTIONS / AWS_ENDPOINT_URL")


@contextmanager
def backend_errors(store: Store, doing: str) -> Iterator[None]:
    """Turn anything a backend raises into a StoreError (exit 4)."""
    try:
        yield
    except IrisfxError:
        raise
    except Exception as exc:
        raise backend_error(store, exc, doing) from None


def check_reachable(store: Store, *, create: bool) -> None:
    """Fail early with one clear error when the store's folder or bucket is not there."""
    with backend_errors(store, "opening the store"):
        if store.local:
            if create:
                store.fs.makedirs(store.root, exist_ok=True)
            elif not store.fs.isdir(store.root):
                raise StoreError("the store folder does not exist",
                                 details=[f"store: {store.url}"],
                                 fix="check the store setting, or push to it first")
            return
        bucket = store.root.split("/", 1)[0]
        try:
            store.fs.info(bucket)
        except FileNotFoundError:
            raise StoreError(f"the store's bucket {bucket!r} does not exist",
                             details=[f"store: {store.url}"],
                             fix="create the bucket, or correct the store URL") from None
