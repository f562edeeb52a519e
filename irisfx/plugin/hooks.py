"""irisfx's pytest plugin: ``@pytest.mark.irisfx("NAME")`` and the ``irisfx`` fixture.

Registered through the ``pytest11`` entry point. It costs a project that does not use it next
to nothing: this module imports only pytest and irisfx.plugin.settings (standard library);
fixtures.toml is parsed, and the engine opened, only once a collected test carries the marker.

When the session-start step runs (see docs/pytest.md):
- single process: after collection, and only if a selected test carries the marker;
- pytest-xdist: in the controller, at session start, before any worker exists (the controller
  does not collect, so it cannot know; it runs whenever a fixtures.toml is in effect).
Workers never apply: they load fixtures.toml after the controller's apply and only make their
own copies of writable fixtures.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from irisfx.plugin.settings import (
    ENV_CONFIG,
    ENV_IRIS,
    ENV_MODE,
    INI_CONFIG,
    INI_IRIS,
    INI_MODE,
    MARKER_HELP,
    MODES,
    MarkerArgs,
    PluginError,
    PluginSettings,
    Request,
    Scope,
    SettingsError,
    parse_requests,
    resolve,
)

if TYPE_CHECKING:
    from irisfx.plugin.handle import IrisfxHandle
    from irisfx.plugin.run import IrisfxRun, Served

__all__ = ["IrisfxCleanupWarning", "IrisfxScopeWarning"]


class IrisfxCleanupWarning(pytest.PytestWarning):
    """A namespace the plugin made for the session could not be removed at its end."""


class IrisfxScopeWarning(pytest.PytestWarning):
    """A marker gives ``scope=`` to fixtures served read-only, where it changes nothing."""


_SETTINGS = pytest.StashKey[PluginSettings]()
_RUN = pytest.StashKey["IrisfxRun"]()
_REQUESTS = pytest.StashKey[dict[str, Request]]()  # on an item: fixture name -> request
_SERVED = pytest.StashKey[dict[str, "Served"]]()  # on an item: fixture name -> where


def pytest_addoption(parser: pytest.Parser) -> None:
    """--irisfx-* options and irisfx_* ini keys; IRISFX_* env vars sit between the two."""
    group = parser.getgroup("irisfx", "irisfx: IRIS test-data fixtures")
    group.addoption("--irisfx-config", metavar="PATH", default=None,
                    help=f"fixtures.toml to use (env {ENV_CONFIG}, ini {INI_CONFIG}); "
                    "default: the nearest one in rootdir or above.")
    group.addoption("--irisfx-iris", metavar="URL", default=None,
                    help=f"engine URL, iris://... or sim://DIR (env {ENV_IRIS}, ini {INI_IRIS});"
                    " default: fixtures.toml's 'iris'.")
    group.addoption("--irisfx-mode", choices=MODES, default=None,
                    help=f"at session start: apply (default; replace/unmount auto-approved; "
                    f"writes new pins), locked (apply, but never write pins: the default where "
                    f"CI is set), check (fail if anything is pending or drifted) or never (use "
                    f"what is mounted). Env {ENV_MODE}, ini {INI_MODE}.")
    group.addoption("--irisfx-keep", action="store_true", default=False,
                    help="keep the namespaces made for writable fixtures after the session.")
    parser.addini(INI_CONFIG, "irisfx: fixtures.toml to use (relative to the ini file).")
    parser.addini(INI_IRIS, "irisfx: engine URL (iris://... or sim://DIR).")
    parser.addini(INI_MODE, "irisfx: apply, locked, check or never at session start.")


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and resolve the settings (cheap: no fixtures.toml parsing)."""
    config.addinivalue_line("markers", MARKER_HELP)
    try:
        settings = resolve(
            option={name: getattr(config.option, name, None) for name in
                    ("irisfx_config", "irisfx_iris", "irisfx_mode", "irisfx_keep")},
            env=os.environ,
            ini={name: str(config.getini(name) or "") or None
                 for name in (INI_CONFIG, INI_IRIS, INI_MODE)},
            invocation_dir=config.invocation_params.dir,
            ini_dir=config.inipath.parent if config.inipath else config.rootpath,
            rootpath=config.rootpath,
        )
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_SETTINGS] = settings


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Config, engine and mode, and where each came from."""
    lines = config.stash[_SETTINGS].header_lines()
    run = config.stash.get(_RUN, None)
    return lines + (run.summary if run else [])


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _is_controller(config: pytest.Config) -> bool:
    # xdist registers its "dsession" plugin in its (trylast) pytest_configure, so ask later.
    return config.pluginmanager.has_plugin("dsession") and not _is_worker(config)


def _run(config: pytest.Config) -> IrisfxRun:
    run = config.stash.get(_RUN, None)
    if run is None:
        from irisfx.plugin.run import IrisfxRun

        worker = getattr(config, "workerinput", {}).get("workerid", "main")
        run = config.stash[_RUN] = IrisfxRun(config.stash[_SETTINGS], str(worker))
    return run


def _start(config: pytest.Config) -> None:
    try:
        _run(config).start()
    except PluginError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """xdist controller: apply/check before the workers start (they must not apply)."""
    config = session.config
    if (_is_controller(config) and config.stash[_SETTINGS].config_path is not None
            and not config.option.collectonly):
        _start(config)
        # Workers open their own; an IRIS connection idle for the whole run may time out.
        _run(config).close()


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector
                               ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Check every marker as its tests are collected: a bad one fails that collector."""
    report = yield
    if report.outcome != "passed":
        return report
    problems: dict[str, list[str]] = {}
    for node in report.result:
        if isinstance(node, pytest.Item) and node.get_closest_marker("irisfx") is not None:
            problem = _check_item(node)
            if problem:
                problems.setdefault(problem, []).append(node.name)
    if problems:
        # A plain-text longrepr: pytest shows it as the collection error, with no traceback.
        report.outcome = "failed"
        report.longrepr = "\n\n".join(_with_tests(problem, tests)
                                      for problem, tests in problems.items())
        report.result = []
    return report


