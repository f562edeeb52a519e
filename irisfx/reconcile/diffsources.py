"""Where the two sides of ``irisfx diff`` come from, and the clean-up of what reading them took.

A side is a fixture file (in the working tree, at a git revision, or from the store by its
pin), or the database a recipe builds now. A simulator file (SQLite) is read directly; an IRIS
file needs IRIS, so it is mounted read-only under a temporary namespace this project owns; a
recipe is built under another. :class:`DiffSession` removes every temporary namespace and file
when it closes, also after an error; one left by a killed diff is an undeclared namespace of
this project, which the next ``apply`` removes.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from irisfx.engines.base import Engine
from irisfx.engines.manifest import DatabaseReader
from irisfx.engines.sim.manifest import SimReader
from irisfx.errors import ConfigError, EngineError, IrisfxError, UsageError
from irisfx.files.dbfile import read_label
from irisfx.files.digest import sha256_file
from irisfx.lockfile.models import Pin, ResolvedFixture
from irisfx.lockfile.project import CONFIG_NAME, Project, ensure_state_dir
from irisfx.recipes.recipe import Recipe

TEMP_PREFIX = "FXDIFF_"


class DiffSession:
    """Readers for the sides of a diff, and everything to remove afterwards."""

    def __init__(self, project: Project | None, engine: Engine | None) -> None:
        self.project = project
        self.engine = engine
        self._readers: list[DatabaseReader] = []
        self._namespaces: list[str] = []
        self._folder: Path | None = None

    def __enter__(self) -> DiffSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every reader, remove every temporary namespace and file."""
        for reader in self._readers:
            reader.close()
        self._readers.clear()
        for namespace in self._namespaces:
            assert self.engine is not None
            self.engine.unmount(namespace)
        self._namespaces.clear()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _keep(self, reader: DatabaseReader) -> DatabaseReader:
        self._readers.append(reader)
        return reader

    def _namespace(self) -> str:
        namespace = TEMP_PREFIX + secrets.token_hex(4).upper()
        self._namespaces.append(namespace)
        return namespace

    def temp_file(self, name: str) -> Path:
        """A new path in this session's folder (``.irisfx/diff-*``, or the system's)."""
        if self._folder is None:
            if self.project is not None:
                ensure_state_dir(self.project.state_dir)
            where = self.project.state_dir if self.project is not None else None
            self._folder = Path(tempfile.mkdtemp(prefix="diff-", dir=where))
        return self._folder / name

    def file(self, path: Path, fixture: str) -> DatabaseReader:
        """A reader over a fixture file: read directly (simulator) or mounted (IRIS)."""
        try:
            label = read_label(path)
        except FileNotFoundError:
            raise UsageError(f"{path} does not exist",
                             fix="check the path, or run 'irisfx pull' / 'irisfx apply' to "
                             "fetch or build the fixture's file") from None
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}",
                             fix="check the path and its permissions") from None
        if label is None:
            raise UsageError(f"{path} is not a database file irisfx can read",
                             details=[_pointer_hint(path)] if _is_lfs_pointer(path) else [],
                             fix="pass an IRIS.DAT made by irisfx (or by IRIS)")
        if label.kind == "sim":
            return self._keep(SimReader.open_file(path))
        return self._keep(self._mounted(path, fixture))

    def _mounted(self, path: Path, fixture: str) -> DatabaseReader:
        engine = self.engine
        if engine is None or engine.info().kind != "iris":
            raise UsageError(f"{path} is an IRIS database: reading its rows needs IRIS",
                             fix="pass --iris iris://USER@HOST:PORT (or set IRISFX_IRIS); "
                             "'irisfx dump' shows its manifest without a server")
        namespace = self._namespace()
        engine.mount(fixture, path, namespace, readonly=True, sha256=sha256_file(path).sha256,
                     role="copy")
        return engine.reader(namespace)

    def recipe(self, fixture: ResolvedFixture, recipe: Recipe) -> DatabaseReader:
        """A reader over what ``recipe`` builds now, in a temporary namespace."""
        if self.engine is None:
            raise UsageError("building a recipe needs an engine")
        namespace = self._namespace()
        self.engine.build(fixture.name, namespace, recipe)
        return self._keep(self.engine.reader(namespace))

    def at_revision(self, fixture: ResolvedFixture, revision: str) -> tuple[Path, Pin | None]:
        """The fixture's file as it was at git ``revision`` (through the store if git has only
        a pin), and the pin fixtures.toml had then."""
        project = self._project()
        pin = self._pin_at(fixture, revision)
        target = self.temp_file(f"{revision_slug(revision)}-{fixture.name}.DAT")
        found = _git_show(project.root, revision, fixture.file, target)
        if found and not _is_lfs_pointer(target):
            return target, pin
        if pin is None:
            raise UsageError(f"fixture '{fixture.name}' has no file in git at {revision}, "
                             "and no pin there to fetch it from the store by",
                             fix="choose a revision where the fixture was pinned")
        self._from_store(fixture, pin, target)
        return target, pin

    def _project(self) -> Project:
        if self.project is None:
            raise UsageError("--from and --to need a project (fixtures.toml)")
        return self.project

    def _pin_at(self, fixture: ResolvedFixture, revision: str) -> Pin | None:
        project = self._project()
        where = self.temp_file(f"{revision_slug(revision)}-{CONFIG_NAME}")
        if not _git_show(project.root, revision, project.config_path.name, where):
            return None
        try:
            data: dict[str, Any] = tomllib.loads(where.read_text("utf-8"))
            raw = data.get("fixtures", {}).get(fixture.name, {}).get("pin")
            return Pin.model_validate(raw) if isinstance(raw, dict) else None
        except (ValueError, UnicodeDecodeError):
            return None  # a fixtures.toml irisfx cannot read at that revision: no pin

    def _from_store(self, fixture: ResolvedFixture, pin: Pin, target: Path) -> None:
        from irisfx.lockfile.project import store_url
        from irisfx.store.location import check_reachable, open_store
        from irisfx.store.transfer import Item, pull_one

        project = self._project()
        if store_url(project) is None:
            raise UsageError(f"fixture '{fixture.name}' at that revision is not in git, and "
                             "this project has no store to fetch it from",
                             fix="commit fixture files, or set [irisfx] store (docs/store.md)")
        store = open_store(project)
        check_reachable(store)
        target.unlink(missing_ok=True)
        pull_one(store, Item(fixture.name, target, pin.sha256, pin.size))


