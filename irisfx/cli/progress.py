"""A progress bar on the terminal for long hashes and copies (rich, loaded only when drawn)."""

from __future__ import annotations

import threading

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TransferSpeedColumn,
)
from rich.text import Text


class _Bytes(DownloadColumn):
    """``12.0/40.0 MB``, or nothing for a step of unknown size (a build, a snapshot)."""

    def render(self, task: Task) -> Text:
        return super().render(task) if task.total is not None else Text("")


class _Speed(TransferSpeedColumn):
    """The speed, or nothing for a step of unknown size."""

    def render(self, task: Task) -> Text:
        return super().render(task) if task.total is not None else Text("")

_shared: Progress | None = None
_users = 0
_guard = threading.Lock()


class RichProgress:
    """One bar of a shared rich Progress on stderr; several files hashing share one display."""

    def __init__(self, color: bool = True) -> None:
        self._task: TaskID | None = None
        self._color = color

    def start(self, label: str, total: int | None) -> None:
        """Add this operation's bar."""
        global _shared, _users
        with _guard:
            if _shared is None:
                _shared = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                   BarColumn(), _Bytes(), _Speed(),
                                   console=Console(stderr=True, no_color=not self._color),
                                   transient=True)
                _shared.start()
            _users += 1
            self._task = _shared.add_task(label, total=total)
            _shared.refresh()  # show it now, not at the next tick: short steps are seen too

    def advance(self, amount: int) -> None:
        """Move this bar forward."""
        if _shared is not None and self._task is not None:
            _shared.advance(self._task, amount)

    def finish(self) -> None:
        """Remove this bar; stop drawing when it was the last."""
        global _shared, _users
        with _guard:
            if _shared is None or self._task is None:
                return
            _shared.remove_task(self._task)
            self._task = None
            _users -= 1
            if _users == 0:
                _shared.stop()
                _shared = None


class ActionProgress:
    """A spinner line per running apply action (``build items (FXSRC_ITEMS)``)."""

    def __init__(self, color: bool = True) -> None:
        self._bar: RichProgress | None = None
        self._color = color

    def start(self, label: str) -> None:
        """Show the action as running."""
        self.stop()
        self._bar = RichProgress(self._color)
        self._bar.start(label, None)

    def stop(self) -> None:
        """The action ended."""
        if self._bar is not None:
            self._bar.finish()
            self._bar = None
