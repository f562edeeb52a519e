"""The wheel users install carries what irisfx needs at run time, the helper class included."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_ships_the_iris_helper_class(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = tmp_path.glob("irisfx-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("irisfx/engines/iris/") and n.endswith(".cls") for n in names)
    assert "irisfx/engines/sim/engine.py" in names
    assert "irisfx/py.typed" in names
