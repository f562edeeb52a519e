"""Moving database files between the client and the IRIS server.

The IRIS server's filesystem is not the client's (a container, another host), so bytes cross the
connection in chunks of at most 1 MiB (IRIS strings stop at 3,641,144 characters; base64 makes a
1 MiB chunk 1.4 M characters). The transfer is written against ``ServerFiles``, a handful of file
operations on the server's side: the iris engine implements them with helper-class calls, and
``LocalFiles`` with real local files, so the chunking and resume logic is tested without a
server. With a path map no bytes cross the connection: the server copies the file itself.

Both directions resume: an upload goes to a temporary name derived from the file's digest and
continues from the size already there; a download keeps a ``.irisfx-part`` file next to its
destination with a note of what it is a part of. A resumed transfer is always checked whole
(SHA-256) and redone from nothing once if the check fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Protocol

from irisfx.engines.base import Progress, Transferred
from irisfx.engines.compat import byte_order_refusal
from irisfx.errors import ConflictError, EngineError, IntegrityError
from irisfx.files.dbfile import NOT_A_DATABASE_FIX, DatabaseLabel, read_label
from irisfx.lockfile.models import SIM_PRODUCT

CHUNK_SIZE = 1024 * 1024  # the largest chunk that may cross; see the module docstring
SQLITE_HEADER = b"SQLite format 3\x00"

PART_SUFFIX = ".irisfx-part"


@dataclass(frozen=True)
class FileStat:
    """A server file's size and modification time (as the server reports it)."""

    size: int
    mtime: str


class ServerFiles(Protocol):
    """File operations on the server's side; paths are the server's own."""

    def stat(self, path: str) -> FileStat | None: ...

    def read(self, path: str, offset: int, length: int) -> bytes: ...

    def append(self, path: str, offset: int, data: bytes) -> int: ...

    def digest(self, path: str) -> Transferred: ...

    def rename(self, source: str, target: str) -> None: ...

    def copy(self, source: str, base: str, target: str) -> None: ...

    def delete(self, path: str) -> None: ...


