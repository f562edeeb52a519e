"""The repository's example (README's first command) works from a fresh clone."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from tests.conftest import ProjectDir, clean_env

ROOT = Path(__file__).resolve().parents[2]


def test_example_is_committed_without_pins() -> None:
    # Its fixture files are not committed, so pins would make a fresh clone fail (exit 3).
    doc = tomllib.loads((ROOT / "fixtures.toml").read_text(encoding="utf-8"))
    assert all("pin" not in fixture for fixture in doc["fixtures"].values())


def test_example_applies_and_is_then_in_sync(tmp_path: Path) -> None:
    root = tmp_path / "example"
    root.mkdir()
    shutil.copy(ROOT / "fixtures.toml", root)
    shutil.copytree(ROOT / "recipes", root / "recipes")
    example = ProjectDir(root, clean_env(tmp_path))
    run = example.irisfx("apply")
    assert run.code == 0, run.text
    assert "Apply complete. 2 build, 2 snapshot, 2 mount" in run.out
    assert example.irisfx("check").code == 0
    pins = tomllib.loads(example.config.read_text())["fixtures"]
    assert pins["entities-10k"]["pin"]["tables"] == {"RAG.Entities": 10000,
                                                   "RAG.EntityMetadata": 30000}
