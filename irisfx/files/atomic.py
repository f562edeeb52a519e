"""Safe file writes: atomic replacement, and folders reached without following links."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path, PurePosixPath
from stat import S_ISREG

from irisfx.errors import ConfigError
from irisfx.files.signals import interrupts_held


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old or the new file, never half.

    An interrupt (Ctrl-C, SIGTERM) at any point leaves either the old file or the new one, and
    no temp file: the temp file is made with interrupts held, so one cannot land between its
    creation and the clean-up that owns it.
    """
    tmp: str | None = None
    try:
        with interrupts_held():
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            Path(tmp).chmod(path.stat().st_mode & 0o777)
        Path(tmp).replace(path)
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


def open_folder(root: Path, relative: PurePosixPath, *, create: bool = False) -> int:
    """A descriptor of the folder ``root/relative``, reached without following any link.

    Each component is opened with O_NOFOLLOW from the one before (and made first when
    ``create``), so a symbolic link planted anywhere under ``root`` is refused instead of
    followed out of the project. ``root`` itself is trusted.
    """
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in relative.parts:
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o777, dir_fd=fd)
            try:
                child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                                dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _escape(root, relative) from None
                raise
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def check_same_folder(root: Path, relative: PurePosixPath, fd: int) -> None:
    """ConfigError unless ``root/relative`` still leads, link-free, to the folder ``fd`` holds."""
    now = open_folder(root, relative)
    try:
        a, b = os.fstat(now), os.fstat(fd)
        if (a.st_ino, a.st_dev) != (b.st_ino, b.st_dev):
            raise _escape(root, relative)
    finally:
        os.close(now)


def create_new_file(fd: int, name: str) -> None:
    """Create an empty regular file ``name`` in folder ``fd``, replacing no link or file."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name, dir_fd=fd)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    os.close(os.open(name, flags, 0o644, dir_fd=fd))


def regular_file_stat(fd: int, name: str, root: Path, relative: PurePosixPath) -> os.stat_result:
    """lstat of ``name`` in folder ``fd``; ConfigError if it is a link or not a regular file."""
    stat = os.stat(name, dir_fd=fd, follow_symlinks=False)
    if not S_ISREG(stat.st_mode):
        raise _escape(root, relative / name)
    return stat


class NotPlainFile(Exception):
    """A state file that is not a plain file irisfx could have written: a link, FIFO, device,
    folder, or larger than its cap. ``what`` says which, for the caller's message."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(f"{path} is {what}")
        self.path = path
        self.what = what


def read_plain_file(path: Path, max_size: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of at most ``max_size`` bytes; None if
    it does not exist; NotPlainFile otherwise.

    Opened without following a link and without blocking, and checked on the descriptor, so a
    FIFO (which waits for a writer), a link to /dev/zero (which never ends) or a dangling link
    is refused at once. Other OSErrors (permissions) reach the caller.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotPlainFile(path, "a symbolic link") from None
        raise
    try:
        info = os.fstat(fd)
        if not S_ISREG(info.st_mode):
            raise NotPlainFile(path, "not a regular file (a folder, FIFO or device)")
        if info.st_size > max_size:
            raise NotPlainFile(path, f"larger than {max_size:,} bytes")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(max_size + 1)
        if len(data) > max_size:
            raise NotPlainFile(path, f"larger than {max_size:,} bytes")
        return data
    finally:
        os.close(fd)


def _escape(root: Path, relative: PurePosixPath) -> ConfigError:
    return ConfigError(
        f"{relative} is not a plain folder or file inside the project any more (a symbolic "
        "link or another kind of file was put there while irisfx ran)",
        details=[f"project folder: {root}", "irisfx did not write through it."],
        fix=f"move what is at {relative} elsewhere (irisfx writes only where it made the file "
        "or where none is), then run 'irisfx apply' again",
    )
