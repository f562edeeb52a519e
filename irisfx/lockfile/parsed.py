"""fixtures.toml parsed once per content: the parse result kept in ``.irisfx/toml-cache.json``.

The stdlib's TOML parser is pure Python: at 10,000 fixtures it was a quarter of a no-change
plan. The cache holds the parsed document (not the validated one: pydantic validates it in
full on every load), keyed by the SHA-256 of fixtures.toml's bytes and irisfx's version, and
sealed by the SHA-256 of its own payload. It is untrusted state: a missing, damaged, stale or
foreign cache is ignored and the file parsed again, so it can never change what
fixtures.toml means. JSON has no dates or special floats, so values are tagged losslessly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from irisfx import __version__
from irisfx.files.atomic import write_atomic

CACHE_NAME = "toml-cache.json"
# Smaller files parse faster than the cache is read and checked.
MIN_SIZE = 16 << 10


def parse_cached(raw: bytes, state_dir: Path, parse: Callable[[], dict[str, Any]]
                 ) -> dict[str, Any]:
    """``parse()``'s result for the fixtures.toml whose bytes are ``raw``, from the cache in
    ``state_dir`` when it holds exactly that file's parse; else parsed and cached."""
    if len(raw) < MIN_SIZE:
        return parse()
    key = f"{__version__}:{hashlib.sha256(raw).hexdigest()}"
    path = state_dir / CACHE_NAME
    cached = _read(path, key)
    if cached is not None:
        return cached
    data = parse()
    if state_dir.is_dir() and not state_dir.is_symlink():
        payload = json.dumps(_encode(data), separators=(",", ":"))
        entry = {"key": key, "sha256": _seal(key, payload), "payload": payload}
        with contextlib.suppress(OSError, ValueError):  # unwritten: parsed again next time
            write_atomic(path, json.dumps(entry).encode())
    return data


def _seal(key: str, payload: str) -> str:
    return hashlib.sha256(f"{key}\n{payload}".encode()).hexdigest()


def _read(path: Path, key: str) -> dict[str, Any] | None:
    try:
        if path.is_symlink():
            return None
        entry = json.loads(path.read_bytes())
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        payload = entry.get("payload")
        if not isinstance(payload, str) or entry.get("sha256") != _seal(key, payload):
            return None
        data = _decode(json.loads(payload))
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _encode(value: Any) -> Any:
    # str, int and bool stand for themselves; everything else is a one-key object.
    if isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return {"F": repr(value)}
    if isinstance(value, dict):
        return {"T": {k: _encode(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"A": [_encode(v) for v in value]}
    if isinstance(value, dt.datetime):
        return {"DT": value.isoformat()}
    if isinstance(value, dt.date):
        return {"D": value.isoformat()}
    if isinstance(value, dt.time):
        return {"TM": value.isoformat()}
    raise ValueError(f"no cache form for {type(value).__name__}")


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "F": lambda v: _float(v),
    "T": lambda v: {str(k): _decode(x) for k, x in _dict(v).items()},
    "A": lambda v: [_decode(x) for x in _list(v)],
    "DT": lambda v: dt.datetime.fromisoformat(_str(v)),
    "D": lambda v: dt.date.fromisoformat(_str(v)),
    "TM": lambda v: dt.time.fromisoformat(_str(v)),
}


def _decode(value: Any) -> Any:
    if isinstance(value, str | bool | int):
        return value
    ((tag, inner),) = _dict(value).items()
    return _DECODERS[tag](inner)


def _float(text: Any) -> float:
    value = float(_str(text))
    if not math.isfinite(value) and text not in ("inf", "-inf", "nan"):
        raise ValueError(text)
    return value


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(type(value).__name__)
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(type(value).__name__)
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(type(value).__name__)
    return value
