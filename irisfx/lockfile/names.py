"""Validation of every name irisfx passes to IRIS: fixtures, namespaces, tables, projects.

Namespace and table names end up inside ObjectScript calls and SQL text, so they are held to
a strict alphabet here, once, and everything downstream may rely on it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

FIXTURE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
PROJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
NAMESPACE_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,62}$")
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}(\.[A-Za-z_][A-Za-z0-9_]{0,127})?$")
ENV_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PROJECT_ID = re.compile(r"^[0-9a-f]{12,64}$")

# Namespaces IRIS itself needs; mounting over or unmounting them would break the instance.
SYSTEM_NAMESPACES = frozenset({"%SYS", "USER", "HSLIB", "HSSYS", "DOCBOOK", "SAMPLES", "ENSLIB"})


def check_fixture_name(name: str) -> str:
    """Return ``name`` if it is a valid fixture name, else raise ValueError saying why."""
    if not FIXTURE_NAME.fullmatch(name):
        raise ValueError(
            f"invalid fixture name {name!r}: use ASCII letters (A-Z, a-z), digits, '.', '_' "
            "and '-', starting with a letter or digit (at most 64 characters)"
        )
    return name


def check_project_name(name: str) -> str:
    """Return ``name`` if it is a valid project name, else raise ValueError saying why."""
    if not PROJECT_NAME.fullmatch(name):
        raise ValueError(
            f"invalid project name {name!r}: use ASCII letters (A-Z, a-z), digits, '.', '_' "
            "and '-', starting with a letter or digit (at most 64 characters)"
        )
    return name


def normalize_namespace(name: str) -> str:
    """Upper-case a namespace name and check it cannot carry ObjectScript or SQL.

    IRIS namespace names are case-insensitive and stored upper-case.
    """
    upper = name.upper()
    if not NAMESPACE_NAME.fullmatch(upper):
        raise ValueError(
            f"invalid namespace {name!r}: use ASCII letters (A-Z), digits and '_', starting "
            "with a letter (at most 63 characters); '%', '-', spaces and quotes are refused"
        )
    if upper in SYSTEM_NAMESPACES:
        raise ValueError(f"namespace {upper!r} belongs to IRIS itself; choose another name")
    return upper


def check_table_name(name: str) -> str:
    """Return ``name`` if it is ``Table`` or ``Schema.Table`` with plain identifiers."""
    if not TABLE_NAME.fullmatch(name):
        raise ValueError(
            f"invalid table name {name!r}: write Schema.Table with ASCII letters, digits "
            "and '_', each part starting with a letter or '_'"
        )
    return name


def check_env_var_name(name: str) -> str:
    """Return ``name`` if it can be an environment variable name."""
    if not ENV_VAR_NAME.fullmatch(name):
        raise ValueError(f"invalid environment variable name {name!r}")
    return name


def check_project_id(value: str) -> str:
    """Return ``value`` if it is a project id: 12 to 64 lower-case hex digits."""
    if not PROJECT_ID.fullmatch(value):
        raise ValueError(
            f"invalid project id {value!r}: use 12 to 64 lower-case hex digits (0-9, a-f), "
            "e.g. the one 'irisfx init' writes"
        )
    return value


def new_project_id() -> str:
    """A fresh random project id (12 hex digits), written once into fixtures.toml."""
    import secrets

    return secrets.token_hex(6)


# Names irisfx makes up itself stay within 30 characters: IRIS allows 64 for database and
# namespace names today, but older versions allow 30, and a fixture must move between versions.
GENERATED_MAX = 30


def generated_name(base: str, suffix: str = "") -> str:
    """``base + suffix`` upper-cased, cut to GENERATED_MAX characters; a cut name ends in six
    hex digits of the whole name's SHA-256, so two long names never cut to the same one."""
    whole = (base + suffix).upper()
    if len(whole) <= GENERATED_MAX:
        return whole
    tag = "_" + hashlib.sha256(whole.encode("utf-8")).hexdigest()[:6].upper()
    return base.upper()[: GENERATED_MAX - len(tag) - len(suffix)] + tag + suffix.upper()


def default_namespace(prefix: str, fixture: str) -> str:
    """The namespace irisfx uses when a fixture does not name one, e.g. FX_ENTITIES_100."""
    return generated_name(prefix + re.sub(r"[^A-Za-z0-9]", "_", fixture))


def table_key(name: str) -> str:
    """How IRIS compares table names: case-insensitive, unqualified names in SQLUser."""
    return (name if "." in name else f"SQLUser.{name}").lower()


def row_mismatches(expect: Mapping[str, int], counts: Mapping[str, int],
                   where: str = "") -> list[str]:
    """One line per table whose row count is not the expected one, e.g.
    ``RAG.Entities: expected 100 rows, found 99``; tables compare as IRIS compares them."""
    found = {table_key(table): n for table, n in counts.items()}
    suffix = f" {where}" if where else ""
    return [
        f"{table}: expected {want:,} rows, found "
        + (f"{found[table_key(table)]:,}" if table_key(table) in found else "no such table")
        + suffix
        for table, want in sorted(expect.items())
        if found.get(table_key(table)) != want
    ]
