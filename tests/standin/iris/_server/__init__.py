"""The server side of the stand-in: what IRIS itself would do, over a folder standing for its
``<mgr>`` directory. Nothing here imports the driver half, so both can be loaded by path."""
