"""irisfx writes over a fixture's path only where it made the file, and never advises deleting
one; a damaged database is refused before anything records it (issue 18 items 1, 2, 27)."""

from __future__ import annotations

import hashlib
import json
import shutil
import tomllib
from pathlib import Path

import tomli_w

from tests.conftest import ProjectDir

DAT = Path("fixtures/items/IRIS.DAT")
README = b"# My project\n\nNotes that are not a database.\n" * 40


def _no_destroying_advice(text: str) -> None:
    assert "delete" not in text.lower() and "Traceback" not in text, text
    assert "please report" not in text, text


def test_a_file_that_is_not_a_database_is_refused_as_a_fixture_file(project: ProjectDir) -> None:
    readme = project.root / "README.md"
    readme.write_bytes(README)
    project.write_config('file = "README.md"')
    for args in (["plan"], ["list"], ["apply", "--rebuild", "items", "--auto-approve"]):
        run = project.irisfx(*args)
        assert run.code == 1, run.text
        assert "README.md is not a database file" in run.err, run.text
        _no_destroying_advice(run.text)
    assert readme.read_bytes() == README


def test_a_pinned_fixture_pointed_at_a_readme_is_never_rebuilt_over_it(
        applied: ProjectDir) -> None:
    readme = applied.root / "README.md"
    readme.write_bytes(README)
    doc = tomllib.loads(applied.config.read_text())
    doc["fixtures"]["items"]["file"] = "README.md"  # the pin stays: it is not README's
    applied.config.write_text(tomli_w.dumps(doc))
    for command in ("plan", "verify"):
        run = applied.irisfx(command)
        assert run.code == 3 and "README.md is not a database file" in run.out, run.text
        assert "--rebuild" not in run.out
        _no_destroying_advice(run.text)
    run = applied.irisfx("apply", "--rebuild", "items", "--auto-approve")
    assert run.code == 3, run.text
    _no_destroying_advice(run.text)
    assert readme.read_bytes() == README


def test_an_unpinned_database_is_adopted_or_left_never_rebuilt_over(
        applied: ProjectDir) -> None:
    doc = tomllib.loads(applied.config.read_text())
    body = doc["fixtures"]["items"]
    del body["pin"]
    applied.config.write_text(tomli_w.dumps(doc))
    before = (applied.root / DAT).read_bytes()
    for args in (["plan"], ["apply", "--rebuild", "items", "--auto-approve"]):
        run = applied.irisfx(*args)
        assert run.code == 3 and "has a file but no pin" in run.text, run.text
        assert "irisfx pin items" in run.text
        _no_destroying_advice(run.text)
    assert (applied.root / DAT).read_bytes() == before


def test_pin_records_the_tables_of_a_readable_file(applied: ProjectDir) -> None:
    other = applied.root / "fixtures/other/IRIS.DAT"
    other.parent.mkdir()
    shutil.copyfile(applied.root / DAT, other)
    applied.config.write_text(applied.config.read_text() + '\n[fixtures.other]\n'
                              'mount = "FX_OTHER"\nsource = "FXSRC_OTHER"\n')
    run = applied.irisfx("pin", "other", "--yes")
    assert run.code == 0, run.text
    pin = tomllib.loads(applied.config.read_text())["fixtures"]["other"]["pin"]
    assert pin["tables"] == {"Shop.Item": 3}


def _damage_schema(path: Path) -> None:
    """One byte of the schema text changed: SQLite then calls the schema malformed."""
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    at = data.index(b"CREATE TABLE")
    data[at] = ord("X")
    path.write_bytes(bytes(data))


def test_pin_refuses_a_damaged_database(applied: ProjectDir) -> None:
    _damage_schema(applied.root / DAT)
    before = applied.config.read_bytes()
    run = applied.irisfx("pin", "items", "--yes")
    assert run.code == 3, run.text
    assert "damaged database" in run.err and "Nothing was pinned." in run.err
    _no_destroying_advice(run.text)
    assert applied.config.read_bytes() == before


def test_a_damaged_pinned_database_fails_apply_before_it_is_recorded(
        applied: ProjectDir) -> None:
    assert applied.irisfx("unmount", "items", "--yes").code == 0
    path = applied.root / DAT
    _damage_schema(path)
    data = path.read_bytes()
    # Pinned by hand, as an older irisfx's 'pin --yes' let one do.
    doc = tomllib.loads(applied.config.read_text())
    doc["fixtures"]["items"]["pin"].update(sha256=hashlib.sha256(data).hexdigest(),
                                           size=len(data))
    applied.config.write_text(tomli_w.dumps(doc))
    run = applied.irisfx("apply")
    assert run.code == 3, run.text
    assert "damaged database" in run.err and "please report" not in run.text
    owned = json.loads(applied.irisfx("status", "--json").out)["owned"]
    assert "FX_ITEMS" not in {r["namespace"] for r in owned}
    assert applied.irisfx("check").code == 2  # the mount is still to do: not "No changes"
