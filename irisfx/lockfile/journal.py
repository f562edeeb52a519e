"""Pins written during apply: an append-only journal, folded into fixtures.toml once.

Rewriting the whole fixtures.toml for every pin made a first apply of N fixtures quadratic and
overwrote edits made to the file while apply ran. Instead each new pin is one line appended to
``.irisfx/pins.journal`` and fsynced: that append is the commit point of a snapshot. At the end
of apply (and at the start of any later apply that finds a journal left by a killed one) the
journal is folded into fixtures.toml as it is on disk then, changing only the pin tables.

Every entry names the pin it replaces (``base``). Folding applies an entry only if the file
still holds that pin, so a pin someone else wrote since (``git checkout``, another copy of the
file) is never overwritten by a stale journal. Until it is folded, commands that read pins
(plan, check, verify, the plugin) see the journal through :func:`load_project_with_pins`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from pydantic import BaseModel, ConfigDict, ValidationError

from irisfx.errors import ConfigError, UsageError
from irisfx.files.atomic import NotPlainFile, read_plain_file
from irisfx.files.faults import checkpoint
from irisfx.lockfile.models import Document, Fixture, FixtureName, Pin, ResolvedFixture
from irisfx.lockfile.project import Project, load_project, merge_pins

JOURNAL_NAME = "pins.journal"


class JournalEntry(BaseModel):
    """One line of the journal: fixture NAME's pin becomes ``pin`` if it still is ``base``."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    fixture: FixtureName
    base: str | None
    pin: Pin


def journal_path(project: Project) -> Path:
    """``.irisfx/pins.journal`` of a project."""
    return project.state_dir / JOURNAL_NAME


MAX_JOURNAL = 16 << 20  # far more than any apply writes: one short line per pin


def read_journal(path: Path) -> list[JournalEntry]:
    """The journal's entries in order; a torn or damaged line (a kill mid-append) is skipped.

    Read as every state file is: a plain file only (no link, FIFO or device), of bounded size.
    """
    try:
        raw = read_plain_file(path, MAX_JOURNAL)
    except NotPlainFile as exc:
        raise ConfigError(
            f"{path} is not a pin journal irisfx wrote: it is {exc.what}",
            details=["irisfx did not read it; no pin was taken from it"],
            fix=f"move {path} out of the way (irisfx writes it as a plain file), then run "
            "the command again") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}",
                          fix=f"check the permissions of {path.parent}") from None
    if raw is None:
        return []
    entries = []
    for line in raw.splitlines():
        try:
            entries.append(JournalEntry.model_validate_json(line))
        except (ValidationError, ValueError):
            continue  # never committed: its snapshot is redone by the next apply
    return entries


def overlay(project: Project, doc: Document, entries: list[JournalEntry]) -> Document:
    """``doc`` with the journal's pins applied where the file still holds the replaced pin.

    The journal lies in ``.irisfx/``, which no one reviews: an entry becomes a pin only if the
    fixture's file on disk is exactly what it pins now (size and SHA-256) and its row counts
    agree with the fixture's ``expect``. Anything else is not a pin apply made.
    """
    fixtures = dict(doc.fixtures)
    changed = False
    for entry in entries:
        fixture = fixtures.get(entry.fixture)
        if fixture is None or fixture.pin == entry.pin:
            continue  # no longer declared, or already folded
        if (fixture.pin.sha256 if fixture.pin else None) != entry.base:
            continue  # the file was given another pin since: it wins
        if not _holds(project, ResolvedFixture(entry.fixture, fixture), entry.pin):
            continue
        fixtures[entry.fixture] = fixture.model_copy(update={"pin": entry.pin})
        changed = True
    return doc.model_copy(update={"fixtures": fixtures}) if changed else doc


def _holds(project: Project, fixture: ResolvedFixture, pin: Pin) -> bool:
    """Whether ``fixture``'s file is, byte for byte, what ``pin`` says, and ``pin`` agrees
    with what the fixture declares about its rows."""
    if any(pin.tables.get(table) != rows for table, rows in fixture.decl.expect.items()):
        return False
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(project.path(fixture.file), flags)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not S_ISREG(info.st_mode) or info.st_size != pin.size:
            return False
        digest = hashlib.sha256()
        while block := os.read(fd, 1 << 20):
            digest.update(block)
        return digest.hexdigest() == pin.sha256
    except OSError:
        return False
    finally:
        os.close(fd)


