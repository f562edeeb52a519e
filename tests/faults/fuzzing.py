"""The fuzz targets: hostile input written into a case, one irisfx command, the property.

The property, for every target: the exit code is documented (0-5), the output holds no
traceback and no "please report it", nothing outside the project (which holds the simulator's
folder) changed, and the command ended (no hang). tests/faults/test_fuzz.py runs each target
with a fixed seed and a CI-sized count; tests/soak/run_soak.py runs them long.
"""

from __future__ import annotations

import itertools
import json
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from tests.faults.harness import (
    CONFIG,
    DOCUMENTED,
    EXTRA,
    HANG,
    Case,
    Run,
    copy_case,
    make_case,
    outside_snapshot,
    problems_in_output,
    run_forked,
)
from tests.faults.mutations import (
    ALL,
    fill,
    fixtures_toml,
    json_file,
    mutate_bytes,
    plant_names,
)

SOAK_ENV = "IRISFX_SOAK_EXAMPLES"
COMMANDS = [("plan",), ("check",), ("verify",), ("apply", "--auto-approve"), ("status",),
            ("plan", "--json"), ("apply",), ("check", "--verify", "full")]


def examples(ci: int) -> int:
    """The example count: ``ci`` unless IRISFX_SOAK_EXAMPLES asks for more."""
    return int(os.environ.get(SOAK_ENV, ci))


@dataclass
class Templates:
    """Prepared cases every example starts from (copied, never changed)."""

    fresh: Case
    applied: Case
    pending: Case  # applied, then its recipe changed and the plan saved to plan.json

    @classmethod
    def build(cls, root: Path) -> Templates:
        """Make the templates with real subprocess runs of irisfx."""
        fresh = make_case(root / "fresh", CONFIG + EXTRA)
        applied = make_case(root / "applied", CONFIG + EXTRA)
        run = applied.irisfx("apply", "--auto-approve")
        assert run.code == 0, run.text
        pending = copy_case(applied, root / "pending")
        recipe = pending.proj / "recipes" / "items.sql"
        recipe.write_text(recipe.read_text(encoding="utf-8").replace("'pear'", "'fig'"),
                          encoding="utf-8")
        run = pending.irisfx("plan", "--out", "plan.json")
        assert run.code == 0, run.text
        return cls(fresh, applied, pending)


def plant_links(case: Case) -> None:
    """Symlinks in the project that point outside it, and a folder named like a recipe."""
    links = {
        case.proj / "link_out": "../outside",
        case.proj / "link_file.sql": "../outside/victim.sql",
        case.proj / "recipes" / "link.sql": str(case.outside / "victim.sql"),
        case.proj / "fixtures" / "evil": "../../outside/victim_dir",
    }
    for link, target in links.items():
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.is_symlink():
            link.symlink_to(target)
    (case.proj / "recipes" / "dir.sql").mkdir(exist_ok=True)


def check(case: Case, before: dict[str, tuple[object, ...]], run: Run) -> list[str]:
    """The property: what is wrong with this run (empty when nothing is)."""
    problems = []
    if run.code == HANG:
        problems.append("hang")
    elif run.code not in DOCUMENTED:
        problems.append(f"exit-{run.code}")
    problems += problems_in_output(run)
    if outside_snapshot(case) != before:
        problems.append("wrote-outside")
    return problems


def _write(path: Path, data: bytes, case: Case) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fill(data, str(case.outside), str(case.proj)))


def fuzz_config(data: st.DataObject, root: Path, templates: Templates,
                allow: frozenset[str]) -> tuple[Case, tuple[str, ...]]:
    """A fresh or applied project whose fixtures.toml is mutated."""
    base = data.draw(st.sampled_from([templates.fresh, templates.applied]), label="base")
    case = copy_case(base, root)
    plant_links(case)
    doc = tomllib.loads(base.config.read_text(encoding="utf-8"))
    text = data.draw(fixtures_toml(doc, allow), label="fixtures.toml")
    _write(case.config, text, case)
    return case, data.draw(st.sampled_from(COMMANDS), label="command")


def fuzz_plan(data: st.DataObject, root: Path, templates: Templates,
              allow: frozenset[str]) -> tuple[Case, tuple[str, ...]]:
    """A saved plan (``apply --plan FILE``) mutated, or a plan path that is not a plan."""
    case = copy_case(templates.pending, root)
    plant_links(case)
    plan = case.proj / "plan.json"
    how = data.draw(st.sampled_from(["content", "content", "content", "path"]), label="how")
    name = "plan.json"
    if how == "content":
        _write(plan, data.draw(json_file(plan.read_bytes(), allow), label="plan.json"), case)
    else:
        name = data.draw(st.sampled_from([
            "missing.json", "recipes", "link_out/victim.txt", "fixtures.toml",
            str(case.outside / "victim.txt"), "/dev/null", "plan.json/x", ""]), label="--plan")
    extra = data.draw(st.sampled_from([(), ("--auto-approve",)]), label="flags")
    return case, ("apply", "--plan", name, *extra)


