"""What a fixture promises about its rows: ``expect`` counts and known ``queries``.

Checked on the source before a snapshot is pinned (a wrong recipe is never pinned) and on the
mount after mounting (a wrong mount is never handed to tests).
"""

from __future__ import annotations

from irisfx.engines.base import Engine
from irisfx.errors import ConflictError
from irisfx.lockfile.models import ResolvedFixture
from irisfx.lockfile.names import row_mismatches
from irisfx.lockfile.queries import query_timeout
from irisfx.reconcile.answers import check_queries


def check_source(engine: Engine, fixture: ResolvedFixture) -> dict[str, int]:
    """Row counts of every table in the source; ConflictError if they or a query disagree."""
    tables = engine.row_counts(fixture.source)
    _raise_if_wrong(engine, fixture, fixture.source, tables, "Nothing was pinned.")
    return tables


def check_mount(engine: Engine, fixture: ResolvedFixture) -> None:
    """ConflictError if the mount's rows or known queries disagree with the declaration."""
    counts = (engine.row_counts(fixture.mount, list(fixture.decl.expect))
              if fixture.decl.expect else {})
    _raise_if_wrong(engine, fixture, fixture.mount, counts, "The mount is kept.")


def _raise_if_wrong(engine: Engine, fixture: ResolvedFixture, namespace: str,
                    counts: dict[str, int], outcome: str) -> None:
    rows = row_mismatches(fixture.decl.expect, counts) if fixture.decl.expect else []
    answers: list[str] = []
    if fixture.decl.queries:
        connection = engine.connect(namespace, read_only=True, timeout=query_timeout())
        try:
            answers = [failure.describe() for failure in check_queries(fixture, connection)]
        finally:
            connection.close()
    if rows or answers:
        what = " and ".join(part for part, wrong in (("the rows its 'expect' declares", rows),
                                                     ("the answers its 'queries' declare",
                                                      answers)) if wrong)
        raise ConflictError(
            f"fixture '{fixture.name}' does not hold {what}",
            details=[*rows, *answers, outcome],
            fix="correct the recipe, or 'expect' / 'queries' in fixtures.toml",
        )
