"""The fixtures.toml data model: ``[irisfx]`` settings, ``[fixtures.NAME]`` and their pins."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveFloat,
    StringConstraints,
)

from irisfx import names

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Namespace = Annotated[str, AfterValidator(names.normalize_namespace)]
TableName = Annotated[str, AfterValidator(names.check_table_name)]
EnvVarName = Annotated[str, AfterValidator(names.check_env_var_name)]
ProjectName = Annotated[str, AfterValidator(names.check_project_name)]
FixtureName = Annotated[str, AfterValidator(names.check_fixture_name)]

DEFAULT_ENGINE_URL = "sim://.irisfx/sim"
SIM_PRODUCT = "irisfx-sim"


def _check_relative_path(value: str) -> str:
    path = PurePosixPath(value)
    if "\\" in value or path.is_absolute() or value.startswith("~"):
        raise ValueError(f"{value!r} must be a path relative to the project folder, with '/'")
    if ".." in path.parts:
        raise ValueError(f"{value!r} leaves the project folder ('..' is not allowed)")
    if not path.parts or value.strip() in {"", "."}:
        raise ValueError("the path is empty")
    return value


RelPath = Annotated[str, AfterValidator(_check_relative_path)]


def _check_engine_url(value: str) -> str:
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


class Model(BaseModel):
    """Base for every fixtures.toml table: unknown keys are errors."""

    # strict: TOML already has types; "no" must not quietly become False.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True,
                              strict=True)


class Settings(Model):
    """The ``[irisfx]`` table."""

    project: ProjectName = Field(
        description="Names what this project owns on a shared instance; unique per instance."
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
    store: str | None = Field(
        default=None,
        description="Content-addressed store of fixture files: s3://BUCKET/PREFIX, gs://..., "
        "az://..., file:///ABS/PATH or a folder relative to this file. Environment variable "
        "IRISFX_STORE wins. See docs/store.md.",
    )


class Pin(Model):
    """What irisfx recorded about the file it made. Written by irisfx, never by hand."""

    sha256: Sha256Hex
    size: NonNegativeInt
    recipe_sha256: Sha256Hex | None = None
    built_by: str = Field(description="The product and version that wrote the file.")
    tables: dict[TableName, NonNegativeInt] = Field(default_factory=dict)
    created: datetime

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
    pin: Pin | None = None


class Document(Model):
    """The whole fixtures.toml."""

    irisfx: Settings
    fixtures: dict[FixtureName, Fixture] = Field(default_factory=dict)

    def dump(self) -> dict[str, Any]:
        """The document as plain data in canonical order: the keys the user wrote, and pins."""
        # exclude_unset keeps exactly the keys the user wrote, defaults included.
        data: dict[str, Any] = {"irisfx": self.irisfx.model_dump(mode="python",
                                                                exclude_unset=True)}
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
