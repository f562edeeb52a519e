"""Reaching IRIS: the ``iris://`` URL, credentials from the environment, the driver, and what
each driver failure means to a person.

The driver (intersystems-irispython, import name ``iris``) is imported only when an engine opens,
so ``irisfx --version`` and the simulator never pay for it.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from irisfx.engines import redact_url
from irisfx.errors import ConfigError, EngineError

DEFAULT_PORT = 1972
REINSTALL_FIX = "pip install --force-reinstall --no-deps intersystems-irispython"


@dataclass(frozen=True)
class Target:
    """Where and as whom to connect. ``password`` never appears in repr or messages."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    timeout: int = 10

    @property
    def address(self) -> str:
        """host:port, for messages."""
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class ParsedUrl:
    """The parts of ``iris://[USER[:PASSWORD]@]HOST[:PORT]``."""

    host: str
    port: int
    username: str | None
    password: str | None = field(default=None, repr=False)


def parse_iris_url(url: str) -> ParsedUrl:
    """Split an ``iris://`` URL; ConfigError naming the problem if it is not one.

    A password in the URL is accepted (the live test suite's IRISFX_TEST_IRIS form) but is never
    echoed: messages show the URL through ``redact_url``.
    """
    shown = redact_url(url)
    fix = "write it as iris://[USER@]HOST[:PORT], e.g. iris://_SYSTEM@localhost:1972"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        # urlsplit's text quotes the port; when a password holds '/', '?' or '#', what it took
        # for the port is part of the password, so the text is shown only without user info.
        detail = "" if "@" in url else f" ({exc})"
        raise ConfigError(f"invalid IRIS URL {shown!r}: bad port{detail}", fix=fix) from None
    if port == 0:
        raise ConfigError(f"invalid IRIS URL {shown!r}: bad port 0", fix=fix)
    if parts.scheme != "iris":
        raise ConfigError(f"invalid IRIS URL {shown!r}: the scheme must be iris://", fix=fix)
    if not parts.hostname:
        raise ConfigError(f"invalid IRIS URL {shown!r}: no host", fix=fix)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(
            f"invalid IRIS URL {shown!r}: a path, query or fragment is not allowed "
            "(irisfx picks the namespace itself)",
            fix=fix,
        )
    return ParsedUrl(
        host=parts.hostname,
        port=port if port is not None else DEFAULT_PORT,
        username=parts.username or None,
        password=parts.password,
    )



def connect_timeout(seconds: float) -> int:
    """The driver's ``timeout`` argument for a timeout in seconds.

    intersystems-irispython 5.4.1 takes whole seconds and refuses a float (TypeError); measured
    against a listener that never answers, timeout=2 gave up after 2.0 s. Round up, at least 1.
    """
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(
            f"connect_timeout must be a positive number of seconds, not {seconds!r}",
            fix="set [irisfx] connect_timeout = 10 (seconds) in fixtures.toml",
        )
    return max(1, math.ceil(seconds))


def resolve_target(
    url: str,
    username_env: str,
    password_env: str,
    timeout: float,
    environ: Mapping[str, str],
) -> Target:
    """Who to connect as: the URL's user, else ``username_env``; the password from
    ``password_env`` (or, for the test URL form, from the URL itself)."""
    parsed = parse_iris_url(url)
    username = parsed.username or environ.get(username_env, "")
    if not username:
        raise ConfigError(
            f"no IRIS user: the URL names none and ${username_env} is not set",
            fix=f"export {username_env}=_SYSTEM, or write iris://USER@HOST:PORT",
        )
    password = parsed.password if parsed.password is not None else environ.get(password_env)
    if password is None:
        raise ConfigError(
            f"no IRIS password: ${password_env} is not set",
            fix=f"export {password_env}=... (passwords are read only from the environment)",
        )
    return Target(parsed.host, parsed.port, username, password, connect_timeout(timeout))


@dataclass(frozen=True)
class Driver:
    """The two entry points irisfx uses from intersystems-irispython."""

    connect: Any  # iris.connect: a Native API connection
    create_iris: Any  # iris.createIRIS: the Native API object over a connection
    dbapi_connect: Any  # iris.dbapi.connect: a PEP 249 connection


def load_driver() -> Driver:
    """Import intersystems-irispython, through its known traps, or raise EngineError."""
    try:
        module = importlib.import_module("iris")
    except ImportError:
        raise EngineError(
            "the IRIS driver (intersystems-irispython) is not installed",
            fix="pip install 'irisfx[iris]'  (or: pip install intersystems-irispython)",
        ) from None
    return driver_from(module, _import_or_none("iris._elsdk_"), _import_or_none("iris.dbapi"))


