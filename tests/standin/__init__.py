"""One stand-in of IRIS for the tests: the helper class's protocol in Python, over a folder.

``tests/standin/iris`` is a driver package named ``iris``, like intersystems-irispython: put
``tests/standin`` first on ``sys.path`` (or PYTHONPATH, for subprocesses) and the real
``IrisEngine`` talks to it unchanged. ``fixtures.py`` makes an instance and wires it in.
"""
