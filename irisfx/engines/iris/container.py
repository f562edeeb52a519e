"""A throwaway IRIS in a container, for the live test suite, the pytest plugin and CI.

Started through the ``testcontainers`` core package (``DockerContainer``), never through
testcontainers-iris: that one pulls in sqlalchemy-iris, which overwrites the driver's
``iris/__init__.py`` (docs/iris-calls.md, "known traps"). ``pip install 'irisfx[container]'``.

Start-up, in order: wait for the log line "Enabling logons" (an expired Community Edition image
says "Invalid Community Edition license" instead, and irisfx says which fix applies); set the
_SYSTEM password and clear its expiry, enable %Service_CallIn, all inside the container with
``iris session`` (the password travels in the exec's environment, never on a command line);
then connect with retries until a deadline. Stopping runs ``iris stop IRIS quietly`` before the
container is removed, so IRIS shuts down cleanly instead of being killed.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from irisfx.errors import EngineError

log = logging.getLogger("irisfx.iris")

# Pinned so that a run is repeatable; Community Edition images carry a licence that expires
# some months after release, so this tag must move forward now and then (docs/iris.md).
DEFAULT_IMAGE = "intersystemsdc/iris-community:2026.2"
CONTAINER = "container"
RUN_URL_ENV = "IRISFX_CONTAINER_URL"  # the run's container, for the processes the run starts
SUPERSERVER_PORT = 1972
READY_LINE = "Enabling logons"
EXPIRED_LINE = "Invalid Community Edition license"
USERNAME = "_SYSTEM"
PASSWORD_VAR = "IRISFX_CONTAINER_PASSWORD"  # inside the container's exec only
START_DEADLINE = 300.0  # seconds: pulling aside, IRIS needs 30-50 s to accept logons
CONNECT_DEADLINE = 120.0

NO_DOCKER_FIX = (
    "start Docker (or point DOCKER_HOST at a running engine); or use an IRIS you already "
    "have: --irisfx-iris iris://USER@HOST:PORT with the password in the environment "
    "(IRIS_PASSWORD), or IRISFX_TEST_IRIS=iris://USER:PASSWORD@HOST:PORT for the test suite"
)

# Run by `iris session IRIS -U %SYS` inside the container: each line is one ObjectScript line.
# The password comes from the exec's environment, so it is on no command line and in no log.
SETUP_LINES = (
    f'set p("Password")=$System.Util.GetEnviron("{PASSWORD_VAR}"),'
    'p("PasswordNeverExpires")=1,p("ChangePassword")=0 '
    f'set sc=##class(Security.Users).Modify("{USERNAME}",.p) '
    'write:\'sc "irisfx-setup-error: ",$System.Status.GetErrorText(sc),!',
    'set sc=##class(Security.Users).UnExpireUserPasswords("*") '
    'write:\'sc "irisfx-setup-error: ",$System.Status.GetErrorText(sc),!',
    'set s("Enabled")=1 set sc=##class(Security.Services).Modify("%Service_CallIn",.s) '
    'write:\'sc "irisfx-setup-error: ",$System.Status.GetErrorText(sc),!',
    "halt",
)
SETUP_COMMAND = ("sh", "-c", 'printf "%s\\n" "$@" | iris session IRIS -U %SYS', "sh")
STOP_COMMAND = ("iris", "stop", "IRIS", "quietly")


def container_image(value: str | None) -> str | None:
    """The image a setting asks for: ``container`` -> the pinned default, ``container:IMAGE``
    -> IMAGE; anything else (a URL, None) -> None."""
    if value is None:
        return None
    name, sep, image = value.strip().partition(":")
    if name != CONTAINER:
        return None
    if sep and not image:
        raise EngineError(f"{value!r} names no image",
                          fix=f"write container or container:IMAGE, e.g. container:{DEFAULT_IMAGE}")
    return image or DEFAULT_IMAGE


@dataclass
class RunningIris:
    """A started, prepared IRIS container. ``url`` carries the password: never print it."""

    image: str
    host: str
    port: int
    password: str = field(repr=False)
    container: Any = field(repr=False, default=None)
    stopped: bool = False

    @property
    def url(self) -> str:
        """``iris://_SYSTEM:PASSWORD@HOST:PORT`` (the form the test suite and plugin accept)."""
        return f"iris://{USERNAME}:{quote(self.password, safe='')}@{self.host}:{self.port}"

    @property
    def shown_url(self) -> str:
        """The URL without the password, for messages."""
        return f"iris://{USERNAME}@{self.host}:{self.port}"

    def stop(self) -> None:
        """``iris stop IRIS quietly``, then remove the container; safe to call twice."""
        if self.stopped or self.container is None:
            return
        self.stopped = True
        try:
            self.container.exec(list(STOP_COMMAND))
        except Exception as exc:  # the container goes anyway; say why it was not clean
            log.warning("iris stop IRIS quietly failed in the container: %s", exc)
        try:
            self.container.stop()
        except Exception as exc:
            log.warning("could not remove the IRIS container: %s", exc)


