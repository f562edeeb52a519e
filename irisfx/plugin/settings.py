"""Settings of the pytest plugin and the ``irisfx`` marker, resolved without heavy imports.

This module is imported by every pytest run in an environment where irisfx is installed, so it
uses the standard library only: no pydantic, no sqlglot, not even irisfx.lockfile. fixtures.toml
is found here by walking up folders and peeked at with tomllib (only for the report header);
it is validated later, and only when a test asks for an irisfx fixture.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from irisfx.engines import redact_url

Mode = Literal["apply", "locked", "check", "never"]
Scope = Literal["function", "class", "module", "session"]
MODES: tuple[str, ...] = get_args(Mode)
SCOPES: tuple[str, ...] = get_args(Scope)
CONFIG_NAME = "fixtures.toml"
DEFAULT_ENGINE = "sim://.irisfx/sim"

ENV_CONFIG = "IRISFX_CONFIG"
ENV_IRIS = "IRISFX_IRIS"
ENV_MODE = "IRISFX_MODE"
# Set by GitHub Actions, GitLab CI, CircleCI, Travis, Buildkite and others: tests there must
# not re-pin fixtures.toml, so the default mode becomes "locked".
ENV_CI = "CI"
_NOT_CI = frozenset({"", "0", "false", "no", "off"})
INI_CONFIG = "irisfx_config"
INI_IRIS = "irisfx_iris"
INI_MODE = "irisfx_mode"

MARKER_HELP = (
    'irisfx("NAME", ..., writable=None, scope="session"): mount these fixtures.toml fixtures '
    "for the test and give it the 'irisfx' fixture to reach them (irisfx.connect() when it "
    "names one). writable=True gives this worker its own copy of a read-only fixture, "
    "writable=False a read-only view of a writable one. scope (function, class, module or "
    "session) says how long changes to a copy live (function: every test starts from the "
    "pinned state); a fixture served read-only never changes, so scope means nothing for it."
)
KEYWORDS = ("scope", "writable")


class SettingsError(ValueError):
    """A plugin setting has a value the plugin cannot use."""


class PluginError(Exception):
    """A failure to show as it is (already rendered for people), without a traceback."""


@dataclass(frozen=True)
class Setting:
    """A resolved value and where it came from, for the report header."""

    value: str | None
    source: str


@dataclass(frozen=True)
class PluginSettings:
    """Everything the plugin was told, resolved: option, then env, then ini, then default."""

    config: Setting  # path of fixtures.toml, or None when none was given or found
    iris: Setting  # engine URL override; None leaves the choice to fixtures.toml
    mode: Mode
    mode_source: str  # "default", "default: CI is set", or the option/env/ini that set it
    keep: bool
    searched_from: Path

    @property
    def config_path(self) -> Path | None:
        """fixtures.toml to use, or None: then the plugin stays idle."""
        return Path(self.config.value) if self.config.value else None

    def header_lines(self) -> list[str]:
        """The report header: config, engine and mode, each with where it came from."""
        if self.config_path is None:
            return [f"irisfx: idle, no {CONFIG_NAME} in {self.searched_from} or above "
                    f"(set --irisfx-config, {ENV_CONFIG} or ini {INI_CONFIG})"]
        engine = self.iris
        if engine.value is None:
            engine = _engine_from_file(self.config_path)
        return [
            f"irisfx: config {self.config_path} ({self.config.source})",
            f"irisfx: engine {redact_url(engine.value or DEFAULT_ENGINE)} ({engine.source}), "
            f"mode {self.mode} ({self.mode_source}{_MODE_NOTE.get(self.mode, '')})"
            + (", keeping copies (--irisfx-keep)" if self.keep else ""),
        ]


_MODE_NOTE = {
    "apply": "; like 'irisfx apply' it re-pins fixtures.toml after a recipe edit; "
             "--irisfx-mode locked, or CI set, forbids that",
    "locked": "; never writes pins: a recipe edit stops the session",
}


def resolve(
    *,
    option: Mapping[str, object],
    env: Mapping[str, str],
    ini: Mapping[str, str | None],
    invocation_dir: Path,
    ini_dir: Path,
    rootpath: Path,
) -> PluginSettings:
    """Resolve the settings. ``option`` holds the command-line values (None when not given)."""
    config = _pick("--irisfx-config", option.get("irisfx_config"), ENV_CONFIG, env,
                   INI_CONFIG, ini)
    if config.value is not None:
        base = ini_dir if config.source.startswith("ini") else invocation_dir
        path = Path(config.value)
        path = path if path.is_absolute() else base / path
        if path.is_dir():
            path = path / CONFIG_NAME
        config = Setting(str(path), config.source)
    else:
        found = find_config_path(rootpath)
        config = Setting(str(found) if found else None,
                         f"found from {rootpath}" if found else "not found")
    iris = _pick("--irisfx-iris", option.get("irisfx_iris"), ENV_IRIS, env, INI_IRIS, ini)
    mode = _pick("--irisfx-mode", option.get("irisfx_mode"), ENV_MODE, env, INI_MODE, ini)
    in_ci = env.get(ENV_CI, "").strip().lower() not in _NOT_CI
    mode_value = (mode.value or ("locked" if in_ci else "apply")).strip().lower()
    if mode_value not in MODES:
        raise SettingsError(f"irisfx mode {mode.value!r} ({mode.source}) is not one of "
                            f"{', '.join(MODES)}")
    return PluginSettings(
        config=config,
        iris=iris,
        mode=mode_value,  # type: ignore[arg-type]  # checked against MODES just above
        mode_source=mode.source if mode.value else
        (f"default: {ENV_CI} is set" if in_ci else "default"),
        keep=bool(option.get("irisfx_keep")),
        searched_from=rootpath,
    )


def _pick(flag: str, option: object, env_name: str, env: Mapping[str, str], ini_name: str,
          ini: Mapping[str, str | None]) -> Setting:
    if isinstance(option, str) and option:
        return Setting(option, flag)
    if env.get(env_name):
        return Setting(env[env_name], f"env {env_name}")
    if ini.get(ini_name):
        return Setting(ini[ini_name], f"ini {ini_name}")
    return Setting(None, "default")


def find_config_path(start: Path) -> Path | None:
    """fixtures.toml in ``start`` or the nearest folder above it (as 'irisfx' itself looks)."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _engine_from_file(path: Path) -> Setting:
    # Only for the header: the real validation happens when a test needs the project.
    try:
        with path.open("rb") as handle:
            iris = tomllib.load(handle).get("irisfx", {}).get("iris")
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return Setting(None, f"{CONFIG_NAME} unreadable")
    if isinstance(iris, str) and iris:
        return Setting(iris, CONFIG_NAME)
    return Setting(None, "default")