def revision_slug(revision: str) -> str:
    """A revision as part of a file name."""
    return "".join(c if c.isalnum() else "_" for c in revision)[:40] or "rev"


def _git_show(root: Path, revision: str, relative: str, target: Path) -> bool:
    """Write ``revision:relative`` (relative to ``root``) to ``target``; False if git has no
    such file there. UsageError when git is missing, this is no repository or no revision."""
    if revision.startswith("-"):
        raise UsageError(f"{revision!r} is not a git revision", fix="pass a commit, tag or "
                         "branch, e.g. --from HEAD~1")
    try:
        with target.open("wb") as out:
            done = subprocess.run(["git", "-C", str(root), "show", f"{revision}:./{relative}"],
                                  stdout=out, stderr=subprocess.PIPE, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed", fix="install git, or compare two files "
                         "with --from-file and --to-file") from None
    if done.returncode == 0:
        return True
    message = done.stderr.decode("utf-8", "replace").strip().splitlines()
    first = message[0] if message else "git show failed"
    if "does not exist in" in first or "exists on disk, but not in" in first:
        return False
    raise UsageError(f"git cannot show {revision}:{relative}: {first}",
                     fix="check the revision (git log) and that the project is in a git "
                     "repository")


def _is_lfs_pointer(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(40).startswith(b"version https://git-lfs")
    except OSError:
        return False


def _pointer_hint(path: Path) -> str:
    return f"{path} is a Git LFS pointer, not the file: run 'git lfs pull'"


def checked_pinned_file(project: Project, fixture: ResolvedFixture) -> Path:
    """The fixture's file in the working tree, which must match its pin."""
    pin = fixture.pin
    if pin is None:
        raise ConfigError(f"fixture '{fixture.name}' has no pin to compare with",
                          fix="run 'irisfx apply' to build and pin it first")
    path = project.path(fixture.file)
    try:
        found = sha256_file(path).sha256
    except FileNotFoundError:
        raise UsageError(f"fixture '{fixture.name}': {fixture.file} is missing",
                         fix="run 'irisfx pull' or 'irisfx apply' to fetch or build it") from None
    if found != pin.sha256:
        from irisfx.errors import IntegrityError

        raise IntegrityError(f"fixture '{fixture.name}' does not match its pin",
                             details=[f"file: {fixture.file}"],
                             fix="restore the file (git checkout, irisfx pull), or diff two "
                             "files with --from-file and --to-file")
    return path


__all__ = ["DiffSession", "EngineError", "IrisfxError", "checked_pinned_file"]
