"""Loading and saving fixtures.toml: the boundary where raw TOML becomes validated models.

Problems leave here as ``fixtures.toml:LINE: dotted.key: message`` lines inside one
ConfigError, in line order; saving changes only pins and ``format`` in the text as read
(lockfile/write.py) and is atomic (temp file + os.replace); :func:`merge_pins` writes pins into
the file as it is on disk.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from irisfx.errors import ConfigError
from irisfx.files.atomic import write_atomic
from irisfx.lockfile.models import (
    FORMAT,
    Document,
    Fixture,
    Pin,
    Query,
    ResolvedFixture,
    Settings,
    named_writer,
    newer_format_message,
)
from irisfx.lockfile.parsed import parse_cached
from irisfx.lockfile.paths import path_problems
from irisfx.lockfile.tomlkeys import KeyLines, Loc, show_key

# render_document (the canonical layout) is re-exported for its earlier importers.
from irisfx.lockfile.write import render_document as render_document
from irisfx.lockfile.write import updated_text

CONFIG_NAME = "fixtures.toml"
STATE_DIR = ".irisfx"


@dataclass(frozen=True)
class Project:
    """A loaded fixtures.toml and the folder it governs."""

    root: Path
    config_path: Path
    doc: Document
    raw: bytes = field(repr=False)

    @property
    def name(self) -> str:
        """The project name from ``[irisfx] project``."""
        return self.doc.irisfx.project

    @property
    def state_dir(self) -> Path:
        """``.irisfx/`` beside fixtures.toml: caches and locks, ignored by git."""
        return self.root / STATE_DIR

    @cached_property
    def _resolved(self) -> tuple[ResolvedFixture, ...]:
        return tuple(ResolvedFixture(n, f) for n, f in sorted(self.doc.fixtures.items()))

    def fixtures(self) -> list[ResolvedFixture]:
        """Every declared fixture, defaults filled in, sorted by name."""
        return list(self._resolved)

    def fixture(self, name: str) -> ResolvedFixture:
        """One declared fixture; an unknown name is a ConfigError listing the known ones."""
        if name not in self.doc.fixtures:
            raise unknown_fixture_error([name], sorted(self.doc.fixtures))
        return ResolvedFixture(name, self.doc.fixtures[name])

    def path(self, relative: str) -> Path:
        """A project-relative path from fixtures.toml, as an absolute path."""
        return self.root / relative


def ensure_state_dir(state_dir: Path) -> None:
    """Create ``.irisfx/`` with a .gitignore of its own, so it is never committed."""
    if state_dir.is_symlink() or (state_dir.exists() and not state_dir.is_dir()):
        # Caches, locks, the pin journal and the simulator are written there: never through
        # a link out of the project.
        raise ConfigError(f"{state_dir} is not a plain folder (a symbolic link or a file)",
                          details=["irisfx writes nothing through it"],
                          fix=f"move {state_dir} out of the way; irisfx makes the folder "
                          "itself on the next run")
    state_dir.mkdir(parents=True, exist_ok=True)
    ignore = state_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# created by irisfx: caches, locks and the simulator\n*\n")


def unknown_fixture_error(unknown: Sequence[str], known: Sequence[str]) -> ConfigError:
    """The error for fixture names that fixtures.toml does not declare."""
    listed = ", ".join(known) if known else "(none declared)"
    return ConfigError(
        f"unknown fixture {', '.join(repr(n) for n in unknown)}",
        details=[f"fixtures.toml declares: {listed}"],
        fix="check the spelling, or declare it under [fixtures.NAME]",
    )


def find_config(start: Path) -> Path:
    """fixtures.toml in ``start`` or the nearest parent folder that has one."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"no {CONFIG_NAME} in {start} or any folder above it",
        fix="run 'irisfx init' to create one, or pass --config PATH",
    )


_SCHEMA_FIX = "correct the keys and values named above; 'irisfx schema' prints what is allowed"


