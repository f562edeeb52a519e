"""The pytest plugin (entry point ``pytest11``: :mod:`irisfx.plugin.hooks`)."""
