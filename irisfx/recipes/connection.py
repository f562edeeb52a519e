"""The DB-API connection recipes and tests receive: the part of PEP 249 irisfx relies on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Cursor(Protocol):
    """The part of a PEP 249 cursor irisfx relies on."""

    def execute(self, operation: str, parameters: Sequence[Any] = ..., /) -> Any: ...

    def executemany(self, operation: str, seq: Sequence[Sequence[Any]], /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Sequence[Any]: ...

    def close(self) -> Any: ...


class Connection(Protocol):
    """The part of a PEP 249 connection irisfx relies on (also what recipes receive)."""

    def cursor(self) -> Any: ...

    def commit(self) -> Any: ...

    def rollback(self) -> Any: ...

    def close(self) -> Any: ...
