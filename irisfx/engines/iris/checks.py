"""Checks the iris engine makes before it moves a file: may IRIS write the mapped directory, and
can IRIS serve this file at all."""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath, PureWindowsPath

from irisfx.engines.iris.helper import Helper
from irisfx.engines.iris.transfer import PathMap, refuse_foreign_file
from irisfx.errors import ConflictError

log = logging.getLogger("irisfx.iris")


def server_parent(path: str) -> str:
    """The directory of a server path, in the server's style."""
    windows = "\\" in path or (len(path) > 1 and path[1] == ":")
    return str(PureWindowsPath(path).parent if windows else PurePosixPath(path).parent)


def writable_mapped(helper: Helper, paths: PathMap, local: Path) -> tuple[str, str] | None:
    """The server path and mapped directory for ``local`` when IRIS itself may write there.

    IRIS in the official containers runs as irisowner (UID 51773): a bind-mounted host folder
    it cannot write is used only through the chunked transfer (docs/iris.md, "Path map")."""
    located = paths.locate(local)
    if located is None:
        return None
    path, base = located
    directory = server_parent(path)
    if helper.call("DirectoryWritable", directory, base).get("writable"):
        return located
    log.warning("IRIS cannot write the mapped directory %s (it runs as its own user, UID 51773 "
                "in the official containers); the file crosses the connection instead. "
                "Fix: chown 51773 the host folder (docs/iris.md)", directory)
    return None


def refuse_unmountable(helper: Helper, fixture: str, local_path: Path,
                       server_product: str) -> None:
    """ConflictError for a file IRIS cannot serve: not an IRIS database, the other byte order,
    or guarded by a resource this instance lacks (IRIS would not mount it)."""
    label = refuse_foreign_file(fixture, local_path, server_product)
    if label.resource is None:
        return
    if helper.call("ResourceExists", label.resource).get("exists"):
        return
    raise ConflictError(
        f"fixture '{fixture}': its database is guarded by the resource {label.resource}, "
        "which this IRIS does not have",
        details=["IRIS does not mount a database whose resource is missing; irisfx does not "
                 "create security resources on its own"],
        fix=f"create it in %SYS: do ##class(Security.Resources).Create(\"{label.resource}\","
        "\"irisfx fixture\",\"\") (or Management Portal > Security > Resources), then run "
        "irisfx apply again",
    )
