"""fixtures.toml keeps what people write: pins change, every other byte stays (lockfile/write.py).

The property test builds files from blocks it knows (the user's lines, and pin tables), with
random comments, blank lines, key orders, quoting styles, line endings and tricky strings,
then pins again and again. After each round the file must hold exactly the document asked
for, and taking out the pin tables irisfx rendered must give back the user's text byte for
byte (plus ``format = 1`` where the user had not written it).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irisfx.lockfile.models import Document, Pin
from irisfx.lockfile.project import load_project, save_project
from irisfx.lockfile.write import render_pin, updated_text
from tests.conftest import ProjectDir

NAMES = ["a", "entities-100", "x.y", "Zed_2"]
COMMENTS = ["# a note", "#", "# [fixtures.a.pin] in a comment", '# "quoted" = 1', "#\ttab"]


def header(table: list[str], style: int) -> str:
    """A table header in one of several equivalent spellings."""
    def part(key: str, i: int) -> str:
        bare = key.replace("-", "").replace("_", "").isalnum()
        if not bare or (style + i) % 3 == 1:
            return f'"{key}"'
        return f"'{key}'" if (style + i) % 3 == 2 else key
    sep = " . " if style % 2 else "."
    inner = sep.join(part(k, i) for i, k in enumerate(table))
    return f"[ {inner} ]" if style % 4 == 3 else f"[{inner}]"


def pin_of(seed: int) -> Pin:
    return Pin(sha256=f"{seed % 16:x}" * 64, size=seed, built_by=f"irisfx-sim 0.{seed}",
               recipe_sha256=None if seed % 3 else "e" * 64,
               tables={"Shop.Item": seed % 7, "RAG.Entities": seed} if seed % 2 else {},
               created=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=seed))


@dataclass
class Layout:
    """The generated file as blocks: text, and for a pin block the fixture it pins."""

    blocks: list[tuple[str, str | None]] = field(default_factory=list)
    format_written: bool = False
    irisfx_header: str = ""
    table_pinned: set[str] = field(default_factory=set)  # pins written as [fixtures.N.pin]

    def text(self) -> str:
        return "".join(text for text, _ in self.blocks)

    def user_text(self) -> str:
        """What must survive: every block but the pins, with format where irisfx adds it."""
        out = "".join(text for text, pinned in self.blocks if pinned is None)
        if not self.format_written:
            newline = "\r\n" if self.irisfx_header.endswith("\r\n") else "\n"
            out = out.replace(self.irisfx_header, self.irisfx_header + "format = 1" + newline, 1)
        return out


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    layout = Layout()
    trivia = st.lists(st.sampled_from(["", *COMMENTS]), max_size=2).map(
        lambda lines: "".join(line + "\n" for line in lines))
    comment = st.sampled_from(["", "  # why", "\t#x"])

    # [irisfx] in any key order, with or without format.
    project = draw(st.sampled_from(['"p"', "'p'"]))
    settings_keys = [f"project = {project}", 'iris = "sim://.irisfx/sim"', 'username_env = "U"']
    if draw(st.booleans()):
        settings_keys.append("format = 1")
        layout.format_written = True
    settings_keys = draw(st.permutations(settings_keys))
    layout.irisfx_header = header(["irisfx"], draw(st.integers(0, 3))) + draw(comment) + "\n"
    body = "".join(draw(trivia) + key + draw(comment) + "\n" for key in settings_keys)
    blocks: list[list[tuple[str, str | None]]] = [[(layout.irisfx_header + body, None)]]

    for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True)):
        fixture = draw(fixture_blocks(name, trivia, comment))
        blocks.append(fixture)
        if any(pinned == name and text.lstrip().startswith("[") for text, pinned in fixture):
            layout.table_pinned.add(name)
    order = draw(st.permutations(range(len(blocks))))
    layout.blocks.append((draw(trivia), None))
    for index in order:
        layout.blocks += blocks[index]
    if draw(st.booleans()):  # CRLF throughout, as a Windows editor saves it
        layout.blocks = [(text.replace("\n", "\r\n"), pinned) for text, pinned in layout.blocks]
        layout.irisfx_header = layout.irisfx_header.replace("\n", "\r\n")
    return layout


@st.composite
def fixture_blocks(draw: st.DrawFn, name: str, trivia: st.SearchStrategy[str],
                   comment: st.SearchStrategy[str]) -> list[tuple[str, str | None]]:
    recipe = draw(st.sampled_from(['"recipes/r.sql"', "'recipes/r.sql'"]))
    keys = [
        f"recipe = {recipe}",
        draw(st.sampled_from([
            'description = "one line # not a comment"',
            "description = '''\nmany\n[fixtures.a.pin]\nlines'''",
            'description = """\n[fixtures.x.pin]\\"""\nsize = 1"""',
        ])),
        draw(st.sampled_from(['expect = { "Shop.Item" = 3 }', 'expect."Shop.Item" = 3',
                              "readonly = false", 'queries = [\n  { sql = "SELECT 1", '
                              "equals = 1 },  # why\n]"])),
    ]
    keys = draw(st.permutations(keys))
    style = draw(st.integers(0, 3))
    table = header(["fixtures", name], style) + draw(comment) + "\n"
    body = [(draw(trivia) + key + draw(comment) + "\n", None) for key in keys]
    pin_form = draw(st.sampled_from(["none", "table", "dotted"]))
    old = pin_of(draw(st.integers(1, 50)))
    if pin_form == "dotted":
        lines = f'pin.sha256 = "{old.sha256}"\npin.size = {old.size}\n' \
                f'pin.built_by = "old {name}"\npin.created = 2025-01-01T00:00:00Z\n'
        body.insert(draw(st.integers(0, len(body))), (lines, name))
    out = [(table, None), *body]
    if pin_form == "table":
        rest = render_pin(name, old).split("\n", 1)[1]
        out += [(draw(trivia), None),
                (header(["fixtures", name, "pin"], style) + draw(comment) + "\n" + rest, name)]
    if draw(st.booleans()):
        out.append((draw(trivia), None))
    return out