def load_project(config_path: Path) -> Project:
    """Read, parse and validate fixtures.toml; every problem is reported in one ConfigError."""
    try:
        raw = config_path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{config_path} does not exist",
            fix="run 'irisfx init' to create it, or pass --config PATH",
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{config_path} is a folder, not a file",
                          fix=f"pass the path of {CONFIG_NAME} itself") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {config_path}: {exc.strerror}") from None
    name = config_path.name
    text = _decode(raw, config_path)
    data = parse_cached(raw, config_path.parent / STATE_DIR, lambda: _parse(text, name))
    _check_format(data, text, name)
    try:
        doc = Document.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{name} has {exc.error_count()} problem(s)",
                          details=_sorted(_validation_lines(exc, KeyLines(text), name)),
                          fix=_SCHEMA_FIX) from None
    except RecursionError:
        raise _too_deep(name) from None
    root = config_path.parent.resolve()
    fixtures = [ResolvedFixture(n, f) for n, f in doc.fixtures.items()]
    where = _Where(text, name)
    problems = _collisions(fixtures, where)
    problems += path_problems(root, config_path, STATE_DIR, fixtures, where.problem)
    if problems:
        raise ConfigError(
            f"{name} has {len(problems)} problem(s)", details=_sorted(problems),
            fix="give each fixture its own 'mount' namespace and 'file', inside the folder "
            f"of {name} and outside {STATE_DIR}/; recipes are .sql or .py files",
        )
    return Project(root=root, config_path=config_path, doc=doc, raw=raw)


def save_project(project: Project, doc: Document) -> Project:
    """Write ``doc`` to the project's fixtures.toml atomically.

    Only the pin tables and ``format`` change in the text ``project`` was read from;
    everything else stays as the user wrote it (see :mod:`irisfx.lockfile.write`).
    """
    text, _ = updated_text(project.raw.decode("utf-8"), doc, project.doc)
    data = text.encode()
    write_atomic(project.config_path, data)
    return Project(root=project.root, config_path=project.config_path, doc=doc, raw=data)


def merge_pins(config_path: Path, pins: Mapping[str, Pin], *, planned: Project) -> Project:
    """Write ``pins`` into fixtures.toml as it is on disk now, and return the new Project.

    The file is read again, so edits made since ``planned`` was loaded are kept; only the
    named fixtures' ``pin`` tables change. If a named fixture is gone, or its declaration
    (everything but the pin) differs from the one in ``planned``, nothing is written and a
    ConfigError says which. The write is atomic. Callers hold the project lock, so two
    irisfx processes do not merge at once.
    """
    current = load_project(config_path)
    fixtures = dict(current.doc.fixtures)
    problems = []
    for name in sorted(pins):
        now, before = fixtures.get(name), planned.doc.fixtures.get(name)
        if now is None:
            problems.append(f"fixture '{name}' is no longer declared in {config_path.name}")
        elif before is None or _declaration(now) != _declaration(before):
            problems.append(f"fixture '{name}' was changed in {config_path.name} since it "
                            "was planned")
        else:
            fixtures[name] = now.model_copy(update={"pin": pins[name]})
    if problems:
        raise ConfigError(
            f"{config_path.name} changed while irisfx was working",
            details=[*problems, "Nothing was pinned; the file is as you left it."],
            fix="run 'irisfx plan' to see what the edited declaration needs, then apply",
        )
    return save_project(current, current.doc.model_copy(update={"fixtures": fixtures}))


def _declaration(fixture: Fixture) -> dict[str, Any]:
    return fixture.model_dump(mode="python", exclude={"pin"})


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path.name} is not UTF-8 text (byte {exc.start})",
            fix="save the file as UTF-8",
        ) from None


def _parse(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{name} is not valid TOML",
            details=[f"{name}: {exc}"],
            fix="correct the TOML syntax at the place named above",
        ) from None
    except RecursionError:
        raise _too_deep(name) from None


def _too_deep(name: str) -> ConfigError:
    return ConfigError(f"{name} nests tables or arrays too deeply to read",
                       fix="fixtures.toml needs at most a few levels of tables; remove the "
                       "deep nesting")


def _check_format(data: dict[str, Any], text: str, name: str) -> None:
    # Before validation: a newer layout's other keys would otherwise bury this in noise.
    settings = data.get("irisfx")
    found = settings.get("format") if isinstance(settings, dict) else None
    if isinstance(found, int) and not isinstance(found, bool) and found > FORMAT:
        line = KeyLines(text).line(["irisfx", "format"])
        by = settings.get("format_by") if isinstance(settings, dict) else None
        named = named_writer(by)
        wanted = f"'irisfx>={named.split()[1]}'" if named else "irisfx"
        raise ConfigError(f"{name} is in a newer format than this irisfx reads",
                          details=[f"{name}:{line}: irisfx.format: "
                                   f"{newer_format_message(found, by)}"],
                          fix=f"upgrade irisfx (pip install -U {wanted}), then run the "
                          "command again")


# --- messages in irisfx's words --------------------------------------------------------

