"""Helpers for the fixtures.toml declaration tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from irisfx.errors import ConfigError
from irisfx.lockfile.project import load_project

BASE = '[irisfx]\nproject = "p"\n'


def write(folder: Path, text: str) -> Path:
    """Write ``text`` as fixtures.toml in ``folder``; return its path."""
    path = folder / "fixtures.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> ConfigError:
    """Load ``path`` expecting a ConfigError; return it."""
    with pytest.raises(ConfigError) as info:
        load_project(path)
    return info.value
