"""The engine contract: the one seam between irisfx and what it drives (IRIS or the simulator).

Every result is plain data. Both engines obey the same contract, and one contract test suite
(tests/contract) runs against each; a test that passes on one and fails on the other is a bug in
an engine.

Ownership: an engine keeps, on the instance itself, a record for every namespace a project made.
A record is written *before* the first change (state ``creating``) and marked ``ready`` after the
last, so a process killed half-way leaves a record that the next plan sees and repairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from irisfx.engines.manifest import DatabaseReader
from irisfx.errors import ConflictError
from irisfx.files.progress import NoProgress, Progress
from irisfx.recipes.connection import Connection, Cursor
from irisfx.recipes.recipe import Recipe

# Part of the contract, defined below the engines so that files/ and recipes/ need no engine.
__all__ = ["Connection", "Cursor", "NoProgress", "Progress"]

Role = Literal["source", "mount", "copy"]
RecordState = Literal["creating", "ready", "removing"]


@dataclass(frozen=True)
class EngineInfo:
    """What the engine is: shown in plans and status, recorded in pins as ``built_by``."""

    kind: Literal["sim", "iris"]
    url: str  # never carries a password
    product: str  # e.g. "irisfx-sim 0.1.0 (simulator, SQLite 3.40.1)" or IRIS's $ZVERSION
    simulator: bool


@dataclass(frozen=True)
class ProjectRef:
    """Who made an ownership record: the project's name, and its id and folder if recorded.

    Two projects may share a name (``init`` derives it from the folder); the id tells them
    apart. A record whose name matches but whose id differs (both present) is another
    project's, and engines refuse to replace or remove it.
    """

    name: str
    id: str | None = None
    location: str | None = None  # where the project lives (its folder), for people to read

    def describe(self) -> str:
        """``project 'demo' (id 3f2a..., at /home/ann/demo)`` for messages."""
        extra = [f"id {self.id}"] if self.id else []
        extra += [f"at {self.location}"] if self.location else []
        return f"project '{self.name}'" + (f" ({', '.join(extra)})" if extra else "")


@dataclass(frozen=True)
class OwnedNamespace:
    """An ownership record: a namespace (with its own database) that a project made."""

    namespace: str
    role: Role  # source: built by a recipe; mount: serves a pinned file; copy: a test's copy
    fixture: str
    state: RecordState
    sha256: str | None = None  # digest of the file served (mount, copy)
    recipe_sha256: str | None = None  # digest of the recipe that built it (source)
    readonly: bool = False
    changed: bool = False  # the served database file changed since it was mounted (below)
    database_present: bool = True  # the namespace's database and namespace still exist
    owner: ProjectRef | None = None  # the project that made it, where the engine knows it


@dataclass(frozen=True)
class Inventory:
    """What the instance holds: every namespace, and this project's ownership records.

    ``others`` holds the records of every other project on the instance (a project of the
    same name with another id included), each with its ``owner``, so that a message about a
    namespace irisfx must not touch can name the project that owns it.
    """

    namespaces: frozenset[str]
    owned: Mapping[str, OwnedNamespace] = field(default_factory=dict)
    others: Mapping[str, OwnedNamespace] = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectRecords:
    """One irisfx project on the instance and its ownership records (``status --all``)."""

    owner: ProjectRef
    records: tuple[OwnedNamespace, ...]


@dataclass(frozen=True)
class Transferred:
    """A file the engine wrote or read, as the engine side measured it."""

    sha256: str
    size: int


@runtime_checkable
class Engine(Protocol):
    """The contract of DESIGN.md. An engine is bound to one project when it is opened."""

    project: str

    def info(self) -> EngineInfo:
        """Describe the engine; cheap, and safe to call before anything else."""
        ...

    def inventory(self) -> Inventory:
        """Every namespace on the instance and this project's ownership records. Read-only.

        ``changed`` on a read-only mount is cheap and stat-based: the engine records the
        served file's size, mtime, ctime and inode when it mounts it, and reports
        ``changed=True`` when any of them differs. A write to the file changes its ctime even
        when the writer restores size and mtime, so an edit in place is caught; what stat
        cannot catch (a file system whose ctime can be set, or a restored clock) is caught
        only by ``verify_mounts``, which reads the bytes. Writable mounts and test copies
        change by design and are never reported as changed.
        """
        ...

    def verify_mounts(self) -> dict[str, str | None]:
        """The SHA-256 of the file each of this project's ready mounts and copies serves now.

        Reads every byte (``check --verify full``): this is the check that trusts nothing the
        engine recorded. Keys are namespaces; ``None`` means the served file is missing.
        """
        ...

    def projects(self) -> list[ProjectRecords]:
        """Every irisfx project with ownership records on the instance, sorted by name.

        For ``status --all``: each project's records carry their ``owner``.
        """
        ...

    def build(self, fixture: str, namespace: str, recipe: Recipe) -> None:
        """Create ``namespace`` with its own database and run ``recipe`` in it.

        The namespace must not exist. On failure nothing is left behind; only if the clean-up
        itself fails does a ``creating`` record remain for the next plan to repair.
        """
        ...

    def snapshot(self, namespace: str, dest: Path, progress: Progress) -> Transferred:
        """Write a consistent copy of ``namespace``'s database to the local file ``dest``.

        Returns the digest and size measured on the engine's side; the caller hashes ``dest``
        itself and compares, so a transfer that changed bytes is caught.
        """
        ...

    def mount(
        self,
        fixture: str,
        local_path: Path,
        namespace: str,
        *,
        readonly: bool,
        sha256: str,
        role: Role = "mount",
        progress: Progress | None = None,
    ) -> None:
        """Serve the local file ``local_path`` in a new namespace ``namespace``.

        The engine copies the file to its side under a temporary name, checks that the copy's
        SHA-256 equals ``sha256`` (else IntegrityError, nothing left behind), then creates the
        database and namespace and records ownership.
        """
        ...

    def unmount(self, namespace: str) -> None:
        """Remove a namespace this project owns, with its database and files.

        Tolerates half-made namespaces (any ownership state). A namespace the project does not
        own is refused with ConflictError, which names the owning project (see ProjectRef): a
        record of a project with the same name but another id is not owned.
        """
        ...

    def row_counts(self, namespace: str, tables: Sequence[str] | None = None) -> dict[str, int]:
        """Rows per table (``Schema.Table``); ``None`` means every user table."""
        ...

    def connect(self, namespace: str, *, read_only: bool = False,
                timeout: float | None = None) -> Connection:
        """A DB-API connection to ``namespace``; the caller closes it.

        ``read_only``: the engine itself refuses every statement that would change data or
        schema (the simulator opens SQLite read-only; IRIS asks its own parser for the
        statement type and rolls back), never a parse of the SQL text by irisfx.
        ``timeout``: seconds after which a running statement is interrupted (EngineError).
        """
        ...

    def reader(self, namespace: str) -> DatabaseReader:
        """Read-only access to ``namespace``'s user tables and rows, for manifests and diffs
        (irisfx.engines.manifest); the caller closes it."""
        ...

    def lock(self, timeout: float = 0.0) -> AbstractContextManager[None]:
        """Hold the project lock on the instance; dies with the process. LockedError if held."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class ResetsCopies(Protocol):
    """Optional: an engine that can put a test copy back to its pinned file in one step.

    The pytest plugin resets a writable fixture's copy before each test that needs a clean
    one; without this it unmounts and mounts the copy again.
    """

    def reset_copy(self, fixture: str, local_path: Path, namespace: str, *,
                   sha256: str) -> None:
        """Serve ``local_path`` again in the existing test copy ``namespace`` (role "copy").

        The copy's digest is checked against ``sha256`` as ``mount`` does (IntegrityError,
        nothing served otherwise). A namespace that is not a ready copy of this project is
        mounted afresh instead.
        """
        ...


def not_owned(namespace: str, project: str, owner: ProjectRef | None) -> ConflictError:
    """The refusal to change a namespace another project (or no project) made; both engines."""
    details = [f"owned by {owner.describe()}"] if owner else [
        "no irisfx project recorded it: it was made outside irisfx"]
    return ConflictError(
        f"namespace {namespace} exists and is not owned by this project ('{project}')",
        details=details,
        fix="irisfx only changes namespaces its own project made; choose another namespace "
        "name, or remove it from the project that owns it",
    )
