"""The helper's file methods (FileDigest ... FileDelete) and the private steps every method
shares (Root, Require, EnsureDirectory, Stat, Digest), as ZIrisFx.Helper.cls has them."""

# ruff: noqa: N802  (the names are the class's, so that the two can be compared)

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, NoReturn

from .calls import below, get_directory, horolog_utc, number, public
from .instance import Instance, IrisError, normalize_directory


def digest(path: Path) -> dict[str, Any]:
    """The class's Digest: SHA-256 (SHAHashStream(256, ...), lower-case hex) and size."""
    sha = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    return {"ok": 1, "sha256": sha.hexdigest(), "size": path.stat().st_size}


class FileMethods:
    """Files on the server, only below <mgr>/irisfx/ (or a path-mapped directory)."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance

    # -- the class's private steps ----------------------------------------------------------

    def root(self) -> str:
        """<mgr>/irisfx/: every directory irisfx makes is below it."""
        return normalize_directory(self.instance.mgr_dir + "irisfx")

    def fail(self, text: str) -> NoReturn:
        """The class's Raise: %Exception.General("IrisFx", 5001, , text)."""
        raise IrisError(f"IrisFx 5001  {text}")

    def require(self, path: str, base: str = "") -> None:
        """Refuse a path outside Root(), or outside ``base`` when it is given."""
        within = base if base != "" else self.root()
        if not below(str(path), within):
            self.fail(f"path {path} is outside {within}; irisfx only touches files there")

    def ensure_directory(self, directory: str) -> None:
        """%File.CreateDirectoryChain unless it exists."""
        try:
            Path(directory).mkdir(parents=True, exist_ok=True)
        except OSError:
            self.fail(f"cannot create directory {directory}")

    def stat(self, path: str) -> dict[str, Any]:
        """The class's Stat: exists, size, mtime (GetFileDateModified(path, 1))."""
        found = Path(path)
        if path == "IRIS.DAT" or not found.is_file():
            return {"exists": 0}
        return {"exists": True, "size": found.stat().st_size, "mtime": horolog_utc(found)}

    # -- public methods -------------------------------------------------------------------------

    @public("sha256", "size")
    def FileDigest(self, path: str) -> dict[str, Any]:
        """Size and SHA-256 of a server file."""
        self.require(path)
        if not Path(path).is_file():
            self.fail(f"no file {path}")
        return digest(Path(path))

    @public("exists", "size", "mtime")
    def FileStat(self, path: str) -> dict[str, Any]:
        """Whether a server file exists, its size and modification time."""
        self.require(path)
        return {**self.stat(path), "ok": True}

    @public("data")
    def FileRead(self, path: str, offset: int, length: int) -> dict[str, Any]:
        """Up to ``length`` bytes from ``offset``, base64 without line breaks."""
        self.require(path)
        data = b""
        found = Path(path)
        start, want = int(number(offset)), int(number(length))
        if found.is_file() and start <= found.stat().st_size:
            with found.open("rb") as f:
                f.seek(start)
                data = f.read(max(0, want))
        return {"ok": 1, "data": base64.b64encode(data).decode("ascii")}

    @public("size")
    def FileAppend(self, path: str, offset: int, data: str) -> dict[str, Any]:
        """Append base64 ``data`` to a server file holding exactly ``offset`` bytes."""
        self.require(path)
        found = Path(path)
        size = found.stat().st_size if found.is_file() else 0
        if size != number(offset):
            self.fail(f"file {path} has {size} bytes, expected {offset}")
        self.ensure_directory(get_directory(path))
        try:
            raw = base64.b64decode(str(data), validate=True)
        except binascii.Error:
            raise IrisError("<ILLEGAL VALUE> FileAppend+12^ZIrisFx.Helper.1") from None
        with found.open("wb" if number(offset) == 0 else "ab") as f:
            f.write(raw)
        return {"ok": 1, "size": found.stat().st_size}

    @public()
    def FileRename(self, source: str, target: str) -> dict[str, Any]:
        """Move a server file, replacing the target."""
        self.require(source)
        self.require(target)
        self.ensure_directory(get_directory(target))
        Path(target).unlink(missing_ok=True)
        try:
            Path(source).rename(target)
        except OSError:
            self.fail(f"cannot rename {source} to {target}")
        return {"ok": 1}

    @public()
    def FileCopy(self, source: str, base: str, target: str) -> dict[str, Any]:
        """Copy a file below the mapped directory ``base`` to ``target`` below Root()."""
        self.require(source, base)
        self.require(target)
        self.ensure_directory(get_directory(target))
        try:
            shutil.copyfile(source, target)
        except OSError:
            self.fail(f"cannot copy {source} to {target}")
        return {"ok": 1}

    @public("writable")
    def DirectoryWritable(self, dir: str, base: str) -> dict[str, Any]:
        """Whether IRIS's own user may write in ``dir`` (below the mapped ``base``): a probe
        file made and removed."""
        probe = normalize_directory(dir) + f"irisfx-probe-{os.getpid()}.tmp"
        self.require(probe, base)
        try:
            with Path(probe).open("wb"):
                pass
            writable = True
        except OSError:
            writable = False
        Path(probe).unlink(missing_ok=True)
        return {"ok": 1, "writable": writable}

    @public()
    def FileDelete(self, path: str) -> dict[str, Any]:
        """Remove a server file if it exists."""
        self.require(path)
        try:
            Path(path).unlink(missing_ok=True)
        except OSError:
            self.fail(f"cannot delete {path}")
        return {"ok": 1}
