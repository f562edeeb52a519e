"""The helper class irisfx installs into IRIS (ZIrisFx.Helper.cls), and calling it.

The class ships as package data. Its ``STAMP`` parameter is replaced at install time by a digest
of the shipped file, so any change to the file reinstalls it and an unchanged one never does.
Every call passes scalars and gets back a JSON object: ``{"ok":1,...}`` or ``{"ok":0,"error":...}``,
read with ``classMethodString``: ``classMethodValue`` may hand back bytes, Decimal, int or str.

The class and its global are Z-prefixed (``ZIrisFx.Helper``, ``^ZIRISFX``): an IRIS upgrade
deletes non-Z user code in %SYS. ``OLD_HELPER_CLASS`` is the name irisfx used before.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from importlib import resources
from typing import Any

from irisfx.engines.base import Transferred
from irisfx.engines.iris.connect import classify
from irisfx.engines.iris.transfer import FileStat
from irisfx.errors import EngineError

HELPER_CLASS = "ZIrisFx.Helper"
HELPER_FILE = "ZIrisFx.Helper.cls"
OLD_HELPER_CLASS = "IrisFx.Helper"
HELPER_NAMESPACE = "%SYS"
STAMP_LINE = 'Parameter STAMP = "dev";'

log = logging.getLogger("irisfx.iris")


def shipped_text() -> str:
    """The helper class as irisfx ships it."""
    return resources.files("irisfx.engines.iris").joinpath(HELPER_FILE).read_text(encoding="utf-8")


def shipped_stamp(text: str) -> str:
    """The stamp of a helper class text: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def stamped(text: str, stamp: str) -> str:
    """The class text to install: its STAMP parameter set to ``stamp``, with CRLF line ends.

    CRLF because public code loading classes through SetTextFromString normalises to it
    (docs/iris-calls.md); UDL accepts either.
    """
    if text.count(STAMP_LINE) != 1:
        raise EngineError(f"{HELPER_FILE} must contain the line {STAMP_LINE!r} exactly once")
    lines = text.replace(STAMP_LINE, f'Parameter STAMP = "{stamp}";').splitlines()
    return "\r\n".join(lines) + "\r\n"


def needs_install(installed: str | None, shipped: str) -> bool:
    """Whether to (re)install: the instance has no helper, or one with another stamp."""
    return installed != shipped


def is_missing_class(text: str) -> bool:
    """Whether a driver error says the helper class (or its method) is not there."""
    upper = text.upper()
    return "CLASS DOES NOT EXIST" in upper or "METHOD DOES NOT EXIST" in upper


def installed_stamp(native: Any) -> str | None:
    """The stamp of the helper installed on the instance, or None: reinstall.

    Any error from ``Stamp()`` means "reinstall", not only a missing class or method: a class
    half-deleted by an upgrade, or compiled against another version, fails in other ways. If the
    connection itself is the problem, installing fails next with that error.
    """
    try:
        value = native.classMethodString(HELPER_CLASS, "Stamp")
    except Exception as exc:
        log.debug("%s.Stamp() failed, reinstalling: %s", HELPER_CLASS, exc)
        return None
    return None if value is None else str(value)


def ensure_helper(native: Any) -> None:
    """Install the helper class unless the instance already has this exact version."""
    text = shipped_text()
    stamp = shipped_stamp(text)
    current = installed_stamp(native)
    if not needs_install(current, stamp):
        return
    log.info("installing %s %s into %s (was %s)", HELPER_CLASS, stamp, HELPER_NAMESPACE,
             current or "absent")
    source = stamped(text, stamp)
    # The class name without ".cls": the form public code that ran against IRIS passes, and the
    # name the class text itself declares (docs/iris-calls.md).
    status = _call_raw(native, "%Compiler.UDL.TextServices", "SetTextFromString",
                       HELPER_NAMESPACE, HELPER_CLASS, source)
    check_status(native, status, f"saving {HELPER_CLASS}")
    status = _call_raw(native, "%SYSTEM.OBJ", "Compile", HELPER_CLASS, "ck-d")
    check_status(native, status, f"compiling {HELPER_CLASS}")
    after = installed_stamp(native)
    if after != stamp:
        raise EngineError(
            f"installing {HELPER_CLASS} did not take: the instance reports stamp {after!r}",
            fix="check that the user may write classes in %SYS (the %All role, or %Developer "
            "with write access to IRISSYS)",
        )


def _call_raw(native: Any, cls: str, method: str, *args: Any) -> Any:
    try:
        return native.classMethodValue(cls, method, *args)
    except Exception as exc:
        raise call_error(f"{cls}.{method}", str(exc)) from None