def _import_or_none(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def driver_from(
    package: Any, elsdk: ModuleType | None, dbapi: ModuleType | None
) -> Driver:
    """Pick the driver's entry points from the imported modules.

    Some builds expose ``connect`` only in ``iris._elsdk_`` (trap 1). A package that replaced
    ``iris/__init__.py`` with one lacking ``connect`` or ``createIRIS`` is refused (trap 2): older
    sqlalchemy-iris releases did that; current ones pull iris-embedded-python-wrapper, whose
    ``iris`` keeps ``connect`` and passes this check.
    """
    source = package if hasattr(package, "connect") and hasattr(package, "createIRIS") else elsdk
    if source is None or not hasattr(source, "connect") or not hasattr(source, "createIRIS"):
        where = getattr(package, "__file__", None) or "an unknown place"
        missing = [name for name in ("connect", "createIRIS")
                   if not hasattr(package, name) and not hasattr(elsdk, name)]
        raise EngineError(
            "the installed 'iris' module is not the IRIS driver "
            f"(it has no {' or '.join(f'{name}()' for name in missing)})",
            details=[
                f"module: {where}",
                "another package replaced the driver's iris/__init__.py (older sqlalchemy-iris "
                "releases did)",
            ],
            fix=f"{REINSTALL_FIX}  (after installing the other packages)",
        )
    dbapi_connect = getattr(dbapi, "connect", None)
    if dbapi_connect is None:
        raise EngineError(
            "the IRIS driver has no iris.dbapi module",
            fix=f"{REINSTALL_FIX}  (intersystems-irispython 5.0 or newer)",
        )
    return Driver(source.connect, source.createIRIS, dbapi_connect)


# What driver and server texts mean. Each pattern is matched case-insensitively against the
# exception text; the first match wins, so the specific ones come first. "seen" patterns were
# produced by intersystems-irispython 5.4.1 here; the others come from IRIS-FACTS.md and the
# IRIS documentation and await the live suite (docs/iris-calls.md).
@dataclass(frozen=True)
class Failure:
    """A kind of connection failure: how to recognise it and what to tell a person."""

    kind: str
    pattern: re.Pattern[str]
    message: str
    fix: str


FAILURES: tuple[Failure, ...] = (
    Failure(
        "password_expired",
        # IRIS at first login: "[SQLCODE: <-853>:<User _SYSTEM is required to change password
        # before login>]" (issue 19 item 2); older texts say "Password change required".
        re.compile(r"password change required|required to change password|"
                   r"password (has )?expired|<-853>", re.I),
        "IRIS refused the login: the password of {user} has expired",
        "set a new password (Management Portal, or in %SYS: "
        "do ##class(Security.Users).UnExpireUserPasswords(\"*\") on a throwaway container), "
        "then export it in ${password_env}",
    ),
    Failure(
        "callin_disabled",
        re.compile(r"%service_callin|\bcallin\b", re.I),
        "IRIS refused the connection: the %Service_CallIn service is disabled",
        "enable it: Management Portal > Security > Services > %Service_CallIn, or in %SYS: "
        "set p(\"Enabled\")=1 do ##class(Security.Services).Modify(\"%Service_CallIn\",.p)",
    ),
    Failure(
        "wrong_credentials",
        re.compile(r"access denied|invalid (user ?name|password|credentials)|"
                   r"authentication failed|login failed", re.I),
        "IRIS refused the login of {user}: wrong user name or password",
        "check ${username_env} / ${password_env}; a new container's _SYSTEM password is SYS "
        "and must be changed at first login",
    ),
    Failure(
        "missing_privileges",
        re.compile(r"<protect>|privilege violation|not privileged|insufficient privilege", re.I),
        "{user} lacks the privileges irisfx needs on IRIS",
        "use a user with the %All role (e.g. _SYSTEM), or grant %Admin_Manage, "
        "%Admin_Operate and read/write on %DB_IRISSYS",
    ),
    Failure(
        "namespace_missing",
        re.compile(r"<namespace>|namespace\b.{0,60}\b(does not exist|not defined|undefined)",
                   re.I),
        "namespace {namespace} does not exist on IRIS at {address}",
        "run irisfx plan to see which namespaces exist, and irisfx apply to create the "
        "declared ones",
    ),
    Failure(
        "timeout",
        re.compile(r"timed out|error code: 110\b|<timeout>", re.I),
        "IRIS at {address} did not answer within {timeout} s",
        "check that IRIS has finished starting (a container takes 30-50 s) and that "
        "{address} is its superserver port; or raise [irisfx] connect_timeout",
    ),
    Failure(
        "unknown_host",
        re.compile(r"getaddrinfo|name or service not known|nodename nor servname", re.I),
        "cannot resolve the IRIS host in {address}",
        "check the host name in the iris URL (fixtures.toml, IRISFX_IRIS or --iris)",
    ),
    Failure(
        "tls_required",
        # A superserver that accepts only TLS answers a plain connection with <SSL Error>;
        # without this entry it read as "nothing answers" (issue 19 item 13).
        re.compile(r"<ssl error>|\bssl\b|\btls\b", re.I),
        "IRIS at {address} accepts only TLS (SSL) connections",
        "irisfx connects without TLS: point it at a superserver that accepts plain connections "
        "(System Administration > Security > SSL/TLS: superserver support level 'Enabled', "
        "not 'Required'), or reach IRIS through a tunnel",
    ),
    Failure(
        "not_listening",
        re.compile(r"failed to connect to server|connection refused|error code: -1\b", re.I),
        "nothing answers at {address}",
        "start IRIS (see docs/iris.md) or correct the port; 1972 is the default superserver "
        "port, 52773 is the web port and will not work",
    ),
)


def classify(text: str) -> Failure | None:
    """The failure kind a driver or server message describes, or None."""
    for failure in FAILURES:
        if failure.pattern.search(text):
            return failure
    return None


# A password shorter than this is not looked for in driver texts: masking "o" wherever it
# occurs turns "Failed to connect" into "Failed t*** c***nnect" and tells the reader the password.
MASK_MIN_LENGTH = 4


def scrub(text: str, password: str, *shown: str) -> str:
    """``text`` with whole-token occurrences of ``password`` replaced by ***.

    irisfx hands the password to the driver as an argument and never builds it into a text, so
    this only guards against a driver or server message that echoes it. Only a password of
    MASK_MIN_LENGTH or more characters is masked, and only where it stands alone (not inside a
    longer word). A password equal to a value the same error shows anyway (the host, the user,
    the namespace) is left alone: masking the host ``iris`` when the password is ``iris`` would
    print both ``iris`` and ``***`` where the host goes and tell the reader the password.
    """
    if len(password) < MASK_MIN_LENGTH or password in shown:
        return text
    return re.sub(rf"(?<!\w){re.escape(password)}(?!\w)", "***", text)


def connection_error(
    exc: BaseException,
    target: Target,
    username_env: str,
    password_env: str,
    namespace: str = "%SYS",
) -> EngineError:
    """An EngineError (exit 4) for a failed connection attempt, without the password."""
    text = scrub(str(exc) or type(exc).__name__, target.password, target.host,
                 target.username, namespace)
    failure = classify(text)
    values = {
        "user": target.username,
        "address": target.address,
        "timeout": str(target.timeout),
        "username_env": username_env,
        "password_env": password_env,
        "namespace": namespace,
    }
    if failure is None:
        return EngineError(
            f"cannot connect to IRIS at {target.address}",
            details=[f"driver: {text}"],
            fix="see docs/iris.md for starting IRIS and pointing irisfx at it",
        )
    return EngineError(
        _fill(failure.message, values),
        details=[f"driver: {text}"],
        fix=_fill(failure.fix, values),
    )


def _fill(template: str, values: Mapping[str, str]) -> str:
    # str.format would trip over the braces-free ObjectScript in the fixes; replace names only.
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def open_native(driver: Driver, target: Target, username_env: str, password_env: str) -> Any:
    """A Native API connection to %SYS (where the helper class lives)."""
    return _connect(driver.connect, target, "%SYS", username_env, password_env)


def open_dbapi(
    driver: Driver, target: Target, namespace: str, username_env: str, password_env: str
) -> Any:
    """A DB-API connection to ``namespace``."""
    return _connect(driver.dbapi_connect, target, namespace, username_env, password_env)


def _connect(
    connect: Any, target: Target, namespace: str, username_env: str, password_env: str
) -> Any:
    try:
        return connect(
            hostname=target.host,
            port=target.port,
            namespace=namespace,
            username=target.username,
            password=target.password,
            timeout=target.timeout,
        )
    except Exception as exc:
        raise connection_error(exc, target, username_env, password_env, namespace) from None
