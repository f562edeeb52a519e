"""irisfx init --store URL and --lfs: the files they write, and what they refuse."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import clean_env
from tests.forkrun import Run


def _init(folder: Path, *args: str) -> Run:
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "irisfx", "init", *args], cwd=folder,
                          env=clean_env(folder.parent), capture_output=True, text=True,
                          timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def test_init_store_writes_the_setting_and_ignores_fixture_files(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    run = _init(folder, "--store", "s3://team-bucket/irisfx")
    assert run.code == 0, run.text
    config = tomllib.loads((folder / "fixtures.toml").read_text())
    assert config["irisfx"]["store"] == "s3://team-bucket/irisfx"
    ignored = (folder / ".gitignore").read_text().splitlines()
    assert "fixtures/" in ignored and ".irisfx/" in ignored and "*.irisfx-pull" in ignored
    # No git LFS routing with a store; only the diff driver line (docs/diff.md).
    assert (folder / ".gitattributes").read_text().splitlines() == [
        "# git diff shows fixture rows through irisfx dump", "*.DAT diff=irisfx"]
    # The written project works: apply, then push to a folder store.
    store = tmp_path / "store"
    store.mkdir()
    env = {**clean_env(tmp_path), "IRISFX_STORE": str(store)}
    for command in ("apply", "push"):
        proc = subprocess.run([sys.executable, "-m", "irisfx", command], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len([p for p in store.rglob("*") if p.is_file()]) == 1


def test_init_lfs_writes_gitattributes(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    (folder).mkdir()
    (folder / ".gitattributes").write_text("*.png binary")  # no final newline
    run = _init(folder, "--lfs")
    assert run.code == 0, run.text
    attributes = (folder / ".gitattributes").read_text().splitlines()
    assert attributes[0] == "*.png binary"
    assert "fixtures/** filter=lfs diff=lfs merge=lfs -text" in attributes
    assert "store" not in tomllib.loads((folder / "fixtures.toml").read_text())["irisfx"]
    assert "fixtures/" not in (folder / ".gitignore").read_text().splitlines()
    again = _init(tmp_path / "other", "--lfs")
    assert again.code == 0


def test_init_refuses_credentials_in_the_store_url_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    run = _init(folder, "--store", "s3://AKIA:s3cr3tvalue@bucket/x")
    assert run.code == 1
    assert "holds credentials" in run.err and "s3cr3tvalue" not in run.text
    assert list(folder.iterdir()) == []


def test_init_refuses_store_and_lfs_together(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    run = _init(folder, "--store", "../store", "--lfs")
    assert run.code == 1 and "choose one" in run.err
    assert list(folder.iterdir()) == []
