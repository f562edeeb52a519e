"""docs/iris-calls.md's call table is held equal to the code, in both directions: every
``##class(X).Y(`` and ``$SYSTEM.X.Y(`` in the helper class (read with the grammar), every IRIS
class method the Python side calls by name, and every driver method it uses has a row; every
row names something the code calls. Each row says its source, how it is checked, and whether
it ran on IRIS."""

from __future__ import annotations

import re
from pathlib import Path

from tests.static.objectscript import ClassFile, calls
from tests.static.python_calls import driver_calls, iris_calls

DOC = Path(__file__).parents[2] / "docs" / "iris-calls.md"
SECTION = "## Call table"
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$")


def table_rows(text: str) -> dict[str, list[str]]:
    """First cell (the call) -> the other cells, for the rows of the call table section."""
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    rows: dict[str, list[str]] = {}
    for line in text[start:end if end > 0 else None].splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def key_of_written(cls: str, member: str, system: bool) -> str:
    return f"$SYSTEM.{cls.removeprefix('%SYSTEM.')}.{member}" if system \
        else f"##class({cls}).{member}"


def calls_in_code(helper_class: ClassFile) -> set[str]:
    found = {key_of_written(c.cls, c.member, c.written.startswith("$SYSTEM"))
             for c in calls(helper_class) if c.kind == "classmethod"}
    found |= {key_of_written(c.cls, c.method, False) for c in iris_calls()}
    found |= {f"driver.{name}" for name in driver_calls()}
    return found


def test_every_call_has_a_row_and_every_row_a_call(helper_class: ClassFile) -> None:
    rows = table_rows(DOC.read_text(encoding="utf-8"))
    code = calls_in_code(helper_class)
    assert len(code) > 40
    assert sorted(code - rows.keys()) == [], "calls without a row in docs/iris-calls.md"
    assert sorted(rows.keys() - code) == [], "rows in docs/iris-calls.md for calls not made"


def test_every_row_names_its_source_check_and_whether_it_ran() -> None:
    rows = table_rows(DOC.read_text(encoding="utf-8"))
    for call, cells in rows.items():
        assert len(cells) == 4, (call, cells)
        used_in, source, checked, ran = cells
        assert used_in and source and checked, call
        assert re.match(r"^(no|yes)\b", ran), (call, ran)


def test_a_missing_row_or_a_stale_row_is_caught(helper_class: ClassFile) -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = table_rows(text)
    code = calls_in_code(helper_class)
    some = sorted(rows)[0]
    without = "\n".join(line for line in text.splitlines() if f"| `{some}` |" not in line)
    assert code - table_rows(without).keys() == {some}
    extra = "\n| `##class(X.Y).Gone` | a | b | c | no |\n"
    stale = text.replace(SECTION + "\n", SECTION + "\n" + extra, 1)
    assert table_rows(stale).keys() - code == {"##class(X.Y).Gone"}


def used_in_code(helper_class: ClassFile) -> dict[str, set[str]]:
    """Each ObjectScript class-method call -> the helper methods that make it."""
    spans = [(m.node.start_point[0] + 1, m.node.end_point[0] + 1, name)
             for name, m in helper_class.methods.items()]
    used: dict[str, set[str]] = {}
    for call in calls(helper_class):
        if call.kind == "classmethod":
            key = key_of_written(call.cls, call.member, call.written.startswith("$SYSTEM"))
            used.setdefault(key, set()).update(
                name for first, last, name in spans if first <= call.line <= last)
    return used


def used_in_table(text: str) -> dict[str, set[str]]:
    return {call: {name.strip() for name in cells[0].split(",")}
            for call, cells in table_rows(text).items()}


def test_the_used_in_column_names_the_helper_methods_that_make_each_call(
        helper_class: ClassFile) -> None:
    table = used_in_table(DOC.read_text(encoding="utf-8"))
    wrong = {call: (sorted(table.get(call, set())), sorted(methods))
             for call, methods in used_in_code(helper_class).items()
             if table.get(call) != methods}
    assert wrong == {}, "docs/iris-calls.md 'used in' (table, code) differ"


def test_a_stale_used_in_cell_is_caught(helper_class: ClassFile) -> None:
    text = DOC.read_text(encoding="utf-8")
    row = "| `##class(%Library.File).Rename` | "
    start = text.index(row) + len(row)
    stale = text[:start] + "FileRename" + text[text.index(" |", start):]
    code = used_in_code(helper_class)["##class(%Library.File).Rename"]
    assert used_in_table(stale)["##class(%Library.File).Rename"] == {"FileRename"} != code
