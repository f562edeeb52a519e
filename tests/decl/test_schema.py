"""The JSON Schema (``irisfx schema``) refuses what irisfx refuses, for editors (issue 9.16)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from irisfx.errors import ConfigError
from irisfx.lockfile.models import Document
from irisfx.lockfile.project import load_project

BASE = '[irisfx]\nproject = "p"\n'
PIN = (
    f'[fixtures.a.pin]\nsha256 = "{"a" * 64}"\nsize = 10\nbuilt_by = "irisfx-sim 0.1.0"\n'
    'created = 2026-01-01T00:00:00Z\ntables = { "Demo.T" = 3 }\n'
)

GOOD = [
    BASE,
    '[irisfx]\nformat = 1\nproject = "p.q-r_1"\nid = "0123456789ab"\n'
    'iris = "iris://_SYSTEM@localhost:1972"\npassword_env = "PW"\n',
    BASE + '[fixtures.a]\nsource = "src_a"\nmount = "FX_A"\nrecipe = "recipes/a.sql"\n'
    'file = "data/a/IRIS.DAT"\nexpect = { "Demo.T" = 3, "Plain" = 0 }\n',
    BASE + "[fixtures.a]\n" + PIN,
    BASE + '[fixtures."x.y-1"]\nqueries = [{ sql = "SELECT COUNT(*) FROM T", equals = 4 },'
    ' { sql = "SELECT a, b FROM T ORDER BY a", equals = [[1, "x"], [2, "y"]] }]\n',
]

BAD = [
    BASE + '[fixtures."café"]\n',
    BASE + '[fixtures."-a"]\n',
    '[irisfx]\nproject = "café"\n',
    BASE + '[fixtures.a]\nmount = "%SYS"\n',
    BASE + '[fixtures.a]\nmount = "user"\n',
    BASE + '[fixtures.a]\nsource = "ns-1"\n',
    BASE + '[fixtures.a]\nfile = "../out.DAT"\n',
    BASE + '[fixtures.a]\nfile = "a/../../b"\n',
    BASE + '[fixtures.a]\nfile = "/etc/passwd"\n',
    BASE + '[fixtures.a]\nfile = "~/x"\n',
    BASE + "[fixtures.a]\nfile = 'a\\b'\n",
    BASE + '[fixtures.a]\nrecipe = "."\n',
    BASE + '[fixtures.a]\nrecipe = "r\\u0000.sql"\n',
    BASE + '[fixtures.a]\nexpect = { "bad-table" = 1 }\n',
    BASE + '[fixtures.a]\nexpect = { "T" = -1 }\n',
    BASE + '[fixtures.a]\nsourc = "X"\n',
    BASE + '[fixtures.a]\nqueries = [{ equals = 1 }]\n',
    BASE + '[fixtures.a]\nqueries = [{ sql = "SELECT 1", equals = { a = 1 } }]\n',
    '[irisfx]\nproject = "p"\nid = "XYZ"\n',
    '[irisfx]\nproject = "p"\nformat = "1"\n',
    '[irisfx]\nproject = "p"\npassword_env = "A-B"\n',
    "[fixtures.a]\n",
]


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    """A validator for the schema irisfx prints, of the dialect the schema names."""
    schema = Document.model_json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_the_schema_names_its_dialect() -> None:
    assert Document.model_json_schema()["$schema"] == \
        "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("text", GOOD)
def test_good_documents_pass_the_schema_and_irisfx(
        tmp_path: Path, validator: jsonschema.protocols.Validator, text: str) -> None:
    validator.validate(_json_ready(tomllib.loads(text)))
    (tmp_path / "fixtures.toml").write_text(text, encoding="utf-8")
    load_project(tmp_path / "fixtures.toml")


@pytest.mark.parametrize("text", BAD)
def test_bad_documents_fail_the_schema_as_they_fail_irisfx(
        tmp_path: Path, validator: jsonschema.protocols.Validator, text: str) -> None:
    assert list(validator.iter_errors(_json_ready(tomllib.loads(text)))), text
    (tmp_path / "fixtures.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_project(tmp_path / "fixtures.toml")


def test_irisfx_schema_prints_it(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "irisfx", "schema"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert printed["properties"]["fixtures"]["propertyNames"]
