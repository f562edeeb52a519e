"""A simulator database file for the dialect tests, opened the one way the engine opens it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from irisfx.engines.sim.database import open_database
from irisfx.engines.sim.sql import SimConnection


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SimConnection]:
    """A SimConnection to a fresh simulator database file (IRIS.DAT) in tmp_path."""
    path = tmp_path / "IRIS.DAT"
    sqlite3.connect(path).close()
    connection = SimConnection(open_database(path, writable=True), "TEST")
    yield connection
    connection.close()


def rows(db: SimConnection, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    """The rows of one query, as tuples."""
    return [tuple(row) for row in db.execute(sql, parameters).fetchall()]


def script(db: SimConnection, text: str) -> None:
    """Run a ';'-separated script of statements without ';' inside their strings."""
    for statement in text.split(";"):
        if statement.strip():
            db.execute(statement)
