"""Problems in fixtures.toml in irisfx's words, with lines, in line order (issues 9.11, 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from irisfx import __version__
from irisfx.errors import ExitCode
from irisfx.lockfile.project import load_project
from irisfx.lockfile.tomlkeys import KeyLines, show_key
from tests.decl.conftest import BASE, error_of, write


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("[fixtures]\na = 1\n", "fixtures.toml:4: fixtures.a: must be a table"),
        ('[fixtures.a]\npin = 3\n', "fixtures.toml:4: fixtures.a.pin: must be a table"),
        ('[fixtures.a]\nexpect = 5\n', "fixtures.toml:4: fixtures.a.expect: must be a table"),
        ('[fixtures.a]\nreadonly = "no"\n',
         "fixtures.toml:4: fixtures.a.readonly: must be true or false"),
        ('[fixtures.a]\nmount = 5\n', "fixtures.toml:4: fixtures.a.mount: must be a string"),
        ('[fixtures.a]\nqueries = 5\n',
         "fixtures.toml:4: fixtures.a.queries: must be an array"),
        ('[fixtures.a]\nexpect = { "Demo.T" = "x" }\n',
         'fixtures.toml:4: fixtures.a.expect."Demo.T": must be a whole number'),
        ('[fixtures.a]\nexpect = { "Demo.T" = -1 }\n',
         'fixtures.toml:4: fixtures.a.expect."Demo.T": must be 0 or more'),
    ],
)
def test_type_problems_are_in_irisfx_words(tmp_path: Path, body: str, line: str) -> None:
    rendered = error_of(write(tmp_path, BASE + body)).render()
    assert line in rendered
    assert "Input should be" not in rendered
    assert "instance of" not in rendered


def test_a_non_ascii_name_says_ascii_letters(tmp_path: Path) -> None:
    rendered = error_of(write(tmp_path, BASE + '[fixtures."café"]\n')).render()
    assert 'fixtures.toml:3: fixtures."café": invalid fixture name' in rendered
    assert "use ASCII letters" in rendered
    for name in ("café", "naïve", "ΑΒΓ"):
        text = f'[irisfx]\nproject = "{name}"\n'
        assert "use ASCII letters" in error_of(write(tmp_path, text)).render()


def test_an_empty_file_says_the_irisfx_table_is_missing(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, ""))
    assert err.exit_code == ExitCode.USAGE
    assert "fixtures.toml: [irisfx] is missing" in err.render()
    assert "required key is missing" not in err.render()


def test_problems_are_listed_in_line_order(tmp_path: Path) -> None:
    text = (
        '[fixtures.zz]\nreadonly = "no"\n'  # lines 1-2
        '[fixtures.aa]\nmount = 1\n'  # 3-4
        '[irisfx]\nproject = "bad name"\n'  # 5-6
    )
    details = error_of(write(tmp_path, text)).details
    lines = [int(d.split(":")[1]) for d in details]
    assert lines == [2, 4, 6]


def test_collisions_and_path_problems_are_one_list_in_line_order(tmp_path: Path) -> None:
    text = BASE + (
        '[fixtures.b]\nfile = "fixtures.toml"\n'  # 3-4
        '[fixtures.c]\nmount = "FX_B"\n'  # 5-6
    )
    details = error_of(write(tmp_path, text)).details
    assert [d.split(":")[1] for d in details] == ["4", "6"]


def test_keys_are_shown_as_toml_writes_them() -> None:
    assert show_key(["fixtures", "a", "expect", "Demo.T"]) == 'fixtures.a.expect."Demo.T"'
    assert show_key(["fixtures", "a b", "queries", 0, "sql"]) == 'fixtures."a b".queries[0].sql'
    assert show_key(["fixtures", "café", "[key]"]) == 'fixtures."café"'


def test_key_lines_know_arrays_of_tables_and_dotted_keys() -> None:
    text = (
        '[irisfx]\nproject = "p"\n[fixtures."a.b"]\npin.size = 1\n'
        '[[fixtures."a.b".queries]]\nsql = "SELECT 1"\n'
        '[[fixtures."a.b".queries]]\nequals = 2\n'
    )
    lines = KeyLines(text)
    assert lines.line(["fixtures", "a.b", "pin", "size"]) == 4
    assert lines.line(["fixtures", "a.b", "queries", 0, "sql"]) == 6
    assert lines.line(["fixtures", "a.b", "queries", 1, "equals"]) == 8
    assert lines.line(["fixtures", "a.b", "queries", 1, "sql"]) == 7
    assert lines.line(["fixtures", "a.b", "nope"]) == 3
    assert lines.line(["nothing"]) is None


def test_two_thousand_problems_each_name_their_own_line(tmp_path: Path) -> None:
    count = 2000
    body = "".join(f'[fixtures.f{i}]\nreadonly = "no"\n' for i in range(count))
    err = error_of(write(tmp_path, BASE + body))
    assert err.message == f"fixtures.toml has {count} problem(s)"
    assert len(err.details) == count
    for i, detail in enumerate(err.details):
        assert detail == f"fixtures.toml:{4 + 2 * i}: fixtures.f{i}.readonly: must be true or false"


def test_tables_nested_thousands_deep_are_a_clean_error(tmp_path: Path) -> None:
    depth = 5000
    body = "x = " + "{ a = " * depth + "1" + " }" * depth + "\n"
    err = error_of(write(tmp_path, BASE + body))
    assert err.exit_code == ExitCode.USAGE
    assert "nests tables or arrays too deeply" in err.message
    deep_arrays = BASE + "x = " + "[" * depth + "]" * depth + "\n"
    assert "too deeply" in error_of(write(tmp_path, deep_arrays)).message


def test_format_one_is_written_and_files_without_it_read_as_format_one(tmp_path: Path) -> None:
    from irisfx.lockfile.project import render_document, save_project

    path = write(tmp_path, BASE + "[fixtures.a]\n")
    project = load_project(path)
    assert project.doc.irisfx.format == 1
    save_project(project, project.doc)
    assert path.read_text().startswith('[irisfx]\nformat = 1\nproject = "p"\n')
    assert load_project(path).doc == project.doc
    # Only format is added; the rest stays as written (lockfile/write.py).
    assert path.read_text() == '[irisfx]\nformat = 1\nproject = "p"\n[fixtures.a]\n'
    assert render_document(load_project(path).doc).startswith('[irisfx]\nformat = 1\n')


def test_a_newer_format_is_refused_with_upgrade_advice(tmp_path: Path) -> None:
    text = ('[irisfx]\nformat = 2\nproject = "p"\nlayout = "new"\n'
            '[fixtures.a.pins.v2]\nsha = "x"\n')
    err = error_of(write(tmp_path, text))
    assert err.exit_code == ExitCode.USAGE
    assert "newer format" in err.message
    assert err.details == ["fixtures.toml:2: irisfx.format: format 2 was written by a newer "
                           f"irisfx (this one, irisfx {__version__}, reads format 1); "
                           "upgrade irisfx"]
    assert "upgrade irisfx" in (err.fix or "")


def test_a_newer_format_names_the_irisfx_that_wrote_it(tmp_path: Path) -> None:
    text = '[irisfx]\nformat = 3\nformat_by = "irisfx 2.4.1"\nproject = "p"\n'
    err = error_of(write(tmp_path, text))
    assert err.details == ["fixtures.toml:2: irisfx.format: format 3 was written by irisfx "
                           f"2.4.1 (this one, irisfx {__version__}, reads format 1); upgrade "
                           "to irisfx 2.4.1 or later"]
    assert err.fix == "upgrade irisfx (pip install -U 'irisfx>=2.4.1'), then run the command again"


@pytest.mark.parametrize("by", ['"irisfx 2.0\\u001b[31m"', '"rm -rf / 2.0"', "7", '""'])
def test_a_format_by_of_another_shape_is_not_repeated(tmp_path: Path, by: str) -> None:
    err = error_of(write(tmp_path, f'[irisfx]\nformat = 3\nformat_by = {by}\nproject = "p"\n'))
    assert "written by a newer irisfx" in err.details[0]
    assert "pip install -U irisfx)" in (err.fix or "")


def test_format_by_is_read_and_checked_in_a_current_file(tmp_path: Path) -> None:
    ok = load_project(write(tmp_path, '[irisfx]\nformat = 1\nformat_by = "irisfx 0.1.0"\n'
                                      'project = "p"\n'))
    assert ok.doc.irisfx.format_by == "irisfx 0.1.0"
    err = error_of(write(tmp_path, '[irisfx]\nformat_by = "me"\nproject = "p"\n'))
    assert err.exit_code == ExitCode.USAGE and "format_by" in "".join(err.details)


@pytest.mark.parametrize("value", ["0", '"1"', "1.0", "true"])
def test_a_malformed_format_is_refused(tmp_path: Path, value: str) -> None:
    text = f'[irisfx]\nformat = {value}\nproject = "p"\n'
    assert "fixtures.toml:2: irisfx.format:" in error_of(write(tmp_path, text)).render()


def test_a_project_id_is_kept_and_checked(tmp_path: Path) -> None:
    from irisfx.lockfile.names import new_project_id

    fresh = new_project_id()
    project = load_project(write(tmp_path, f'[irisfx]\nproject = "p"\nid = "{fresh}"\n'))
    assert project.doc.irisfx.id == fresh
    assert load_project(write(tmp_path, BASE)).doc.irisfx.id is None
    for bad in ("XYZ", "0123", "0123456789AB", "g" * 12):
        text = f'[irisfx]\nproject = "p"\nid = "{bad}"\n'
        assert "fixtures.toml:3: irisfx.id: invalid project id" in \
            error_of(write(tmp_path, text)).render()
