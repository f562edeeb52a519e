"""The script reader: every shape IRIS users write, each statement with its file line.

The shapes come from IRIS's own script format (IRIS-SQL-FACTS.md §8: ``GO`` on a line of its
own, as ``$SYSTEM.SQL.Schema.ExportDDL`` writes and ``ImportDDL``/``Run()`` read) and from how
public IRIS projects write recipes (lower-case ``go``, ObjectScript function bodies with ``'=``
and nested braces, BEGIN ... END procedures, ODBC escapes). The scripts here are our own.
"""

from __future__ import annotations

import pytest

from irisfx.recipes.script import ScriptError, Statement, read_script, split_sql


def _lines(text: str) -> list[tuple[int, str]]:
    return [(s.line, s.text) for s in read_script(text)]


def test_semicolons_in_strings_do_not_split_and_comments_are_dropped() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE t (a VARCHAR(10)); /* block; comment */
    INSERT INTO t VALUES ('x;y');
    INSERT INTO t VALUES ('it''s; fine') ;
    SELECT "odd;name" FROM t
    """
    assert split_sql(script) == [
        "CREATE TABLE t (a VARCHAR(10))",
        "INSERT INTO t VALUES ('x;y')",
        "INSERT INTO t VALUES ('it''s; fine')",
        'SELECT "odd;name" FROM t',
    ]


def test_a_script_of_comments_and_empty_statements_has_none() -> None:
    assert split_sql("-- nothing\n;;\n/* */") == []


def test_every_statement_keeps_the_line_its_first_word_stands_on() -> None:
    script = "-- header\n\nCREATE TABLE t (\n  a INT\n);\n/* c */ INSERT INTO t\nVALUES (1);"
    assert _lines(script) == [(3, "CREATE TABLE t (\n  a INT\n)"),
                              (6, "INSERT INTO t\nVALUES (1)")]


def test_lines_count_crlf_and_cr_endings_once() -> None:
    assert [s.line for s in read_script("SELECT 1;\r\n\r\nSELECT 2;\rSELECT 3")] == [1, 3, 4]


def test_go_on_its_own_line_ends_statements_in_any_case() -> None:
    """IRIS's script format: "the end-of-statement marker must be on a line by itself"."""
    script = ("CREATE TABLE Sample.A (Name VARCHAR(20))\nGO\n"
              "INSERT INTO Sample.A (Name) VALUES ('go')\n  go  \n"
              "INSERT INTO Sample.A (Name) VALUES ('x');\nGo\n"
              "SELECT Name FROM Sample.A WHERE Name = 'GO'\ngo")
    assert _lines(script) == [
        (1, "CREATE TABLE Sample.A (Name VARCHAR(20))"),
        (3, "INSERT INTO Sample.A (Name) VALUES ('go')"),
        (5, "INSERT INTO Sample.A (Name) VALUES ('x')"),
        (7, "SELECT Name FROM Sample.A WHERE Name = 'GO'"),
    ]


def test_go_inside_a_line_or_a_name_is_not_a_terminator() -> None:
    assert split_sql("SELECT go_live, GOTO FROM t WHERE x = 1 GO") == [
        "SELECT go_live, GOTO FROM t WHERE x = 1 GO"]


def test_a_file_of_one_statement_needs_no_terminator() -> None:
    assert _lines("\n\nCREATE TABLE t (a INT)\n") == [(3, "CREATE TABLE t (a INT)")]


def test_objectscript_function_body_is_one_statement_sent_whole() -> None:
    body = ('{\n set ymd = $zdate(bdate,8) ; a comment with } and ; in it\n'
            ' if (a \'= b) { set offset = 1 }  // not equal, not a string\n'
            ' else { set s = "}{;" }\n'
            ' #; another comment }\n'
            ' /* block } */\n'
            " &sql(SELECT Name INTO :n FROM T WHERE Name = '}')\n"
            ' quit age\n}')
    script = (f"drop function dba.f_age\ngo\nCREATE FUNCTION dba.f_age(IN bdate DATE)\n"
              f"RETURNS DECIMAL(5,2)\nLANGUAGE OBJECTSCRIPT\n{body}\ngo\nSELECT 1")
    statements = read_script(script)
    assert [(s.line, s.body) for s in statements] == [(1, None), (3, "objectscript"), (16, None)]
    assert statements[1].text.endswith(body)  # byte for byte, comments included


