"""push and pull: pinned files to and from the store, several at once, verified on both ends.

A push hashes the bytes it sends and commits the object only when they equal the pin. A pull
writes ``FILE.irisfx-pull`` while hashing, and renames it into place only when the digest
equals the pin: a kill leaves at most that partial file, which the next pull resumes (and
starts over when the resumed whole does not match).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from stat import S_ISREG
from typing import Any, Literal

from irisfx.errors import ConfigError, IntegrityError, IrisfxError, UsageError
from irisfx.files.atomic import check_same_folder, open_folder, regular_file_stat
from irisfx.files.digest import (
    PLAIN_CHUNK,
    FileDigest,
    ProgressFactory,
    StatCache,
    digest_files,
)
from irisfx.files.faults import checkpoint
from irisfx.files.progress import NoProgress, Progress
from irisfx.lockfile.models import ResolvedFixture
from irisfx.lockfile.project import Project
from irisfx.store.location import Store, backend_errors, check_reachable

WORKERS = 4
CHUNK = 4 << 20
PULL_SUFFIX = ".irisfx-pull"
Status = Literal["pushed", "present", "pulled", "in place", "failed"]


@dataclass(frozen=True)
class Item:
    """One pinned file: the fixture's name, where it lives, and its pinned digest and size."""

    name: str
    path: Path
    sha256: str
    size: int
    root: Path | None = None  # the project folder: the file is written link by link below it


@dataclass(frozen=True)
class Outcome:
    """What happened to one file."""

    name: str
    status: Status
    size: int
    error: IrisfxError | None = None


def push_files(store: Store, items: Sequence[Item], cache: StatCache,
               progress: ProgressFactory | None = None, workers: int = WORKERS
               ) -> list[Outcome]:
    """Upload every file the store lacks, after checking it against its pin."""
    # A folder store is written in one pass that hashes while it copies and commits nothing
    # that does not match the pin: hashing the file first as well would read it twice.
    found = (_cached_digests(items, cache) if store.local
             else digest_files([i.path for i in items], cache, progress=progress))
    check_reachable(store)

    def one(item: Item) -> Outcome:
        digest = found[item.path]
        with backend_errors(store, f"looking up {item.name}"):
            present = _present(store, item)
        if present:
            return Outcome(item.name, "present", item.size)
        if digest is None:
            raise UsageError(f"fixture '{item.name}' has no file to push and the store lacks "
                             "it", details=[f"file: {item.path}"],
                             fix="build it (irisfx apply) or pull it where it exists")
        if digest.sha256 != item.sha256:
            raise IntegrityError(f"fixture '{item.name}' does not match its pin; not pushed",
                                 details=[f"file: {item.path}"],
                                 fix="restore the file (irisfx pull) or rebuild it on purpose: "
                                 f"irisfx apply --rebuild {item.name}")
        _upload(store, item, _shown(progress))
        return Outcome(item.name, "pushed", item.size)

    return _each(items, one, workers)


def pull_files(store: Store, items: Sequence[Item], cache: StatCache,
               progress: ProgressFactory | None = None, workers: int = WORKERS
               ) -> list[Outcome]:
    """Download every file that is missing or does not match its pin."""
    found = digest_files([i.path for i in items], cache, progress=progress)
    todo = [i for i in items if (d := found[i.path]) is None or d.sha256 != i.sha256]
    if todo:
        check_reachable(store)

    def one(item: Item) -> Outcome:
        if item not in todo:
            return Outcome(item.name, "in place", item.size)
        verified = pull_one(store, item, _shown(progress))
        cache.store(item.path, item.sha256, verified, moved=True)
        return Outcome(item.name, "pulled", item.size)

    return _each(items, one, workers)


