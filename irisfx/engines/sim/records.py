"""Rows of the simulator's state, validated as untrusted input on every read.

A name read back from ``instance.db`` ends up in a path the engine deletes or writes
(``DIR/db/NAMESPACE``), so it is held to the rules fixtures.toml is held to
(irisfx.lockfile.names), and
every path is checked to resolve inside the instance folder before it is touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast, get_args

from irisfx.engines.base import ProjectRef, RecordState, Role
from irisfx.errors import ConfigError, IntegrityError
from irisfx.lockfile.names import FIXTURE_NAME, NAMESPACE_NAME, PROJECT_NAME, SYSTEM_NAMESPACES

SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Project ids and locations are only shown to people; anything printable and short will do.
SHOWN_TEXT = re.compile(r"^[^\x00-\x1f\x7f]{1,4096}$")


@dataclass(frozen=True)
class DatabaseRow:
    """A database of the instance; its file is ``DIR/db/NAME/IRIS.DAT``."""

    name: str
    readonly: bool
    mounted: bool


@dataclass(frozen=True)
class OwnerRow:
    """An ownership record; see irisfx.engines.base.OwnedNamespace."""

    namespace: str
    project: str
    role: Role
    fixture: str
    state: RecordState
    project_id: str | None = None
    location: str | None = None  # the owning project's folder, shown in messages
    sha256: str | None = None
    recipe_sha256: str | None = None
    readonly: bool = False
    size: int | None = None
    mtime_ns: int | None = None
    ctime_ns: int | None = None
    inode: int | None = None


def invalid(directory: Path, what: str, why: str) -> IntegrityError:
    """The error for a state row that fails validation: nothing is done with it."""
    return IntegrityError(
        f"the simulated instance at {directory} holds an invalid record: {what}: {why}",
        details=["irisfx refuses to act on it: it names files the simulator would change"],
        fix=f"the simulator's state was edited or damaged; delete {directory} to start a "
        "fresh simulated instance (everything mounted there is lost; fixture files and pins "
        "are not), then run 'irisfx apply'")


def checked_namespace(directory: Path, value: object, what: str) -> str:
    """``value`` if it is a namespace name irisfx could have made, else IntegrityError."""
    if (not isinstance(value, str) or not NAMESPACE_NAME.match(value)
            or value in SYSTEM_NAMESPACES):
        raise invalid(directory, what, f"{value!r} is not a namespace name")
    return value


def namespace_pair(directory: Path, row: tuple[Any, ...]) -> tuple[str, str]:
    """A validated (namespace, database) row."""
    name = checked_namespace(directory, row[0], "namespaces")
    return name, checked_namespace(directory, row[1], f"namespace {name}")


def database_row(directory: Path, row: tuple[Any, ...]) -> DatabaseRow:
    """A validated row of ``databases``."""
    name = checked_namespace(directory, row[0], "databases")
    return DatabaseRow(name, _flag(directory, row[1], f"database {name}"),
                       _flag(directory, row[2], f"database {name}"))


def owner_row(directory: Path, raw: dict[str, Any]) -> OwnerRow:
    """A validated row of ``owners``."""
    namespace = checked_namespace(directory, raw["namespace"], "owners")
    what = f"the ownership record of {namespace}"

    def text(key: str, pattern: re.Pattern[str], optional: bool = False) -> str | None:
        value = raw[key]
        if value is None and optional:
            return None
        if not isinstance(value, str) or not pattern.match(value):
            raise invalid(directory, what, f"{key} {value!r} is not valid")
        return value

    def number(key: str) -> int | None:
        value = raw[key]
        if value is not None and (not isinstance(value, int) or value < 0):
            raise invalid(directory, what, f"{key} {value!r} is not valid")
        return value

    role, state = raw["role"], raw["state"]
    if role not in get_args(Role):
        raise invalid(directory, what, f"role {role!r} is not valid")
    if state not in get_args(RecordState):
        raise invalid(directory, what, f"state {state!r} is not valid")
    return OwnerRow(
        namespace=namespace, project=cast(str, text("project", PROJECT_NAME)), role=role,
        fixture=cast(str, text("fixture", FIXTURE_NAME)), state=state,
        project_id=text("project_id", SHOWN_TEXT, optional=True),
        location=text("location", SHOWN_TEXT, optional=True),
        sha256=text("sha256", SHA256, optional=True),
        recipe_sha256=text("recipe_sha256", SHA256, optional=True),
        readonly=_flag(directory, raw["readonly"], what), size=number("size"),
        mtime_ns=number("mtime_ns"), ctime_ns=number("ctime_ns"), inode=number("inode"),
    )


def _flag(directory: Path, value: object, what: str) -> bool:
    if value not in (0, 1) or isinstance(value, float):
        raise invalid(directory, what, f"flag {value!r} is not 0 or 1")
    return bool(value)


def inside(directory: Path, path: Path) -> Path:
    """``path`` if it resolves inside the instance folder ``directory``, else IntegrityError.

    Resolved, so a symbolic link planted in the instance cannot send a write or a delete
    elsewhere.
    """
    root = directory.resolve()
    resolved = path.resolve()
    if resolved == root or not resolved.is_relative_to(root):
        raise IntegrityError(
            f"refusing to change {path}: it resolves to {resolved}, outside the simulated "
            f"instance at {directory}",
            fix=f"remove the link that leads out of {directory}, or delete {directory} to "
            "start a fresh simulated instance, then run 'irisfx apply'")
    return path


def owner_ref(row: OwnerRow) -> ProjectRef:
    """Who made the record ``row``."""
    return ProjectRef(name=row.project, id=row.project_id, location=row.location)


def argument_namespace(namespace: str) -> str:
    """A namespace passed in by a caller: it names a folder, so it is held to the rules."""
    if not NAMESPACE_NAME.match(namespace) or namespace in SYSTEM_NAMESPACES:
        raise ConfigError(f"invalid namespace {namespace!r} for the simulator",
                          fix="use upper-case letters, digits and '_', starting with a letter; "
                          "IRIS's own namespaces are refused")
    return namespace
