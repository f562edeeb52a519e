"""fixtures.toml: parsing, validation messages with lines, canonical atomic saving."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from irisfx.errors import ConfigError, ExitCode
from irisfx.lockfile.project import load_project, locate_key, render_document, save_project


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fixtures.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_project(path)
    return info.value


BASE = '[irisfx]\nproject = "p"\n'


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, BASE + "[fixtures.a\nsource = 1\n"))
    assert err.exit_code == ExitCode.USAGE
    assert "not valid TOML" in err.message
    assert "line 3" in err.render()


def test_unknown_key_names_key_line_and_allowed_keys(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, BASE + '[fixtures.a]\nsourc = "X"\n'))
    rendered = err.render()
    assert "fixtures.toml:4: fixtures.a.sourc: unknown key" in rendered
    assert "allowed: description, source, recipe" in rendered


def test_missing_required_key(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "[irisfx]\n"))
    assert "irisfx.project: required key is missing" in err.render()


def test_duplicate_mounts_are_refused(tmp_path: Path) -> None:
    text = BASE + '[fixtures.a]\nmount = "FX_X"\n[fixtures.b]\nmount = "fx_x"\n'
    err = error_of(write(tmp_path, text))
    assert "namespace FX_X is already used by fixture 'a' mount" in err.render()


def test_mount_on_another_fixtures_source_is_refused(tmp_path: Path) -> None:
    text = BASE + '[fixtures.a]\nsource = "SRC"\n[fixtures.b]\nmount = "SRC"\n'
    assert "already used by fixture 'a' source" in error_of(write(tmp_path, text)).render()


@pytest.mark.parametrize(
    "namespace",
    ['X" _ "Y', "A;DROP TABLE x", "%SYS", "USER", "ns-1", "1ABC", "A B", "X$(1)"],
)
def test_namespaces_that_could_carry_code_are_refused(tmp_path: Path, namespace: str) -> None:
    text = BASE + f"[fixtures.a]\nmount = {namespace!r}\n".replace("'", '"', 2)
    if '"' in namespace:
        text = BASE + f"[fixtures.a]\nmount = '{namespace}'\n"
    rendered = error_of(write(tmp_path, text)).render()
    assert "fixtures.a.mount" in rendered


@pytest.mark.parametrize("path", ["../out.DAT", "/etc/passwd", "a/../../b", "~/x", "a\\b"])
def test_paths_leaving_the_project_are_refused(tmp_path: Path, path: str) -> None:
    err = error_of(write(tmp_path, BASE + f"[fixtures.a]\nfile = '{path}'\n"))
    assert "fixtures.a.file" in err.render()


def test_symlink_pointing_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "proj"
    project.mkdir()
    os.symlink(outside, project / "fixtures")
    err = error_of(write(project, BASE + "[fixtures.a]\n"))
    assert "leads outside the project folder" in err.render()
    assert "fixtures.toml:3: fixtures.a.file" in err.render()


def test_defaults_are_derived_from_the_name(tmp_path: Path) -> None:
    project = load_project(write(tmp_path, BASE + '[fixtures."orders-2"]\n'))
    fixture = project.fixture("orders-2")
    assert (fixture.source, fixture.mount, fixture.file) == (
        "FXSRC_ORDERS_2", "FX_ORDERS_2", "fixtures/orders-2/IRIS.DAT")


def test_unknown_fixture_lists_known_ones(tmp_path: Path) -> None:
    project = load_project(write(tmp_path, BASE + "[fixtures.alpha]\n[fixtures.beta]\n"))
    with pytest.raises(ConfigError) as info:
        project.fixture("alpah")
    assert "fixtures.toml declares: alpha, beta" in info.value.render()


def test_save_keeps_the_text_as_written_and_canonical_layout_keeps_every_key(
        tmp_path: Path) -> None:
    text = BASE + (
        '[fixtures.zeta]\nreadonly = true\n\n[fixtures.alpha]\ndescription = "d"\n'
        'expect = { "A.B" = 2 }\nmount = "fx_a"\n'
    )
    path = write(tmp_path, text)
    project = load_project(path)
    saved = save_project(project, project.doc)
    out = path.read_text(encoding="utf-8")
    # Saving changes only pins and format (lockfile/write.py): the user's order stays.
    assert out == text.replace("[irisfx]\n", "[irisfx]\nformat = 1\n", 1)
    assert load_project(path).doc == saved.doc
    assert not list(tmp_path.glob(".fixtures.toml.*"))
    canonical = render_document(project.doc)
    assert canonical.index("[fixtures.alpha]") < canonical.index("[fixtures.zeta]")
    assert "readonly = true" in canonical
    assert 'mount = "FX_A"' in canonical


def test_locate_key_finds_dotted_and_quoted_keys() -> None:
    text = (
        '[irisfx]\nproject = "p"\n[fixtures."a.b"]\nmount = "X"\n'
        '[fixtures."a.b".pin]\nsize = 1\n'
    )
    assert locate_key(text, ["fixtures", "a.b", "mount"]) == 4
    assert locate_key(text, ["fixtures", "a.b", "pin", "size"]) == 6
    assert locate_key(text, ["fixtures", "a.b", "nope"]) == 3


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "fixtures.toml"
    path.write_bytes(b"[irisfx]\nproject = \"\xff\"\n")
    assert "not UTF-8" in error_of(path).message


def test_a_password_in_fixtures_toml_is_refused_without_echoing_it(tmp_path: Path) -> None:
    text = '[irisfx]\nproject = "p"\niris = "iris://_SYSTEM:s3cr3t-pw@localhost:1972"\n'
    rendered = error_of(write(tmp_path, text)).render()
    assert "irisfx.iris: a password does not belong in fixtures.toml" in rendered
    assert "s3cr3t-pw" not in rendered


def test_engine_url_scheme_is_checked(tmp_path: Path) -> None:
    text = '[irisfx]\nproject = "p"\niris = "localhost:1972"\n'
    assert "is not an engine URL" in error_of(write(tmp_path, text)).render()


def test_default_namespaces_that_collide_say_which_key_to_set(tmp_path: Path) -> None:
    text = BASE + '[fixtures.event-log]\n\n[fixtures.event_log]\ndescription = "x"\n'
    rendered = error_of(write(tmp_path, text)).render()
    assert "fixtures.toml:5: fixtures.event_log.mount: namespace FX_EVENT_LOG is already used" \
        in rendered
    assert "(by default); set 'mount' to choose another" in rendered


@pytest.mark.parametrize("value", ['"no"', "1", '"yes"'])
def test_values_are_not_coerced(tmp_path: Path, value: str) -> None:
    err = error_of(write(tmp_path, BASE + f"[fixtures.a]\nreadonly = {value}\n"))
    assert "fixtures.a.readonly" in err.render()


def test_expect_counts_must_be_whole_non_negative_numbers(tmp_path: Path) -> None:
    for value in ('"4"', "-1"):
        err = error_of(write(tmp_path, BASE + f'[fixtures.a]\nexpect = {{ "A.B" = {value} }}\n'))
        assert 'fixtures.a.expect."A.B"' in err.render()


def test_a_shared_source_needs_one_recipe(tmp_path: Path) -> None:
    text = BASE + (
        '[fixtures.a]\nsource = "SRC"\nrecipe = "recipes/a.sql"\n'
        '[fixtures.b]\nsource = "SRC"\nrecipe = "recipes/b.sql"\n'
    )
    assert "source SRC is shared with fixture 'a'" in error_of(write(tmp_path, text)).render()
    same = BASE + (
        '[fixtures.a]\nsource = "SRC"\nrecipe = "r.sql"\n'
        '[fixtures.b]\nsource = "SRC"\nrecipe = "r.sql"\n'
    )
    assert len(load_project(write(tmp_path, same)).fixtures()) == 2
