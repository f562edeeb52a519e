"""The package layout tells the flow: a few wings that import only downward, with no circle.

The wings, from the bottom: ``files`` (atomic writes, digests, signals), ``recipes``,
``lockfile`` (fixtures.toml), ``engines``, ``store``, ``reconcile`` (observe -> plan -> apply),
``plugin`` (pytest), ``cli``. Every import counts: at module level, under ``TYPE_CHECKING`` and
inside functions, because each is a dependency a reader must follow.
"""

from __future__ import annotations

import ast
import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import irisfx

PACKAGE = Path(irisfx.__file__).parent
# Lowest first. A module may import its own wing and any wing below it.
WINGS = ["errors", "files", "recipes", "lockfile", "engines", "store", "reconcile", "plugin",
         "cli", "pytest_plugin", "__main__"]
RANK = {wing: rank for rank, wing in enumerate(WINGS)}
RANK["__init__"] = 0  # irisfx/__init__.py holds the version only


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """Every irisfx module ``path`` imports, wherever the import stands."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {_owner(name, known) for name in names if name.startswith("irisfx")} - {module, ""}


def _owner(name: str, known: set[str]) -> str:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


def _wing(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def test_the_top_of_the_package_is_a_dozen_entries_at_most() -> None:
    entries = sorted(p.name for p in PACKAGE.iterdir()
                     if p.name not in ("__pycache__", "py.typed"))
    assert len(entries) <= 12, entries
    assert {e.removesuffix(".py") for e in entries} <= set(RANK), entries


def test_every_module_imports_on_its_own() -> None:
    for name in _modules():
        # The deprecated alias warns (tested below); __main__ runs the command line.
        if name not in ("irisfx.pytest_plugin", "irisfx.__main__"):
            importlib.import_module(name)


def test_wings_import_only_downward() -> None:
    upward = [f"{module} imports {target}"
              for module, targets in _graph().items() for target in targets
              if RANK[_wing(target)] > RANK[_wing(module)]]
    assert upward == []


def test_no_module_imports_itself_through_others() -> None:
    graph = _graph()
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                circles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    # A package's __init__ re-exporting its own modules is not a circle of concepts.
    circles = [c for c in circles
               if not all(m == c[0] or m.startswith(c[0] + ".") for m in c)
               and not all(c[-1].startswith(m + ".") or m == c[-1] for m in c)]
    assert circles == []


def test_the_old_plugin_module_still_imports_with_a_warning() -> None:
    sys.modules.pop("irisfx.pytest_plugin", None)
    with pytest.warns(DeprecationWarning, match=r"irisfx\.plugin\.hooks"):
        old = importlib.import_module("irisfx.pytest_plugin")
    from irisfx.plugin import hooks

    assert old.IrisfxCleanupWarning is hooks.IrisfxCleanupWarning


def test_plan_loads_nothing_of_apply_or_the_store(tmp_path: Path) -> None:
    """``python -X importtime -m irisfx plan`` on the example: the plan path stays light."""
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "recipes", tmp_path / "recipes")
    # The README's first command may have pinned it (no files here then: exit 3); either way
    # plan runs its whole path, which is what is measured.
    shutil.copy(root / "fixtures.toml", tmp_path / "fixtures.toml")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("IRISFX_IRIS", None)
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "irisfx", "plan"],
                            cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert result.returncode in (0, 3), result.stdout + result.stderr
    assert "Plan:" in result.stdout
    loaded = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
              if line.startswith("import time:")}
    assert "irisfx.reconcile.plan" in loaded
    heavy = sorted(m for m in loaded
                   if m.startswith(("irisfx.reconcile.apply", "irisfx.store")))
    assert heavy == []

