"""The fixture store: pinned files kept by their SHA-256 in any fsspec filesystem.

``location`` opens the store a project names; ``transfer`` pushes and pulls files through it;
``scaffold`` writes what ``irisfx init --store`` and ``--lfs`` add to a project.
"""

from irisfx.lockfile.project import store_url
from irisfx.store.location import Store, open_store
from irisfx.store.transfer import Outcome, pull_files, push_files

__all__ = ["Outcome", "Store", "open_store", "pull_files", "push_files", "store_url"]