class LocalFiles:
    """ServerFiles over this machine's filesystem: a server that shares our directories."""

    def stat(self, path: str) -> FileStat | None:
        """Size and mtime, or None if there is no such file."""
        try:
            st = Path(path).stat()
        except FileNotFoundError:
            return None
        return FileStat(st.st_size, str(st.st_mtime_ns))

    def read(self, path: str, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes from ``offset``."""
        with Path(path).open("rb") as f:
            f.seek(offset)
            return f.read(length)

    def append(self, path: str, offset: int, data: bytes) -> int:
        """Append ``data`` to a file that must hold exactly ``offset`` bytes; the new size."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        size = target.stat().st_size if target.exists() else 0
        if size != offset:
            raise EngineError(f"server file {path} has {size} bytes, expected {offset}")
        with target.open("ab") as f:
            f.write(data)
        return target.stat().st_size

    def digest(self, path: str) -> Transferred:
        """SHA-256 and size of the file."""
        return sha256_file(Path(path))

    def rename(self, source: str, target: str) -> None:
        """Move ``source`` to ``target``, replacing it."""
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(source).replace(target)

    def copy(self, source: str, base: str, target: str) -> None:
        """Copy ``source`` (which lies below ``base``) to ``target``."""
        if not Path(source).resolve().is_relative_to(Path(base).resolve()):
            raise EngineError(f"server file {source} is outside the mapped directory {base}")
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def delete(self, path: str) -> None:
        """Remove the file if it exists."""
        Path(path).unlink(missing_ok=True)


def sha256_file(path: Path) -> Transferred:
    """SHA-256 and size of a local file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return Transferred(digest.hexdigest(), size)


def refuse_simulator_file(
    fixture: str, local_path: Path | None = None, built_by: str | None = None
) -> None:
    """ConflictError if the file or its pin comes from the simulator: it is SQLite, not a DAT."""
    from_pin = built_by is not None and built_by.startswith(SIM_PRODUCT)
    from_file = False
    if local_path is not None:
        with local_path.open("rb") as f:
            from_file = f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    if from_pin or from_file:
        why = f"its pin says built_by = {built_by!r}" if from_pin else "it is an SQLite file"
        raise ConflictError(
            f"fixture '{fixture}' was built by the simulator and cannot be mounted on IRIS",
            details=[f"{why}: the simulator's files are not IRIS databases"],
            fix=f"rebuild it on IRIS with the iris engine: irisfx apply --rebuild {fixture}",
        )


def refuse_foreign_file(fixture: str, local_path: Path, server_product: str) -> DatabaseLabel:
    """The label of a file about to be mounted on IRIS; ConflictError when it is a simulator
    file, no database at all ("not an IRIS database"), or of the other byte order."""
    refuse_simulator_file(fixture, local_path)
    label = read_label(local_path)
    if label is None or label.kind != "iris":
        raise ConflictError(
            f"{local_path.name} of fixture '{fixture}' is not an IRIS database",
            details=["an IRIS or Caché database carries the label 'Cache DB' at byte 1524; "
                     "this file does not"],
            fix=NOT_A_DATABASE_FIX,
        )
    why = byte_order_refusal(label.byte_order, server_product)
    if why is not None:
        raise ConflictError(
            f"fixture '{fixture}' cannot be mounted on this IRIS: {why}",
            fix="convert the file with IRIS's cvendian utility on a copy, then adopt the copy "
            f"(irisfx pin {fixture}); or rebuild it here: irisfx apply --rebuild {fixture}",
        )
    return label


def upload(
    local_path: Path, remote: str, files: ServerFiles, progress: Progress, *, sha256: str
) -> Transferred:
    """Copy ``local_path`` to the server file ``remote`` and prove the bytes arrived.

    Resumes from what ``remote`` already holds. Returns the server's digest when it equals
    ``sha256``; otherwise removes ``remote`` and raises IntegrityError.
    """
    result = _send(local_path, remote, files, progress, resume=True)
    if result.resumed and result.got.sha256 != sha256:
        result = _send(local_path, remote, files, progress, resume=False)
    return _verified(files, remote, result.got, sha256, local_path.name)


def copy_on_server(
    source: str, base: str, remote: str, files: ServerFiles, *, sha256: str, label: str
) -> Transferred:
    """Copy a file the server can already read (a path-mapped one, below the server directory
    ``base``) to ``remote`` and prove it. Same checks as ``upload``; no bytes cross."""
    files.copy(source, base, remote)
    return _verified(files, remote, files.digest(remote), sha256, label)


def _verified(
    files: ServerFiles, remote: str, got: Transferred, sha256: str, label: str
) -> Transferred:
    if got.sha256 == sha256:
        return got
    files.delete(remote)
    raise IntegrityError(
        f"the copy of {label} on the IRIS server does not match its pin",
        details=[
            f"expected: sha256:{sha256}",
            f"server:   sha256:{got.sha256}  ({got.size:,} bytes)",
            "The server copy was removed; nothing was mounted.",
        ],
        fix="check the local file against its pin (irisfx plan); if the file is right, "
        "run irisfx apply again",
    )


@dataclass(frozen=True)
class _Sent:
    got: Transferred
    resumed: bool


def _send(
    local_path: Path, remote: str, files: ServerFiles, progress: Progress, *, resume: bool
) -> _Sent:
    total = local_path.stat().st_size
    if total == 0:
        raise ConflictError(f"{local_path} is empty; an IRIS database file never is",
                            fix="restore the file, or rebuild it: irisfx apply --rebuild NAME")
    there = files.stat(remote)
    offset = there.size if resume and there is not None and there.size <= total else 0
    if there is not None and offset == 0:
        files.delete(remote)
    start = offset
    progress.start(f"upload {local_path.name}", total)
    progress.advance(offset)
    with local_path.open("rb") as f:
        f.seek(offset)
        while offset < total:
            data = f.read(min(CHUNK_SIZE, total - offset))
            if not data:
                raise EngineError(f"{local_path} shrank while it was being sent")
            size = files.append(remote, offset, data)
            if size != offset + len(data):
                raise EngineError(f"server file {remote} has {size} bytes after a write, "
                                  f"expected {offset + len(data)}")
            offset = size
            progress.advance(len(data))
    progress.finish()
    return _Sent(files.digest(remote), resumed=start > 0)


def download(
    files: ServerFiles, remote: str, dest: Path, progress: Progress, expected: Transferred
) -> None:
    """Copy the server file ``remote`` (whose digest is ``expected``) to ``dest``, atomically.

    Resumes a ``.irisfx-part`` file left by an interrupted download of the same bytes.
    """
    part = dest.with_name(dest.name + PART_SUFFIX)
    resumed = _fetch(files, remote, part, progress, expected, resume=True)
    got = sha256_file(part)
    if got != expected and resumed:
        _fetch(files, remote, part, progress, expected, resume=False)
        got = sha256_file(part)
    if got != expected:
        _discard(part)
        raise IntegrityError(
            f"the bytes received for {dest.name} differ from the server's copy",
            details=[
                f"server:   sha256:{expected.sha256}  ({expected.size:,} bytes)",
                f"received: sha256:{got.sha256}  ({got.size:,} bytes)",
            ],
            fix="run irisfx apply again; if it repeats, check the network and the disk",
        )
    part.replace(dest)
    _note_path(part).unlink(missing_ok=True)


def _fetch(
    files: ServerFiles,
    remote: str,
    part: Path,
    progress: Progress,
    expected: Transferred,
    *,
    resume: bool,
) -> bool:
    note = _note_path(part)
    offset = _resumable_size(part, expected) if resume else 0
    if offset == 0:
        _discard(part)
    part.parent.mkdir(parents=True, exist_ok=True)
    _write_note(note, expected)
    progress.start(f"download {part.name.removesuffix(PART_SUFFIX)}", expected.size)
    progress.advance(offset)
    with part.open("ab") as f:
        position = offset
        while position < expected.size:
            data = files.read(remote, position, min(CHUNK_SIZE, expected.size - position))
            if not data:
                raise EngineError(f"server file {remote} ended at {position:,} bytes, "
                                  f"expected {expected.size:,}")
            f.write(data)
            position += len(data)
            progress.advance(len(data))
        f.flush()
        os.fsync(f.fileno())
    progress.finish()
    return offset > 0


def _note_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _write_note(note: Path, expected: Transferred) -> None:
    text = json.dumps({"sha256": expected.sha256, "size": expected.size})
    tmp = note.with_name(note.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(note)


def _resumable_size(part: Path, expected: Transferred) -> int:
    """Bytes of ``part`` that may be kept: only if it belongs to the same server file."""
    try:
        note = json.loads(_note_path(part).read_text(encoding="utf-8"))
        size = part.stat().st_size
    except (OSError, ValueError):
        return 0
    same = note == {"sha256": expected.sha256, "size": expected.size}
    return size if same and size <= expected.size else 0


def _discard(part: Path) -> None:
    part.unlink(missing_ok=True)
    _note_path(part).unlink(missing_ok=True)


@dataclass(frozen=True)
class PathMap:
    """Client directories that the IRIS server sees too, at its own path (bind mounts)."""

    pairs: tuple[tuple[Path, str], ...] = ()

    @classmethod
    def from_settings(cls, mapping: Mapping[str, str], root: Path) -> PathMap:
        """Build from ``[irisfx] path_map``; relative client paths are relative to ``root``."""
        pairs = []
        for client, server in mapping.items():
            client_path = Path(client)
            if not client_path.is_absolute():
                client_path = root / client_path
            pairs.append((client_path.resolve(), server))
        # The longest client directory wins when maps nest.
        pairs.sort(key=lambda pair: len(pair[0].parts), reverse=True)
        return cls(tuple(pairs))

    def to_server(self, local: Path) -> str | None:
        """The server's path for a local file, or None when no mapped directory holds it."""
        found = self.locate(local)
        return None if found is None else found[0]

    def locate(self, local: Path) -> tuple[str, str] | None:
        """The server's path for a local file and the mapped server directory holding it."""
        resolved = local.resolve()
        for client, server in self.pairs:
            if resolved.is_relative_to(client):
                return server_join(server, *resolved.relative_to(client).parts), server
        return None


def server_join(base: str, *parts: str) -> str:
    """Join path parts in the server's style (Windows if ``base`` looks like a Windows path)."""
    windows = "\\" in base or (len(base) > 1 and base[1] == ":")
    pure = PureWindowsPath(base) if windows else PurePosixPath(base)
    return str(pure.joinpath(*parts))


def server_dir(base: str, *parts: str) -> str:
    """Like server_join, with the trailing separator IRIS uses for directories."""
    joined = server_join(base, *parts)
    sep = "\\" if "\\" in joined else "/"
    return joined if joined.endswith(sep) else joined + sep
