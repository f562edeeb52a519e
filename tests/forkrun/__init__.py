"""``python -m irisfx`` for the tests, at a fifth of the cost: a child forked from a server that
imported irisfx once (tests/forkrun/server.py says what the child redoes to be that process).

`run_cli` is what ``ProjectDir.irisfx`` and the fault harness call. Set ``IRISFX_TEST_FRESH=1``
to run every such command as a fresh ``python -m irisfx`` instead: slower, and the check that
the fork server changes nothing a test sees.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HANG = -1000
FRESH_ENV = "IRISFX_TEST_FRESH"
_REPO = Path(__file__).resolve().parents[2]
_server: subprocess.Popen[str] | None = None
#: CPU seconds of each forked run, for the soak script's figures.
cpu_seconds: list[float] = []


@dataclass
class Run:
    """A finished irisfx process: exit code (negative: killed by that signal) and output."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """stdout and stderr together."""
        return self.out + self.err


class Overran(AssertionError):
    """The command did not finish within its timeout and was killed."""


def _fork_server() -> subprocess.Popen[str]:
    global _server
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen(
            [sys.executable, "-m", "tests.forkrun.server"], cwd=_REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith(("IRISFX_", "IRIS_"))},
        )
        atexit.register(_server.kill)
    return _server


def run_cli(cwd: Path, args: list[str], env: dict[str, str], *, stdin: str = "",
            timeout: float = 120, fresh: bool = False) -> Run:
    """Run ``python -m irisfx ARGS`` in ``cwd`` with exactly ``env``; Overran past ``timeout``.

    ``fresh`` (or IRISFX_TEST_FRESH=1) starts a new interpreter, for what start-up itself does.
    """
    if fresh or os.environ.get(FRESH_ENV) == "1":
        try:
            proc = subprocess.run([sys.executable, "-m", "irisfx", *args], cwd=cwd, env=env,
                                  input=stdin, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Overran(f"irisfx {' '.join(args)} ran over {timeout} s") from None
        return Run(proc.returncode, proc.stdout, proc.stderr)
    with tempfile.TemporaryDirectory(prefix="irisfx-run-") as scratch:
        streams = Path(scratch)
        (streams / "stdin").write_text(stdin, encoding="utf-8")
        code = _run_forked(cwd, args, env, streams, timeout)
        if code == HANG:
            raise Overran(f"irisfx {' '.join(args)} ran over {timeout} s")
        return Run(code, _read(streams / "stdout"), _read(streams / "stderr"))


def _run_forked(cwd: Path, args: list[str], env: dict[str, str], streams: Path,
                timeout: float) -> int:
    server = _fork_server()
    assert server.stdin is not None and server.stdout is not None
    request = {"cwd": str(cwd), "args": list(args), "env": env, "timeout": timeout,
               "stdin": str(streams / "stdin"), "out": str(streams / "stdout"),
               "err": str(streams / "stderr")}
    server.stdin.write(json.dumps(request) + "\n")
    server.stdin.flush()
    answer = json.loads(server.stdout.readline())
    cpu_seconds.append(float(answer["cpu"]))
    return int(answer["code"])


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
