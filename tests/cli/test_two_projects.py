"""Two projects on one instance: every message names the owner (issue 9.8)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CONFIG, SQL_RECIPE, ProjectDir, clean_env


def make(tmp_path: Path, name: str, shared: Path) -> ProjectDir:
    root = tmp_path / name
    (root / "recipes").mkdir(parents=True)
    (root / "recipes" / "items.sql").write_text(SQL_RECIPE, encoding="utf-8")
    made = ProjectDir(root, {**clean_env(tmp_path), "IRISFX_IRIS": f"sim://{shared}"})
    made.config.write_text(CONFIG.format(extra="").replace('"demo"', f'"{name}"'))
    return made


def test_conflicts_name_the_owning_project_and_status_all_lists_both(tmp_path: Path) -> None:
    shared = tmp_path / "instance"
    pa, pb = make(tmp_path, "pa", shared), make(tmp_path, "pb", shared)
    assert pa.irisfx("apply").code == 0
    run = pb.irisfx("plan")
    assert run.code == 1, run.text
    assert "project 'pa'" in run.out and "not owned by this project" not in run.out
    assert "not built by irisfx" not in run.out
    text = pb.irisfx("status", "--all")
    assert text.code == 0, text.text
    assert "project 'pa'" in text.out and "FX_ITEMS" in text.out
    data = json.loads(pb.irisfx("status", "--all", "--json").out)
    assert [p["owner"]["name"] for p in data["projects"]] == ["pa"]