def pull_one(store: Store, item: Item, progress: Progress | None = None) -> os.stat_result:
    """Download one file into place, verified; IntegrityError (nothing written) on mismatch.

    The file's folder is reached link by link from the project folder and the partial file is
    opened without following a link, so a link planted at ``FILE.irisfx-pull`` or in place of
    a folder is refused instead of written through. Returns the stat the verified bytes had
    before their rename, for the stat cache.
    """
    shown = progress or NoProgress()
    root = item.root or item.path.parent
    relative = PurePosixPath(item.path.relative_to(root).as_posix())
    partial = relative.name + PULL_SUFFIX
    key = store.key(item.sha256)
    with backend_errors(store, f"downloading {item.name}"):
        try:
            size = store.fs.size(key)
        except FileNotFoundError:
            raise UsageError(f"the store has no copy of fixture '{item.name}'",
                             details=[f"store: {store.url}",
                                      f"object: sha256/{item.sha256[:2]}/{item.sha256[2:]}"],
                             fix=f"run 'irisfx push {item.name}' where the file exists, "
                             f"or build it: irisfx apply --rebuild {item.name}") from None
        if size != item.size:
            raise _tampered(store, item, f"its object holds {size:,} bytes, the pin "
                            f"{item.size:,}")
        folder = open_folder(root, relative.parent, create=True)
        try:
            sha256 = _download(store, key, folder, partial, item, shown, resume=True)
            if sha256 != item.sha256:
                # A resumed partial file may have been damaged before the kill: start over.
                sha256 = _download(store, key, folder, partial, item, shown, resume=False)
            if sha256 != item.sha256:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(partial, dir_fd=folder)
                raise _tampered(store, item, f"its object hashes to sha256:{sha256[:12]}…")
            verified = regular_file_stat(folder, partial, root, relative.parent)
            check_same_folder(root, relative.parent, folder)
            os.replace(partial, relative.name, src_dir_fd=folder, dst_dir_fd=folder)
        finally:
            os.close(folder)
    return verified


def _download(store: Store, key: str, folder: int, partial: str, item: Item, shown: Progress,
              *, resume: bool) -> str:
    digest = hashlib.sha256()
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(partial, flags, 0o644, dir_fd=folder)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise _planted(item, partial) from None
    with os.fdopen(fd, "r+b") as out:
        info = os.fstat(out.fileno())
        if not S_ISREG(info.st_mode):
            raise _planted(item, partial)
        have = info.st_size if resume else 0
        if have > item.size:
            have = 0
        shown.start(f"pull {item.name}", item.size)
        try:
            if have:
                _hash_into(out, digest, have)
                shown.advance(have)
            out.seek(have)
            out.truncate()
            with store.fs.open(key, "rb", block_size=CHUNK) as remote:
                remote.seek(have)
                while block := remote.read(CHUNK):
                    digest.update(block)
                    out.write(block)
                    shown.advance(len(block))
                    out.flush()
                    checkpoint("pull.block")
            out.flush()
            os.fsync(out.fileno())
        finally:
            shown.finish()
    return digest.hexdigest()


def _planted(item: Item, partial: str) -> ConfigError:
    return ConfigError(
        f"{item.path.parent / partial} is not a plain file irisfx made (a symbolic link or "
        "another kind of file was put there)",
        details=["irisfx did not write through it; nothing was pulled"],
        fix=f"move {partial} out of {item.path.parent}, then pull again")


def _hash_into(handle: Any, digest: Any, length: int) -> None:
    handle.seek(0)
    left = length
    while left and (block := handle.read(min(PLAIN_CHUNK, left))):
        digest.update(block)
        left -= len(block)


def _upload(store: Store, item: Item, shown: Progress) -> None:
    key = store.key(item.sha256)
    digest = hashlib.sha256()
    shown.start(f"push {item.name}", item.size)
    try:
        with item.path.open("rb") as source:
            if store.local:
                _upload_local(source, Path(key), digest, shown, item)
            else:
                _upload_remote(store, source, key, digest, shown, item)
    finally:
        shown.finish()


STALE_TEMP = 15 * 60  # seconds without a write after which a push's temp file is abandoned


