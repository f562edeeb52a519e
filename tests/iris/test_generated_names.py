"""Names irisfx makes up stay within 30 characters (issue 8, item 5.7): IRIS allows 64 for
databases and namespaces today, older versions 30, and fixtures move between versions."""

from __future__ import annotations

import pytest

from irisfx.lockfile.names import (
    GENERATED_MAX,
    default_namespace,
    generated_name,
    normalize_namespace,
)
from irisfx.plugin.run import copy_namespace

LONG = "entities-with-a-very-long-descriptive-name-100000"


def test_short_names_are_kept_as_they_were() -> None:
    assert default_namespace("FX_", "entities-100") == "FX_ENTITIES_100"
    assert copy_namespace("FX_ORDERS", "gw0") == "FX_ORDERS_GW0"


@pytest.mark.parametrize("prefix", ["FX_", "FXSRC_"])
def test_long_fixture_names_are_cut_to_30_and_stay_valid(prefix: str) -> None:
    name = default_namespace(prefix, LONG)
    assert len(name) == GENERATED_MAX
    assert name.startswith(prefix + "ENTITIES")
    assert normalize_namespace(name) == name


def test_two_long_names_that_share_a_prefix_do_not_collide() -> None:
    a = default_namespace("FX_", LONG + "-a")
    b = default_namespace("FX_", LONG + "-b")
    assert a != b and len(a) == len(b) == GENERATED_MAX


def test_copies_of_long_mounts_keep_their_worker_suffix() -> None:
    mount = default_namespace("FX_", LONG)
    copies = {copy_namespace(mount, f"gw{i}") for i in range(12)}
    assert len(copies) == 12
    assert all(len(c) <= GENERATED_MAX and c.endswith(f"_GW{c.rsplit('_GW', 1)[1]}")
               for c in copies)
    assert copy_namespace(mount, "main").endswith("_MAIN")


def test_generated_name_is_stable() -> None:
    assert generated_name("FX_" + "A" * 40) == generated_name("FX_" + "A" * 40)
