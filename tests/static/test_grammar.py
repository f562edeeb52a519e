"""The helper class parses with InterSystems' tree-sitter grammar (tree-sitter-objectscript)."""

from __future__ import annotations

from tests.static.objectscript import ClassFile, broken, for_parse, parse, read_class


def test_the_class_as_sent_parses_without_error_or_missing_nodes(helper_class: ClassFile,
                                                                   sent_text: str) -> None:
    assert "\r\n" in sent_text  # what is parsed is what is sent: CRLF line ends
    assert broken(helper_class.tree) == []
    assert helper_class.name == "ZIrisFx.Helper"
    assert len(helper_class.methods) > 20


def test_a_planted_syntax_error_is_caught(sent_text: str) -> None:
    planted = sent_text.replace("Do ..Check(sc)", "Do ..Check(sc", 1)
    assert planted != sent_text
    tree, _ = parse(planted)
    assert broken(tree)


def test_an_unclosed_method_body_is_caught(sent_text: str) -> None:
    body_end = sent_text.rindex("}")
    tree, _ = parse(sent_text[:body_end] + "\r\n")
    assert broken(tree)


def test_line_ends_are_normalised_for_the_parse_only(sent_text: str) -> None:
    parsed = for_parse(sent_text).decode("utf-8")
    assert "\r" not in parsed
    assert parsed == sent_text.replace("\r\n", "\n")
    # An argument-less Quit followed by CR is where the grammar would report a false error.
    text = 'Class A.B\r\n{\r\nClassMethod F()\r\n{\r\n    Quit\r\n}\r\n}\r\n'
    assert broken(read_class(text).tree) == []