_MESSAGES = {
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "dict_type": "must be a table",
    "list_type": "must be an array",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "datetime_type": "must be a date-time such as 2026-01-31T12:00:00Z",
    "datetime_parsing": "must be a date-time such as 2026-01-31T12:00:00Z",
    "missing": "required key is missing",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be {ge} or more",
    "string_pattern_mismatch": "must be 64 lower-case hex digits (a SHA-256)",
}


def _validation_lines(exc: ValidationError, lines: KeyLines,
                      file_name: str) -> Iterable[tuple[int, str]]:
    for error in exc.errors():
        loc = list(error["loc"])
        kind = error["type"]
        line = lines.line(loc)
        if kind == "missing" and loc == ["irisfx"]:
            yield 0, (f"{file_name}: [irisfx] is missing: start the file with [irisfx] and "
                      'project = "NAME"')
            continue
        if kind == "extra_forbidden":
            message = "unknown key; " + _allowed_keys_hint(loc)
        elif kind in _MESSAGES:
            message = _MESSAGES[kind].format(**error.get("ctx", {}))
        else:
            message = error["msg"].removeprefix("Value error, ")
        where = f"{file_name}:{line}" if line else file_name
        yield line or 0, f"{where}: {show_key(loc) or '(top level)'}: {message}"


def _allowed_keys_hint(loc: Loc) -> str:
    parent = loc[:-1]
    model: type[BaseModel] = Document
    if parent[:1] == ["irisfx"]:
        model = Settings
    elif len(parent) == 2 and parent[0] == "fixtures":
        model = Fixture
    elif len(parent) == 3 and parent[2] == "pin":
        model = Pin
    elif len(parent) == 4 and parent[2] == "queries":
        model = Query
    return "allowed: " + ", ".join(model.model_fields)


def _sorted(problems: Iterable[tuple[int, str]]) -> list[str]:
    return [text for _, text in sorted(problems, key=lambda p: p[0])]


def locate_key(text: str, loc: Loc) -> int | None:
    """The 1-based line where the dotted key ``loc`` is written, or its table's header."""
    return KeyLines(text).line(loc)


class _Where:
    """Formats ``fixtures.toml:LINE: key`` for fixtures; indexes the text on first use."""

    def __init__(self, text: str, file_name: str) -> None:
        self.text, self.file_name = text, file_name

    @cached_property
    def lines(self) -> KeyLines:
        return KeyLines(self.text)

    def problem(self, name: str, key: str, what: str) -> tuple[int, str]:
        line = self.lines.line(["fixtures", name, key])
        where = f"{self.file_name}:{line}" if line else self.file_name
        return line or 0, f"{where}: {show_key(['fixtures', name, key])}: {what}"


def _collisions(fixtures: list[ResolvedFixture], where: _Where) -> list[tuple[int, str]]:
    """No namespace may serve two roles (two fixtures may share a source). Defaults count:
    'event-log' and 'event_log' both default to FX_EVENT_LOG."""
    problems = []
    users: dict[str, str] = {}
    recipes: dict[str, tuple[str, str | None]] = {}

    def report(fixture: ResolvedFixture, key: str, what: str) -> None:
        written = key in fixture.decl.model_fields_set
        hint = "" if written else f" (by default); set '{key}' to choose another"
        problems.append(where.problem(fixture.name, key, what + hint))

    for fixture in fixtures:
        for role, ns in (("mount", fixture.mount), ("source", fixture.source)):
            mine = f"fixture '{fixture.name}' {role}"
            other = users.setdefault(ns, mine)
            if other != mine and not (role == "source" and other.endswith(" source")):
                report(fixture, role, f"namespace {ns} is already used by {other}")
        sharer, recipe = recipes.setdefault(fixture.source, (fixture.name, fixture.decl.recipe))
        if recipe != fixture.decl.recipe:
            report(fixture, "recipe", f"source {fixture.source} is shared with fixture "
                   f"'{sharer}', whose recipe is {recipe or 'none'}: one namespace, one recipe")
    return problems


def select_fixtures(project: Project, names: Collection[str]) -> list[ResolvedFixture]:
    """The fixtures named (all when none); an unknown name is a ConfigError."""
    if not names:
        return project.fixtures()
    unknown = [n for n in names if n not in project.doc.fixtures]
    if unknown:
        raise unknown_fixture_error(unknown, sorted(project.doc.fixtures))
    return [project.fixture(n) for n in sorted(set(names))]


STORE_ENV = "IRISFX_STORE"


def store_url(project: Project) -> str | None:
    """The store URL: IRISFX_STORE, then ``[irisfx] store``; None when there is none."""
    return os.environ.get(STORE_ENV) or project.doc.irisfx.store or None