def fuzz_sim_state(data: st.DataObject, root: Path, templates: Templates,
                   allow: frozenset[str]) -> tuple[Case, tuple[str, ...]]:
    """Any files under the simulator's folder corrupted, truncated, replaced or removed."""
    case = copy_case(templates.applied, root)
    files = sorted(p for p in (case.proj / "sim").rglob("*") if p.is_file() and
                   not p.is_symlink())
    state = [p for p in files if p.suffix == ".json"] or files  # where names are kept
    pool = state if data.draw(st.booleans(), label="state files only") else files
    chosen = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True),
                       label="files")
    plant = "hostile-keys" in allow and data.draw(st.booleans(), label="plant?")
    for path in chosen:
        rel = path.relative_to(case.proj)
        if plant and path.suffix == ".json":
            _write(path, data.draw(plant_names(path.read_bytes()), label=str(rel)), case)
        elif data.draw(st.integers(0, 9), label=f"delete {rel}?") == 0:
            path.unlink()
        else:
            _write(path, data.draw(json_file(path.read_bytes(), allow), label=str(rel)), case)
    # apply is what acts on the state read back (repairs, unmounts): draw it more often.
    return case, data.draw(st.sampled_from([("apply", "--auto-approve")] * 3 + COMMANDS),
                           label="command")


def _forged_entries(case: Case) -> dict[str, Any]:
    """Cache entries claiming the pinned digests for the files as they are now."""
    entries: dict[str, Any] = {}
    for path in (case.proj / "fixtures").rglob("IRIS.DAT"):
        info = path.stat()
        entries[str(path)] = {"stat": [info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                                       info.st_ino, info.st_dev], "sha256": "0" * 64}
    return entries


def fuzz_stat_cache(data: st.DataObject, root: Path, templates: Templates,
                    allow: frozenset[str]) -> tuple[Case, tuple[str, ...]]:
    """The stat cache replaced: mutated JSON, forged entries, damaged bytes."""
    case = copy_case(templates.applied, root)
    cache = case.proj / ".irisfx" / "stat-cache.json"
    # The template's bytes with a placeholder for its folder: what is drawn must not depend
    # on where this example lives.
    current = (templates.applied.proj / ".irisfx" / "stat-cache.json").read_bytes().replace(
        str(templates.applied.proj).encode(), b"{PROJ}")
    hows = ["json", "forged", "bytes", "shape"] if "shape" in allow else ["json", "forged",
                                                                          "bytes"]
    how = data.draw(st.sampled_from(hows), label="how")
    if how == "json":
        new = data.draw(json_file(current, allow), label="stat-cache.json")
    elif how == "forged":
        new = json.dumps({"version": 1, "files": _forged_entries(case)}).encode()
    elif how == "bytes":
        new = data.draw(mutate_bytes(current), label="stat-cache.json")
    else:
        new = data.draw(st.sampled_from([b'{"files":[1]}', b'{"version":1,"files":[1]}',
                                         b'{"version":1,"files":null}', b"[]", b'"x"', b"null",
                                         b'{"version":1,"files":{"x":1}}',
                                         b'{"version":1,"files":{"x":{"stat":1}}}']),
                        label="stat-cache.json")
    _write(cache, new, case)
    return case, data.draw(st.sampled_from(COMMANDS), label="command")


Target = Callable[[st.DataObject, Path, Templates, frozenset[str]], tuple[Case, tuple[str, ...]]]
TARGETS: dict[str, Target] = {
    "config": fuzz_config,
    "plan": fuzz_plan,
    "sim-state": fuzz_sim_state,
    "stat-cache": fuzz_stat_cache,
}

Report = Callable[[str, list[str], str], None]


def fuzz(target: str, templates: Templates, workdir: Path, count: int, report: Report,
         seed: int, allow: frozenset[str] = ALL, shrink: bool = True) -> int:
    """Run ``count`` examples of ``target``; call ``report`` for each broken property.

    ``allow`` names the families of hostile input to draw from (tests.faults.mutations.ALL).
    The same ``seed`` draws the same examples. With ``shrink``, a failure is reduced to a
    minimal example (CI); without, every example runs and ``report`` sees each failure (soak).
    Returns the number of examples run.
    """
    ran = 0
    numbers = itertools.count()

    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck),
              phases=[Phase.generate, Phase.shrink] if shrink else [Phase.generate])
    @hypothesis_seed(seed)
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        nonlocal ran
        # A new folder each time (deleting costs more than the run on some disks) with a name
        # of fixed length: what is drawn must not depend on where the example lives.
        root = workdir / f"ex{next(numbers):07d}"
        case, args = TARGETS[target](data, root, templates, allow)
        before = outside_snapshot(case)
        run = run_forked(case, *args, timeout=30)
        ran += 1
        problems = check(case, before, run)
        if problems:
            report(target, problems, f"irisfx {' '.join(args)} -> exit {run.code}\n"
                   f"{run.text[-3000:]}")

    one()
    return ran

