"""The repository's example (README's first command) works from a fresh clone.

README command 1 applies the example in the clone itself, which pins fixtures.toml and writes
fixtures/ and .irisfx/. These tests must pass in that state too: they read what git has
committed, and they apply a copy in tmp_path, never the repository's own folder.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.conftest import ProjectDir, clean_env

ROOT = Path(__file__).resolve().parents[2]


def committed_config() -> str | None:
    """fixtures.toml as git has it (None outside a git checkout)."""
    if not (ROOT / ".git").exists():
        return None
    proc = subprocess.run(["git", "show", "HEAD:fixtures.toml"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    return proc.stdout if proc.returncode == 0 else None


def declaration_only() -> str:
    """The example's declaration without pins, whatever state the working copy is in."""
    doc = tomllib.loads((ROOT / "fixtures.toml").read_text(encoding="utf-8"))
    for fixture in doc["fixtures"].values():
        fixture.pop("pin", None)
    return tomli_w.dumps(doc)


def test_example_is_committed_without_pins() -> None:
    # Its fixture files are not committed, so pins would make a fresh clone fail (exit 3).
    text = committed_config()
    if text is None:
        pytest.skip("not a git checkout: nothing committed to check")
    doc = tomllib.loads(text)
    assert all("pin" not in fixture for fixture in doc["fixtures"].values())


def test_example_applies_and_is_then_in_sync(tmp_path: Path) -> None:
    root = tmp_path / "example"
    root.mkdir()
    (root / "fixtures.toml").write_text(declaration_only(), encoding="utf-8")
    shutil.copytree(ROOT / "recipes", root / "recipes")
    example = ProjectDir(root, clean_env(tmp_path))
    run = example.irisfx("apply")
    assert run.code == 0, run.text
    assert "Apply complete. 2 build, 2 snapshot, 2 mount" in run.out
    assert example.irisfx("check").code == 0
    pins = tomllib.loads(example.config.read_text())["fixtures"]
    assert pins["entities-10k"]["pin"]["tables"] == {"RAG.Entities": 10000,
                                                   "RAG.EntityMetadata": 30000}


def readme_example() -> dict[str, object]:
    """The fixtures.toml shown in the README, minus what needs a server or a bucket."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("### fixtures.toml", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    doc = tomllib.loads(block.replace('sha256 = "…"', f'sha256 = "{"0" * 64}"'))
    for key in ("iris", "store"):
        doc["irisfx"].pop(key)
    for fixture in doc["fixtures"].values():
        fixture.pop("pin")
    return doc


def test_the_readme_example_applies_with_the_shipped_recipe(tmp_path: Path) -> None:
    root = tmp_path / "readme"
    root.mkdir()
    (root / "fixtures.toml").write_text(tomli_w.dumps(readme_example()), encoding="utf-8")
    shutil.copytree(ROOT / "recipes", root / "recipes")
    example = ProjectDir(root, {**clean_env(tmp_path), "IRISFX_IRIS": "sim://sim"})
    run = example.irisfx("apply")
    assert run.code == 0, run.text
    assert example.irisfx("check", "--queries").code == 0
