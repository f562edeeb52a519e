"""Hypothesis strategies for hostile input: fixtures.toml, saved plans, engine state, caches.

Values are drawn from pools of hostile strings (``..``, absolute paths into the sentinel folder,
symlinks planted in the project, NUL bytes, unicode, very long names) and from arbitrary TOML or
JSON values; ``{OUTSIDE}`` and ``{PROJ}`` stand for the case's absolute folders and are filled
in when the input is written.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import tomli_w
from hypothesis import strategies as st

OUTSIDE_PATHS = [
    "../outside/victim.txt", "../outside/victim_dir/IRIS.DAT", "../outside/victim.sql",
    "{OUTSIDE}/victim.txt", "{OUTSIDE}/victim_dir/IRIS.DAT", "{OUTSIDE}/victim.sql",
    "{OUTSIDE}/victim_dir", "fixtures/../../outside/victim_dir/IRIS.DAT",
]
#: Paths through the symlinks `plant_links` makes in the project, which point outside it.
LINK_PATHS = ["link_out/IRIS.DAT", "link_out/victim.sql", "link_out/victim_dir/IRIS.DAT",
              "recipes/link.sql", "fixtures/evil/IRIS.DAT", "link_file.sql"]
ODD_PATHS = [
    "", ".", " ", "./", "~/x.sql", "a\\b.sql", "recipes/it\x00ems.sql", "fixtures/\x00/IRIS.DAT",
    "réçipes/ünï.sql", "recipes/" + "a" * 300 + ".sql", "recipes/dir.sql", "recipes",
    "fixtures.toml", "sim/instance.json", "sim/db/FX_ITEMS/IRIS.DAT", ".irisfx/stat-cache.json",
    "fixtures/items/IRIS.DAT/", "recipes//items.sql", "/dev/null", "recipes/items.py",
    "recipes/missing.sql", "fixtures/x/IRIS.DAT", "recipes/items.sql", "recipes/extra.sql",
    "fixtures/items/IRIS.DAT", "C:/x.sql", "recipes/\u202eitems.sql", "recipes/items.SQL",
]
NAMESPACES = [
    "FX_ITEMS", "FXSRC_ITEMS", "FX_EXTRA", "", "%SYS", "USER", "IRISSYS", "fx_items", "FX-ITEMS",
    "../x", "A" * 300, "FX\x00A", "ÜNI", "FX ITEMS", "1FX", "_", "FX.ITEMS", "FXSRC_EXTRA",
]
NAMES = ["items", "extra", "..", "../x", "", "a b", "ü", "x" * 300, "items\x00", ".hidden",
         "a/b", "a.b", "CON", "-x", "Items", "items-2", "日本"]
URLS = [
    "sim://sim", "sim://sim2", "sim://{PROJ}/sim3", "sim://", "sim://\x00", "sim://fixtures.toml",
    "sim://recipes", "sim://sim/db", "sim://missing/deeper", "iris://127.0.0.1:1",
    "iris://u@127.0.0.1:notaport", "iris://u:p@127.0.0.1:1", "http://x", "sim://sim?x#y",
    "iris://[::1", "iris://127.0.0.1:99999", "sim:sim", "SIM://sim",
]
#: Keys that, read back as names of things on the instance, would point outside its folder.
HOSTILE_KEYS = [*("../" * k + "outside/victim_dir" for k in range(1, 6)),
                "{OUTSIDE}/victim_dir", "{OUTSIDE}", "..", "", "\x00", "a/../../b", "ü" * 50]
HOSTILE_STRINGS = [*OUTSIDE_PATHS, *LINK_PATHS, *ODD_PATHS, *NAMESPACES, *URLS, *HOSTILE_KEYS]

SHA = "0" * 64

#: Families of hostile input. A fuzz target draws from those it is given; leaving one out
#: keeps a known, reported defect from masking every other finding while its fix is pending.
ALL = frozenset({
    "deep",           # fixtures.toml nested 1,000+ deep
    "nul",            # NUL characters in fixtures.toml values and keys
    "recipe-folder",  # a recipe path that is a folder named *.sql
    "non-utf8",       # JSON state files (engine state, stat cache) that are not UTF-8
    "hostile-keys",   # engine state naming things with '..', absolute paths, NUL
    "shape",          # JSON files whose nodes change type (a list where a dict was)
    "long-name",      # names and path parts longer than a file name may be (255 bytes)
})

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(HOSTILE_STRINGS), st.just(SHA), st.just("a" * 100_000),
)
json_values = st.recursive(
    scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(HOSTILE_KEYS)), inner,
                        max_size=4)),
    max_leaves=12)
toml_scalars = st.one_of(
    st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(HOSTILE_STRINGS), st.datetimes(), st.dates(), st.times(),
)
toml_values = st.recursive(
    toml_scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from([*NAMES, "Shop.Item", "x"]), inner, max_size=3)),
    max_leaves=8)

FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "recipe": st.sampled_from([*OUTSIDE_PATHS, *LINK_PATHS, *ODD_PATHS]),
    "file": st.sampled_from([*OUTSIDE_PATHS, *LINK_PATHS, *ODD_PATHS]),
    "source": st.sampled_from(NAMESPACES),
    "mount": st.sampled_from(NAMESPACES),
    "readonly": st.one_of(st.booleans(), st.sampled_from(["no", 0, 1])),
    "expect": st.dictionaries(st.sampled_from(["Shop.Item", "Shop.Nope", "", "x;drop", "A.B.C",
                                               "Shop.Item\x00"]),
                              st.integers(min_value=-3, max_value=2**70), max_size=2),
    "description": st.text(max_size=30),
    "project": st.sampled_from(["demo", "other", "", "../x", "a" * 300, "dem\x00o", "Демо"]),
    "iris": st.sampled_from(URLS),
    "username_env": st.sampled_from(["IRIS_USERNAME", "", "A B", "PATH", "X\x00", "1X"]),
    "password_env": st.sampled_from(["IRIS_PASSWORD", "", "A B", "HOME", "X\x00"]),
    "connect_timeout": st.sampled_from([0, -1, 1e308, float("nan"), float("inf"), 0.001]),
    "path_map": st.dictionaries(st.sampled_from(["/", "{OUTSIDE}", "..", ""]),
                                st.sampled_from(["/", "{PROJ}", "x"]), max_size=2),
    "sha256": st.sampled_from([SHA, "A" * 64, "xyz", "", "0" * 65]),
    "size": st.sampled_from([0, -1, 2**70, 8192]),
    "built_by": st.sampled_from(["irisfx-sim 0.1.0", "irisfx 0.1.0 (IRIS 2024.1)", "", "\x00"]),
    "created": st.one_of(st.datetimes(), st.just("yesterday")),
    "tables": st.dictionaries(st.sampled_from(["Shop.Item", "x"]), st.integers(-1, 5),
                              max_size=2),
}


@st.composite
def _mutate_doc(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any]:
    """One structural change to a fixtures.toml document (a nested dict)."""
    # An earlier change may have made a table a scalar: later ones then start a new table.
    for table in ("irisfx", "fixtures"):
        if not isinstance(doc.get(table), dict):
            doc[table] = {}
    fixtures = doc["fixtures"]
    kind = draw(st.sampled_from(["setting", "field", "pin", "unknown", "rename", "delete",
                                 "add", "any", "table-type"]))
    names = sorted(fixtures) or ["items"]
    name = draw(st.sampled_from(names))
    if not isinstance(fixtures.get(name), dict):
        fixtures[name] = {}
    fixture = fixtures[name]
    if kind == "setting":
        key = draw(st.sampled_from(["project", "iris", "username_env", "password_env",
                                    "connect_timeout", "path_map"]))
        doc["irisfx"][key] = draw(FIELD_VALUES[key])
    elif kind == "field":
        key = draw(st.sampled_from(["recipe", "file", "source", "mount", "readonly", "expect",
                                    "description"]))
        fixture[key] = draw(FIELD_VALUES[key])
    elif kind == "pin" and isinstance(fixture.get("pin"), dict):
        key = draw(st.sampled_from(["sha256", "size", "built_by", "created", "tables"]))
        fixture["pin"][key] = draw(FIELD_VALUES[key])
    elif kind == "unknown":
        where = draw(st.sampled_from([doc, fixture, doc["irisfx"]]))
        where[draw(st.sampled_from(["sourc", "x", "", "pin2", "\x00"]))] = draw(toml_values)
    elif kind == "rename":
        fixtures[draw(st.sampled_from(NAMES))] = fixtures.pop(name)
    elif kind == "delete":
        target = draw(st.sampled_from(["fixture", "irisfx", "key"]))
        if target == "fixture":
            fixtures.pop(name, None)
        elif target == "irisfx":
            doc.pop("irisfx", None)
        elif fixture:
            fixture.pop(draw(st.sampled_from(sorted(fixture))), None)
    elif kind == "add":
        fixtures[draw(st.sampled_from(NAMES))] = {
            k: draw(FIELD_VALUES[k]) for k in draw(st.sets(st.sampled_from(
                ["recipe", "file", "source", "mount", "readonly", "expect"]), max_size=4))}
    elif kind == "any":
        key = draw(st.sampled_from(["recipe", "file", "source", "mount", "expect", "readonly"]))
        fixture[key] = draw(toml_values)
    else:
        doc[draw(st.sampled_from(["irisfx", "fixtures"]))] = draw(toml_values)
    return doc


def _deep(depth: int, kind: str) -> str:
    if kind == "table":
        return "{a = " * depth + "1" + " }" * depth
    return "[" * depth + "]" * depth


@st.composite
def _mutate_text(draw: st.DrawFn, text: bytes, allow: frozenset[str]) -> bytes:
    """One byte-level change to TOML text."""
    kind = draw(st.sampled_from(["nul", "truncate", "insert", "flip", "deep", "bom", "crlf",
                                 "garbage", "dup"]))
    at = draw(st.integers(0, len(text)))
    if kind == "nul":
        return text[:at] + b"\x00" + text[at:]
    if kind == "truncate":
        return text[:at]
    if kind == "insert":
        return text[:at] + draw(st.text(max_size=8)).encode("utf-8", "surrogatepass") + text[at:]
    if kind == "flip" and text:
        at = min(at, len(text) - 1)
        return text[:at] + bytes([text[at] ^ draw(st.integers(1, 255))]) + text[at + 1:]
    if kind == "deep":
        depth = draw(st.sampled_from([10, 100, 1000, 5000] if "deep" in allow else [10, 100]))
        nest = _deep(depth, draw(st.sampled_from(["table", "array"])))
        where = draw(st.sampled_from(["expect", "description", "tables", "zz"]))
        return text + f"\n[fixtures.deep]\n{where} = {nest}\n".encode()
    if kind == "bom":
        return b"\xef\xbb\xbf" + text
    if kind == "crlf":
        return text.replace(b"\n", b"\r\n")
    if kind == "garbage":
        return text[:at] + draw(st.binary(max_size=16)) + text[at:]
    return text + text  # duplicate tables and keys


def _render(doc: dict[str, Any]) -> bytes | None:
    try:
        return tomli_w.dumps(doc).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        return None


@st.composite
def fixtures_toml(draw: st.DrawFn, base: dict[str, Any], allow: frozenset[str] = ALL) -> bytes:
    """fixtures.toml text: ``base`` with 1-4 structural changes, then maybe byte changes.

    ``allow`` names the families of input to draw from (see ALL); leaving one out keeps a
    known, reported defect from hiding every other finding.
    """
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        doc = draw(_mutate_doc(doc))
    if "nul" not in allow:
        doc = _without(doc, "\x00")
    if "recipe-folder" not in allow:
        doc = _without(doc, "dir.sql")
    if "long-name" not in allow:
        doc = _shortened(doc, 200)
    text = _render(doc)
    if text is None:
        text = _render(base) or b""
    for _ in range(draw(st.integers(0, 2))):
        text = draw(_mutate_text(text, allow))
    return text


def _shortened(value: Any, limit: int) -> Any:
    """``value`` with every string and key cut to ``limit`` characters."""
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, dict):
        return {_shortened(k, limit): _shortened(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_shortened(v, limit) for v in value]
    return value


def _without(value: Any, needle: str) -> Any:
    """``value`` with ``needle`` removed from every string and key in it."""
    if isinstance(value, str):
        return value.replace(needle, "")
    if isinstance(value, dict):
        return {_without(k, needle): _without(v, needle) for k, v in value.items()}
    if isinstance(value, list):
        return [_without(v, needle) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# JSON files: saved plans, the stat cache, engine state read back from disk.

def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


NAME_KEY = re.compile(r"[A-Z%][A-Z0-9_%]*")
TRAVERSALS = [*("../" * k + "outside/victim_dir" for k in range(1, 6)), "{OUTSIDE}/victim_dir"]


def _name_tables(value: Any) -> list[tuple[Any, ...]]:
    """Paths of the tables keyed by names of things (namespaces, databases), else of all."""
    tables = [p for p in _paths(value) if isinstance(_get(value, p), dict) and _get(value, p)]
    named = [p for p in tables if all(NAME_KEY.fullmatch(str(k)) for k in _get(value, p))]
    return named or tables


@st.composite
def plant_names(draw: st.DrawFn, data: bytes) -> bytes:
    """JSON whose name-keyed tables gain entries named to lead out of the folder.

    Where the file keeps names of things (the keys of a table), each such table gets copies
    of one of its entries under every name of TRAVERSALS (the original kept or dropped), the
    rest left consistent, as a deliberate editor would do it.
    """
    value = json.loads(data)
    move = draw(st.booleans())
    for path in _name_tables(value):
        table = _get(value, path)
        key = draw(st.sampled_from(sorted(table)))
        for planted in TRAVERSALS:
            table[planted] = copy.deepcopy(table[key])
        if move:
            del table[key]
    return json.dumps(value).encode()


@st.composite
def mutate_json(draw: st.DrawFn, value: Any, allow: frozenset[str] = ALL) -> Any:
    """``value`` (parsed JSON) with 1-4 changes: a replaced, deleted or renamed node.

    Without "shape", only leaves are replaced, by leaves; without "hostile-keys", renamed
    and added keys are plain.
    """
    value = json.loads(json.dumps(value))
    keys = st.sampled_from(HOSTILE_KEYS if "hostile-keys" in allow else ["x", "Y_1", "zz"])
    leaves = scalars if "hostile-keys" in allow else st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(alphabet="abc_XYZ019", max_size=8))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(value)
        if "shape" not in allow:
            paths = [p for p in paths if p and not isinstance(_get(value, p), (dict, list))]
            if not paths:
                break
        path = draw(st.sampled_from(paths))
        kinds = ["replace", "replace", "delete", "rename", "add", "type"]
        kind = draw(st.sampled_from(kinds if "shape" in allow else ["replace", "rename"]))
        if not path:
            if kind in ("replace", "type"):
                value = draw(json_values)
            continue
        parent, last = _get(value, path[:-1]), path[-1]
        if kind == "replace" and "shape" not in allow:
            parent[last] = draw(leaves)
        elif kind in ("replace", "type"):
            parent[last] = draw(json_values if kind == "replace" else st.sampled_from(
                [None, [], {}, [[1]], 1, "x", True]))
        elif kind == "delete":
            del parent[last]
        elif kind == "rename" and isinstance(parent, dict):
            parent[draw(keys)] = parent.pop(last)
        elif kind == "add" and isinstance(parent, dict):
            parent[draw(keys)] = draw(json_values)
    return value


@st.composite
def mutate_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` truncated, overwritten in part, replaced or emptied."""
    kind = draw(st.sampled_from(["truncate", "overwrite", "replace", "empty", "append",
                                 "non-utf8"]))
    at = draw(st.integers(0, len(data)))
    if kind == "truncate":
        return data[:at]
    if kind == "overwrite":
        patch = draw(st.binary(min_size=1, max_size=64))
        return data[:at] + patch + data[at + len(patch):]
    if kind == "replace":
        return draw(st.binary(max_size=256))
    if kind == "empty":
        return b""
    if kind == "append":
        return data + draw(st.binary(min_size=1, max_size=64))
    return data[:at] + b"\xff\xfe\xc0" + data[at:]


@st.composite
def json_file(draw: st.DrawFn, data: bytes, allow: frozenset[str] = ALL) -> bytes:
    """New content for a file: structure-aware if it holds JSON, else byte changes.

    Without "non-utf8", a JSON file is only changed in its structure or truncated.
    """
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    if parsed is not None and (draw(st.integers(0, 3)) > 0 or "non-utf8" not in allow):
        if draw(st.integers(0, 5)) == 0:
            return data[:draw(st.integers(0, len(data)))]
        return json.dumps(draw(mutate_json(parsed, allow)), ensure_ascii=draw(st.booleans())
                          ).encode("utf-8", "replace")
    return draw(mutate_bytes(data))


def fill(text: bytes, outside: str, proj: str) -> bytes:
    """Replace the ``{OUTSIDE}`` and ``{PROJ}`` placeholders with the case's folders."""
    return text.replace(b"{OUTSIDE}", outside.encode()).replace(b"{PROJ}", proj.encode())

