"""What a test gets from the ``irisfx`` fixture: namespaces, connections and pins."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import NoReturn

from irisfx.engines.base import Connection
from irisfx.lockfile.models import Pin, ResolvedFixture
from irisfx.plugin.run import IrisfxRun, Served, rendered
from irisfx.plugin.settings import PluginError


class IrisfxHandle:
    """The fixtures a test's ``@pytest.mark.irisfx`` markers name, and nothing else.

    Every call takes the fixture's name, which may be left out when the test asked for one
    fixture only: ``irisfx.connect()``. Connections it opens are closed when the test ends.
    """

    def __init__(self, run: IrisfxRun, served: Mapping[str, Served]) -> None:
        self._run = run
        self._served = dict(served)
        self._connections: list[Connection] = []

    def __repr__(self) -> str:
        served = " ".join(f"{n}={s.namespace}" for n, s in sorted(self._served.items()))
        return f"<IrisfxHandle {served or '(no fixtures requested)'}>"

    @property
    def names(self) -> tuple[str, ...]:
        """The fixtures this test asked for, sorted."""
        return tuple(sorted(self._served))

    @property
    def name(self) -> str:
        """The one fixture this test asked for (a failure when it asked for several)."""
        if len(self._served) != 1:
            self._which()
        (only,) = self._served
        return only

    def namespace(self, name: str | None = None) -> str:
        """The namespace serving fixture ``name`` to this test (a copy if it is writable)."""
        return self._where(name).namespace

    def connect(self, name: str | None = None) -> Connection:
        """A DB-API connection to the namespace serving ``name``; closed after the test.

        It refuses writes when the test was given a read-only view of the fixture.
        """
        served = self._where(name)
        with _failing_test():
            connection = self._run.engine().connect(served.namespace,
                                                    read_only=served.read_only)
        self._connections.append(connection)
        return connection

    def pin(self, name: str | None = None) -> Pin:
        """What fixtures.toml pins for ``name``: sha256, size, tables (row counts), built_by."""
        pin = self.fixture(name).pin
        assert pin is not None  # a fixture without a pin fails in setup, before the test
        return pin

    def fixture(self, name: str | None = None) -> ResolvedFixture:
        """The declaration of ``name`` from fixtures.toml, defaults filled in."""
        name = self._name(name)
        with _failing_test():
            return self._run.project().fixture(name)

    def close(self) -> None:
        """Close the connections this handle opened, newest first."""
        while self._connections:
            connection = self._connections.pop()
            # The test may have closed it already, or the server may have gone; either way
            # there is nothing left to release and the test's own outcome matters more.
            with contextlib.suppress(Exception):
                connection.close()

    def _name(self, name: str | None) -> str:
        if name is None:
            return self.name
        if name not in self._served:
            self._not_requested(name)
        return name

    def _where(self, name: str | None) -> Served:
        return self._served[self._name(name)]

    def _which(self) -> NoReturn:
        import pytest

        if not self._served:
            pytest.fail("irisfx: this test asked for no fixture; add "
                        '@pytest.mark.irisfx("NAME") to the test, its class or its module',
                        pytrace=False)
        asked = ", ".join(repr(n) for n in self.names)
        pytest.fail(f"irisfx: this test asked for {len(self._served)} fixtures ({asked}), "
                    f"so say which one: irisfx.connect({self.names[0]!r})", pytrace=False)

    def _not_requested(self, name: str) -> NoReturn:
        import pytest

        asked = ", ".join(repr(n) for n in self.names) or "none"
        pytest.fail(f"irisfx: this test did not ask for fixture {name!r} (it asked for "
                    f"{asked}); add @pytest.mark.irisfx({name!r}) to the test, its class "
                    "or its module", pytrace=False)


@contextlib.contextmanager
def _failing_test() -> Iterator[None]:
    import pytest

    try:
        with rendered():
            yield
        return
    except PluginError as exc:
        failure = str(exc)
    # Outside the except block, so the report is the message alone, not an exception chain.
    pytest.fail(failure, pytrace=False)
