"""Container mode without Docker, for real: this machine has a docker client but no engine,
and DOCKER_HOST is pointed at a socket that does not exist so the result is the same on a
machine that has one. The live path (a started IRIS) runs in .github/workflows/live-iris.yml."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from irisfx.engines.iris.container import (
    DEFAULT_IMAGE,
    EXPIRED_LINE,
    READY_LINE,
    RunningIris,
    container_image,
    docker_client,
    retry_connect,
    shared_url,
    wait_for_logons,
)
from irisfx.errors import EngineError, ExitCode

REPO = Path(__file__).parents[2]
CONFIG = """\
[irisfx]
project = "container-test"

[fixtures.items]
description = "one row"
recipe = "items.sql"
"""
TEST = """\
import pytest

@pytest.mark.irisfx("items")
def test_uses_items(irisfx):
    assert irisfx.namespace("items")
"""


@pytest.fixture
def no_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """DOCKER_HOST at a socket nobody listens on."""
    host = f"unix://{tmp_path / 'no-docker.sock'}"
    monkeypatch.setenv("DOCKER_HOST", host)
    for name in list(os.environ):
        if name.startswith(("IRISFX_", "IRIS_", "PYTEST_XDIST_")):
            monkeypatch.delenv(name)
    return host


@pytest.mark.parametrize(("value", "image"), [
    ("container", DEFAULT_IMAGE),
    ("container:intersystemsdc/iris-community:2025.3", "intersystemsdc/iris-community:2025.3"),
    ("iris://_SYSTEM@localhost:1972", None),
    ("sim://.irisfx/sim", None),
    (None, None),
])
def test_container_settings(value: str | None, image: str | None) -> None:
    assert container_image(value) == image


def test_the_default_image_is_pinned() -> None:
    name, _, tag = DEFAULT_IMAGE.partition(":")
    assert name == "intersystemsdc/iris-community" and tag and tag != "latest"


def test_a_container_setting_without_an_image_is_refused() -> None:
    with pytest.raises(EngineError, match="names no image"):
        container_image("container:")


def test_no_docker_is_exit_4_naming_docker_and_the_alternative(no_docker: str) -> None:
    with pytest.raises(EngineError) as caught:
        docker_client()
    assert caught.value.exit_code == ExitCode.ENGINE
    assert "Docker" in caught.value.message
    assert caught.value.fix is not None and "iris://" in caught.value.fix


def test_shared_url_reuses_the_parent_process_container() -> None:
    env = {"IRISFX_CONTAINER_URL": "iris://_SYSTEM:pw@127.0.0.1:1972"}
    assert shared_url("IRISFX_CONTAINER_URL", DEFAULT_IMAGE, env) == (
        "iris://_SYSTEM:pw@127.0.0.1:1972", None)


def test_shared_url_without_docker_starts_nothing(no_docker: str) -> None:
    env: dict[str, str] = {}
    with pytest.raises(EngineError, match="Docker"):
        shared_url("IRISFX_CONTAINER_URL", DEFAULT_IMAGE, env)
    assert env == {}


def test_an_expired_image_says_to_use_a_newer_tag() -> None:
    logs = f"starting...\n[ERROR] {EXPIRED_LINE}\n"
    with pytest.raises(EngineError) as caught:
        wait_for_logons(lambda: logs, "intersystemsdc/iris-community:2023.1", until=0.0)
    assert "Invalid Community Edition license" in caught.value.message
    assert caught.value.fix is not None and "newer tag" in caught.value.fix


def test_ready_log_line_ends_the_wait() -> None:
    seen = iter(["starting", "starting\nmore", f"starting\n{READY_LINE}\n"])
    wait_for_logons(lambda: next(seen), DEFAULT_IMAGE, until=float("inf"), pause=0)


def test_the_wait_gives_up_at_its_deadline_with_the_last_lines() -> None:
    with pytest.raises(EngineError, match="did not say") as caught:
        wait_for_logons(lambda: "a\nb\nstill starting", DEFAULT_IMAGE, until=0.0)
    assert "still starting" in caught.value.render()


def test_connecting_is_retried_until_it_works() -> None:
    attempts: list[int] = []

    def connect(running: RunningIris) -> None:
        attempts.append(1)
        if len(attempts) < 3:
            raise EngineError("nothing answers at 127.0.0.1:1")

    retry_connect(connect, RunningIris(DEFAULT_IMAGE, "127.0.0.1", 1, "pw"),
                  until=float("inf"), pause=0)
    assert len(attempts) == 3


def test_connecting_gives_up_with_the_last_error() -> None:
    def connect(running: RunningIris) -> None:
        raise EngineError("nothing answers")

    with pytest.raises(EngineError, match="nothing answers"):
        retry_connect(connect, RunningIris(DEFAULT_IMAGE, "h", 1, "pw"), until=0.0, pause=0)


def test_the_url_carries_the_password_but_the_shown_one_does_not() -> None:
    running = RunningIris(DEFAULT_IMAGE, "127.0.0.1", 49153, "p@ss/w:rd")
    assert running.url == "iris://_SYSTEM:p%40ss%2Fw%3Ard@127.0.0.1:49153"
    assert "p@ss" not in running.shown_url and "p@ss" not in repr(running)


def test_the_contract_suite_skips_without_docker_and_says_how_to_run(no_docker: str) -> None:
    run = subprocess.run(
        # -n 0, not -p no:xdist: pyproject's addopts pass -n to every run in the repository.
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-n", "0",
         "tests/contract/test_engine_contract.py", "-k", "info_describes"],
        cwd=REPO, env={**os.environ, "IRISFX_TEST_IRIS": "container"},
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed, 1 skipped" in run.stdout  # sim and iris-standin pass; live skips
    assert "Docker" in run.stdout and "iris://USER:PASSWORD@HOST:PORT" in run.stdout


@pytest.mark.parametrize("how", ["option", "ini-xdist"])
def test_the_plugin_fails_with_exit_4_without_docker(pytester: pytest.Pytester, no_docker: str,
                                                      how: str) -> None:
    pytester.makefile(".toml", fixtures=CONFIG)
    pytester.makefile(".sql", items="CREATE TABLE T.A (ID INTEGER);")
    pytester.makepyfile(test_items=TEST)
    if how == "option":
        result = pytester.runpytest_subprocess("--irisfx-iris", "container", "-p", "no:xdist")
    else:
        pytester.makeini('[pytest]\nirisfx_iris = container\n')
        result = pytester.runpytest_subprocess("-n", "2")
    text = result.stdout.str() + result.stderr.str()
    assert result.ret == 4, text
    assert "Docker" in text and "iris://USER@HOST:PORT" in text
    assert "Traceback" not in text
