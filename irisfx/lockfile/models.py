"""The fixtures.toml data model: ``[irisfx]`` settings, ``[fixtures.NAME]`` and their pins."""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveFloat,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from irisfx.lockfile import names
from irisfx.lockfile.manifest import check_line
from irisfx.lockfile.queries import MAX_ROWS, check_equals, check_read_only

# Patterns for editors (``irisfx schema``); the validators below are what irisfx enforces and
# say why. ECMA-262 syntax, which JSON Schema uses.
_CONTROL = "\\u0000-\\u001f\\u007f"
_PATH_PATTERN = rf"^(?![/~])(?!\.$)(?!.*\\)(?!(?:.*/)?\.\.(?:/|$))[^{_CONTROL}]+$"
_NAMESPACE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,62}$"


def _case_insensitive(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


_SYSTEM_NAMESPACE_PATTERN = (
    "^(" + "|".join(_case_insensitive(n) for n in sorted(names.SYSTEM_NAMESPACES)) + ")$"
)


def _pattern(pattern: str, description: str, **extra: Any) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": pattern, "description": description,
                           **extra})


def _key_pattern(pattern: str, description: str) -> WithJsonSchema:
    # Wrapped in allOf: pydantic moves a bare key pattern to patternProperties, which lets
    # keys that do not match through; in propertyNames it refuses them.
    return WithJsonSchema({"type": "string", "description": description,
                           "allOf": [{"pattern": pattern}]})


Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Namespace = Annotated[
    str, AfterValidator(names.normalize_namespace),
    _pattern(_NAMESPACE_PATTERN, "An IRIS namespace (case-insensitive, stored upper-case); "
             "not one IRIS itself needs.", **{"not": {"pattern": _SYSTEM_NAMESPACE_PATTERN}}),
]
TableName = Annotated[str, AfterValidator(names.check_table_name),
                      _key_pattern(names.TABLE_NAME.pattern, "Table or Schema.Table.")]
#: How ``format_by`` names an irisfx: a later one that meets a newer format says which to get.
WRITER = re.compile(r"^irisfx [0-9][0-9A-Za-z.+-]{0,39}$")


def _check_writer(value: str) -> str:
    if not WRITER.match(value):
        raise ValueError(f"{value!r} is not 'irisfx' and a version, as in \"irisfx 1.2.0\"")
    return value


Writer = Annotated[str, AfterValidator(_check_writer),
                   _pattern(WRITER.pattern, "'irisfx' and its version, as in \"irisfx 1.2.0\".")]
EnvVarName = Annotated[str, AfterValidator(names.check_env_var_name),
                       _pattern(names.ENV_VAR_NAME.pattern, "An environment variable name.")]
ProjectName = Annotated[str, AfterValidator(names.check_project_name),
                        _pattern(names.PROJECT_NAME.pattern, "A project name.")]
ProjectId = Annotated[str, AfterValidator(names.check_project_id),
                      _pattern(names.PROJECT_ID.pattern, "12 to 64 lower-case hex digits.")]
FixtureName = Annotated[str, AfterValidator(names.check_fixture_name),
                        _key_pattern(names.FIXTURE_NAME.pattern, "A fixture name.")]

DEFAULT_ENGINE_URL = "sim://.irisfx/sim"
SIM_PRODUCT = "irisfx-sim"
FORMAT = 1  # the layout of fixtures.toml this irisfx reads and writes
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
MAX_PATH = 4096  # PATH_MAX on Linux


def _no_control_characters(value: str, what: str) -> None:
    if _CONTROL_CHARACTER.search(value):
        raise ValueError(f"{what} holds a control character (such as a NUL byte); "
                         "remove it")


# Cached: 10,000 fixtures built by one recipe write the same path 10,000 times.
@functools.lru_cache(maxsize=1024)
def _check_relative_path(value: str) -> str:
    _no_control_characters(value, "the path")
    if len(value) > MAX_PATH:
        raise ValueError(f"the path is longer than {MAX_PATH} characters")
    if "\\" in value or value.startswith(("/", "~")):
        raise ValueError(f"{value!r} must be a path relative to the project folder, with '/'")
    parts = value.split("/")
    if ".." in parts:
        raise ValueError(f"{value!r} leaves the project folder ('..' is not allowed)")
    if all(part in ("", ".") for part in parts) or not value.strip():
        raise ValueError("the path is empty")
    return value


RelPath = Annotated[
    str, AfterValidator(_check_relative_path),
    _pattern(_PATH_PATTERN, "A path relative to the folder of fixtures.toml, with '/', "
             "without '..'."),
]


