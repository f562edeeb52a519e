"""Every ``Helper.call("Name", ...)`` on the Python side names a public class method of the
helper class (ZIrisFx.Helper.cls) and passes an argument count it accepts: a renamed method or
a changed signature on one side only (the Inventory of every project, for instance) is caught
without a server."""

from __future__ import annotations

from pathlib import Path

from tests.static.objectscript import ClassFile
from tests.static.python_calls import IrisCall, helper_calls


def problems(found: list[IrisCall], helper_class: ClassFile) -> list[str]:
    wrong: list[str] = []
    for call in found:
        method = helper_class.methods.get(call.method)
        if method is None or method.private or method.kind != "ClassMethod":
            wrong.append(f"{call.where}: {call.method} is not a public class method")
            continue
        most = len(method.params)
        if not most - method.defaults <= call.args <= most:
            wrong.append(f"{call.where}: {call.method} takes {most - method.defaults}-{most} "
                         f"arguments, not {call.args}")
    return wrong


def test_every_helper_call_names_a_public_method_with_a_fitting_argument_count(
        helper_class: ClassFile) -> None:
    found = helper_calls()
    assert {call.method for call in found} >= {"Info", "Inventory", "RecordSet", "FileDigest"}
    assert problems(found, helper_class) == []


def test_a_wrong_name_a_private_method_or_a_wrong_count_is_caught(
        helper_class: ClassFile, tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        'self._helper.call("Inventory", "project")\n'  # the old signature
        'helper.call("Inventry")\n'
        'self._helper.call("Root")\n'  # private
        'self._helper.call("FileStat", "/p")\n',  # fine
        encoding="utf-8")
    wrong = problems(helper_calls([planted]), helper_class)
    assert len(wrong) == 3
    assert "Inventory takes 0-0 arguments, not 1" in wrong[0]
    assert "Inventry" in wrong[1] and "Root" in wrong[2]
