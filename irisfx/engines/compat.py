"""Whether a database file built on one IRIS version may be mounted on another.

A fixture's IRIS.DAT holds the compiled class code of its tables (Globals and Routines point at
the one database), and compiled code must come from the version it runs on; a read-only mount
cannot be recompiled there. So irisfx compares the pin's ``built_by`` (the ``$ZVERSION`` of the
instance that built it) with the server's before mounting:

- another release (2024.1 vs 2025.1): refused, with the fix ``irisfx apply --rebuild NAME``;
- the same release, another build (2024.1 build 267.2 vs 275): mounted, with a warning;
- the same build, or a version irisfx cannot read on either side: mounted.

Pure: no I/O; callers decide how to show the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# $ZVERSION: "IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2024.1 (Build 267.2U)
# Tue Apr 30 2024 16:06:39 EDT". The release is YYYY.N; the build number follows "Build".
VERSION = re.compile(r"\b(?P<year>\d{4})\.(?P<minor>\d+)(?:\.\d+)*\s*\(Build (?P<build>[\w.]+)\)")

Verdict = Literal["same", "patch", "release", "unknown"]


@dataclass(frozen=True)
class Version:
    """An IRIS release (year, minor) and build, as read from a $ZVERSION string."""

    release: tuple[int, int]
    build: str

    def __str__(self) -> str:
        return f"{self.release[0]}.{self.release[1]} (Build {self.build})"


@dataclass(frozen=True)
class Compatibility:
    """The decision for one pin on one server, with the words to show."""

    verdict: Verdict
    built: Version | None
    server: Version | None

    @property
    def refused(self) -> bool:
        """Another release: the compiled class code in the file does not fit the server."""
        return self.verdict == "release"

    @property
    def warning(self) -> str | None:
        """What to tell a person when only the build differs."""
        if self.verdict != "patch":
            return None
        return (f"built on IRIS {self.built}, mounted on IRIS {self.server}: the same release, "
                "another build; if its tables misbehave, rebuild it on this version")

    @property
    def reason(self) -> str:
        """Why a refused file cannot be mounted."""
        return (f"it was built on IRIS {self.built} and this server runs IRIS {self.server}: "
                "its tables' compiled code must come from the release it runs on")


def parse_version(product: str) -> Version | None:
    """The release and build in a $ZVERSION-style string, or None."""
    match = VERSION.search(product)
    if match is None:
        return None
    return Version((int(match["year"]), int(match["minor"])), match["build"])


# $ZVERSION names the platform; these run IRIS (or ran Caché) big-endian. Everything else
# IRIS runs on today (x86-64, ARM64) is little-endian.
BIG_ENDIAN_PLATFORMS = ("AIX", "SPARC", "HP-UX", "Itanium", "Power")


def server_byte_order(server_product: str) -> Literal["little", "big"]:
    """The byte order of the platform a $ZVERSION string names."""
    upper = server_product.upper()
    return "big" if any(name.upper() in upper for name in BIG_ENDIAN_PLATFORMS) else "little"


def byte_order_refusal(file_order: str | None, server_product: str) -> str | None:
    """Why a database file of ``file_order`` cannot be mounted on this server, or None.

    IRIS mounts only files of its own byte order; the other kind must be converted first
    (the cvendian utility, KEY=GSA_manage_data "Converting the Endianness of a Database")."""
    server = server_byte_order(server_product)
    if file_order is None or file_order == server:
        return None
    return (f"the file is {file_order}-endian and this server ({server_product}) is "
            f"{server}-endian")


def decide(built_by: str, server_product: str) -> Compatibility:
    """Compare the version that built a file with the server's."""
    built, server = parse_version(built_by), parse_version(server_product)
    if built is None or server is None:
        return Compatibility("unknown", built, server)
    if built.release != server.release:
        return Compatibility("release", built, server)
    if built.build != server.build:
        return Compatibility("patch", built, server)
    return Compatibility("same", built, server)
