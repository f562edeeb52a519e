"""The helper class: its stamp, when it is (re)installed, its replies, and its shape.

What the class does inside IRIS can only be shown by the live contract suite; here is what can be
checked without a server: that the decision to install is right, that the shipped class text
carries a stamp irisfx can replace, that every method Python calls exists in the class with
scalar arguments, and that replies are read strictly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from irisfx.engines.iris import helper as iris_helper
from irisfx.engines.iris.helper import (
    HELPER_CLASS,
    STAMP_LINE,
    call_error,
    is_missing_class,
    is_ok_status,
    needs_install,
    parse_reply,
    shipped_stamp,
    shipped_text,
    stamped,
    stat_from_reply,
    transferred_from_reply,
)
from irisfx.errors import EngineError, ExitCode

IRIS_ENGINE_DIR = Path(iris_helper.__file__).parent
CLASS_METHOD = re.compile(r"^ClassMethod (\w+)\((.*?)\)( As [%\w.]+)?( \[ (.*) \])?$", re.M)


def methods() -> dict[str, tuple[str, str, str]]:
    """name -> (arguments, return type, keywords) of every class method in the shipped class."""
    found = {}
    for match in CLASS_METHOD.finditer(shipped_text()):
        found[match.group(1)] = (match.group(2), match.group(3) or "", match.group(5) or "")
    return found


def called_from_python() -> set[str]:
    """Helper methods the Python side calls by name."""
    names: set[str] = set()
    for path in IRIS_ENGINE_DIR.glob("*.py"):
        names |= set(re.findall(r'\.call\(\s*"(\w+)"', path.read_text(encoding="utf-8")))
    return names


# -- the install decision -------------------------------------------------------------------


def test_install_when_absent() -> None:
    assert needs_install(None, "abc") is True


def test_no_install_when_the_stamp_matches() -> None:
    assert needs_install("abc", "abc") is False


def test_reinstall_when_the_stamp_differs() -> None:
    assert needs_install("dev", "abc") is True
    assert needs_install("abd", "abc") is True


def test_the_stamp_follows_the_class_text() -> None:
    text = shipped_text()
    assert shipped_stamp(text) == shipped_stamp(text)
    assert shipped_stamp(text + " ") != shipped_stamp(text)
    assert re.fullmatch(r"[0-9a-f]{16}", shipped_stamp(text))


def test_the_installed_text_carries_the_stamp_once_with_crlf() -> None:
    text = shipped_text()
    out = stamped(text, "0123456789abcdef")
    assert out.count('Parameter STAMP = "0123456789abcdef";') == 1
    assert STAMP_LINE not in out
    assert "\r\n" in out and "\n" not in out.replace("\r\n", "")


def test_a_class_text_without_the_stamp_line_is_refused() -> None:
    with pytest.raises(EngineError, match="STAMP"):
        stamped("Class X {}", "abc")


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("<CLASS DOES NOT EXIST> *ZIrisFx.Helper", True),
        ("<METHOD DOES NOT EXIST> *Stamp,ZIrisFx.Helper", True),
        ("<PROTECT> *^oddDEF", False),
    ],
)
def test_missing_class_is_told_from_other_failures(text: str, missing: bool) -> None:
    assert is_missing_class(text) is missing


@pytest.mark.parametrize(("status", "ok"), [(1, True), ("1", True), (True, True),
                                            (0, False), ("0 " + "x", False), (None, False)])
def test_status_values(status: object, ok: bool) -> None:
    assert is_ok_status(status) is ok


# -- the class itself -----------------------------------------------------------------------


def test_the_class_ships_as_package_data() -> None:
    assert f"Class {HELPER_CLASS} " in shipped_text()
    assert shipped_text().count(STAMP_LINE) == 1


def test_every_method_python_calls_exists_and_is_public() -> None:
    defined = methods()
    called = called_from_python()
    assert called, "the Python side calls no helper method?"
    missing = called - defined.keys()
    assert not missing
    private = {name for name in called if "Private" in defined[name][2]}
    assert not private


def test_public_methods_take_scalars_and_return_a_string() -> None:
    for name, (args, returns, keywords) in methods().items():
        if "Private" in keywords:
            continue
        assert "ByRef" not in args and "Output" not in args, name
        assert returns == " As %String", name


def test_every_public_method_but_stamp_answers_json_on_failure_too() -> None:
    text = shipped_text()
    bodies = re.split(r"^ClassMethod ", text, flags=re.M)[1:]
    for body in bodies:
        name = body.split("(", 1)[0]
        header = body.split("\n", 1)[0]
        if "Private" in header or name == "Stamp":
            continue
        assert "} Catch ex {" in body and "Set out = ..Fail(ex)" in body, name
        assert body.rstrip().endswith("Quit out\n}") or "Quit out" in body, name


def test_braces_balance_in_the_class() -> None:
    text = re.sub(r'"[^"\n]*"', '""', shipped_text())  # braces inside strings do not count
    text = re.sub(r"//.*|///.*", "", text)
    assert text.count("{") == text.count("}")


def _code_lines() -> list[str]:
    """The class's lines with string literals blanked and // comments removed."""
    lines = []
    for line in shipped_text().splitlines():
        line = re.sub(r'"[^"]*"', '""', line)
        lines.append(re.sub(r"//.*|///.*", "", line))
    return lines