def is_ok_status(status: Any) -> bool:
    """Whether a %Status value that crossed the Native API means success (it comes as 1)."""
    return status in (1, "1", True)


def check_status(native: Any, status: Any, what: str) -> None:
    """EngineError with IRIS's own text when ``status`` is an error %Status."""
    if is_ok_status(status):
        return
    try:
        text = native.classMethodValue("%SYSTEM.Status", "GetErrorText", status)
    except Exception:
        text = repr(status)
    raise call_error(what, str(text))


def call_error(what: str, text: str) -> EngineError:
    """An EngineError for an IRIS call that failed, with a fix when the text is a known kind."""
    failure = classify(text)
    if failure is not None and failure.kind == "missing_privileges":
        fix = ("use a user with the %All role (e.g. _SYSTEM), or grant %Admin_Manage, "
               "%Admin_Operate and read/write on %DB_IRISSYS")
    elif failure is not None and failure.kind in {"not_listening", "timeout"}:
        fix = "the connection to IRIS was lost; run the command again"
    else:
        fix = "run again with --debug; if it repeats, report it with the text above"
    return EngineError(f"IRIS call {what} failed", details=[f"IRIS: {text}"], fix=fix)


def parse_reply(method: str, text: Any) -> dict[str, Any]:
    """The JSON object a helper method returned; EngineError if it reports a failure."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    try:
        reply = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        reply = None
    if not isinstance(reply, dict) or "ok" not in reply:
        raise EngineError(
            f"IRIS helper {method} returned something that is not its JSON reply",
            details=[f"reply: {str(text)[:200]}"],
            fix="reinstall the helper: it is reinstalled automatically when its stamp differs; "
            f"delete the class {HELPER_CLASS} in %SYS to force it",
        )
    if not reply["ok"]:
        raise call_error(f"{HELPER_CLASS}.{method}", str(reply.get("error", "unknown error")))
    return reply


class Helper:
    """Calls to the installed helper class over a Native API object (connected to %SYS)."""

    def __init__(self, native: Any) -> None:
        self._native = native

    def call(self, method: str, *args: str | int) -> dict[str, Any]:
        """Call ``method`` with scalar arguments and return its reply."""
        try:
            text = self._native.classMethodString(HELPER_CLASS, method, *args)
        except Exception as exc:
            raise call_error(f"{HELPER_CLASS}.{method}", str(exc)) from None
        return parse_reply(method, text)


class HelperFiles:
    """ServerFiles through the helper class: the server's files, over the connection."""

    def __init__(self, helper: Helper) -> None:
        self._helper = helper

    def stat(self, path: str) -> FileStat | None:
        """Size and mtime of a server file, or None."""
        return stat_from_reply(self._helper.call("FileStat", path))

    def read(self, path: str, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes from ``offset``."""
        reply = self._helper.call("FileRead", path, offset, length)
        try:
            return base64.b64decode(str(reply.get("data", "")))
        except binascii.Error as exc:
            raise EngineError(f"IRIS sent a damaged chunk of {path}: {exc}") from None

    def append(self, path: str, offset: int, data: bytes) -> int:
        """Append to a server file holding exactly ``offset`` bytes; returns the new size."""
        encoded = base64.b64encode(data).decode("ascii")
        reply = self._helper.call("FileAppend", path, offset, encoded)
        return int(reply["size"])

    def digest(self, path: str) -> Transferred:
        """SHA-256 and size, computed by IRIS."""
        return transferred_from_reply(self._helper.call("FileDigest", path))

    def rename(self, source: str, target: str) -> None:
        """Move a server file, replacing the target."""
        self._helper.call("FileRename", source, target)

    def copy(self, source: str, base: str, target: str) -> None:
        """Copy a server file below the mapped directory ``base`` to ``target``."""
        self._helper.call("FileCopy", source, base, target)

    def delete(self, path: str) -> None:
        """Remove a server file if it exists."""
        self._helper.call("FileDelete", path)


def stat_from_reply(reply: dict[str, Any]) -> FileStat | None:
    """FileStat from a ``{"exists":..,"size":..,"mtime":..}`` reply."""
    if not reply.get("exists"):
        return None
    return FileStat(int(reply["size"]), str(reply.get("mtime", "")))


def transferred_from_reply(reply: dict[str, Any]) -> Transferred:
    """Transferred from a ``{"sha256":..,"size":..}`` reply, checking the digest's form."""
    digest = str(reply.get("sha256", "")).lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise EngineError(f"IRIS returned a malformed SHA-256: {digest[:80]!r}")
    return Transferred(digest, int(reply["size"]))