def docker_client() -> Any:
    """A client of a reachable Docker engine, or EngineError (exit 4) saying how to go on."""
    try:
        import docker
    except ImportError:
        raise EngineError(
            "container mode needs the testcontainers package, which is not installed",
            fix="pip install 'irisfx[container]'  (" + NO_DOCKER_FIX + ")",
        ) from None
    try:
        client = docker.from_env()
        client.ping()
    except Exception as exc:
        raise EngineError(
            "container mode needs Docker, and no Docker engine answers here",
            details=[f"docker: {str(exc)[:300]}"],
            fix=NO_DOCKER_FIX,
        ) from None
    return client


def start_iris(
    image: str = DEFAULT_IMAGE,
    *,
    password: str | None = None,
    deadline: float = START_DEADLINE,
    connect: Callable[[RunningIris], None] | None = None,
    keep: bool = False,
) -> RunningIris:
    """Start and prepare an IRIS container; EngineError if Docker or IRIS is not up to it.

    ``connect`` proves a login works (default: a Native API connection through the driver); it
    is retried until the deadline, because IRIS accepts logons a little after it says so.
    ``keep`` leaves the container running when this process exits (the caller stops it).
    """
    docker_client()  # fail early, with the fix, when there is no Docker
    from testcontainers.core.container import DockerContainer

    secret = password or secrets.token_urlsafe(18)
    container = DockerContainer(image).with_exposed_ports(SUPERSERVER_PORT)
    try:
        container.start()
    except Exception as exc:
        raise EngineError(f"could not start the IRIS container {image}",
                          details=[f"docker: {str(exc)[:300]}"],
                          fix="check the image name and that Docker can pull it") from None
    running = RunningIris(image, "", 0, secret, container)
    if not keep:
        atexit.register(running.stop)
    try:
        wait_for_logons(lambda: _logs(container), image, time.monotonic() + deadline)
        running.host = container.get_container_host_ip()
        running.port = int(container.get_exposed_port(SUPERSERVER_PORT))
        prepare(container, secret)
        retry_connect(connect or _driver_login, running, time.monotonic() + CONNECT_DEADLINE)
    except BaseException:
        running.stop()
        raise
    log.info("IRIS container %s is ready at %s", image, running.shown_url)
    return running


def _logs(container: Any) -> str:
    out, err = container.get_logs()
    return (out or b"").decode("utf-8", "replace") + (err or b"").decode("utf-8", "replace")


def wait_for_logons(read_logs: Callable[[], str], image: str, until: float,
                    pause: float = 1.0) -> None:
    """Wait for "Enabling logons"; EngineError at the deadline or on an expired licence."""
    while True:
        logs = read_logs()
        if EXPIRED_LINE in logs:
            raise EngineError(
                f"the IRIS image {image} refuses to start: Invalid Community Edition license",
                details=["Community Edition images expire some months after their release"],
                fix=f"use a newer tag: --irisfx-iris container:{image.split(':')[0]}:NEWER "
                "(or IRISFX_TEST_IRIS=container:IMAGE); see the tags of "
                f"{image.split(':')[0]}",
            )
        if READY_LINE in logs:
            return
        if time.monotonic() >= until:
            raise EngineError(
                f"IRIS in the container {image} did not say {READY_LINE!r} in time",
                details=["last log lines: " + " | ".join(logs.strip().splitlines()[-5:])],
                fix="run again (a first pull can be slow), or start IRIS yourself and point "
                "irisfx at it (docs/iris.md)",
            )
        time.sleep(pause)


def prepare(container: Any, password: str) -> None:
    """Set the _SYSTEM password, clear expiries, enable %Service_CallIn, inside the container."""
    wrapped = container.get_wrapped_container()
    result = wrapped.exec_run([*SETUP_COMMAND, *SETUP_LINES],
                              environment={PASSWORD_VAR: password})
    output = (result.output or b"").decode("utf-8", "replace")
    problems = [line for line in output.splitlines() if "irisfx-setup-error" in line]
    if result.exit_code not in (0, None) or problems:
        raise EngineError(
            "could not prepare IRIS in the container (password, %Service_CallIn)",
            details=(problems or [output.strip()[-300:]]),
            fix="run again; if it repeats, the image may not allow OS-authenticated "
            "'iris session' for its owner: use another image (container:IMAGE)",
        )


def retry_connect(connect: Callable[[RunningIris], None], running: RunningIris, until: float,
                  pause: float = 2.0) -> None:
    """Call ``connect`` until it succeeds or the deadline passes (then its last error)."""
    while True:
        try:
            connect(running)
            return
        except EngineError:
            if time.monotonic() >= until:
                raise
        time.sleep(pause)


def _driver_login(running: RunningIris) -> None:
    from irisfx.engines.iris.connect import Target, load_driver, open_native

    driver = load_driver()
    target = Target(running.host, running.port, USERNAME, running.password, 10)
    open_native(driver, target, "IRIS_USERNAME", "IRIS_PASSWORD").close()


def shared_url(env_name: str, image: str, environ: dict[str, str] | None = None
               ) -> tuple[str, RunningIris | None]:
    """The URL of the run's IRIS container: the one a parent process started (its URL is in
    ``env_name``), or a new one, whose URL is put there for child processes (xdist workers)."""
    env = os.environ if environ is None else environ
    existing = env.get(env_name)
    if existing:
        return existing, None
    running = start_iris(image)
    env[env_name] = running.url
    return running.url, running
