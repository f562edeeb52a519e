"""push and pull: pinned files to and from the store, several at once, verified on both ends.

A push hashes the bytes it sends and commits the object only when they equal the pin. A pull
writes ``FILE.irisfx-pull`` while hashing, and renames it into place only when the digest
equals the pin: a kill leaves at most that partial file, which the next pull resumes (and
starts over when the resumed whole does not match).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from irisfx.errors import IntegrityError, IrisfxError, UsageError
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
    check_reachable(store, create=True)

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
        check_reachable(store, create=False)

    def one(item: Item) -> Outcome:
        if item not in todo:
            return Outcome(item.name, "in place", item.size)
        verified = pull_one(store, item, _shown(progress))
        cache.store(item.path, item.sha256, verified, moved=True)
        return Outcome(item.name, "pulled", item.size)

    return _each(items, one, workers)


def pull_one(store: Store, item: Item, progress: Progress | None = None) -> os.stat_result:
    """Download one file into place, verified; IntegrityError (nothing written) on mismatch.

    Returns the stat the verified bytes had before their rename, for the stat cache.
    """
    shown = progress or NoProgress()
    partial = item.path.with_name(item.path.name + PULL_SUFFIX)
    item.path.parent.mkdir(parents=True, exist_ok=True)
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
        sha256 = _download(store, key, partial, item, shown, resume=True)
        if sha256 != item.sha256:
            # A resumed partial file may have been damaged before the kill: start over once.
            sha256 = _download(store, key, partial, item, shown, resume=False)
    if sha256 != item.sha256:
        partial.unlink(missing_ok=True)
        raise _tampered(store, item, f"its object hashes to sha256:{sha256[:12]}…")
    verified = partial.stat()
    partial.replace(item.path)
    return verified


def _download(store: Store, key: str, partial: Path, item: Item, shown: Progress, *,
              resume: bool) -> str:
    digest = hashlib.sha256()
    have = partial.stat().st_size if resume and partial.exists() else 0
    if have > item.size:
        have = 0
    shown.start(f"pull {item.name}", item.size)
    try:
        with partial.open("r+b" if have else "wb") as out:
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


def _upload_local(source: Any, target: Path, digest: Any, shown: Progress, item: Item
                  ) -> None:
    # A folder store gets the object under a temporary name, renamed once whole and right.
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f"{target.name}.tmp-{uuid.uuid4().hex}")
    try:
        with temp.open("wb") as out:
            while block := source.read(CHUNK):
                digest.update(block)
                out.write(block)
                shown.advance(len(block))
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != item.sha256:
            raise IntegrityError(f"fixture '{item.name}' does not match its pin; not pushed",
                                 details=[f"file: {item.path}"],
                                 fix="restore the file (irisfx pull) or rebuild it on purpose: "
                                 f"irisfx apply --rebuild {item.name}")
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)


def _upload_remote(store: Store, source: Any, key: str, digest: Any, shown: Progress,
                   item: Item) -> None:
    # Object stores publish an object only when its upload completes; with autocommit off,
    # completion waits for commit(), which happens only when the bytes hashed right.
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
    return [Item(f.name, project.path(f.file), f.pin.sha256, f.pin.size)
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
