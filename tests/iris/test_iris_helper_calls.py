"""How the Python side calls the helper through the Native API (issue 8, items 5.2 and 5.8).

``Native`` below stands in for the driver's IRIS object (the server side, which cannot run
here); the code under test is irisfx's own: which driver method it picks and what it makes of
the answers.
"""

from __future__ import annotations

from typing import Any

import pytest

from irisfx.engines.iris.helper import HELPER_CLASS, Helper, HelperFiles, installed_stamp
from irisfx.errors import EngineError


class Native:
    """A driver IRIS object whose classMethodValue answers in a type other than str."""

    def __init__(self, stamp: Any = "abc", reply: str = '{"ok":1,"size":3}') -> None:
        self.stamp = stamp
        self.reply = reply
        self.calls: list[tuple[str, str, str, tuple[Any, ...]]] = []

    def classMethodString(self, cls: str, method: str, *args: Any) -> str | None:  # noqa: N802
        self.calls.append(("string", cls, method, args))
        if method == "Stamp":
            if isinstance(self.stamp, Exception):
                raise self.stamp
            return str(self.stamp)
        return self.reply

    def classMethodValue(self, cls: str, method: str, *args: Any) -> Any:  # noqa: N802
        self.calls.append(("value", cls, method, args))
        return self.reply.encode()  # what classMethodValue may hand back: bytes


def test_json_replies_and_the_stamp_are_read_as_strings() -> None:
    native = Native()
    assert installed_stamp(native) == "abc"
    assert Helper(native).call("FileAppend", "/p", 0, "YWJj") == {"ok": 1, "size": 3}
    assert [kind for kind, *_ in native.calls] == ["string", "string"]
    assert {cls for _, cls, _, _ in native.calls} == {HELPER_CLASS}


@pytest.mark.parametrize("error", [
    RuntimeError("<CLASS DOES NOT EXIST> *ZIrisFx.Helper"),
    RuntimeError("<COMPILE> Stamp+1^ZIrisFx.Helper.1"),
    RuntimeError("<UNDEFINED> something half-upgraded"),
])
def test_any_error_from_stamp_means_reinstall(error: Exception) -> None:
    assert installed_stamp(Native(stamp=error)) is None


def test_the_class_and_global_names_start_with_z() -> None:
    assert HELPER_CLASS.startswith("Z")
    from irisfx.engines.iris.helper import shipped_text

    text = shipped_text()
    globals_set = {g for g in ("^ZIRISFX(\"own\"", "^ZIRISFX(\"lock\"") if g in text}
    assert len(globals_set) == 2
    # The old global is only read (and killed) by the migration.
    old_uses = [line for line in text.splitlines() if "^IRISFX(" in line]
    assert old_uses and all("Order" in line or "Data" in line or "Kill" in line
                            for line in old_uses)


def test_file_copy_sends_the_mapped_directory() -> None:
    native = Native(reply='{"ok":1}')
    HelperFiles(Helper(native)).copy("/map/a/IRIS.DAT", "/map", "/mgr/irisfx/p/incoming/x")
    assert native.calls[-1][2:] == ("FileCopy", ("/map/a/IRIS.DAT", "/map",
                                                 "/mgr/irisfx/p/incoming/x"))


def test_a_failure_reply_raises() -> None:
    with pytest.raises(EngineError, match="FileDelete"):
        Helper(Native(reply='{"ok":0,"error":"path /etc/x is outside /mgr/irisfx/"}')).call(
            "FileDelete", "/etc/x")
