"""Ownership records of the iris engine and the inventory built from them.

A record lives in %SYS as ``^ZIRISFX("own", project, NAMESPACE) = <JSON>``. Besides what the
contract's OwnedNamespace carries, it keeps the database directory (so that unmount finds what
to remove even when the namespace is half-made), for a mount the size and modification time
of IRIS.DAT right after mounting (so that a later change to a read-only mount is visible), and
the project's id and folder (two projects of the same name share the ``project`` subscript;
the id tells them apart). Records written before ids were kept have neither and are matched by
name alone.

The helper's Inventory reply holds every project's records; the pure functions here decide
which are this project's (``is_mine``), build the inventory and group ``status --all``.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, cast, get_args

from irisfx.engines.base import (
    Inventory,
    OwnedNamespace,
    ProjectRecords,
    ProjectRef,
    RecordState,
    Role,
)
from irisfx.engines.iris.transfer import FileStat
from irisfx.errors import EngineError
from irisfx.lockfile.names import PROJECT_NAME

# Project ids and folders are only shown to people: anything printable and not too long.
SHOWN_TEXT = re.compile(r"^[^\x00-\x1f\x7f]{1,4096}$")


@dataclass(frozen=True)
class Record:
    """One ownership record as stored on the instance."""

    fixture: str
    role: Role
    state: RecordState
    dir: str
    sha256: str | None = None
    recipe_sha256: str | None = None
    readonly: bool = False
    file_size: int | None = None
    file_mtime: str | None = None
    project_id: str | None = None
    location: str | None = None  # the owning project's folder, for messages

    def to_json(self) -> str:
        """The record's stored form."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, namespace: str, text: str, project: str = "<project>") -> Record:
        """Read a stored record; EngineError naming the namespace if it is damaged."""
        try:
            data = json.loads(text)
            role, state = data["role"], data["state"]
            if role not in get_args(Role) or state not in get_args(RecordState):
                raise ValueError(f"role {role!r} / state {state!r}")
            return cls(
                fixture=str(data["fixture"]),
                role=cast(Role, role),
                state=cast(RecordState, state),
                dir=str(data["dir"]),
                sha256=_opt_str(data.get("sha256")),
                recipe_sha256=_opt_str(data.get("recipe_sha256")),
                readonly=bool(data.get("readonly", False)),
                file_size=_opt_int(data.get("file_size")),
                file_mtime=_opt_str(data.get("file_mtime")),
                project_id=_shown(data.get("project_id"), "project_id"),
                location=_shown(data.get("location"), "location"),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise EngineError(
                f"the ownership record of namespace {namespace} on IRIS is damaged: {exc}",
                details=[f"record: {text[:200]}"],
                fix=f"remove it in %SYS: kill ^ZIRISFX(\"own\",\"{project}\",\"{namespace}\"), "
                "then run irisfx plan",
            ) from None

    def with_state(self, state: RecordState) -> Record:
        """The same record in another state."""
        return replace(self, state=state)

    def with_file(self, stat: FileStat | None) -> Record:
        """The same record remembering the database file as it is now."""
        if stat is None:
            return replace(self, file_size=None, file_mtime=None)
        return replace(self, file_size=stat.size, file_mtime=stat.mtime)

    def owner(self, project: str) -> ProjectRef:
        """Who made this record, stored under the project name ``project``."""
        return ProjectRef(name=project, id=self.project_id, location=self.location)

    def owned(self, namespace: str, ns_exists: bool, file: FileStat | None,
              owner: ProjectRef | None = None) -> OwnedNamespace:
        """The contract's view of this record, given what the instance holds now."""
        return OwnedNamespace(
            namespace=namespace,
            role=self.role,
            fixture=self.fixture,
            state=self.state,
            sha256=self.sha256,
            recipe_sha256=self.recipe_sha256,
            readonly=self.readonly,
            changed=self.changed(file),
            database_present=ns_exists and file is not None,
            owner=owner,
        )

    def changed(self, file: FileStat | None) -> bool:
        """Whether a ready read-only mount's file differs from what was recorded at mount."""
        if not (self.readonly and self.state == "ready" and self.file_size is not None):
            return False
        if file is None:
            return False  # a missing file is reported as database_present=False instead
        return (file.size, file.mtime) != (self.file_size, self.file_mtime)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _shown(value: Any, key: str) -> str | None:
    """An id or folder read back from IRIS: printed in messages, so held to SHOWN_TEXT."""
    if value is None:
        return None
    if not isinstance(value, str) or not SHOWN_TEXT.match(value):
        raise ValueError(f"{key} {str(value)[:80]!r} is not printable text")
    return value


def is_mine(owner: ProjectRef, project: str, project_id: str | None) -> bool:
    """Whether a record made by ``owner`` belongs to the project ``project`` / ``project_id``.

    The names must match; the ids decide only when both are known, so a record written before
    ids were kept (or a project without an id) is matched by name alone.
    """
    return owner.name == project and (
        owner.id is None or project_id is None or owner.id == project_id)


@dataclass(frozen=True)
class Observed:
    """The inventory, plus the records behind it (unmount needs their directories)."""

    inventory: Inventory
    records: dict[str, Record]  # this project's records
    files: dict[str, FileStat | None] = field(default_factory=dict)  # their IRIS.DAT now
    everyone: tuple[OwnedNamespace, ...] = ()  # every project's records, owner set


def observed_from_reply(reply: dict[str, Any], project: str,
                        project_id: str | None = None) -> Observed:
    """Build the inventory of ``project`` from the helper's Inventory reply.

    The reply holds every project's records (``projects``: name -> namespace -> entry). Those
    of this project go to ``owned``; every other one, a project of the same name with another
    id included, goes to ``others``.
    """
    namespaces = frozenset(str(ns).upper() for ns in reply.get("namespaces", []))
    owned: dict[str, OwnedNamespace] = {}
    others: dict[str, OwnedNamespace] = {}
    records: dict[str, Record] = {}
    files: dict[str, FileStat | None] = {}
    everyone: list[OwnedNamespace] = []
    for name, entries in sorted(dict(reply.get("projects", {})).items()):
        for namespace, entry in sorted(dict(entries).items()):
            project_name = _project_name(str(name), namespace)
            record = Record.from_json(namespace, str(entry["record"]), project_name)
            owner = record.owner(project_name)
            file = _file_stat(entry.get("file", {}))
            view = record.owned(namespace, bool(entry.get("nsExists")), file, owner)
            everyone.append(view)
            if is_mine(owner, project, project_id):
                records[namespace], files[namespace], owned[namespace] = record, file, view
            else:
                others.setdefault(namespace, view)
    inventory = Inventory(namespaces=namespaces, owned=owned,
                          others={ns: view for ns, view in others.items() if ns not in owned})
    return Observed(inventory, records, files, tuple(everyone))


def _project_name(name: str, namespace: str) -> str:
    if not PROJECT_NAME.match(name):
        raise EngineError(
            f"the ownership record of namespace {namespace} on IRIS is damaged: project name "
            f"{name[:80]!r} is not one irisfx makes",
            fix=f"remove it in %SYS: kill ^ZIRISFX(\"own\",<project>,\"{namespace}\"), "
            "then run irisfx plan",
        )
    return name


def group_projects(records: tuple[OwnedNamespace, ...]) -> list[ProjectRecords]:
    """``status --all``: the records grouped by owner, sorted by (name, id), then namespace."""
    grouped: dict[ProjectRef, list[OwnedNamespace]] = {}
    for record in records:
        if record.owner is not None:
            grouped.setdefault(record.owner, []).append(record)
    return [ProjectRecords(owner, tuple(sorted(found, key=lambda r: r.namespace)))
            for owner, found in sorted(grouped.items(),
                                       key=lambda item: (item[0].name, item[0].id or ""))]


def _file_stat(entry: dict[str, Any]) -> FileStat | None:
    if not entry.get("exists"):
        return None
    return FileStat(int(entry["size"]), str(entry.get("mtime", "")))
