"""Ownership records of the iris engine and the inventory built from them.

A record lives in %SYS as ``^ZIRISFX("own", project, NAMESPACE) = <JSON>``. Besides what the
contract's OwnedNamespace carries, it keeps the database directory (so that unmount finds what
to remove even when the namespace is half-made) and, for a mount, the size and modification time
of IRIS.DAT right after mounting (so that a later change to a read-only mount is visible).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any, cast, get_args

from irisfx.engines.base import Inventory, OwnedNamespace, RecordState, Role
from irisfx.engines.iris.transfer import FileStat
from irisfx.errors import EngineError


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

    def to_json(self) -> str:
        """The record's stored form."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, namespace: str, text: str) -> Record:
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
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise EngineError(
                f"the ownership record of namespace {namespace} on IRIS is damaged: {exc}",
                details=[f"record: {text[:200]}"],
                fix=f"remove it in %SYS: kill ^ZIRISFX(\"own\",<project>,\"{namespace}\"), "
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

    def owned(self, namespace: str, ns_exists: bool, file: FileStat | None) -> OwnedNamespace:
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


@dataclass(frozen=True)
class Observed:
    """The inventory, plus the records behind it (unmount needs their directories)."""

    inventory: Inventory
    records: dict[str, Record]


def observed_from_reply(reply: dict[str, Any]) -> Observed:
    """Build the inventory from the helper's Inventory reply."""
    namespaces = frozenset(str(ns).upper() for ns in reply.get("namespaces", []))
    owned: dict[str, OwnedNamespace] = {}
    records: dict[str, Record] = {}
    for namespace, entry in dict(reply.get("owned", {})).items():
        record = Record.from_json(namespace, str(entry["record"]))
        file = _file_stat(entry.get("file", {}))
        records[namespace] = record
        owned[namespace] = record.owned(namespace, bool(entry.get("nsExists")), file)
    return Observed(Inventory(namespaces=namespaces, owned=owned), records)


def _file_stat(entry: dict[str, Any]) -> FileStat | None:
    if not entry.get("exists"):
        return None
    return FileStat(int(entry["size"]), str(entry.get("mtime", "")))
