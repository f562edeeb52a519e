"""Where a fixture's ``file`` and ``recipe`` really lead, checked once per load.

A ``file`` is what irisfx overwrites with a snapshot, so it must be a path of its own: inside
the project, not fixtures.toml, not a recipe, not another fixture's file, not a folder, not
under ``.irisfx/``. A ``recipe`` must be inside the project and not a folder or a device.

Paths are resolved through symbolic links with one ``lstat`` per distinct folder (memoised),
not one ``Path.resolve`` per key: 10,000 fixtures cost 10,000 cheap calls, not 20,000 walks.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from irisfx.files.dbfile import read_label
from irisfx.lockfile.models import ResolvedFixture

Report = Callable[[str, str, str], tuple[int, str]]  # (fixture, key, what) -> (line, text)


class Resolver:
    """Resolves project-relative paths as ``Path.resolve(strict=False)`` would, memoised."""

    def __init__(self, root: str) -> None:
        self.root = root  # already real
        # relative folder -> (real path, whether it exists); "" is the root
        self._folders: dict[str, tuple[str, bool]] = {"": (root, True)}

    def resolve(self, relative: str) -> tuple[str, int | None]:
        """The real path of ``relative`` and the mode of what is there (None: nothing)."""
        if "//" in relative or relative.endswith("/") or "." in relative.split("/"):
            relative = "/".join(p for p in relative.split("/") if p not in ("", "."))
        head, _, name = relative.rpartition("/")
        if not name:
            return self.root, stat.S_IFDIR
        folder, exists = self._folder(head)
        if not exists:  # nothing can be inside a folder that is not there
            return f"{folder}{os.sep}{name}", None
        return self._step(folder, name)

    def _folder(self, relative: str) -> tuple[str, bool]:
        missing: list[str] = []
        while relative not in self._folders:  # climb to the nearest known folder
            relative, _, name = relative.rpartition("/")
            missing.append(name)
        real, exists = self._folders[relative]
        for name in reversed(missing):
            if exists:
                real, mode = self._step(real, name)
                exists = mode is not None and stat.S_ISDIR(mode)
            else:
                real = f"{real}{os.sep}{name}"
            relative = f"{relative}/{name}" if relative else name
            self._folders[relative] = (real, exists)
        return real, exists

    @staticmethod
    def _step(folder: str, name: str) -> tuple[str, int | None]:
        path = f"{folder.rstrip(os.sep)}{os.sep}{name}"
        try:
            mode = os.lstat(path).st_mode
        except OSError:  # absent (or unreadable): resolve(strict=False) keeps the name
            return path, None
        if not stat.S_ISLNK(mode):
            return path, mode
        real = os.path.realpath(path)
        try:
            return real, os.stat(real).st_mode  # noqa: PTH116
        except OSError:
            return real, None


def path_problems(root: Path, config_path: Path, state_dir: str,
                  fixtures: Iterable[ResolvedFixture], report: Report) -> list[tuple[int, str]]:
    """Every problem with where fixtures' files and recipes lead."""
    resolver = Resolver(str(root))
    config_real = os.path.realpath(config_path)
    state_real = resolver.resolve(state_dir)[0]
    fixtures = list(fixtures)
    recipes: dict[str, str] = {}
    problems: list[tuple[int, str]] = []
    for fixture in fixtures:
        if fixture.decl.recipe is None:
            continue
        real, mode = resolver.resolve(fixture.decl.recipe)
        recipes.setdefault(real, fixture.name)
        what = _where_it_leads(resolver.root, real)
        if what is None and mode is not None and stat.S_ISDIR(mode):
            what = "is a folder; name a .sql or .py file"
        elif what is None and mode is not None and not stat.S_ISREG(mode):
            what = "is not a regular file (a FIFO, socket or device); name a .sql or .py file"
        if what:
            problems.append(report(fixture.name, "recipe", f"{fixture.decl.recipe} {what}"))
    files: dict[str, str] = {}
    for fixture in fixtures:
        real, mode = resolver.resolve(fixture.file)
        owner = files.setdefault(real, fixture.name)
        what = _where_it_leads(resolver.root, real)
        if what is None:
            what = _file_conflict(real, mode, config_real, state_real, recipes, owner,
                                  fixture.name)
        if what is None and fixture.pin is None and mode is not None and _not_database(real):
            # A pinned file is checked against its digest by plan; an unpinned one that is
            # not even a database (README.md, .git/config) can never become this fixture's.
            what = ("is not a database file; irisfx never pins or writes over it: name a path "
                    f"of the fixture's own, e.g. fixtures/{fixture.name}/IRIS.DAT")
        if what:
            written = "file" in fixture.decl.model_fields_set
            hint = "" if written else " (by default); set 'file' to choose another"
            problems.append(report(fixture.name, "file", f"{fixture.file} {what}{hint}"))
    return problems


def _not_database(real: str) -> bool:
    try:
        return read_label(Path(real)) is None
    except OSError:  # unreadable: plan reports it with the file's own error
        return False


def _where_it_leads(root: str, real: str) -> str | None:
    if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
        return None
    return "leads outside the project folder (through a symbolic link)"


def _file_conflict(real: str, mode: int | None, config: str, state: str,
                   recipes: dict[str, str], owner: str, name: str) -> str | None:
    if real == config:
        return ("is fixtures.toml itself: irisfx would overwrite it with a snapshot; "
                "give the fixture a file of its own")
    if real == state or real.startswith(state + os.sep):
        return "lies under .irisfx/, irisfx's own state folder; choose a path outside it"
    if real in recipes:
        return (f"is the recipe of fixture '{recipes[real]}': irisfx would overwrite it with "
                "a snapshot")
    if owner != name:
        return f"is already the file of fixture '{owner}'"
    if mode is not None and stat.S_ISDIR(mode):
        return "is an existing folder; name the file inside it, e.g. FOLDER/IRIS.DAT"
    if mode is not None and not stat.S_ISREG(mode):
        return "is not a regular file (a FIFO, socket or device)"
    return None