def test_computecode_bodies_hold_objectscript_not_sql_strings() -> None:
    """An ObjectScript ``'=`` inside braces once opened a 'string' that swallowed the file."""
    script = ("CREATE TABLE P (A VARCHAR(9), B VARCHAR(9) COMPUTECODE "
              "{ if {A}'=\"\" { set {B}={A}_\";\" } } COMPUTEONCHANGE (A));\n"
              "INSERT INTO P (A) VALUES ('x');")
    assert [s.line for s in read_script(script)] == [1, 2]


def test_begin_end_bodies_keep_their_inner_semicolons() -> None:
    script = """CREATE PROCEDURE Sample.Fill(IN n INT)
LANGUAGE SQL
BEGIN
  DECLARE y INT;
  SET y = CASE WHEN n > 1 THEN 1 ELSE 0 END;
  IF y = 1 THEN
    INSERT INTO Sample.T VALUES (1);
  END IF;
  WHILE y < n DO SET y = y + 1; END WHILE;
END;
CREATE TRIGGER Sample.Tr AFTER INSERT ON Sample.T FOR EACH ROW
BEGIN
  INSERT INTO Sample.Log VALUES ('x;y');
END
;
INSERT INTO Sample.T VALUES (2);"""
    statements = read_script(script)
    assert [(s.line, s.body) for s in statements] == [(1, "sql"), (11, "sql"), (16, None)]
    assert statements[0].text.endswith("END WHILE;\nEND")


def test_case_expressions_outside_routines_need_no_counting() -> None:
    assert split_sql("SELECT CASE WHEN a = 1 THEN 'x;' END FROM t; SELECT 2") == [
        "SELECT CASE WHEN a = 1 THEN 'x;' END FROM t", "SELECT 2"]


def test_odbc_escapes_are_sql_not_bodies() -> None:
    script = "INSERT INTO t VALUES ({d '2020-01-02'}, {fn NOW()}, {ts '2020-01-02 03:04:05'});"
    assert split_sql(script) == [script[:-1]]


def test_python_bodies_follow_python_strings_and_comments() -> None:
    script = ("CREATE FUNCTION f(x INT) RETURNS INT LANGUAGE PYTHON\n"
              "{\n  d = {'a': '}'}  # a } in a comment\n  return len(\"\"\"}\"\"\")\n}\n"
              "GO\nSELECT 1")
    statements = read_script(script)
    assert [(s.line, s.body) for s in statements] == [(1, "python"), (7, None)]


def test_a_missing_semicolon_between_statements_names_both_lines() -> None:
    with pytest.raises(ScriptError) as info:
        read_script("INSERT INTO Demo.T VALUES (1)\nINSERT INTO Demo.T VALUES (2);")
    assert info.value.line == 2
    assert "statement on line 1 has no ';' or GO" in str(info.value)


@pytest.mark.parametrize("script", [
    "ALTER TABLE t\nDROP COLUMN c",
    "ALTER TABLE t\nALTER COLUMN c VARCHAR(9)",
    "INSERT INTO t\nSELECT * FROM u",
    "CREATE VIEW v AS\nSELECT 1",
    "CREATE TABLE t (a INT,\n  CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id)\n"
    "  ON DELETE CASCADE)",
])
def test_continuation_lines_that_look_like_statements_are_not_refused(script: str) -> None:
    assert len(read_script(script)) == 1


def test_an_unclosed_objectscript_body_is_refused_at_its_line() -> None:
    with pytest.raises(ScriptError, match="ObjectScript body opened here") as info:
        read_script("SELECT 1;\nCREATE PROCEDURE p() LANGUAGE OBJECTSCRIPT\n{ quit 1\n")
    assert info.value.line == 3


def test_an_unclosed_begin_is_refused_at_its_statement() -> None:
    with pytest.raises(ScriptError, match="no matching END") as info:
        read_script("SELECT 1;\nCREATE PROCEDURE p() BEGIN\n INSERT INTO t VALUES (1);")
    assert info.value.line == 2


def test_go_ends_even_a_body_whose_end_was_miscounted() -> None:
    # GO is IRIS's own terminator: it wins over our BEGIN ... END count.
    statements = read_script("CREATE PROCEDURE p() BEGIN\n SELECT 1;\nGO\nSELECT 2")
    assert [s.line for s in statements] == [1, 4]


def test_a_large_script_reads_in_one_pass() -> None:
    rows = "".join(f"INSERT INTO t VALUES ({i}, 'name {i}', {{d '2020-01-01'}});\n"
                   for i in range(20_000))
    statements = read_script(rows)
    assert len(statements) == 20_000
    assert statements[-1] == Statement("INSERT INTO t VALUES (19999, 'name 19999', "
                                       "{d '2020-01-01'})", 20_000)
