"""A DAT built on another IRIS version (issue 8, item 5.3): refused across releases, a warning
across builds of one release. The decision is irisfx/engines/compat.py; the CLI tests run the real
command on the simulator, which can pretend to be a server version for exactly this."""

from __future__ import annotations

import pytest

from irisfx.engines.compat import decide, parse_version
from tests.conftest import ProjectDir

V2024_1 = "IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2024.1 (Build 267.2U) Tue Apr 30 2024 16:06:39 EDT"  # noqa: E501
V2024_1_B = "IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2024.1.2 (Build 398U) Thu Oct 10 2024"  # noqa: E501
V2025_1 = "IRIS for UNIX (Ubuntu Server LTS for ARM64 Containers) 2025.1 (Build 223U) Tue Mar 11 2025"  # noqa: E501
SIM_ENV = "IRISFX_SIM_SERVER_VERSION"


def test_versions_are_read_from_zversion() -> None:
    version = parse_version(V2024_1)
    assert version is not None and version.release == (2024, 1) and version.build == "267.2U"
    assert parse_version("irisfx-sim 0.1.0 (simulator; SQLite 3.45.1)") is None


@pytest.mark.parametrize(("built", "server", "verdict"), [
    (V2024_1, V2024_1, "same"),
    (V2024_1, V2024_1_B, "patch"),
    (V2024_1, V2025_1, "release"),
    (V2025_1, V2024_1, "release"),
    ("irisfx-sim 0.1.0", V2024_1, "unknown"),
])
def test_the_decision(built: str, server: str, verdict: str) -> None:
    fits = decide(built, server)
    assert fits.verdict == verdict
    assert fits.refused == (verdict == "release")
    assert (fits.warning is not None) == (verdict == "patch")


def test_the_refusal_names_both_versions() -> None:
    reason = decide(V2024_1, V2025_1).reason
    assert "2024.1 (Build 267.2U)" in reason and "2025.1 (Build 223U)" in reason


def test_apply_warns_across_builds_and_refuses_across_releases(project: ProjectDir) -> None:
    def apply_on(version: str, *args: str) -> tuple[int, str]:
        run = project.irisfx(*args, env={SIM_ENV: " " + version})
        return run.code, run.text

    assert apply_on(V2024_1, "apply")[0] == 0
    assert apply_on(V2024_1, "unmount", "items", "--auto-approve")[0] == 0
    code, text = apply_on(V2024_1_B, "apply")
    assert code == 0 and "another build" in text, text
    assert apply_on(V2024_1_B, "unmount", "items", "--auto-approve")[0] == 0
    code, text = apply_on(V2025_1, "apply")
    assert code != 0
    assert "2024.1 (Build 267.2U)" in text and "2025.1 (Build 223U)" in text
    assert "--rebuild items" in text
