"""The parse cache of fixtures.toml: lossless, keyed by content and version, never trusted."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest

from irisfx.lockfile import parsed
from irisfx.lockfile.parsed import CACHE_NAME, MIN_SIZE, parse_cached

TRICKY = """
[irisfx]
project = "p"
when = 2026-01-02T03:04:05.123456+05:30
local = 2026-01-02T03:04:05
day = 2026-01-02
clock = 07:08:09.5
floats = [1.5, -0.0, inf, -inf, nan, 1e300]
mixed = [[1, "a"], { T = 1, A = [true] }, []]
"F" = { "T" = "not a tag", "DT" = 3 }
"""


def _document() -> bytes:
    # Big enough to be cached; every kind of TOML value, and keys that look like its tags.
    body = "".join(f'\n[fixtures.f{i:04d}]\nrecipe = "r.sql"\nn = {i}\n' for i in range(400))
    raw = (TRICKY + body).encode()
    assert len(raw) >= MIN_SIZE
    return raw


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b and str(a) == str(b)


def _load(raw: bytes, state: Path) -> tuple[dict[str, Any], int]:
    calls = []

    def parse() -> dict[str, Any]:
        calls.append(1)
        return tomllib.loads(raw.decode())

    return parse_cached(raw, state, parse), len(calls)


def test_the_cached_parse_equals_the_parse_and_skips_it(tmp_path: Path) -> None:
    raw = _document()
    _, parsed_first = _load(raw, tmp_path)
    second, parsed_second = _load(raw, tmp_path)
    assert (parsed_first, parsed_second) == (1, 0)
    assert _same(second, tomllib.loads(raw.decode()))
    assert second["irisfx"]["when"].utcoffset() is not None


def test_a_changed_file_or_version_parses_again(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _document()
    _load(raw, tmp_path)
    changed = raw.replace(b"n = 7\n", b"n = 8\n")
    data, calls = _load(changed, tmp_path)
    assert calls == 1 and data["fixtures"]["f0007"]["n"] == 8
    monkeypatch.setattr(parsed, "__version__", "99.0")
    assert _load(changed, tmp_path)[1] == 1


@pytest.mark.parametrize("damage", ["flip", "forged", "garbage", "truncated", "tags", "link"])
def test_a_damaged_cache_never_changes_the_meaning(tmp_path: Path, damage: str) -> None:
    raw = _document()
    _load(raw, tmp_path)
    path = tmp_path / CACHE_NAME
    entry = json.loads(path.read_text())
    if damage == "flip":  # a byte of the payload changed, its seal kept
        entry["payload"] = entry["payload"].replace('"n":7', '"n":9')
        path.write_text(json.dumps(entry))
    elif damage == "forged":  # a payload with a seal that is not its own
        entry["payload"] = json.dumps({"T": {"irisfx": {"T": {"project": "x"}}}})
        path.write_text(json.dumps(entry))
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff{")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "tags":  # sealed, but tags that decode to nothing TOML has
        entry["payload"] = json.dumps({"T": {"a": {"X": 1}, "b": {"F": "1e999"}}})
        entry["sha256"] = parsed._seal(entry["key"], entry["payload"])
        path.write_text(json.dumps(entry))
    else:  # a link in place of the cache is never read
        other = tmp_path / "elsewhere.json"
        path.rename(other)
        path.symlink_to(other)
    data, calls = _load(raw, tmp_path)
    assert calls == 1
    assert _same(data, tomllib.loads(raw.decode()))


def test_a_small_file_is_parsed_directly(tmp_path: Path) -> None:
    raw = b'[irisfx]\nproject = "p"\n'
    assert _load(raw, tmp_path)[1] == 1
    assert not (tmp_path / CACHE_NAME).exists()