def _check_engine_url(value: str) -> str:
    _no_control_characters(value, "the engine URL")
    parts = urlsplit(value)
    if parts.scheme not in ("sim", "iris"):
        raise ValueError(f"{value!r} is not an engine URL: use iris://[USER@]HOST[:PORT] or "
                         "sim://DIR")
    if parts.password is not None:
        # fixtures.toml is committed: a password here would be published with it.
        raise ValueError("a password does not belong in fixtures.toml, which is committed; "
                         "remove it and export it in the variable named by password_env")
    return value


EngineUrl = Annotated[str, AfterValidator(_check_engine_url)]


def check_store_url(value: str) -> str:
    """Return ``value`` if it may be written into fixtures.toml as the store URL."""
    _no_control_characters(value, "the store URL")
    authority = value.split("://", 1)[1].split("/", 1)[0] if "://" in value else ""
    # USER:SECRET@HOST. A bare name before '@' is no secret (abfs://container@account...).
    if ":" in authority.rpartition("@")[0]:
        # fixtures.toml is committed: a key or secret here would be published with it.
        raise ValueError("the store URL holds credentials, which do not belong in "
                         "fixtures.toml (it is committed): remove them from the URL; the "
                         "store's library reads them from its usual environment variables "
                         "(docs/store.md)")
    return value


StoreUrl = Annotated[str, AfterValidator(check_store_url)]


class Model(BaseModel):
    """Base for every fixtures.toml table: unknown keys are errors."""

    # strict: TOML already has types; "no" must not quietly become False.
    # defer_build: the validators are built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True,
                              strict=True, defer_build=True)


class Settings(Model):
    """The ``[irisfx]`` table."""

    format: int = Field(
        default=FORMAT, ge=1,
        description="The layout of this file; irisfx writes it. Files without it are format 1.",
    )
    format_by: Writer | None = Field(
        default=None,
        description="The irisfx that wrote this 'format' ('irisfx init' writes it; an irisfx "
        "that moves a file to a newer format writes it). An older irisfx that meets the newer "
        "format names it in its refusal.",
    )
    project: ProjectName = Field(
        description="Names what this project owns on a shared instance; unique per instance."
    )
    id: ProjectId | None = Field(
        default=None,
        description="A random identity written once by 'irisfx init', so two copies of a "
        "project with the same name can tell each other apart on one instance.",
    )
    iris: EngineUrl | None = Field(
        default=None,
        description="Engine URL: iris://[USER@]HOST[:PORT] or sim://DIR (relative to this "
        f"file). Environment variable IRISFX_IRIS wins. Default {DEFAULT_ENGINE_URL}.",
    )
    username_env: EnvVarName = Field(
        default="IRIS_USERNAME", description="Environment variable holding the IRIS user."
    )
    password_env: EnvVarName = Field(
        default="IRIS_PASSWORD", description="Environment variable holding the IRIS password."
    )
    connect_timeout: PositiveFloat = Field(
        default=10.0, description="Seconds to wait for IRIS to answer a connection."
    )
    path_map: dict[str, str] = Field(
        default_factory=dict,
        description="Client directory -> the same directory as the IRIS server sees it "
        "(a bind mount), so files in it need not cross the connection.",
    )
    snapshot_consistency: Literal["strict", "crash"] = Field(
        default="strict",
        description="IRIS: 'crash' lets irisfx snapshot a database other namespaces share, "
        "while the instance is frozen; such a copy may hold unfinished transactions. "
        "See docs/iris.md.",
    )
    store: StoreUrl | None = Field(
        default=None,
        description="Content-addressed store of fixture files: s3://BUCKET/PREFIX, gs://..., "
        "az://..., file:///ABS/PATH or a folder relative to this file. Environment variable "
        "IRISFX_STORE wins. See docs/store.md.",
    )

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: int) -> int:
        if value > FORMAT:
            raise ValueError(newer_format_message(value, None))
        return value


def writer() -> str:
    """This irisfx as ``format_by`` names it."""
    from irisfx import __version__

    return f"irisfx {__version__}"


def named_writer(format_by: object) -> str | None:
    """``format_by`` as read from a file, if it has the documented shape (it is untrusted)."""
    return format_by if isinstance(format_by, str) and WRITER.match(format_by) else None


def newer_format_message(found: object, written_by: object) -> str:
    """What to say about a fixtures.toml written in a layout this irisfx does not know;
    ``written_by`` is its ``format_by``."""
    by = named_writer(written_by)
    return (f"format {found} was written by {by or 'a newer irisfx'} (this one, {writer()}, "
            f"reads format {FORMAT}); upgrade " + (f"to {by} or later" if by else "irisfx"))