def with_pins(project: Project) -> Project:
    """``project`` as it will be once its journal is folded (unchanged when there is none)."""
    entries = read_journal(journal_path(project))
    if not entries:
        return project
    return Project(root=project.root, config_path=project.config_path,
                   doc=overlay(project, project.doc, entries), raw=project.raw)


def load_project_with_pins(config_path: Path) -> Project:
    """fixtures.toml with the pins of an unfolded journal applied (read-only)."""
    return with_pins(load_project(config_path))


def fold(project: Project) -> Project:
    """Write the journal's pins into fixtures.toml as it is on disk now, then drop the journal.

    The caller holds the apply lock. A kill between the two steps leaves a journal whose
    entries are already in the file; folding it again changes nothing.
    """
    path = journal_path(project)
    entries = read_journal(path)
    if not entries and not path.exists():
        return project
    current = load_project(project.config_path)
    doc = overlay(current, current.doc, entries)
    if doc is not current.doc:
        changed = {name: fixture.pin for name, fixture in doc.fixtures.items()
                   if fixture.pin is not None and fixture.pin != current.doc.fixtures[name].pin}
        current = merge_pins(project.config_path, changed, planned=current)
        checkpoint("apply.pins.folded")
    path.unlink(missing_ok=True)
    return current


def fold_pending(project: Project, *, locked: bool) -> None:
    """Fold a journal an interrupted apply left; with ``locked``, refuse to (it writes pins)."""
    path = journal_path(project)
    if not path.exists():
        return
    if locked:
        raise UsageError(
            f"an interrupted apply left pins that are not yet in fixtures.toml ({path}), "
            "and --locked forbids writing them",
            fix="run 'irisfx apply' without --locked (and IRISFX_LOCKED) and commit "
            "fixtures.toml",
        )
    fold(project)


def declaration_digest(fixture: Fixture) -> str:
    """A digest of what a fixture declares, its pin left out."""
    data = fixture.model_dump(mode="json", exclude={"pin"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@dataclass
class PinWriter:
    """Commits pins during one apply: O(1) per pin, merged into the file at the end.

    Before each pin it checks, with one ``stat`` unless the file changed, that fixtures.toml
    still declares the fixture as the plan saw it; a changed declaration is refused.
    """

    project: Project
    _fd: int | None = None
    _seen: tuple[int, int, int, int] | None = None
    _checked: dict[str, str] | None = None

    def write(self, name: str, planned: Fixture, pin: Pin) -> None:
        """Record ``pin`` as fixture ``name``'s new pin, made from declaration ``planned``."""
        self._check_declaration(name, planned)
        entry = JournalEntry(fixture=name, base=planned.pin.sha256 if planned.pin else None,
                             pin=pin)
        line = entry.model_dump_json().encode() + b"\n"
        fd = self._open()
        os.write(fd, line)
        os.fsync(fd)

    def close(self) -> None:
        """Close the journal (it stays on disk until folded)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int:
        if self._fd is None:
            path = journal_path(self.project)
            flags = (os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
                     | os.O_CLOEXEC)
            try:
                fd = os.open(path, flags, 0o644)
            except OSError as exc:
                raise _unwritable(path, exc) from None
            if not S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                raise _unwritable(path, None)
            self._fd = fd
            # The journal's name must survive a power cut as well as its lines.
            dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        return self._fd

    def _check_declaration(self, name: str, planned: Fixture) -> None:
        config = self.project.config_path
        try:
            stat = config.stat()
        except OSError as exc:
            raise ConfigError(f"{config} can no longer be read: {exc.strerror}",
                              fix="restore fixtures.toml, then run 'irisfx apply' again") from None
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        if key != self._seen or self._checked is None:
            on_disk = load_project(config)
            self._checked = {n: declaration_digest(f) for n, f in on_disk.doc.fixtures.items()}
            self._seen = key
        if self._checked.get(name) != declaration_digest(planned):
            raise ConfigError(
                f"fixtures.toml changed while apply ran: fixture '{name}' is no longer "
                "declared as it was when this apply planned",
                details=["its new snapshot was not pinned"],
                fix="run 'irisfx apply' again to plan from fixtures.toml as it is now",
            )


def _unwritable(path: Path, exc: OSError | None) -> ConfigError:
    why = exc.strerror if exc is not None and exc.errno != errno.ELOOP else (
        "it is not a plain file (a link, FIFO or device)")
    return ConfigError(f"cannot write the pin journal {path}: {why}",
                       details=["no pin was written through it"],
                       fix=f"move {path} out of the way (irisfx makes it as a plain file), "
                       "then run 'irisfx apply' again")
