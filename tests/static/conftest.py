"""Fixtures of the static tests: the helper class exactly as irisfx sends it to IRIS."""

from __future__ import annotations

import pytest

from irisfx.engines.iris.helper import shipped_stamp, shipped_text, stamped
from tests.static.objectscript import ClassFile, read_class


@pytest.fixture(scope="session")
def sent_text() -> str:
    """The class text as installed: stamped, with CRLF line ends."""
    text = shipped_text()
    return stamped(text, shipped_stamp(text))


@pytest.fixture(scope="session")
def helper_class(sent_text: str) -> ClassFile:
    """The parsed helper class."""
    return read_class(sent_text)
