"""Adopting a file irisfx did not make (``irisfx pin``): measure it, then pin it on request."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import filelock

from irisfx.engines.sim.database import open_database
from irisfx.errors import ConfigError, IntegrityError, LockedError
from irisfx.files.dbfile import read_label
from irisfx.files.digest import sha256_file
from irisfx.lockfile.models import SIM_PRODUCT, Pin, ResolvedFixture
from irisfx.lockfile.project import Project, load_project, save_project
from irisfx.recipes.recipe import load_recipe


@dataclass(frozen=True)
class Candidate:
    """The file that would be pinned, as measured now."""

    fixture: ResolvedFixture
    sha256: str
    size: int
    built_by: str
    recipe_sha256: str | None
    tables: dict[str, int] = field(default_factory=dict)


def measure(project: Project, name: str) -> Candidate:
    """Digest a fixture's file for adoption; ConfigError if there is no regular file."""
    fixture = project.fixture(name)
    path = project.path(fixture.file)
    if path.is_symlink() or not path.is_file():
        raise ConfigError(f"fixture '{name}' has no file to pin at {fixture.file}",
                          fix=f"put the file there (or set 'file' in [fixtures.{name}]), "
                          "then run 'irisfx pin' again")
    label = read_label(path)
    if label is None:
        raise IntegrityError(f"fixture '{name}': {fixture.file} is not a database file",
                             details=["irisfx pins only an IRIS database or a simulator "
                                      "database; nothing was pinned."],
                             fix=f"set 'file' in [fixtures.{name}] to the database file to "
                             "adopt, then run 'irisfx pin' again")
    # The engines refuse the other kind when they mount, as for any pin.
    tables: dict[str, int] = {}
    if label.kind == "sim":
        built_by = f"{SIM_PRODUCT} (adopted file)"
        tables = _sim_tables(path, name, fixture.file)
    else:
        built_by = "IRIS (adopted file, not built by irisfx)"
    digest = sha256_file(path)
    recipe = load_recipe(project.path(fixture.decl.recipe), fixture.decl.recipe) \
        if fixture.decl.recipe else None
    return Candidate(fixture, digest.sha256, digest.size, built_by,
                     recipe.sha256 if recipe else None, tables)


def _sim_tables(path: Path, name: str, file: str) -> dict[str, int]:
    """Rows per table of a simulator database; IntegrityError when it cannot be read whole."""
    try:
        with closing(open_database(path, writable=False)) as db:
            verdict = [str(row[0]) for row in db.execute("PRAGMA quick_check")]
            if verdict != ["ok"]:
                raise sqlite3.DatabaseError("; ".join(verdict[:3]))
            names = [str(row[0]) for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            quoted = {n: '"' + n.replace('"', '""') + '"' for n in names}
            return {n: int(db.execute(f"SELECT COUNT(*) FROM {quoted[n]}").fetchone()[0])
                    for n in names}
    except sqlite3.Error as exc:
        raise IntegrityError(
            f"fixture '{name}': {file} is a damaged database: the simulator cannot read it",
            details=[f"SQLite: {exc}", "Nothing was pinned."],
            fix="restore the file from where it came from (git, a colleague, the store), "
            "then run 'irisfx pin' again") from None


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
        if sha256_file(path).sha256 != candidate.sha256:
            raise ConfigError(f"{path.name} of fixture '{name}' changed while you looked at it",
                              fix="run 'irisfx pin' again and check the digest it shows")
        pin = Pin(sha256=candidate.sha256, size=candidate.size,
                  recipe_sha256=candidate.recipe_sha256, built_by=candidate.built_by,
                  tables=dict(candidate.tables), created=datetime.now(UTC).replace(microsecond=0))
        fixtures = dict(current.doc.fixtures)
        fixtures[name] = fixtures[name].model_copy(update={"pin": pin})
        return save_project(current, current.doc.model_copy(update={"fixtures": fixtures}))
    finally:
        lock.release()
