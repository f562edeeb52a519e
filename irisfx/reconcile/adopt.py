"""Adopting a file irisfx did not make (``irisfx pin``): measure it, then pin it on request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import filelock

from irisfx.errors import ConfigError, LockedError
from irisfx.files.digest import sha256_file
from irisfx.lockfile.models import SIM_PRODUCT, Pin, ResolvedFixture
from irisfx.lockfile.project import Project, load_project, save_project
from irisfx.recipes.recipe import load_recipe
from irisfx.reconcile.manifest import file_manifest

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Candidate:
    """The file that would be pinned, as measured now."""

    fixture: ResolvedFixture
    sha256: str
    size: int
    built_by: str
    recipe_sha256: str | None


def measure(project: Project, name: str) -> Candidate:
    """Digest a fixture's file for adoption; ConfigError if there is no regular file."""
    fixture = project.fixture(name)
    path = project.path(fixture.file)
    if path.is_symlink() or not path.is_file():
        raise ConfigError(f"fixture '{name}' has no file to pin at {fixture.file}",
                          fix=f"put the file there (or set 'file' in [fixtures.{name}]), "
                          "then run 'irisfx pin' again")
    with path.open("rb") as handle:
        magic = handle.read(len(SQLITE_MAGIC))
    # The simulator's files are SQLite files; anything else is taken for an IRIS.DAT. The
    # engines refuse the other kind when they mount, as for any pin.
    built_by = f"{SIM_PRODUCT} (adopted file)" if magic == SQLITE_MAGIC \
        else "IRIS (adopted file, not built by irisfx)"
    digest = sha256_file(path)
    recipe = load_recipe(project.path(fixture.decl.recipe), fixture.decl.recipe) \
        if fixture.decl.recipe else None
    return Candidate(fixture, digest.sha256, digest.size, built_by,
                     recipe.sha256 if recipe else None)


def adopt(project: Project, candidate: Candidate) -> Project:
    """Write the pin for the measured file, under the project's apply lock."""
    lock = filelock.FileLock(project.state_dir / "apply.lock", timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LockedError("an irisfx apply is running in this project folder",
                          fix="wait for it to finish, then run 'irisfx pin' again") from None
    try:
        current = load_project(project.config_path)  # pin into the file as it is now
        name = candidate.fixture.name
        path = current.path(current.fixture(name).file)
        # Read before the digest is checked, so the check covers the bytes it was read from.
        manifest = file_manifest(path)
        if sha256_file(path).sha256 != candidate.sha256:
            raise ConfigError(f"{path.name} of fixture '{name}' changed while you looked at it",
                              fix="run 'irisfx pin' again and check the digest it shows")
        pin = Pin(sha256=candidate.sha256, size=candidate.size,
                  recipe_sha256=candidate.recipe_sha256, built_by=candidate.built_by,
                  tables={}, created=datetime.now(UTC).replace(microsecond=0),
                  manifest=manifest)
        fixtures = dict(current.doc.fixtures)
        fixtures[name] = fixtures[name].model_copy(update={"pin": pin})
        return save_project(current, current.doc.model_copy(update={"fixtures": fixtures}))
    finally:
        lock.release()
