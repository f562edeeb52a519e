"""Steps of the iris engine's operations that need only the helper: copying a database for a
snapshot, proving a read-only mount left its file alone, undoing a half-made namespace."""

from __future__ import annotations

import logging

from irisfx.engines.base import Transferred
from irisfx.engines.iris.helper import Helper, HelperFiles, transferred_from_reply
from irisfx.errors import EngineError, IntegrityError

log = logging.getLogger("irisfx.iris")


def copy_database(helper: Helper, ns: str, target: str, base: str,
                  consistency: str = "strict") -> Transferred:
    """Copy ``ns``'s database to the server file ``target`` (below ``base`` when mapped).

    A database other namespaces share is refused by the helper unless ``consistency`` is
    "crash" (then it is copied while the instance is frozen)."""
    reply = helper.call("CopyDatabase", ns, target, base, consistency)
    if reply.get("shared"):
        log.warning(
            "the database of namespace %s is shared with other namespaces: the instance "
            "was frozen (Backup.General.ExternalFreeze) while it was copied",
            ns,
        )
    return transferred_from_reply(reply)


def prove_unchanged(files: HelperFiles, fixture: str, dat: str, sha256: str) -> None:
    """After a read-only mount, the server's digest of the mounted file equals the pin:
    mounting wrote nothing into it (docs/iris-calls.md, read-only mounts)."""
    got = files.digest(dat)
    if got.sha256 != sha256:
        raise IntegrityError(
            f"mounting fixture '{fixture}' read-only changed its file on the server",
            details=[f"expected: sha256:{sha256}",
                     f"server:   sha256:{got.sha256}  ({got.size:,} bytes)"],
            fix="report it with `irisfx --debug apply` output: the read-only mount "
            "wrote to the database label on this IRIS version",
        )


def undo(helper: Helper, project: str, ns: str, directory: str) -> None:
    """After a failed build or mount: leave nothing behind when the clean-up works;
    otherwise the 'creating' record stays, and the next plan repairs the namespace."""
    if not _remove_quietly(helper, ns, directory):
        return
    try:
        helper.call("RecordKill", project, ns)
    except EngineError as exc:
        log.warning("could not remove the record of namespace %s: %s", ns, exc.message)


def _remove_quietly(helper: Helper, ns: str, directory: str) -> bool:
    """Undo a half-made namespace; True if it is gone. Errors are logged, not raised,
    so that the error that caused the clean-up is the one reported."""
    try:
        helper.call("DeleteNamespace", ns, directory)
    except EngineError as exc:
        log.warning("could not remove half-made namespace %s: %s", ns, exc.message)
        return False
    return True
