"""The attack harness: a project beside a sentinel folder, the CLI run faithfully, and checks.

Every case lives in its own folder::

    case/proj/        the project (fixtures.toml, recipes/, fixtures/, sim/ = the simulator)
    case/outside/     a sentinel: files irisfx has no business touching
    case/home/        HOME for the run

`outside_snapshot` records everything under ``case/`` except the project, so a test can prove
that a run wrote nothing outside the project and its simulator folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tests.forkrun import HANG, Overran, Run, run_cli

SQL_RECIPE = """\
CREATE TABLE Shop.Item (ID INTEGER PRIMARY KEY, Name VARCHAR(50) NOT NULL);
INSERT INTO Shop.Item (ID, Name) VALUES (1, 'apple; red');
INSERT INTO Shop.Item (ID, Name) VALUES (2, 'pear');
"""

CONFIG = """\
[irisfx]
project = "demo"
iris = "sim://sim"

[fixtures.items]
source = "FXSRC_ITEMS"
recipe = "recipes/items.sql"
mount = "FX_ITEMS"
expect = { "Shop.Item" = 2 }
"""

EXTRA = """
[fixtures.extra]
source = "FXSRC_EXTRA"
recipe = "recipes/extra.sql"
mount = "FX_EXTRA"
"""

EXTRA_RECIPE = "CREATE TABLE Shop.Extra (ID INTEGER PRIMARY KEY);\n" \
    "INSERT INTO Shop.Extra (ID) VALUES (1);\n"

#: Exit codes the brief documents for anything but an interrupt.
DOCUMENTED = frozenset({0, 1, 2, 3, 4, 5})
#: A project-root temp file left by an atomic write (``.fixtures.toml.XXXX.tmp`` and kin).
STRAY_TEMP = re.compile(r"^\..*\.tmp$")


@dataclass
class Case:
    """One attack case: a project folder with a sentinel folder beside it."""

    root: Path

    @property
    def proj(self) -> Path:
        """The project folder."""
        return self.root / "proj"

    @property
    def outside(self) -> Path:
        """The sentinel folder beside the project."""
        return self.root / "outside"

    @property
    def config(self) -> Path:
        """The project's fixtures.toml."""
        return self.proj / "fixtures.toml"

    @property
    def env(self) -> dict[str, str]:
        """An environment that cannot reach the user's home or their irisfx settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("IRISFX_", "IRIS_"))}
        env["HOME"] = str(self.root / "home")
        env["NO_COLOR"] = "1"
        env["TMPDIR"] = str(self.root / "tmp")
        return env

    def irisfx(self, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
        """Run ``python -m irisfx ARGS`` in the project folder (tests.forkrun)."""
        return run_cli(self.proj, list(args), {**self.env, **(env or {})}, timeout=timeout)

    def popen(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """Start ``python -m irisfx ARGS`` without waiting (to be signalled)."""
        return subprocess.Popen(
            [sys.executable, "-m", "irisfx", *args], cwd=self.proj,
            env={**self.env, **(env or {})}, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )


def make_case(root: Path, config: str = CONFIG) -> Case:
    """A fresh case: project with the 'items' SQL recipe, sentinel files, an empty HOME."""
    case = Case(root)
    (case.proj / "recipes").mkdir(parents=True)
    (case.proj / "recipes" / "items.sql").write_text(SQL_RECIPE, encoding="utf-8")
    (case.proj / "recipes" / "extra.sql").write_text(EXTRA_RECIPE, encoding="utf-8")
    case.config.write_text(config, encoding="utf-8")
    (case.outside / "victim_dir").mkdir(parents=True)
    (case.outside / "victim.txt").write_text("do not touch\n", encoding="utf-8")
    (case.outside / "victim.sql").write_text(SQL_RECIPE, encoding="utf-8")
    (case.outside / "victim_dir" / "IRIS.DAT").write_bytes(b"sentinel" * 64)
    (root / "home").mkdir()
    (root / "tmp").mkdir()
    return case


def applied_case(root: Path, config: str = CONFIG) -> Case:
    """A case after a successful first apply: a template for cases to copy."""
    case = make_case(root, config)
    run = case.irisfx("apply", "--auto-approve")
    assert run.code == 0, run.text
    return case


def copy_case(template: Case, root: Path) -> Case:
    """A copy of ``template`` at ``root`` (symlinks copied as links, times kept)."""
    shutil.copytree(template.root, root, symlinks=True)
    return Case(root)


def outside_snapshot(case: Case) -> dict[str, tuple[object, ...]]:
    """Every entry under the case folder except the project and TMPDIR: type, bytes, times."""
    seen: dict[str, tuple[object, ...]] = {}
    skip = {case.proj, case.root / "tmp"}
    for dirpath, dirnames, filenames in os.walk(case.root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for name in [*dirnames, *filenames]:
            path = here / name
            rel = str(path.relative_to(case.root))
            info = path.lstat()
            if path.is_symlink():
                seen[rel] = ("link", os.readlink(path))
            elif path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                seen[rel] = ("file", info.st_mode, info.st_mtime_ns, digest)
            else:
                seen[rel] = ("dir", info.st_mode)
    return seen


def stray_temp_files(case: Case) -> list[str]:
    """Temp files an atomic write left in the project root or the state folders."""
    places = [case.proj, case.proj / ".irisfx", case.proj / "sim"]
    return sorted(str(p.relative_to(case.proj)) for place in places if place.is_dir()
                  for p in place.iterdir() if STRAY_TEMP.match(p.name))


def pins(case: Case) -> dict[str, str]:
    """fixture name -> pinned sha256, from fixtures.toml (which must parse)."""
    doc = tomllib.loads(case.config.read_text(encoding="utf-8"))
    return {name: f["pin"]["sha256"] for name, f in doc.get("fixtures", {}).items()
            if "pin" in f}


def problems_in_output(run: Run) -> list[str]:
    """What a run printed that it never should: a traceback or a plea to report a bug."""
    found = []
    if "Traceback" in run.text:
        found.append("traceback")
    if "please report it" in run.text:
        found.append("please-report")
    return found


def run_forked(case: Case, *args: str, timeout: float = 60) -> Run:
    """Run ``python -m irisfx ARGS`` in the case's project with its environment (tests.forkrun);
    code HANG if it overran its timeout and was killed."""
    try:
        return run_cli(case.proj, list(args), case.env, timeout=timeout)
    except Overran:
        return Run(HANG, "", "")
