"""Observation: what is real now (files on disk, recipes, the engine's inventory). Read-only."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from irisfx.engines import EngineSettings, open_engine
from irisfx.engines.base import Engine, EngineInfo, Inventory
from irisfx.errors import RecipeError
from irisfx.files.dbfile import read_label
from irisfx.files.digest import FileDigest, ProgressFactory, StatCache, digest_files
from irisfx.lockfile.models import DEFAULT_ENGINE_URL, ResolvedFixture
from irisfx.lockfile.project import Project, ensure_state_dir, locate_key
from irisfx.recipes.recipe import Recipe, load_recipe

ENGINE_ENV = "IRISFX_IRIS"
NEW_SUFFIX = ".irisfx-new"


@dataclass(frozen=True)
class FileState:
    """A fixture's file on disk, and a snapshot left half-finished beside it, if any."""

    digest: FileDigest | None
    interrupted: FileDigest | None = None
    # Whether the file on disk is a database at all (irisfx.files.dbfile); read only for a
    # file that is not the pinned one, since only then may irisfx be asked to write over it.
    database: bool = True


@dataclass(frozen=True)
class Observation:
    """Everything plan needs to know about reality."""

    engine: EngineInfo
    inventory: Inventory
    files: dict[str, FileState]
    recipes: dict[str, Recipe]

    @property
    def hashed(self) -> int:
        """How many files were hashed (not served by the stat cache) to observe."""
        states = self.files.values()
        return sum(1 for s in states for d in (s.digest, s.interrupted) if d and d.hashed)

    def fingerprint(self) -> dict[str, str]:
        """Digests of the instance, the files and the recipes, to detect a stale saved plan."""
        owned = {ns: asdict(record) for ns, record in sorted(self.inventory.owned.items())}
        instance = {"namespaces": sorted(self.inventory.namespaces), "owned": owned}
        files = {
            name: [s.digest.sha256 if s.digest else None,
                   s.interrupted.sha256 if s.interrupted else None]
            for name, s in sorted(self.files.items())
        }
        recipes = {name: recipe.sha256 for name, recipe in sorted(self.recipes.items())}
        return {"instance": _digest_json(instance), "files": _digest_json(files),
                "recipes": _digest_json(recipes)}


def _digest_json(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def engine_url(project: Project, override: str | None = None) -> str:
    """The engine URL: --iris, then IRISFX_IRIS, then fixtures.toml, then the simulator."""
    return override or os.environ.get(ENGINE_ENV) or project.doc.irisfx.iris or DEFAULT_ENGINE_URL


def open_project_engine(project: Project, override: str | None = None) -> Engine:
    """Open the engine this project is configured for."""
    ensure_state_dir(project.state_dir)  # the default simulator lives in .irisfx/
    settings = project.doc.irisfx
    engine_settings = EngineSettings(
        url=engine_url(project, override),
        project=project.name,
        root=project.root,
        username_env=settings.username_env,
        password_env=settings.password_env,
        connect_timeout=settings.connect_timeout,
        path_map=dict(settings.path_map),
    )
    return open_engine(with_project_identity(engine_settings, project))


def project_identity(project: Project) -> str | None:
    """The project's ``[irisfx] id``, written once into fixtures.toml, when the model has it."""
    value = getattr(project.doc.irisfx, "id", None)
    return value if isinstance(value, str) and value else None


def with_project_identity(settings: EngineSettings, project: Project) -> EngineSettings:
    """``settings`` carrying the project's identity, so engines tell same-named copies apart.

    Both halves land separately (``Settings.id``, ``EngineSettings.project_id``); until both
    exist the settings are returned unchanged.
    """
    identity = project_identity(project)
    if identity is None or "project_id" not in {f.name for f in fields(EngineSettings)}:
        return settings
    changes: dict[str, Any] = {"project_id": identity}
    return replace(settings, **changes)


def new_file_path(path: Path) -> Path:
    """Where a snapshot is written before it replaces the fixture's file."""
    return path.with_name(path.name + NEW_SUFFIX)


def observe_files(
    project: Project,
    fixtures: list[ResolvedFixture],
    cache: StatCache,
    *,
    full: bool = False,
    progress: ProgressFactory | None = None,
) -> dict[str, FileState]:
    """Digest every fixture file (stat-cached, in parallel) and any interrupted snapshot."""
    paths = {f.name: project.path(f.file) for f in fixtures}
    leftovers = {name: new_file_path(p) for name, p in paths.items()}
    existing_leftovers = [p for p in leftovers.values() if p.exists()]
    digests = digest_files([*paths.values(), *existing_leftovers], cache, full=full,
                           progress=progress)
    pins = {f.name: f.pin.sha256 if f.pin else None for f in fixtures}
    return {
        name: FileState(digest=digests[path], interrupted=digests.get(leftovers[name]),
                        database=_is_database(path, digests[path], pins[name]))
        for name, path in paths.items()
    }


def _is_database(path: Path, digest: FileDigest | None, pinned: str | None) -> bool:
    """False for a file that is there, is not the pinned one, and is no database at all."""
    if digest is None or digest.sha256 == pinned:
        return True
    try:
        return read_label(path) is not None
    except OSError:
        return False


def load_fixture_recipes(project: Project, fixtures: list[ResolvedFixture]
                         ) -> dict[str, Recipe]:
    """Each fixture's recipe, each file read once; one that cannot be read is named with the
    fixtures.toml lines that declare it."""
    loaded: dict[str, Recipe] = {}
    for fixture in fixtures:
        relative = fixture.decl.recipe
        if relative and relative not in loaded:
            try:
                loaded[relative] = load_recipe(project.path(relative), relative)
            except RecipeError as exc:
                exc.details += _declared_at(project, fixtures, relative)
                raise
    return {f.name: loaded[f.decl.recipe] for f in fixtures if f.decl.recipe}


def _declared_at(project: Project, fixtures: list[ResolvedFixture], relative: str) -> list[str]:
    text = project.raw.decode("utf-8", "replace")
    name = project.config_path.name
    return [f"declared at {name}:{locate_key(text, ['fixtures', f.name, 'recipe']) or '?'}: "
            f"fixture '{f.name}'" for f in fixtures if f.decl.recipe == relative]


def observe(
    project: Project,
    engine: Engine,
    fixtures: list[ResolvedFixture],
    cache: StatCache,
    *,
    full: bool = False,
    progress: ProgressFactory | None = None,
) -> Observation:
    """Observe files, recipes and the engine for the given fixtures. Changes nothing."""
    recipes = load_fixture_recipes(project, fixtures)
    return Observation(
        engine=engine.info(),
        inventory=engine.inventory(),
        files=observe_files(project, fixtures, cache, full=full, progress=progress),
        recipes=recipes,
    )
