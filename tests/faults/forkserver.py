"""A fork server for the fuzzer: imports irisfx once, then forks one child per request.

Protocol (one JSON object a line): the request names ``cwd``, ``args``, ``env``, ``out``,
``err`` and ``timeout``; the answer is ``{"code": N, "cpu": S}``: the exit status, minus the
signal number if the child died of a signal, or -1000 if it overran its timeout and was
killed; and the CPU seconds the child used.
Run as ``python -m tests.faults.forkserver``; the test process talks to it over pipes.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from typing import Any

HANG = -1000


def _become_irisfx(request: dict[str, Any]) -> None:
    """In the child: be ``python -m irisfx ARGS`` in ``cwd``, then exit with its code."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # TMPDIR changed: let tempfile read it again
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, path in ((1, request["out"]), (2, request["err"])):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(handle, fd)
        os.close(handle)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = ["irisfx", *request["args"]]
    code = 0
    try:
        from irisfx.cli import main

        main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        # What the interpreter does with an uncaught exception: print it, exit 1.
        import traceback

        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _wait(pid: int, timeout: float) -> tuple[int, float]:
    """The child's exit code and the CPU seconds it used."""
    deadline = time.monotonic() + timeout
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, _, usage = os.wait4(pid, 0)
            return HANG, usage.ru_utime + usage.ru_stime
        time.sleep(0.002)


def serve() -> None:
    """Answer requests from stdin until it closes."""
    import irisfx.cli  # noqa: F401  (the point of the server: import once, fork many)

    for module in ("irisfx.reconcile.apply", "irisfx.reconcile.observe", "irisfx.reconcile.plan",
                   "irisfx.reconcile.workspace",
                   "irisfx.lockfile.project", "irisfx.engines.sim", "irisfx.reconcile.report"):
        with contextlib.suppress(ImportError):  # a module that moved costs the child its import
            __import__(module)
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _become_irisfx(request)
        code, cpu = _wait(pid, float(request["timeout"]))
        sys.stdout.write(json.dumps({"code": code, "cpu": cpu}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