@dataclass(frozen=True)
class MarkerArgs:
    """What one ``@pytest.mark.irisfx(...)`` says."""

    names: tuple[object, ...]
    kwargs: Mapping[str, object]


@dataclass(frozen=True)
class Request:
    """What a test's markers ask of one fixture.

    ``writable`` None serves the fixture as fixtures.toml declares it (a copy when
    ``readonly = false``); True a copy of this process's own; False a read-only view of the
    mount. ``scope_given`` says whether a marker wrote ``scope=`` (for the warning that
    scope means nothing to a fixture served read-only).
    """

    scope: Scope = "session"
    writable: bool | None = None
    scope_given: bool = False

    def copied(self, declared_readonly: bool) -> bool:
        """True when the test gets a writable copy rather than the shared mount."""
        return (not declared_readonly) if self.writable is None else self.writable


def parse_requests(markers: Iterable[MarkerArgs]) -> tuple[dict[str, Request], list[str]]:
    """Fixture name -> request from the markers, closest first; and what is wrong with them.

    For each fixture, ``scope`` and ``writable`` come from the closest marker that names it
    and sets them, so a function's marker overrides a class's or module's ``pytestmark``.
    """
    found: dict[str, dict[str, object]] = {}
    problems: list[str] = []
    for marker in markers:
        settings = _marker_settings(marker, problems)
        for name in _marker_names(marker, problems):
            chosen = found.setdefault(name, {})
            for key, value in settings.items():
                chosen.setdefault(key, value)
    requests = {name: Request(scope=chosen.get("scope", "session"),  # type: ignore[arg-type]
                              writable=chosen.get("writable"),  # type: ignore[arg-type]
                              scope_given="scope" in chosen)
                for name, chosen in found.items()}
    return requests, problems


def _marker_settings(marker: MarkerArgs, problems: list[str]) -> dict[str, object]:
    unknown = sorted(set(marker.kwargs) - set(KEYWORDS))
    if unknown:
        problems.append(f"@pytest.mark.irisfx: unknown keyword {', '.join(unknown)} "
                        f"(accepted: {', '.join(KEYWORDS)})")
    settings = {key: marker.kwargs[key] for key in KEYWORDS if key in marker.kwargs}
    if "scope" in settings and settings["scope"] not in SCOPES:
        problems.append(f"@pytest.mark.irisfx: scope={settings.pop('scope')!r} is not one of "
                        f"{', '.join(SCOPES)}")
    writable = settings.get("writable")
    if "writable" in settings and writable is not None and not isinstance(writable, bool):
        problems.append(f"@pytest.mark.irisfx: writable={settings.pop('writable')!r} must be "
                        "True, False or None")
    return settings


def _marker_names(marker: MarkerArgs, problems: list[str]) -> list[str]:
    if not marker.names:
        problems.append('@pytest.mark.irisfx needs at least one fixture name, e.g. '
                        '@pytest.mark.irisfx("entities-100")')
    names = []
    for name in marker.names:
        if not isinstance(name, str) or not name:
            problems.append(f"@pytest.mark.irisfx: {name!r} is not a fixture name")
        else:
            names.append(name)
    return names
