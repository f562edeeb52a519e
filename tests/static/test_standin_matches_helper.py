"""The stand-in (tests/standin) and ZIrisFx.Helper.cls offer the same protocol, both ways.

Same public class methods, same parameters in the same order, and the same reply keys: those a
method of the class sets (``%Set("key", ...)`` or a JSON literal), its own or in the private
methods it calls, against those the stand-in's method declares (and may not exceed at run
time: tests/standin/iris/_server/calls.py). A method added, removed or changed on one side and
not the other fails here, naming it.
"""

from __future__ import annotations

import re

from tests.standin.iris._server.calls import BASE_KEYS, arity, public_methods
from tests.standin.iris._server.helper import Helper
from tests.static.objectscript import ClassFile, read_class, text_of

KEY_SET = re.compile(r'\.%Set\("(\w+)"')
KEY_LITERAL = re.compile(r'[{,]\s*"(\w+)"\s*:')
RELATIVE_CALL = re.compile(r"\.\.(\w+)\(")


def class_reply_keys(cls: ClassFile, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """Reply keys method ``name`` sets, itself or through the class's methods it calls."""
    text = text_of(cls.methods[name].node, cls.source)
    keys = set(KEY_SET.findall(text)) | set(KEY_LITERAL.findall(text))
    for called in set(RELATIVE_CALL.findall(text)) - seen - {name}:
        if called in cls.methods:
            keys |= class_reply_keys(cls, called, seen | {name})
    return keys - BASE_KEYS


def class_public(cls: ClassFile) -> dict[str, list[str]]:
    """Public class methods of the class and their parameter names."""
    return {name: [p for p, _ in method.params] for name, method in cls.methods.items()
            if not method.private and method.kind == "ClassMethod"}


def standin_public() -> dict[str, list[str]]:
    """Public methods of the stand-in and their parameter names."""
    return {name: arity(method) for name, method in public_methods(Helper).items()}


def test_the_same_public_methods(helper_class: ClassFile) -> None:
    in_class, in_standin = set(class_public(helper_class)), set(standin_public())
    assert in_class - in_standin == set(), "public in the class, missing from the stand-in"
    assert in_standin - in_class == set(), "in the stand-in, not public in the class"


def test_the_same_parameters(helper_class: ClassFile) -> None:
    expected = class_public(helper_class)
    differ = {name: (expected[name], params) for name, params in standin_public().items()
              if name in expected and [p.lower() for p in params]
              != [p.lower() for p in expected[name]]}
    assert differ == {}, "(class, stand-in) parameters differ"


def test_the_same_reply_keys(helper_class: ClassFile) -> None:
    declared = {name: set(method.reply_keys)  # type: ignore[attr-defined]
                for name, method in public_methods(Helper).items()}
    differ = {name: (sorted(class_reply_keys(helper_class, name)), sorted(keys))
              for name, keys in declared.items()
              if name in helper_class.methods and class_reply_keys(helper_class, name) != keys}
    assert differ == {}, "(class, stand-in) reply keys differ"


SAMPLE = """\
Class Z.Sample Extends %RegisteredObject
{

ClassMethod Outer(a As %String, b As %Integer) As %String
{
    Set r = {"ok":1, "direct":2}
    Do r.%Set("named", ..Inner(a))
    Quit r.%ToJSON()
}

ClassMethod Inner(a As %String) As %DynamicObject [ Private ]
{
    Set f = {"exists":0}
    Do f.%Set("deep", a)
    Quit f
}

}
"""


def test_the_reading_sees_keys_through_private_calls_and_skips_private_methods() -> None:
    sample = read_class(SAMPLE)
    assert class_public(sample) == {"Outer": ["a", "b"]}
    assert class_reply_keys(sample, "Outer") == {"direct", "named", "exists", "deep"}