def test_no_quit_with_an_argument_inside_try_catch_or_a_loop() -> None:
    # ObjectScript refuses to compile QUIT with an argument inside a TRY or CATCH block, and
    # inside a FOR or WHILE loop: each public method sets `out` and quits after its Catch.
    stack: list[str] = []
    offending = []
    for number, line in enumerate(_code_lines(), 1):
        quit_arg = re.search(r"\bQuit(:\S+)? +([^ /].*)$", line)
        if quit_arg and any(kind in {"Try", "Catch", "For", "While"} for kind in stack):
            offending.append(f"{number}: {line.strip()}")
        for match in re.finditer(r"(\b(Try|Catch|For|While)\b[^{}]*)?\{|\}", line):
            if match.group(0) == "}":
                if stack:
                    stack.pop()
            else:
                stack.append(match.group(2) or "block")
    assert not offending


def test_no_macros_without_an_include() -> None:
    # $$$ macros need an Include (e.g. %occStatus); the class has none, so it must use none.
    text = shipped_text()
    assert "Include " not in text
    assert "$$$" not in "\n".join(_code_lines())


def test_only_iris_dat_is_copied_from_a_database_directory() -> None:
    # Never the directory's iris.lck: a stale lock file mounts the copy read-only.
    text = shipped_text()
    assert "iris.lck" not in text.lower().replace("never the directory's iris.lck", "")
    assert re.findall(r'CopyFile\((\w+)(_"IRIS\.DAT")?,', text) == [
        ("dir", '_"IRIS.DAT"'), ("source", ""), ("source", "")]


# -- replies --------------------------------------------------------------------------------


def test_a_good_reply_is_returned() -> None:
    assert parse_reply("Info", '{"ok":1,"version":"IRIS 2025.1"}')["version"] == "IRIS 2025.1"
    assert parse_reply("Info", b'{"ok":1}') == {"ok": 1}


def test_a_failure_reply_is_an_engine_error_with_irises_text() -> None:
    with pytest.raises(EngineError) as caught:
        parse_reply("CreateNamespace", '{"ok":0,"error":"ERROR #5001: no room"}')
    assert caught.value.exit_code == ExitCode.ENGINE
    assert "ERROR #5001: no room" in caught.value.render()
    assert "CreateNamespace" in caught.value.message


def test_a_protect_error_says_which_privileges_to_get() -> None:
    with pytest.raises(EngineError) as caught:
        parse_reply("RecordSet", '{"ok":0,"error":"<PROTECT> *^IRISFX"}')
    assert caught.value.fix is not None and "%All" in caught.value.fix


@pytest.mark.parametrize("text", ["", "not json", "[1,2]", '{"version":1}', None, 7])
def test_anything_else_is_an_engine_error(text: object) -> None:
    with pytest.raises(EngineError, match="not its JSON reply"):
        parse_reply("Info", text)


def test_call_error_without_a_known_kind_still_has_a_fix() -> None:
    assert call_error("X", "something odd").fix


def test_replies_become_file_stats_and_digests() -> None:
    assert stat_from_reply({"ok": 1, "exists": 0}) is None
    stat = stat_from_reply({"ok": 1, "exists": 1, "size": 8192, "mtime": "67000,100"})
    assert stat is not None and (stat.size, stat.mtime) == (8192, "67000,100")
    got = transferred_from_reply({"ok": 1, "sha256": "AB" * 32, "size": 3})
    assert (got.sha256, got.size) == ("ab" * 32, 3)
    with pytest.raises(EngineError, match="malformed"):
        transferred_from_reply({"ok": 1, "sha256": "xyz", "size": 3})
