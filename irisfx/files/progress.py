"""Progress of a long operation: the core reports it, the CLI draws it."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress of a long operation; the CLI draws it, the core never prints."""

    def start(self, label: str, total: int | None) -> None: ...

    def advance(self, amount: int) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """A Progress that shows nothing."""

    def start(self, label: str, total: int | None) -> None:
        """Ignore the start of an operation."""

    def advance(self, amount: int) -> None:
        """Ignore progress."""

    def finish(self) -> None:
        """Ignore the end of an operation."""
