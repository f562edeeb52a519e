"""The iris engine: a live InterSystems IRIS through intersystems-irispython.

The rest of irisfx reaches it only through ``irisfx.engines.open_engine``.
"""

from irisfx.engines.iris.engine import IrisEngine

__all__ = ["IrisEngine"]
