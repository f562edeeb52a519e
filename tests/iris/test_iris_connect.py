"""Reaching IRIS without an IRIS: URLs, credentials, the driver's traps and its error texts.

The tests that connect use the real intersystems-irispython driver against real sockets on this
machine (a closed port, a listener that never answers); nothing stands in for the driver.
"""

from __future__ import annotations

import socket
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from irisfx.engines import EngineSettings
from irisfx.engines.iris.connect import (
    DEFAULT_PORT,
    REINSTALL_FIX,
    Target,
    classify,
    connect_timeout,
    connection_error,
    driver_from,
    load_driver,
    open_dbapi,
    open_native,
    parse_iris_url,
    resolve_target,
    scrub,
)
from irisfx.errors import ConfigError, EngineError, ExitCode

SECRET = "s3cr3t-Pa55word"


# -- URL and settings -----------------------------------------------------------------------


def test_url_defaults_to_port_1972_and_no_user() -> None:
    parsed = parse_iris_url("iris://localhost")
    assert (parsed.host, parsed.port, parsed.username, parsed.password) == (
        "localhost", DEFAULT_PORT, None, None)


def test_url_with_user_and_port() -> None:
    parsed = parse_iris_url("iris://_SYSTEM@iris.example:51773")
    assert (parsed.host, parsed.port, parsed.username) == ("iris.example", 51773, "_SYSTEM")


def test_url_password_is_accepted_but_not_in_repr() -> None:
    parsed = parse_iris_url(f"iris://_SYSTEM:{SECRET}@localhost:1972")
    assert parsed.password == SECRET
    assert SECRET not in repr(parsed)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("sim://x", "scheme"),
        ("iris://", "no host"),
        ("iris://host:1972/USER", "path"),
        ("iris://host?ns=USER", "query"),
        ("iris://host:notaport", "port"),
        ("iris://host:99999", "port"),
        ("iris://host:0", "port"),
    ],
)
def test_bad_urls_are_config_errors_that_say_why(url: str, why: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_iris_url(url)
    assert why in caught.value.message
    assert caught.value.fix and "iris://" in caught.value.fix


@pytest.mark.parametrize("cut", ["/", "?", "#"])
def test_a_password_urlsplit_would_cut_is_never_shown(cut: str) -> None:
    password = f"12{cut}{SECRET}"
    with pytest.raises(ConfigError) as caught:
        parse_iris_url(f"iris://u:{password}@host:1972")
    rendered = caught.value.render()
    assert SECRET not in rendered and password not in rendered and "12" not in rendered


def test_bad_url_error_never_shows_the_password() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_iris_url(f"iris://u:{SECRET}@host:1972/USER")
    assert SECRET not in caught.value.render()


def test_user_from_url_wins_over_env_and_password_comes_from_env() -> None:
    env = {"IRIS_USERNAME": "other", "IRIS_PASSWORD": SECRET}
    target = resolve_target("iris://_SYSTEM@h", "IRIS_USERNAME", "IRIS_PASSWORD", 10, env)
    assert (target.host, target.port, target.username, target.password) == (
        "h", 1972, "_SYSTEM", SECRET)
    assert SECRET not in repr(target)


def test_user_from_env_when_url_names_none() -> None:
    env = {"MY_USER": "SuperUser", "MY_PW": "x"}
    target = resolve_target("iris://h:1", "MY_USER", "MY_PW", 10, env)
    assert target.username == "SuperUser"


def test_missing_user_and_password_are_config_errors_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"\$MY_USER"):
        resolve_target("iris://h", "MY_USER", "MY_PW", 10, {"MY_PW": "x"})
    with pytest.raises(ConfigError, match=r"\$MY_PW"):
        resolve_target("iris://u@h", "MY_USER", "MY_PW", 10, {})


def test_empty_password_in_env_is_a_password() -> None:
    target = resolve_target("iris://u@h", "U", "P", 10, {"P": ""})
    assert target.password == ""


@pytest.mark.parametrize(("seconds", "driver"), [(10.0, 10), (2.5, 3), (0.2, 1), (1, 1)])
def test_timeout_becomes_whole_seconds_rounded_up(seconds: float, driver: int) -> None:
    assert connect_timeout(seconds) == driver