_SCALAR_SCHEMA: dict[str, Any] = {"type": ["string", "number", "boolean"]}
Equals = Annotated[
    Any, AfterValidator(check_equals),
    WithJsonSchema({
        "description": "The answer: one value, or a list of rows (each an array of values, "
        f"or one value for a one-column row), at most {MAX_ROWS} rows.",
        "anyOf": [_SCALAR_SCHEMA, {"type": "array", "maxItems": MAX_ROWS, "items": {
            "anyOf": [_SCALAR_SCHEMA, {"type": "array", "items": _SCALAR_SCHEMA}]}}],
    }),
]
ReadOnlySql = Annotated[
    str, AfterValidator(check_read_only),
    WithJsonSchema({"type": "string",
                    "description": "One read-only statement: SELECT or WITH."}),
]


class Query(Model):
    """A known query: a read-only statement and the answer tests rely on."""

    sql: ReadOnlySql
    equals: Equals


ManifestLine = Annotated[str, AfterValidator(check_line)]


class Pin(Model):
    """What irisfx recorded about the file it made. Written by irisfx, never by hand."""

    sha256: Sha256Hex
    size: NonNegativeInt
    recipe_sha256: Sha256Hex | None = None
    built_by: str = Field(description="The product and version that wrote the file.")
    tables: dict[TableName, NonNegativeInt] = Field(default_factory=dict)
    queries: list[Query] | None = Field(
        default=None, description="The known queries that held when the file was pinned.")
    created: datetime
    manifest: dict[TableName, ManifestLine] | None = Field(
        default=None, description="Per table, one line written by irisfx: rows, content "
        "digest, key, columns and types (docs/diff.md).")

    @property
    def from_simulator(self) -> bool:
        """True when the file was written by the sim engine (an SQLite file, not a DAT)."""
        return self.built_by.startswith(SIM_PRODUCT)


class Fixture(Model):
    """One ``[fixtures.NAME]`` table."""

    description: str = ""
    source: Namespace | None = Field(
        default=None,
        description="Namespace the file is snapshotted from. Default FXSRC_<NAME>.",
    )
    recipe: RelPath | None = Field(
        default=None,
        description="recipes/*.sql or recipes/*.py (with build(conn)) that builds the source.",
    )
    file: RelPath | None = Field(
        default=None, description="Where the file lives. Default fixtures/<name>/IRIS.DAT."
    )
    mount: Namespace | None = Field(
        default=None, description="Namespace that serves the file. Default FX_<NAME>."
    )
    readonly: bool = True
    expect: dict[TableName, NonNegativeInt] = Field(
        default_factory=dict, description="Row counts checked after mounting."
    )
    queries: list[Query] = Field(
        default_factory=list,
        description="Known queries, checked before pinning and after mounting: "
        "[{ sql = \"SELECT COUNT(*) FROM T\", equals = 40 }].",
    )
    pin: Pin | None = None


class Document(Model):
    """The whole fixtures.toml."""

    model_config = ConfigDict(title="fixtures.toml",
                              json_schema_extra={"$schema": JSON_SCHEMA_DIALECT})

    irisfx: Settings
    fixtures: dict[FixtureName, Fixture] = Field(default_factory=dict)

    def dump(self) -> dict[str, Any]:
        """The document as plain data in canonical order: the keys the user wrote, and pins."""
        # exclude_unset keeps exactly the keys the user wrote, defaults included.
        settings = self.irisfx.model_dump(mode="python", exclude_unset=True)
        settings.pop("format", None)
        data: dict[str, Any] = {"irisfx": {"format": FORMAT, **settings}}
        fixtures: dict[str, Any] = {}
        for name in sorted(self.fixtures):
            fixture = self.fixtures[name]
            body = fixture.model_dump(mode="python", exclude_unset=True, exclude={"pin"})
            if fixture.pin is not None:
                body["pin"] = fixture.pin.model_dump(mode="python", exclude_none=True)
            fixtures[name] = body
        if fixtures:
            data["fixtures"] = fixtures
        return data


class ResolvedFixture:
    """A declared fixture with its defaults filled in."""

    def __init__(self, name: str, fixture: Fixture) -> None:
        self.name = name
        self.decl = fixture
        self.source: str = fixture.source or names.default_namespace("FXSRC_", name)
        self.mount: str = fixture.mount or names.default_namespace("FX_", name)
        self.file: str = fixture.file or f"fixtures/{name}/IRIS.DAT"

    @property
    def pin(self) -> Pin | None:
        """The pin irisfx recorded, if any."""
        return self.decl.pin