def _upload_local(source: Any, target: Path, digest: Any, shown: Progress, item: Item
                  ) -> None:
    # A folder store gets the object under a temporary name, renamed once whole and right.
    # The object's folder is reached link by link from the store's folder, and a temp file a
    # killed push left for this object is removed once no one has written it for a while.
    relative = PurePosixPath(target.parent.name)
    shard = target.parent.parent
    folder = open_folder(shard.parent, PurePosixPath(shard.name) / relative, create=True)
    temp = f"{target.name}.tmp-{uuid.uuid4().hex}"
    try:
        _remove_stale_temps(folder, target.name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with os.fdopen(os.open(temp, flags, 0o644, dir_fd=folder), "wb") as out:
            while block := source.read(CHUNK):
                digest.update(block)
                out.write(block)
                shown.advance(len(block))
                checkpoint("push.block")
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != item.sha256:
            raise IntegrityError(f"fixture '{item.name}' does not match its pin; not pushed",
                                 details=[f"file: {item.path}"],
                                 fix="restore the file (irisfx pull) or rebuild it on purpose: "
                                 f"irisfx apply --rebuild {item.name}")
        os.replace(temp, target.name, src_dir_fd=folder, dst_dir_fd=folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp, dir_fd=folder)
        os.close(folder)


def _remove_stale_temps(folder: int, name: str) -> None:
    now = time.time()
    for entry in os.listdir(folder):
        if not entry.startswith(f"{name}.tmp-"):
            continue
        with contextlib.suppress(OSError):
            info = os.stat(entry, dir_fd=folder, follow_symlinks=False)
            if S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP:
                os.unlink(entry, dir_fd=folder)


def _abort_stale_uploads(store: Store, key: str) -> None:
    """Abort the unfinished multipart uploads of ``key`` a killed push left (S3 only).

    Only those started more than STALE_TEMP ago: a push running now is left alone. The key is
    content-addressed, so whatever was being uploaded there is what this push uploads.
    """
    listing = getattr(store.fs, "list_multipart_uploads", None)
    if listing is None:
        return
    bucket, _, path = key.partition("/")
    limit = time.time() - STALE_TEMP
    with contextlib.suppress(Exception):  # tidying up: never a reason to fail a push
        for upload in listing(bucket):
            started = upload.get("Initiated")
            if upload.get("Key") == path and started is not None \
                    and started.timestamp() < limit:
                store.fs.call_s3("abort_multipart_upload", Bucket=bucket, Key=path,
                                 UploadId=upload["UploadId"])


def _upload_remote(store: Store, source: Any, key: str, digest: Any, shown: Progress,
                   item: Item) -> None:
    # Object stores publish an object only when its upload completes; with autocommit off,
    # completion waits for commit(), which happens only when the bytes hashed right.
    _abort_stale_uploads(store, key)
    with backend_errors(store, f"uploading {item.name}"):
        remote = store.fs.open(key, "wb", autocommit=False, block_size=max(CHUNK, 5 << 20))
        try:
            while block := source.read(CHUNK):
                digest.update(block)
                remote.write(block)
                shown.advance(len(block))
            remote.close()
        except BaseException:
            remote.discard()
            raise
        if digest.hexdigest() != item.sha256:
            remote.discard()
            raise IntegrityError(f"fixture '{item.name}' changed while it was pushed; not "
                                 "pushed", fix="run 'irisfx push' again")
        remote.commit()


def _cached_digests(items: Sequence[Item], cache: StatCache) -> dict[Path, FileDigest | None]:
    """What the stat cache knows of each file, hashing nothing: None for a missing file; a
    file it does not know gets its pin's digest, which the copy then checks byte by byte."""
    found: dict[Path, FileDigest | None] = {}
    for item in items:
        try:
            stat = item.path.stat()
        except FileNotFoundError:
            found[item.path] = None
            continue
        known = cache.lookup(item.path, stat)
        found[item.path] = FileDigest(known or item.sha256, stat.st_size, hashed=False)
    return found


def pinned_items(project: Project, fixtures: Sequence[ResolvedFixture]) -> list[Item]:
    """The pinned ones of ``fixtures``, as transfer items."""
    return [Item(f.name, project.path(f.file), f.pin.sha256, f.pin.size, project.root)
            for f in fixtures if f.pin is not None]


def _present(store: Store, item: Item) -> bool:
    try:
        return bool(store.fs.size(store.key(item.sha256)) == item.size)
    except FileNotFoundError:
        return False


def _shown(progress: ProgressFactory | None) -> Progress:
    return progress() if progress else NoProgress()


def _each(items: Sequence[Item], one: Callable[[Item], Outcome], workers: int
          ) -> list[Outcome]:
    def guarded(item: Item) -> Outcome:
        try:
            return one(item)
        except IrisfxError as error:
            return Outcome(item.name, "failed", item.size, error)

    if len(items) <= 1 or workers <= 1:
        return [guarded(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items)),
                            thread_name_prefix="irisfx-store") as pool:
        return list(pool.map(guarded, items))


def _tampered(store: Store, item: Item, why: str) -> IntegrityError:
    return IntegrityError(
        f"the store's copy of fixture '{item.name}' does not match its pin; nothing was "
        "written",
        details=[f"store: {store.url}", why, f"pinned: sha256:{item.sha256[:12]}… "
                 f"({item.size:,} bytes)"],
        fix=f"push a good copy from a machine that has one: irisfx push {item.name}\n"
        "(delete the damaged object first: objects are never overwritten)",
    )