def rounds_of_pins() -> st.SearchStrategy[list[dict[str, int]]]:
    return st.lists(st.dictionaries(st.sampled_from(NAMES), st.integers(51, 500), max_size=4),
                    min_size=1, max_size=4)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=layouts(), rounds=rounds_of_pins())
def test_bytes_outside_the_pins_survive_any_number_of_applies(layout: Layout,
                                                              rounds: list[dict[str, int]]
                                                              ) -> None:
    text = layout.text()
    doc = Document.model_validate(tomllib.loads(text))
    user = layout.user_text()
    originals = {name: block for block, name in layout.blocks if name is not None}
    repinned: dict[str, Pin] = {}
    for seeds in rounds:
        pins = {name: pin_of(seed) for name, seed in seeds.items() if name in doc.fixtures}
        fixtures = {name: f.model_copy(update={"pin": pins.get(name, f.pin)})
                    for name, f in doc.fixtures.items()}
        wanted = doc.model_copy(update={"fixtures": fixtures})
        out, kept = updated_text(text, wanted)
        assert kept, "this layout can take pins in place"
        assert Document.model_validate(tomllib.loads(out)) == wanted
        repinned.update(pins)
        newline = "\r\n" if "\r\n" in layout.irisfx_header else "\n"
        rest = out
        for name, block in originals.items():
            if name not in repinned:  # never re-pinned: the user's own pin lines are there
                assert rest.count(block) == 1
                rest = rest.replace(block, "", 1)
        for name, pin in repinned.items():
            # A table that replaced an old table is in its place; a new one comes after the
            # fixture's last line, with a blank line of its own.
            rendered = render_pin(name, pin).replace("\n", newline)
            target = rendered if name in layout.table_pinned else newline + rendered
            assert rest.count(target) == 1, f"the pin of {name} is not where it should be"
            rest = rest.replace(target, "", 1)
        assert rest == user
        text, doc = out, wanted


def test_apply_keeps_comments_and_layout_of_fixtures_toml(project: ProjectDir) -> None:
    # The whole path: apply journals the pin and folds it into the file (merge_pins).
    written = project.config.read_text(encoding="utf-8").replace(
        "[fixtures.items]", "# Items: three rows, see recipes/items.sql\n\n"
        "[fixtures.items]   # the only fixture") + "\n# end of file\n"
    project.config.write_text(written, encoding="utf-8")
    run = project.irisfx("apply")
    assert run.code == 0, run.text
    after = project.config.read_text(encoding="utf-8")
    pin = load_project(project.config).fixture("items").pin
    assert pin is not None and pin.tables == {"Shop.Item": 3}
    user = written.replace("[irisfx]\n", "[irisfx]\nformat = 1\n", 1)
    inserted = "\n" + render_pin("items", pin)
    assert after.count(inserted) == 1
    assert after.replace(inserted, "", 1) == user


def test_a_file_without_a_final_newline_gets_its_pin_on_a_line_of_its_own(tmp_path: Path
                                                                          ) -> None:
    path = tmp_path / "fixtures.toml"
    path.write_text('[irisfx]\nformat = 1\nproject = "p"\n[fixtures.a]\nreadonly = true',
                    encoding="utf-8")
    project = load_project(path)
    saved = save_project(project, pinned(project.doc, "a", pin_of(3)))
    assert path.read_text(encoding="utf-8") == (
        '[irisfx]\nformat = 1\nproject = "p"\n[fixtures.a]\nreadonly = true\n\n'
        + render_pin("a", pin_of(3)))
    assert load_project(path).doc == saved.doc


def test_dotted_settings_get_a_dotted_format(tmp_path: Path) -> None:
    text = '# settings as dotted keys\nirisfx.project = "p"  # mine\nfixtures.a.readonly = true\n'
    out, kept = updated_text(text, pinned(Document.model_validate(tomllib.loads(text)), "a",
                                          pin_of(4)))
    assert kept
    assert out == ('# settings as dotted keys\nirisfx.format = 1\nirisfx.project = "p"  # mine\n'
                   "fixtures.a.readonly = true\n\n" + render_pin("a", pin_of(4)))


def test_an_inline_fixture_table_is_written_canonically_and_says_so() -> None:
    text = '[irisfx]\nproject = "p"\n[fixtures]\na = { readonly = true }  # inline\n'
    wanted = pinned(Document.model_validate(tomllib.loads(text)), "a", pin_of(5))
    out, kept = updated_text(text, wanted)
    assert not kept  # an inline table cannot take a [fixtures.a.pin] table after it
    assert Document.model_validate(tomllib.loads(out)) == wanted


def test_nested_pin_tables_are_compact_one_line_per_entry() -> None:
    pin = pin_of(7)
    rendered = render_pin("x.y", pin)
    assert rendered.splitlines()[0] == '[fixtures."x.y".pin]'
    assert '[fixtures."x.y".pin.tables]\n"Shop.Item" = 0\n"RAG.Entities" = 7\n' in rendered
    # A nested table whose values are tables (such as a per-table manifest) is one line each.
    from irisfx.lockfile import write

    assert write._value({"rows": 2, "sha256": "ab"}) == '{ rows = 2, sha256 = "ab" }'
    assert write._value({}) == "{}"


def pinned(doc: Document, name: str, pin: Pin) -> Document:
    fixtures = dict(doc.fixtures)
    fixtures[name] = fixtures[name].model_copy(update={"pin": pin})
    return doc.model_copy(update={"fixtures": fixtures})
