"""ObjectScript rules that bite without a compiler, checked on the syntax tree; each check is
shown failing on a planted mistake."""

from __future__ import annotations

import pytest

from tests.static.objectscript import (
    ClassFile,
    quit_with_argument_in_loop_or_try,
    read_class,
    status_used_before_set,
    typed_methods_without_a_value,
)


def wrap(body: str, returns: str = " As %String") -> ClassFile:
    text = f"Class A.B\n{{\nClassMethod F(x As %String){returns}\n{{\n{body}\n}}\n}}\n"
    return read_class(text)


def test_the_helper_keeps_every_rule(helper_class: ClassFile) -> None:
    assert quit_with_argument_in_loop_or_try(helper_class) == []
    assert typed_methods_without_a_value(helper_class) == []
    assert status_used_before_set(helper_class) == []


@pytest.mark.parametrize("body", [
    '    For { Quit 1 }\n    Quit 0',
    '    While x { If x Quit 1 }\n    Quit 0',
    '    Do { Quit 1 } While x\n    Quit 0',
    '    Try { Quit 1 } Catch ex { }\n    Quit 0',
    '    Try { } Catch ex { Quit 1 }\n    Quit 0',
])
def test_quit_with_an_argument_in_a_loop_or_try_is_caught(body: str) -> None:
    assert quit_with_argument_in_loop_or_try(wrap(body))


@pytest.mark.parametrize("body", [
    '    For { Quit:x=""  }\n    Try { Return 1 } Catch ex { }\n    Quit 0',
    '    Quit:x="" 1\n    Quit 0',
])
def test_allowed_quits_pass(body: str) -> None:
    assert quit_with_argument_in_loop_or_try(wrap(body)) == []


@pytest.mark.parametrize("body", [
    '    Set y = 1',
    '    If x Quit\n    Quit 1',
    '    If x { Quit 1 }',
    '    If x { Quit 1 } Else { Set y = 2 }',
    '    Quit:x 1',
])
def test_a_typed_method_without_a_value_on_some_path_is_caught(body: str) -> None:
    assert typed_methods_without_a_value(wrap(body))


@pytest.mark.parametrize("body", [
    '    Quit 1',
    '    If x { Quit 1 } Else { Quit 2 }',
    '    For { Quit:x=""  }\n    Quit 3',
    '    Throw ##class(%Exception.General).%New("x")',
])
def test_typed_methods_with_a_value_on_every_path_pass(body: str) -> None:
    assert typed_methods_without_a_value(wrap(body)) == []


def test_an_untyped_method_may_quit_without_a_value() -> None:
    assert typed_methods_without_a_value(wrap("    Quit", returns="")) == []


def test_a_status_read_after_openid_but_never_set_is_caught() -> None:
    body = ('    Set db = ##class(SYS.Database).%OpenId(x, , .sc)\n'
            '    If $System.Status.IsError(sc) Quit 0\n    Quit 1')
    assert status_used_before_set(wrap(body))
    fixed = "    Set sc = 1\n" + body
    assert status_used_before_set(wrap(fixed)) == []


def test_a_status_never_read_afterwards_needs_no_set() -> None:
    body = '    Set db = ##class(SYS.Database).%OpenId(x, , .sc)\n    Quit $IsObject(db)'
    assert status_used_before_set(wrap(body)) == []
