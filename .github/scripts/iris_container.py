"""Start or stop the IRIS container the live workflow's README job runs against.

``start`` prints ``IRISFX_IRIS=iris://_SYSTEM@HOST:PORT`` and ``IRISFX_CI_CONTAINER=ID`` for
``$GITHUB_ENV``; the password is the one in ``$IRIS_PASSWORD`` and is never printed. ``stop``
runs ``iris stop IRIS quietly`` in that container and removes it. Exit 4 without Docker.
"""

from __future__ import annotations

import os
import sys

from irisfx.engines.iris.container import (
    DEFAULT_IMAGE,
    STOP_COMMAND,
    USERNAME,
    docker_client,
    start_iris,
)
from irisfx.errors import EngineError


def start(image: str) -> None:
    password = os.environ.get("IRIS_PASSWORD")
    if not password:
        raise EngineError("IRIS_PASSWORD is not set", fix="export IRIS_PASSWORD=...")
    running = start_iris(image, password=password, keep=True)
    print(f"IRISFX_IRIS=iris://{USERNAME}@{running.host}:{running.port}")
    print(f"IRISFX_CI_CONTAINER={running.container.get_wrapped_container().id}")


def stop() -> None:
    ident = os.environ.get("IRISFX_CI_CONTAINER")
    if not ident:
        return
    container = docker_client().containers.get(ident)
    container.exec_run(list(STOP_COMMAND))
    container.remove(force=True)


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["start"]:
            start(argv[1] if len(argv) > 1 else DEFAULT_IMAGE)
        elif argv[:1] == ["stop"]:
            stop()
        else:
            print("usage: iris_container.py start [IMAGE] | stop", file=sys.stderr)
            return 1
    except EngineError as exc:
        print(exc.render(), file=sys.stderr)
        return int(exc.exit_code)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
