"""The ``pull`` action of apply: one missing pinned file fetched from the project's store."""

from __future__ import annotations

from irisfx.files.progress import NoProgress
from irisfx.lockfile.models import ResolvedFixture
from irisfx.reconcile.workspace import Workspace
from irisfx.store.location import check_reachable, open_store
from irisfx.store.transfer import pinned_items, pull_one


def pull_fixture(ws: Workspace, fixture: ResolvedFixture) -> None:
    """Download ``fixture``'s pinned file into place, verified, and remember its digest."""
    store = open_store(ws.project)
    check_reachable(store)
    (item,) = pinned_items(ws.project, [fixture])
    verified = pull_one(store, item, ws.progress() if ws.progress else NoProgress())
    ws.cache.store(item.path, item.sha256, verified, moved=True)
