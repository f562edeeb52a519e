"""A fork server: imports irisfx once, then forks one child per request to be ``python -m irisfx``.

Protocol (one JSON object a line): the request names ``cwd``, ``args``, ``env``, ``stdin``,
``out``, ``err`` and ``timeout`` (files for the three streams); the answer is
``{"code": N, "cpu": S}``: the exit status, minus the signal number if the child died of a
signal, or -1000 if it overran its timeout and was killed; and the CPU seconds the child used.
Run as ``python -m tests.forkrun.server``; the test process talks to it over pipes.

What a fresh interpreter would read from its environment at start-up is redone in the child:
the working folder, ``sys.path`` from ``PYTHONPATH`` (the stand-in IRIS driver comes that
way), the temp folder, stdin/stdout/stderr, Ctrl-C's default handler; and at exit the
interpreter's exit functions run and the streams are flushed. Nothing irisfx reads from the
environment is read at import time (tests/forkrun/test_server.py holds that).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import io
import json
import os
import pkgutil
import signal
import sys
import tempfile
import time
from typing import Any

HANG = -1000
#: Packages imported whole, once, here, so that each child starts with them loaded: the cost
#: every command would pay again. Not the iris engine: it imports the driver, which a child may
#: take from its own PYTHONPATH (the stand-in).
PRELOADED = ("irisfx.cli", "irisfx.reconcile", "irisfx.lockfile", "irisfx.files",
             "irisfx.recipes", "irisfx.engines.sim", "irisfx.store")
_BASE_PATH = [p for p in sys.path[1:]
              if p not in os.environ.get("PYTHONPATH", "").split(os.pathsep)]


def _redirect(fd: int, path: str, flags: int) -> None:
    handle = os.open(path, flags, 0o600)
    os.dup2(handle, fd)
    os.close(handle)


def _start_like_python(request: dict[str, Any]) -> None:
    """Set up what ``python -m irisfx`` would have from its folder, environment and streams."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    extra = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = [request["cwd"], *extra, *_BASE_PATH]  # as -m orders it
    importlib.invalidate_caches()
    tempfile.tempdir = None  # TMPDIR may have changed: let tempfile read it again
    _redirect(0, request["stdin"], os.O_RDONLY)
    _redirect(1, request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    _redirect(2, request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    encoding = request["env"].get("PYTHONIOENCODING") or "utf-8"
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding=encoding)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding=encoding)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding=encoding,
                                  errors="backslashreplace")
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sys.argv = ["irisfx", *request["args"]]


def _become_irisfx(request: dict[str, Any]) -> None:
    """In the child: be ``python -m irisfx ARGS`` in ``cwd``, then exit with its code."""
    code = 0
    try:
        _start_like_python(request)
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
        atexit._run_exitfuncs()
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


def _preload() -> None:
    from irisfx.cli import _load_app

    _load_app()  # first: importing the command modules registers commands in import order
    for package in PRELOADED:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__,
                                            f"{package}."):
            with contextlib.suppress(ImportError):  # an optional extra that is not installed
                importlib.import_module(module.name)
    from pydantic import TypeAdapter

    TypeAdapter(int)  # typer builds one per option on each run: load pydantic's builder now
    assert "iris" not in sys.modules, "the fork server must leave the IRIS driver to the child"


def serve() -> None:
    """Answer requests from stdin until it closes."""
    _preload()
    requests = sys.stdin
    answers = sys.stdout
    for line in requests:
        request = json.loads(line)
        answers.flush()
        pid = os.fork()
        if pid == 0:
            _become_irisfx(request)
        code, cpu = _wait(pid, float(request["timeout"]))
        answers.write(json.dumps({"code": code, "cpu": cpu}) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()
