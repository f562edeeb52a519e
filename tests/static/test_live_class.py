"""The test-only class the round-3 live checks compile into IRIS (tests/contract/
test_live_iris_round3.py) parses cleanly with the same grammar as the helper: a syntax error
there would only show on the first live run."""

from __future__ import annotations

from tests.contract.test_live_iris_round3 import TEST_CLASS_TEXT
from tests.static.objectscript import broken, parse


def test_the_live_test_class_parses() -> None:
    tree, _ = parse(TEST_CLASS_TEXT)
    assert broken(tree) == []


def test_a_planted_syntax_error_in_it_is_caught() -> None:
    tree, _ = parse(TEST_CLASS_TEXT.replace("Kill p  Set p(", "Kill p  Set p((", 1))
    assert broken(tree) != []
