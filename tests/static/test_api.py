"""Every IRIS call in the helper, checked against the signatures exported from IRIS 2024.1
(tests/static/data/iris-classes-2024.1.json, a copy of shared/iris-api/ with six classes added
from the 2024.1 class reference): the class exists,
the method exists with that kind, the argument count fits; properties exist. Each kind of
mistake is planted once to show the check fails."""

from __future__ import annotations

import pytest

from tests.static.objectscript import API_FILE, ClassFile, api, api_problems, read_class, unresolved
from tests.static.python_calls import iris_calls

# 31 exported from IRIS 2024.1, and 6 added by hand from the 2024.1 class reference (only the
# members irisfx uses and their neighbours): %SQL.Statement and %SQL.StatementMetadata for the
# read-only connection, Security.Resources for adopted files, Config.MapGlobals,
# Config.MapRoutines and Config.MapPackages for databases reached through mappings.
IRIS_CLASSES = 37


def test_the_signature_table_ships_with_the_tests() -> None:
    assert API_FILE.is_file()
    assert len(api()) == IRIS_CLASSES
    mount = api()["SYS.Database"]["methods"]["MountDatabase"]["params"]
    assert [p["name"] for p in mount] == ["Directory", "readonly", "cluster", "mirrorcatchup"]


def test_every_call_and_property_of_the_helper_fits(helper_class: ClassFile) -> None:
    assert api_problems(helper_class) == []


def test_every_receiver_class_is_known(helper_class: ClassFile) -> None:
    # Otherwise an obj.M() would silently escape the check.
    assert unresolved(helper_class) == []


def test_the_python_side_calls_existing_class_methods_with_fitting_arguments() -> None:
    calls = iris_calls()
    assert {(c.cls, c.method) for c in calls} >= {("%SYSTEM.OBJ", "Compile")}
    for call in calls:
        methods = api()[call.cls]["methods"]
        assert call.method in methods, call
        assert methods[call.method]["kind"] == "ClassMethod", call
        assert call.args <= len(methods[call.method]["params"]), call


@pytest.mark.parametrize(("old", "new", "complaint"), [
    ("$System.Encryption.SHAHashStream(256, s)", "$System.Encryption.SHA256HashStream(s)",
     "has no method SHA256HashStream"),
    ("MountDatabase(dir, 1)", "MountDatabase(dir, 1, 0, 1, 0)", "5 arguments"),
    ("''db.ReadOnlyMounted", "''db.ReadOnlyMountd", "has no property ReadOnlyMountd"),
    ("##class(Config.Namespaces).Exists(ns)", "##class(Config.Namespace).Exists(ns)",
     "not in the signature table"),
    ("Do ..Check(sc)", "Do ..Check(sc, 1)", "Check takes 1"),
    ("Do ..EnsureDirectory(dir)", "Do ..EnsureDirectry(dir)", "no method EnsureDirectry"),
    ("s.LinkToFile(path)", "s.LinkFile(path)", "has no method LinkFile"),
])
def test_a_planted_mistake_is_caught(sent_text: str, old: str, new: str, complaint: str) -> None:
    assert old in sent_text
    problems = api_problems(read_class(sent_text.replace(old, new, 1)))
    assert any(complaint in problem for problem in problems), problems
