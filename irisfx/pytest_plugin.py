"""Deprecated: the pytest plugin moved to :mod:`irisfx.plugin.hooks` (kept for one release).

Only the public names are re-exported, never the hooks: pytest already loads the plugin through
its ``pytest11`` entry point, and a second copy of the hooks would register every option twice.
"""

from __future__ import annotations

import warnings

from irisfx.plugin.handle import IrisfxHandle
from irisfx.plugin.hooks import IrisfxCleanupWarning

__all__ = ["IrisfxCleanupWarning", "IrisfxHandle"]

warnings.warn("irisfx.pytest_plugin moved to irisfx.plugin.hooks; the old name goes in the "
              "next release (the pytest11 entry point already uses the new one)",
              DeprecationWarning, stacklevel=2)
