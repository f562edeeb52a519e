"""A stand-in for intersystems-irispython (import name ``iris``) that talks to the stand-in
IRIS in the folder named by $IRISFX_STANDIN_MGR instead of a server.

It offers what irisfx calls (irisfx/engines/iris/connect.py, helper.py): ``connect``,
``createIRIS`` and ``IRIS.classMethodValue`` / ``classMethodString``, and ``iris.dbapi``. The
Native API object dispatches ``ZIrisFx.Helper`` calls to the Python helper in ``_server``, once
irisfx has installed and compiled the class as it would on IRIS. Relative imports only: this
package is loaded as ``iris`` by subprocesses and as ``tests.standin.iris`` in the test process.
"""

from __future__ import annotations

import re
from typing import Any

from . import dbapi
from ._server.calls import invoke
from ._server.helper import Helper
from ._server.instance import Instance, IrisError, from_environment
from ._server.process import Process

__all__ = ["IRIS", "IRISConnection", "connect", "createIRIS", "dbapi"]

HELPER_CLASS = "ZIrisFx.Helper"
STAMP = re.compile(r'^Parameter STAMP = "([^"]*)";', re.M)


class IRISConnection:
    """A Native API connection: one server process in the namespace it was opened in."""

    def __init__(self, server: Instance, namespace: str) -> None:
        self.instance = server
        self.namespace = namespace
        self.process = Process(server)
        self._closed = False

    def close(self) -> None:
        """Close it; the server process ends and its LOCKs go."""
        self.process.end()
        self._closed = True

    def isClosed(self) -> bool:  # noqa: N802 - the driver's name
        """Whether ``close`` was called."""
        return self._closed


def connect(*, hostname: str, port: int, namespace: str, username: str, password: str,
            timeout: int = 10, **_: Any) -> IRISConnection:
    """iris.connect: log in to ``namespace``."""
    if not isinstance(timeout, int):
        raise TypeError("timeout must be an integer")  # as intersystems-irispython 5.4.1
    server = from_environment()
    try:
        state = server.read()
        state.login(username, password)
        if state.namespace(namespace) is None:
            raise IrisError(f"<NAMESPACE> namespace {namespace} does not exist")
    except IrisError as exc:
        raise RuntimeError(exc.display) from None
    return IRISConnection(server, namespace.upper())


def createIRIS(connection: IRISConnection) -> IRIS:  # noqa: N802 - the driver's name
    """The Native API object over a connection."""
    return IRIS(connection)


class IRIS:
    """Class method calls, the only part of the Native API irisfx uses."""

    def __init__(self, connection: IRISConnection) -> None:
        self._connection = connection

    def classMethodString(self, cls: str, method: str, *args: Any) -> str:  # noqa: N802
        """A class method's value as a string."""
        return str(self.classMethodValue(cls, method, *args))

    def classMethodValue(self, cls: str, method: str, *args: Any) -> Any:  # noqa: N802
        """Run a class method on the server; RuntimeError with IRIS's text when it fails."""
        if self._connection.isClosed():
            raise RuntimeError("<COMMUNICATION LINK ERROR> connection closed")
        try:
            return self._dispatch(cls, method, args)
        except IrisError as exc:
            raise RuntimeError(exc.display) from None

    def _dispatch(self, cls: str, method: str, args: tuple[Any, ...]) -> Any:
        server = self._connection.instance
        if cls == HELPER_CLASS:
            with server.state() as s:
                compiled = s.classes().get(HELPER_CLASS, {}).get("stamp")
            if compiled is None:
                raise IrisError(f"<CLASS DOES NOT EXIST> *{HELPER_CLASS}")
            helper = Helper(server, self._connection.process, compiled)
            return invoke(helper, method, args)
        if (cls, method) == ("%Compiler.UDL.TextServices", "SetTextFromString"):
            return self._save_class(*args)
        if (cls, method) == ("%SYSTEM.OBJ", "Compile"):
            return self._compile(*args)
        if (cls, method) == ("%SYSTEM.Status", "GetErrorText"):
            return str(args[0]).removeprefix("0 ")
        raise IrisError(f"<CLASS DOES NOT EXIST> *{cls}")

    def _save_class(self, namespace: str, name: str, text: str) -> Any:
        if namespace != "%SYS" or not re.search(rf"^Class {re.escape(name)}\b", text, re.M):
            return f"0 ERROR #5001: class text does not define {name} in {namespace}"
        with self._connection.instance.state() as s:
            s.classes()[name] = {"text": text, "stamp": None}
        return 1

    def _compile(self, name: str, flags: str) -> Any:
        with self._connection.instance.state() as s:
            saved = s.classes().get(name)
            if saved is None:
                return f"0 ERROR #5351: Class '{name}' does not exist"
            found = STAMP.search(str(saved["text"]).replace("\r\n", "\n"))
            if found is None:
                return f"0 ERROR #5001: {name} has no STAMP parameter"
            saved["stamp"] = found.group(1)
        return 1