@pytest.mark.parametrize("seconds", [0, -1, float("nan"), float("inf")])
def test_nonsense_timeouts_are_refused(seconds: float) -> None:
    with pytest.raises(ConfigError):
        connect_timeout(seconds)


# -- the driver and its traps ---------------------------------------------------------------


def test_the_installed_driver_is_found() -> None:
    driver = load_driver()
    assert callable(driver.connect) and callable(driver.create_iris)
    assert callable(driver.dbapi_connect)


def test_a_shadowed_iris_module_is_named_with_the_reinstall_fix() -> None:
    # What sqlalchemy-iris leaves behind: an 'iris' package without the driver's functions.
    shadow = types.ModuleType("iris")
    shadow.__file__ = "/venv/site-packages/iris/__init__.py"
    with pytest.raises(EngineError) as caught:
        driver_from(shadow, None, None)
    assert caught.value.exit_code == ExitCode.ENGINE
    assert caught.value.fix is not None and REINSTALL_FIX in caught.value.fix
    assert "sqlalchemy-iris" in caught.value.render()


def test_driver_functions_are_taken_from_elsdk_when_the_package_lacks_them() -> None:
    import iris._elsdk_ as elsdk
    import iris.dbapi as dbapi

    bare = types.ModuleType("iris")
    driver = driver_from(bare, elsdk, dbapi)
    assert driver.connect is elsdk.connect


# -- what failures mean ---------------------------------------------------------------------

# Texts marked "seen" were produced by intersystems-irispython 5.4.1 on this machine.
TEXTS = [
    ("<COMMUNICATION LINK ERROR> Failed to connect to server; Details: Error code: -1 "
     "Error message: ", "not_listening"),  # seen: closed port
    ("<COMMUNICATION LINK ERROR> Failed to connect to server; Details: <COMMUNICATION LINK "
     "ERROR> Failed to receive message; Details: Error code: 110 Error message: Communication "
     "timed out", "timeout"),  # seen: a listener that never answers
    ("<COMMUNICATION LINK ERROR> Failed to connect to server; Details: Error code: -2 Error "
     "message: getaddrinfo(nosuchhost.invalid, 1972, 0, 0) failed in s_TCPConnect, reason = "
     "Name or service not known.\n", "unknown_host"),  # seen: unknown host
    ("<COMMUNICATION LINK ERROR> Failed to connect to server; Details: Access Denied",
     "wrong_credentials"),
    ("<COMMUNICATION LINK ERROR> Failed to connect to server; Details: Password change required",
     "password_expired"),
    ("Access Denied: %Service_CallIn is disabled", "callin_disabled"),
    ("<PROTECT> *^IRISFX", "missing_privileges"),
    ("[SQLCODE: <-99>:<Privilege violation>]", "missing_privileges"),
    ("<NAMESPACE> FX_GONE", "namespace_missing"),
]


@pytest.mark.parametrize(("text", "kind"), TEXTS)
def test_each_driver_text_maps_to_its_failure(text: str, kind: str) -> None:
    failure = classify(text)
    assert failure is not None and failure.kind == kind


def test_calling_is_not_mistaken_for_callin() -> None:
    assert classify("error while calling the server") is None


@pytest.mark.parametrize(("text", "kind"), TEXTS)
def test_connection_errors_carry_message_fix_driver_text_and_exit_4(text: str,
                                                                    kind: str) -> None:
    target = Target("db.example", 1972, "_SYSTEM", SECRET, 7)
    error = connection_error(RuntimeError(text), target, "IRIS_USERNAME", "IRIS_PASSWORD",
                             "FX_GONE")
    assert error.exit_code == ExitCode.ENGINE
    assert error.fix
    assert error.details == [f"driver: {text}"]
    assert "{" not in error.message and "{" not in error.fix
    assert classify(text) is not None and classify(text).kind == kind  # type: ignore[union-attr]


def test_messages_differ_per_failure_kind() -> None:
    target = Target("db.example", 1972, "_SYSTEM", SECRET, 7)
    messages = {connection_error(RuntimeError(t), target, "U", "P").message for t, _ in TEXTS}
    assert len(messages) == len({kind for _, kind in TEXTS})


def test_the_password_never_appears_in_a_rendered_error() -> None:
    target = Target("db.example", 1972, "_SYSTEM", SECRET, 7)
    text = f"Access Denied for _SYSTEM/{SECRET}"
    error = connection_error(RuntimeError(text), target, "U", "P")
    assert SECRET not in error.render()
    assert "***" in error.render()


