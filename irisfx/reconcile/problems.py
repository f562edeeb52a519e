"""Problems: why a fixture cannot be applied as declared, with what to do about it.

A problem blocks its fixture in the plan (it gets no actions) and is what ``verify`` reports.
Each says what is wrong, where, and a fix that never advises deleting a file irisfx did not make.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from irisfx.lockfile.models import ResolvedFixture
from irisfx.lockfile.names import row_mismatches

ProblemKind = Literal["integrity", "conflict"]
# What exactly is wrong, for programs reading ``plan --json`` (docs/plan-json.md).
ProblemReason = Literal["missing", "mismatch", "unpinned", "no-recipe", "not-built-by-irisfx",
                        "namespace-taken", "expect-vs-pin", "wrong-engine", "recipe-changed",
                        "not-built", "not-a-database"]


@dataclass(frozen=True)
class Digest:
    """A full SHA-256 and a size, as plan --json reports them."""

    sha256: str
    size: int


@dataclass(frozen=True)
class Problem:
    """Why a fixture cannot be applied as declared."""

    kind: ProblemKind
    fixture: str
    message: str
    details: tuple[str, ...] = ()
    fix: str = ""
    reason: ProblemReason | None = None
    file: str | None = None
    namespace: str | None = None
    expected: Digest | None = None
    actual: Digest | None = None


def expectations_against_pin(f: ResolvedFixture) -> Problem | None:
    """A problem when the declared ``expect`` row counts or known queries disagree with the
    pin."""
    pin = f.pin
    if pin is None or not pin.tables:
        return None  # an adopted file (irisfx pin) has no counts; mounting checks 'expect'
    wrong = row_mismatches(f.decl.expect, pin.tables, "in the pinned file")
    answers = query_mismatches(f)
    if not wrong and not answers:
        return None
    what = " and ".join(key for key, bad in (("'expect'", wrong), ("'queries'", answers)) if bad)
    return Problem("conflict", f.name, f"fixture '{f.name}': {what} disagree"
                   f"{'s' * (what.count(' and ') == 0)} with its pin",
                   details=(*wrong, *answers), reason="expect-vs-pin",
                   fix=f"correct {what}, or rebuild on purpose: irisfx apply --rebuild "
                   f"{f.name} (the answers are checked before the new file is pinned)")


def query_mismatches(f: ResolvedFixture) -> list[str]:
    """Known queries declared now that the pin did not check with the same answer."""
    pin = f.pin
    if pin is None or not f.decl.queries:
        return []
    checked = {_one_line(q.sql): q.equals for q in pin.queries or ()}
    lines = []
    for query in f.decl.queries:
        sql = _one_line(query.sql)
        if sql not in checked:
            lines.append(f"query {sql}: added since pinning, not checked against the pinned "
                         "file")
        elif checked[sql] != query.equals:
            lines.append(f"query {sql}: declared {_answer(query.equals)}, the pinned file "
                         f"answers {_answer(checked[sql])}")
    return lines


def _one_line(sql: str) -> str:
    return " ".join(sql.split())


def _answer(value: object) -> str:
    return json.dumps(value, default=str)


def _fmt(sha256: str, size: int) -> str:
    return f"sha256:{sha256[:12]}…  ({size:,} bytes)"


def restore_advice(f: ResolvedFixture, store: bool) -> str:
    """How to get a pinned file back: from the store when the project has one, else git."""
    if store:
        return f"fetch the pinned file from the store: irisfx pull {f.name}"
    return f"restore the file from git (git checkout -- {f.file})"


def integrity_problem(f: ResolvedFixture, actual: Digest | None, *,
                      store: bool = False) -> Problem:
    """A pinned fixture whose file is missing (``actual`` None) or differs from its pin."""
    pin = f.pin
    assert pin is not None
    expected = Digest(pin.sha256, pin.size)
    details = [f"file:     {f.file}", "expected: " + _fmt(pin.sha256, pin.size)]
    if actual is not None:
        details.append("actual:   " + _fmt(actual.sha256, actual.size))
    return Problem(
        "integrity", f.name,
        f"fixture '{f.name}' " + ("has no file: it is missing" if actual is None
                                  else "does not match its pin"),
        details=tuple(details),
        fix=f"{restore_advice(f, store)},\n"
        f"or rebuild it on purpose: irisfx apply --rebuild {f.name}",
        reason="missing" if actual is None else "mismatch", file=f.file, expected=expected,
        actual=actual,
    )


def unpinned_problem(f: ResolvedFixture, actual: Digest | None) -> Problem:
    """A fixture with a file irisfx did not pin."""
    return Problem(
        "integrity", f.name, f"fixture '{f.name}' has a file but no pin",
        details=(f"file:     {f.file}",
                 "irisfx did not make this file, so it neither mounts nor writes over it."),
        fix=f"adopt this file as it is: irisfx pin {f.name},\n"
        f"or set 'file' in [fixtures.{f.name}] to a path where no file is yet, and irisfx "
        "builds the fixture there",
        reason="unpinned", file=f.file, actual=actual,
    )


def not_a_database_problem(f: ResolvedFixture, actual: Digest | None,
                           store: bool = False) -> Problem:
    """A fixture whose ``file`` holds something that is not a database (a README.md, say)."""
    fix = (f"set 'file' in [fixtures.{f.name}] to a path of the fixture's own "
           f"(default fixtures/{f.name}/IRIS.DAT)")
    if f.pin is not None:
        fix += f";\nif {f.file} is the fixture's damaged file, {restore_advice(f, store)}"
    return Problem(
        "integrity", f.name, f"fixture '{f.name}': {f.file} is not a database file",
        details=(f"file:     {f.file}",
                 "irisfx never mounts, pins or writes over a file that is not a database."),
        fix=fix, reason="not-a-database", file=f.file, actual=actual,
        expected=Digest(f.pin.sha256, f.pin.size) if f.pin else None,
    )
