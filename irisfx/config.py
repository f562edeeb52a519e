"""Loading and saving fixtures.toml: the boundary where raw TOML becomes validated models.

Validation errors leave here as ``fixtures.toml:LINE: dotted.key: message`` lines inside one
ConfigError; saving is canonical (sorted, tomli-w) and atomic (temp file + os.replace).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import tomli_w
from pydantic import ValidationError

from irisfx.atomic import write_atomic
from irisfx.errors import ConfigError
from irisfx.models import Document, Fixture, Pin, ResolvedFixture, Settings

CONFIG_NAME = "fixtures.toml"
STATE_DIR = ".irisfx"


@dataclass(frozen=True)
class Project:
    """A loaded fixtures.toml and the folder it governs."""

    root: Path
    config_path: Path
    doc: Document
    raw: bytes

    @property
    def name(self) -> str:
        """The project name from ``[irisfx] project``."""
        return self.doc.irisfx.project

    @property
    def state_dir(self) -> Path:
        """``.irisfx/`` beside fixtures.toml: caches and locks, ignored by git."""
        return self.root / STATE_DIR

    def fixtures(self) -> list[ResolvedFixture]:
        """Every declared fixture, defaults filled in, sorted by name."""
        return [ResolvedFixture(n, f) for n, f in sorted(self.doc.fixtures.items())]

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


def load_project(config_path: Path) -> Project:
    """Read, parse and validate fixtures.toml; every problem is reported in one ConfigError."""
    try:
        raw = config_path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{config_path} does not exist",
            fix="run 'irisfx init' to create it, or pass --config PATH",
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {config_path}: {exc.strerror}") from None
    text = _decode(raw, config_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{config_path.name} is not valid TOML",
            details=[f"{config_path.name}: {exc}"],
            fix="correct the TOML syntax at the place named above",
        ) from None
    try:
        doc = Document.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            f"{config_path.name} has {exc.error_count()} problem(s)",
            details=list(_validation_lines(exc, text, config_path.name)),
            fix="correct the keys and values named above; 'irisfx schema' prints what is "
            "allowed",
        ) from None
    root = config_path.parent.resolve()
    _check_collisions(doc, text, config_path.name)
    _check_paths_stay_inside(root, doc, text, config_path.name)
    return Project(root=root, config_path=config_path, doc=doc, raw=raw)


def save_project(project: Project, doc: Document) -> Project:
    """Write ``doc`` to the project's fixtures.toml atomically, in canonical layout."""
    data = render_document(doc).encode()
    write_atomic(project.config_path, data)
    return Project(root=project.root, config_path=project.config_path, doc=doc, raw=data)


def render_document(doc: Document) -> str:
    """The canonical TOML text of a document."""
    return tomli_w.dumps(doc.dump())


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path.name} is not UTF-8 text (byte {exc.start})",
            fix="save the file as UTF-8",
        ) from None


def _validation_lines(exc: ValidationError, text: str, file_name: str) -> Iterable[str]:
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key; " + _allowed_keys_hint(loc)
        elif error["type"] == "missing":
            message = "required key is missing"
        line = locate_key(text, loc)
        where = f"{file_name}:{line}" if line else file_name
        yield f"{where}: {'.'.join(loc) or '(top level)'}: {message}"


def _allowed_keys_hint(loc: list[str]) -> str:
    parent = loc[:-1]
    model: type[Document] | type[Settings] | type[Fixture] | type[Pin] = Document
    if parent[:1] == ["irisfx"]:
        model = Settings
    elif len(parent) == 2 and parent[0] == "fixtures":
        model = Fixture
    elif len(parent) == 3 and parent[2] == "pin":
        model = Pin
    return "allowed: " + ", ".join(model.model_fields)


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_.-]+)\s*=")


def _split_dotted(key: str) -> list[str]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", key)
    return [a or b or c for a, b, c in parts]


def locate_key(text: str, loc: Sequence[str]) -> int | None:
    """The 1-based line where the dotted key ``loc`` is written, or its table's header."""
    table: list[str] = []
    best: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _split_dotted(header.group(1))
            if table == list(loc[: len(table)]) and len(table) <= len(loc):
                best = number
            continue
        key = _KEY.match(line)
        if key:
            full = table + _split_dotted(key.group(1))
            if full == list(loc[: len(full)]):
                best = number
                if len(full) == len(loc):
                    return number
    return best


def _check_collisions(doc: Document, text: str, file_name: str) -> None:
    """Two fixtures may share a source, but no namespace may serve two roles, nor a file two
    fixtures. Defaults count: 'event-log' and 'event_log' both default to FX_EVENT_LOG."""
    problems: list[str] = []
    users: dict[str, str] = {}
    files: dict[str, str] = {}
    recipes: dict[str, tuple[str, str | None]] = {}

    def report(name: str, key: str, what: str) -> None:
        line = locate_key(text, ["fixtures", name, key]) or locate_key(text, ["fixtures", name])
        where = f"{file_name}:{line}" if line else file_name
        written = key in doc.fixtures[name].model_fields_set
        hint = "" if written else f" (by default); set '{key}' to choose another"
        problems.append(f"{where}: fixtures.{name}.{key}: {what}{hint}")

    for fixture in [ResolvedFixture(n, f) for n, f in doc.fixtures.items()]:
        for role, ns in (("mount", fixture.mount), ("source", fixture.source)):
            other = users.setdefault(ns, f"fixture '{fixture.name}' {role}")
            if other != f"fixture '{fixture.name}' {role}" and not (
                    role == "source" and other.endswith(" source")):
                report(fixture.name, role, f"namespace {ns} is already used by {other}")
        sharer, recipe = recipes.setdefault(fixture.source, (fixture.name, fixture.decl.recipe))
        if recipe != fixture.decl.recipe:
            report(fixture.name, "recipe", f"source {fixture.source} is shared with fixture "
                   f"'{sharer}', whose recipe is {recipe or 'none'}: one namespace, one recipe")
        owner = files.setdefault(fixture.file, fixture.name)
        if owner != fixture.name:
            report(fixture.name, "file", f"{fixture.file} is already the file of "
                   f"fixture '{owner}'")
    if problems:
        raise ConfigError(f"{file_name} uses a namespace or file twice", details=problems,
                          fix="give each fixture its own 'mount' namespace and 'file'")


def _check_paths_stay_inside(root: Path, doc: Document, text: str, file_name: str) -> None:
    problems = []
    for name, fixture in doc.fixtures.items():
        resolved = ResolvedFixture(name, fixture)
        for key, rel in (("file", resolved.file), ("recipe", fixture.recipe)):
            if rel is None:
                continue
            if not (root / rel).resolve().is_relative_to(root):
                line = locate_key(text, ["fixtures", name, key])
                where = f"{file_name}:{line}" if line else file_name
                problems.append(
                    f"{where}: fixtures.{name}.{key}: {rel} leads outside the project folder "
                    "(through a symbolic link)"
                )
    if problems:
        raise ConfigError(
            f"{file_name} names paths outside the project",
            details=problems,
            fix="keep fixture files and recipes inside the folder that holds fixtures.toml",
        )