def _with_tests(problem: str, tests: list[str]) -> str:
    # The first line is what pytest's short summary shows, so it names the tests too.
    first, _, rest = problem.partition("\n")
    return f"{first} (in {', '.join(tests)})" + (f"\n{rest}" if rest else "")


def _check_item(item: pytest.Item) -> str | None:
    markers = [MarkerArgs(m.args, m.kwargs) for m in item.iter_markers("irisfx")]
    requests, problems = parse_requests(markers)
    if problems:
        return "\n".join(problems)
    run = _run(item.config)
    try:
        run.check_names(list(requests))
    except PluginError as exc:
        return str(exc)
    item.stash[_REQUESTS] = requests
    for marker in markers:
        names = [n for n in marker.names if isinstance(n, str)]
        if "scope" in marker.kwargs and not any(run.copied(n, requests[n]) for n in names):
            item.warn(IrisfxScopeWarning(
                f"irisfx: scope={marker.kwargs['scope']!r} changes nothing for "
                f"{', '.join(repr(n) for n in names)}: served read-only, the data is the same "
                "for every test; add writable=True for a copy reset per scope, or drop scope="))
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Single process: apply/check once, before the first test, if any test uses irisfx."""
    config = session.config
    if _is_worker(config) or _is_controller(config) or config.option.collectonly:
        return
    if session.testsfailed:  # collection errors: pytest stops before running any test
        return
    if any(_REQUESTS in item.stash for item in session.items):
        _start(config)


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    """Single process: what the session-start step did (the header came too early)."""
    run = config.stash.get(_RUN, None)
    if run is None or _is_controller(config) or config.get_verbosity() < 0:
        return []
    return run.summary


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Make the test's fixtures ready (fresh copies as its scope asks) before its fixtures."""
    requests = item.stash.get(_REQUESTS, None)
    if not requests:
        return

    def group(scope: Scope) -> str:
        if scope == "session":
            return "session"
        parent = {"function": None, "class": pytest.Class, "module": pytest.Module}[scope]
        node = item.getparent(parent) if parent else item
        return (node or item.getparent(pytest.Module) or item).nodeid

    try:
        item.stash[_SERVED] = _run(item.config).prepare(requests, group)
        return
    except PluginError as exc:
        failure = str(exc)
    # Outside the except block, so the report is the message alone, not an exception chain.
    pytest.fail(failure, pytrace=False)


@pytest.fixture
def irisfx(request: pytest.FixtureRequest) -> Iterator[IrisfxHandle]:
    """Reach the fixtures named by the test's ``@pytest.mark.irisfx`` markers.

    ``irisfx.connect(name)`` gives a DB-API connection to the namespace serving the fixture
    (closed when the test ends), ``irisfx.namespace(name)`` its name, ``irisfx.pin(name)`` what
    fixtures.toml pins for it (sha256, tables row counts, ...), ``irisfx.fixture(name)`` its
    declaration; ``name`` may be left out when the test asked for one fixture. A read-only
    fixture is the shared mount; a writable one (or ``writable=True``) is this worker's copy.
    """
    from irisfx.plugin.handle import IrisfxHandle

    handle = IrisfxHandle(_run(request.config), request.node.stash.get(_SERVED, {}))
    try:
        yield handle
    finally:
        handle.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the copies this process made, unless --irisfx-keep; failures are warnings."""
    config = session.config
    run = config.stash.get(_RUN, None)
    if run is None:
        return
    if _is_worker(config) and run.settings.keep:
        config.workeroutput["irisfx_kept"] = sorted(  # type: ignore[attr-defined]
            c.namespace for c in run.copies.values())
    for problem in run.finish(sweep_workers=_is_controller(config)):
        warnings.warn(IrisfxCleanupWarning(f"irisfx: {problem}"), stacklevel=1)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist controller: remember the copies a worker kept, for the terminal summary."""
    kept = getattr(node, "workeroutput", {}).get("irisfx_kept", [])
    if kept:
        config: pytest.Config = node.config
        _run(config).summary_kept.extend(kept)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Name the copies --irisfx-keep left, so they can be inspected and removed later."""
    run = config.stash.get(_RUN, None)
    if run is None or not run.settings.keep:
        return
    kept = sorted({*run.summary_kept, *(c.namespace for c in run.copies.values())})
    if kept:
        terminalreporter.write_line(
            f"irisfx: kept test copies (--irisfx-keep): {', '.join(kept)}; remove them with "
            "'irisfx unmount NAMESPACE'")
