"""Engines: what irisfx drives. ``open_engine`` picks one by URL scheme."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from irisfx.errors import ConfigError

if TYPE_CHECKING:
    from irisfx.engines.base import Engine


@dataclass(frozen=True)
class EngineSettings:
    """Everything an engine needs to open; credentials are read from the named env vars."""

    url: str
    project: str
    root: Path  # the project folder; relative sim:// paths are resolved against it
    username_env: str = "IRIS_USERNAME"
    password_env: str = "IRIS_PASSWORD"
    connect_timeout: float = 10.0
    path_map: dict[str, str] = field(default_factory=dict)
    # fixtures.toml's [irisfx] id: tells apart two projects of the same name on one instance
    project_id: str | None = None
    # "strict": a database shared with other namespaces is not snapshotted; "crash": it is,
    # while the instance is frozen (the copy may hold unfinished transactions). IRIS only.
    snapshot_consistency: str = "strict"


def open_engine(settings: EngineSettings) -> Engine:
    """Open the engine the URL names: ``sim://DIR`` or ``iris://[USER@]HOST[:PORT]``."""
    scheme = settings.url.partition("://")[0] if "://" in settings.url else ""
    # Each engine is imported only when opened: the iris driver is heavy and optional.
    if scheme == "sim":
        from irisfx.engines.sim import SimEngine

        return SimEngine.open(settings)
    if scheme == "iris":
        from irisfx.engines.iris import IrisEngine

        engine: Engine = IrisEngine.open(settings)
        return engine
    raise ConfigError(
        f"unknown engine URL {redact_url(settings.url)!r}",
        fix="use iris://[USER@]HOST[:PORT] for a live IRIS, or sim://DIR for the simulator",
    )


def redact_url(url: str) -> str:
    """The engine URL for people to read: a password in it becomes ``***``.

    Split by hand rather than with urlsplit: a password holding '/', '?' or '#' would be cut
    into the path, query or fragment by urlsplit and then shown, and a bad port would raise.
    """
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if sep and at and ":" in userinfo:
        return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"
    return url