def test_scrub_masks_whole_tokens_of_the_password_only() -> None:
    assert scrub("a hunter2 b (hunter2) c", "hunter2") == "a *** b (***) c"
    assert scrub("hunter22 xhunter2 hunter2_x", "hunter2") == "hunter22 xhunter2 hunter2_x"


@pytest.mark.parametrize("password", ["", "o", "to", "ser"])
def test_scrub_leaves_passwords_under_4_characters_alone(password: str) -> None:
    text = "Failed to connect to server"
    assert scrub(text, password) == text


def test_scrub_leaves_a_password_equal_to_a_shown_value_alone() -> None:
    text = "getaddrinfo(iris, 1972, 0, 0) failed"
    assert scrub(text, "iris", "iris", "_SYSTEM") == text
    assert scrub(text, "iris") == "getaddrinfo(***, 1972, 0, 0) failed"


def test_a_host_equal_to_the_password_is_shown_as_the_host() -> None:
    # The driver's text for an unknown host (seen with 5.4.1), for host "iris".
    text = ("<COMMUNICATION LINK ERROR> Failed to connect to server; Details: Error code: -2 "
            "Error message: getaddrinfo(iris, 1972, 0, 0) failed in s_TCPConnect, reason = "
            "Name or service not known.")
    error = connection_error(RuntimeError(text), Target("iris", 1972, "_SYSTEM", "iris", 7),
                             "U", "P")
    assert "***" not in error.render()
    assert error.details == [f"driver: {text}"]
    assert error.message == "cannot resolve the IRIS host in iris:1972"


# -- the real driver against real sockets ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in accepted:
        conn.close()
    server.close()


def test_real_driver_closed_port_is_nothing_listening() -> None:
    target = Target("127.0.0.1", _free_port(), "_SYSTEM", SECRET, 2)
    with pytest.raises(EngineError) as caught:
        open_native(load_driver(), target, "IRIS_USERNAME", "IRIS_PASSWORD")
    assert caught.value.message.startswith("nothing answers at 127.0.0.1:")
    assert SECRET not in caught.value.render()


@pytest.mark.parametrize("password", ["o", "t", "rror", "onnect"])
def test_real_driver_text_is_not_mangled_by_a_password_inside_its_words(password: str) -> None:
    # Issue 9.4: IRIS_PASSWORD=o made this "Failed t*** c***nnect t*** server".
    target = Target("127.0.0.1", _free_port(), "_SYSTEM", password, 2)
    with pytest.raises(EngineError) as caught:
        open_native(load_driver(), target, "IRIS_USERNAME", "IRIS_PASSWORD")
    rendered = caught.value.render()
    assert "Failed to connect to server" in rendered and "Error code" in rendered
    assert "***" not in rendered


def test_real_dbapi_closed_port_is_nothing_listening_too() -> None:
    target = Target("127.0.0.1", _free_port(), "_SYSTEM", SECRET, 2)
    with pytest.raises(EngineError, match="nothing answers"):
        open_dbapi(load_driver(), target, "FX_A", "IRIS_USERNAME", "IRIS_PASSWORD")


def test_real_driver_silent_server_times_out_after_the_timeout(silent_port: int) -> None:
    target = Target("127.0.0.1", silent_port, "_SYSTEM", SECRET, 1)
    with pytest.raises(EngineError) as caught:
        open_native(load_driver(), target, "IRIS_USERNAME", "IRIS_PASSWORD")
    assert "did not answer within 1 s" in caught.value.message


def test_opening_the_engine_on_a_closed_port_is_exit_4_without_the_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from irisfx.engines import open_engine

    monkeypatch.setenv("IRISFX_T_USER", "_SYSTEM")
    monkeypatch.setenv("IRISFX_T_PW", SECRET)
    settings = EngineSettings(
        url=f"iris://127.0.0.1:{_free_port()}", project="p", root=tmp_path,
        username_env="IRISFX_T_USER", password_env="IRISFX_T_PW", connect_timeout=2,
    )
    with pytest.raises(EngineError) as caught:
        open_engine(settings)
    assert caught.value.exit_code == ExitCode.ENGINE
    assert SECRET not in caught.value.render()
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
