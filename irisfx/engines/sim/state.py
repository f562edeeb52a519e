"""The simulated instance's state file: namespaces, databases and ownership records.

Every change is a read-modify-write under an instance-wide file lock, written atomically
(temp file + os.replace), so concurrent irisfx processes and a kill at any moment leave the
state either before or after a change, never in between.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from irisfx.atomic import write_atomic
from irisfx.engines.base import RecordState, Role
from irisfx.errors import EngineError

STATE_NAME = "instance.json"
FORMAT = 1


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseEntry(_Entry):
    """A database: its folder (relative to the instance) and mount state."""

    directory: str
    readonly: bool = False
    mounted: bool = True


class OwnerEntry(_Entry):
    """An ownership record; see irisfx.engines.base.OwnedNamespace."""

    role: Role
    fixture: str
    state: RecordState
    sha256: str | None = None
    recipe_sha256: str | None = None
    readonly: bool = False
    size: int | None = None
    mtime_ns: int | None = None


class SimState(_Entry):
    """The whole instance."""

    format: int = FORMAT
    simulator: str = "irisfx-sim: a simulated IRIS instance; IRIS.DAT files are SQLite"
    namespaces: dict[str, str] = Field(default_factory=dict)
    databases: dict[str, DatabaseEntry] = Field(default_factory=dict)
    owners: dict[str, dict[str, OwnerEntry]] = Field(default_factory=dict)


class StateStore:
    """Reads and writes ``DIR/instance.json``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / STATE_NAME
        self._lock = filelock.FileLock(directory / ".instance.lock", timeout=60)

    def check_reachable(self) -> None:
        """Refuse a folder that is not an instance; read nothing else, create nothing.

        A missing folder is an empty instance, made on the first change, but only inside a
        folder that exists: a mistyped path fails here instead of growing a tree of folders.
        """
        try:
            if not self.directory.exists():
                if not self.directory.parent.is_dir():
                    raise self._unreachable(f"{self.directory.parent} does not exist")
                return
            if not self.directory.is_dir():
                raise self._unreachable("it is not a folder")
            if not self.path.exists() and any(self.directory.iterdir()):
                raise self._unreachable(f"it is not empty and has no {STATE_NAME}")
            self.read()
        except PermissionError as exc:
            raise self._unreachable(f"permission denied ({exc.filename})") from None

    def read(self) -> SimState:
        """The current state (no lock needed: writes are atomic)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return SimState()
        except OSError as exc:
            raise self._unreachable(exc.strerror or str(exc)) from None
        try:
            state = SimState.model_validate(json.loads(text))
        except (ValueError, ValidationError) as exc:
            raise EngineError(
                f"the simulated instance at {self.directory} is corrupt",
                details=[f"{self.path.name}: {str(exc).splitlines()[0]}"],
                fix=f"delete {self.directory} to start a fresh simulated instance "
                "(everything mounted there is lost; fixture files are not), then "
                "run 'irisfx apply'",
            ) from None
        if state.format != FORMAT:
            raise EngineError(f"the simulated instance at {self.directory} has format "
                              f"{state.format}; this irisfx reads format {FORMAT}",
                              fix="upgrade irisfx, or delete the folder to start afresh")
        return state

    @contextmanager
    def transaction(self) -> Iterator[SimState]:
        """Yield the state for changing; it is written back atomically on success."""
        self.directory.mkdir(exist_ok=True)
        with self._lock:
            state = self.read()
            yield state
            data = json.dumps(state.model_dump(mode="json"), indent=1, sort_keys=True)
            write_atomic(self.path, data.encode())

    def _unreachable(self, why: str) -> EngineError:
        return EngineError(
            f"cannot use the simulated instance at {self.directory}: {why}",
            fix="check the sim:// URL in fixtures.toml, IRISFX_IRIS or --iris; the default "
            "is sim://.irisfx/sim",
        )
