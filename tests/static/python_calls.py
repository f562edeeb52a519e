"""What the iris engine's Python code asks of the driver and of IRIS, read with ``ast``.

Driver calls: attribute uses (or getattr/hasattr by name) of driver methods on the objects that
hold driver values. IRIS calls: ``classMethodValue``/``classMethodString``/``_call_raw`` with a
constant class and method name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import irisfx.engines.iris as iris_engine

ENGINE_DIR = Path(iris_engine.__file__).parent
# Names that hold a driver object in irisfx/engines/iris/*.py: the module (package, elsdk,
# dbapi, source), the Native API object (native), connections and cursors.
DRIVER_HOLDERS = {"package", "elsdk", "dbapi", "source", "native", "_native", "connection",
                  "_connection", "conn", "cursor"}
CLASS_METHOD_CALLS = {"classMethodValue", "classMethodString"}


def driver_methods() -> set[str]:
    """Every public callable of the installed driver's module, Native API object, DB-API
    connection and cursor."""
    import iris
    import iris.dbapi

    found: set[str] = {"connect", "createIRIS"}
    for owner in (iris.IRIS, iris.dbapi.IRISConnection, iris.dbapi.Cursor):
        found |= {name for name in dir(owner) if not name.startswith("_")
                  and callable(getattr(owner, name, None))}
    return found


@dataclass(frozen=True)
class IrisCall:
    """An IRIS class method called from Python by constant names."""

    cls: str
    method: str
    args: int
    where: str


def _holder(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def driver_calls(paths: list[Path] | None = None) -> dict[str, list[str]]:
    """driver method name -> where it is used."""
    methods = driver_methods()
    found: dict[str, list[str]] = {}
    for path in paths or sorted(ENGINE_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = ""
            if isinstance(node, ast.Attribute) and _holder(node.value) in DRIVER_HOLDERS:
                name = node.attr
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id in ("getattr", "hasattr") and len(node.args) >= 2
                  and _holder(node.args[0]) in DRIVER_HOLDERS
                  and isinstance(node.args[1], ast.Constant)):
                name = str(node.args[1].value)
            if name in methods:
                found.setdefault(name, []).append(f"{path.name}:{node.lineno}")
    return found


def iris_calls(paths: list[Path] | None = None) -> list[IrisCall]:
    """IRIS class methods the Python side calls by constant class and method names."""
    found: list[IrisCall] = []
    for path in paths or sorted(ENGINE_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            args = node.args
            if isinstance(func, ast.Attribute) and func.attr in CLASS_METHOD_CALLS:
                names, rest = args[:2], args[2:]
            elif isinstance(func, ast.Name) and func.id == "_call_raw":
                names, rest = args[1:3], args[3:]
            else:
                continue
            if len(names) == 2 and all(isinstance(a, ast.Constant) for a in names):
                cls, method = (str(a.value) for a in names)  # type: ignore[attr-defined]
                found.append(IrisCall(cls, method, len(rest), f"{path.name}:{node.lineno}"))
    return found


HELPER_HOLDERS = {"helper", "_helper"}


def helper_calls(paths: list[Path] | None = None) -> list[IrisCall]:
    """Methods of the helper class the Python side calls through ``Helper.call("Name", ...)``:
    the class is always ZIrisFx.Helper; ``args`` counts the arguments after the name."""
    found: list[IrisCall] = []
    for path in paths or sorted(ENGINE_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "call" and _holder(node.func.value) in HELPER_HOLDERS
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.append(IrisCall("ZIrisFx.Helper", str(node.args[0].value),
                                      len(node.args) - 1, f"{path.name}:{node.lineno}"))
    return found
