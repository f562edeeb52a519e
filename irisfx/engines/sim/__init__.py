"""The sim engine: irisfx's simulator of an IRIS instance (SQLite files play IRIS.DAT).

The rest of irisfx reaches it only through ``irisfx.engines.open_engine``.
"""

from irisfx.engines.sim.engine import SimEngine

__all__ = ["SimEngine"]
