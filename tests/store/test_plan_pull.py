"""make_plan with a store: a missing pinned file becomes a pull, and only that case."""

from __future__ import annotations

from pathlib import Path

from irisfx.engines.base import Inventory, OwnedNamespace
from irisfx.files.digest import FileDigest
from irisfx.lockfile.models import ResolvedFixture
from irisfx.recipes.recipe import Recipe
from irisfx.reconcile.observe import FileState, Observation
from irisfx.reconcile.plan import Plan, make_plan
from tests.unit.test_plan import IN_SYNC, RECIPE_1, RECIPE_2, SHA_A, SHA_B, SIM, fixture, pin


def plan_with_store(f: ResolvedFixture, *, file: str | None, recipe: str = RECIPE_1,
                    records: tuple[OwnedNamespace, ...] = (), interrupted: str | None = None,
                    rebuild: bool = False, store: bool = True) -> Plan:
    observation = Observation(
        engine=SIM,
        inventory=Inventory(namespaces=frozenset(r.namespace for r in records),
                            owned={r.namespace: r for r in records}),
        files={"items": FileState(FileDigest(file, 10, hashed=False) if file else None,
                                  FileDigest(interrupted, 10, hashed=True)
                                  if interrupted else None)},
        recipes={"items": Recipe(Path("recipes/items.sql"), "sql", recipe)},
    )
    return make_plan([f], observation, declared_namespaces={f.source, f.mount},
                     rebuild={"items"} if rebuild else set(), store=store)


def kinds(plan: Plan) -> list[str]:
    return [a.kind for a in plan.actions]


def test_missing_pinned_file_is_pulled_then_mounted() -> None:
    plan = plan_with_store(fixture(pin()), file=None)
    assert kinds(plan) == ["pull", "mount"] and not plan.problems
    assert not plan.writes_pins  # apply --locked can run it


def test_missing_file_still_mounted_elsewhere_is_pulled_and_nothing_else() -> None:
    plan = plan_with_store(fixture(pin()), file=None, records=IN_SYNC)
    assert kinds(plan) == ["pull"]


def test_without_a_store_a_missing_file_is_an_integrity_problem() -> None:
    plan = plan_with_store(fixture(pin()), file=None, store=False)
    assert not plan.actions and plan.problems[0].kind == "integrity"


def test_a_file_that_differs_from_its_pin_is_not_pulled_over() -> None:
    plan = plan_with_store(fixture(pin()), file=SHA_B)
    assert not plan.actions and plan.problems[0].kind == "integrity"


def test_an_unpinned_fixture_is_built_not_pulled() -> None:
    assert kinds(plan_with_store(fixture(), file=None)) == ["build", "snapshot", "mount"]


def test_rebuild_wins_over_pull() -> None:
    plan = plan_with_store(fixture(pin()), file=None, rebuild=True)
    assert "pull" not in kinds(plan) and "snapshot" in kinds(plan)


def test_an_interrupted_snapshot_is_finished_not_pulled() -> None:
    plan = plan_with_store(fixture(pin()), file=None, interrupted=SHA_A)
    assert kinds(plan)[0] == "snapshot" and "pull" not in kinds(plan)


def test_a_changed_recipe_rebuilds_instead_of_pulling() -> None:
    plan = plan_with_store(fixture(pin()), file=None, recipe=RECIPE_2)
    assert kinds(plan) == ["build", "snapshot", "mount"] and plan.writes_pins
