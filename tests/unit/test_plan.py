"""make_plan is a pure function: declaration + pins + observation -> actions and problems."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from irisfx.engines.base import EngineInfo, Inventory, OwnedNamespace
from irisfx.files.digest import FileDigest
from irisfx.lockfile.models import Fixture, Pin, ResolvedFixture
from irisfx.recipes.recipe import Recipe
from irisfx.reconcile.observe import FileState, Observation
from irisfx.reconcile.plan import Plan, make_plan
from irisfx.reconcile.problems import Digest

SHA_A, SHA_B, RECIPE_1, RECIPE_2 = "a" * 64, "b" * 64, "1" * 64, "2" * 64
SIM = EngineInfo(kind="sim", url="sim://x", product="irisfx-sim 0 (simulator)", simulator=True)
IRIS = EngineInfo(kind="iris", url="iris://h", product="IRIS for UNIX 2025.1", simulator=False)


def pin(sha: str = SHA_A, recipe: str = RECIPE_1, built_by: str = "irisfx-sim 0",
        tables: dict[str, int] | None = None) -> Pin:
    return Pin(sha256=sha, size=10, recipe_sha256=recipe, built_by=built_by,
               tables=tables or {}, created=datetime(2026, 1, 1, tzinfo=UTC))


def fixture(p: Pin | None = None, **decl: object) -> ResolvedFixture:
    return ResolvedFixture("items", Fixture.model_validate(
        {"recipe": "recipes/items.sql", "pin": p, **decl}))


def owned(ns: str, role: str = "mount", **kw: object) -> OwnedNamespace:
    base: dict[str, object] = {"namespace": ns, "role": role, "fixture": "items",
                               "state": "ready", "readonly": True}
    return OwnedNamespace(**{**base, **kw})  # type: ignore[arg-type]


def plan_for(f: ResolvedFixture, *, file: str | None = SHA_A, recipe: str = RECIPE_1,
             records: tuple[OwnedNamespace, ...] = (), others: tuple[str, ...] = (),
             engine: EngineInfo = SIM, interrupted: str | None = None,
             rebuild: bool = False) -> Plan:
    digest = FileDigest(file, 10, hashed=False) if file else None
    left = FileDigest(interrupted, 10, hashed=True) if interrupted else None
    namespaces = frozenset({r.namespace for r in records} | set(others))
    observation = Observation(
        engine=engine,
        inventory=Inventory(namespaces=namespaces, owned={r.namespace: r for r in records}),
        files={"items": FileState(digest, left)},
        recipes={"items": Recipe(Path("recipes/items.sql"), "sql", recipe)},
    )
    return make_plan([f], observation, declared_namespaces={f.source, f.mount},
                     rebuild={"items"} if rebuild else set())


def kinds(plan: Plan) -> list[str]:
    return [a.kind for a in plan.actions]


IN_SYNC = (owned("FXSRC_ITEMS", "source", recipe_sha256=RECIPE_1, readonly=False),
           owned("FX_ITEMS", sha256=SHA_A))


def test_nothing_exists_builds_snapshots_mounts() -> None:
    plan = plan_for(fixture(), file=None)
    assert kinds(plan) == ["build", "snapshot", "mount"]
    assert plan.writes_pins and not plan.needs_consent()


def test_in_sync_is_no_changes() -> None:
    plan = plan_for(fixture(pin()), records=IN_SYNC)
    assert not plan.has_changes


def test_pinned_file_without_mount_is_verified_then_mounted() -> None:
    plan = plan_for(fixture(pin()), records=IN_SYNC[:1])
    assert kinds(plan) == ["verify", "mount"]
    assert not plan.writes_pins


def test_edited_file_is_an_integrity_problem_with_no_actions() -> None:
    plan = plan_for(fixture(pin()), file=SHA_B, records=IN_SYNC)
    assert plan.actions == ()
    (problem,) = plan.problems
    assert problem.kind == "integrity" and "does not match its pin" in problem.message
    # plan is read-only: it must not sound as if an action happened (issue 9.13)
    assert not any("mounted" in line for line in problem.details)
    # structured fields for plan --json, with full digests (issue 9.15)
    assert (problem.reason, problem.file) == ("mismatch", "fixtures/items/IRIS.DAT")
    assert problem.expected == Digest(SHA_A, 10) and problem.actual == Digest(SHA_B, 10)


def test_missing_pinned_file_is_an_integrity_problem() -> None:
    (problem,) = plan_for(fixture(pin()), file=None, records=IN_SYNC).problems
    assert "is missing" in problem.message
    assert problem.reason == "missing" and problem.actual is None


def test_unpinned_file_is_not_overwritten() -> None:
    (problem,) = plan_for(fixture(), file=SHA_A).problems
    assert "no pin" in problem.message


def test_changed_recipe_rebuilds_the_source_and_replaces_the_mount() -> None:
    plan = plan_for(fixture(pin()), recipe=RECIPE_2, records=IN_SYNC)
    assert kinds(plan) == ["build", "snapshot", "replace"]
    assert plan.actions[0].drop_first and all(a.cause == "pending" for a in plan.actions)


def test_rebuild_on_purpose_even_when_the_file_mismatches() -> None:
    plan = plan_for(fixture(pin()), file=SHA_B, records=IN_SYNC, rebuild=True)
    assert kinds(plan) == ["build", "snapshot", "replace"] and not plan.problems


def test_interrupted_snapshot_is_finished_not_redone() -> None:
    plan = plan_for(fixture(pin(SHA_B)), file=SHA_A, interrupted=SHA_B, records=IN_SYNC)
    assert kinds(plan) == ["snapshot", "replace"]
    assert plan.actions[0].resume and not plan.writes_pins


def test_stray_partial_file_is_ignored() -> None:
    assert not plan_for(fixture(pin()), interrupted=SHA_B, records=IN_SYNC).has_changes


def test_mount_serving_another_digest_is_pending_replace() -> None:
    records = (IN_SYNC[0], owned("FX_ITEMS", sha256=SHA_B))
    plan = plan_for(fixture(pin()), records=records)
    assert kinds(plan) == ["verify", "replace"] and plan.actions[-1].cause == "pending"


def test_drift_on_the_instance() -> None:
    for record, words in [
        (owned("FX_ITEMS", sha256=SHA_A, database_present=False), "removed outside irisfx"),
        (owned("FX_ITEMS", sha256=SHA_A, changed=True), "changed since it was mounted"),
    ]:
        plan = plan_for(fixture(pin()), records=(IN_SYNC[0], record))
        assert kinds(plan) == ["verify", "replace"]
        assert plan.actions[-1].cause == "drift" and words in plan.actions[-1].reason


def test_half_made_namespaces_are_repaired_without_asking() -> None:
    half_mount = (IN_SYNC[0], owned("FX_ITEMS", sha256=SHA_A, state="creating"))
    plan = plan_for(fixture(pin()), records=half_mount)
    assert kinds(plan) == ["verify", "replace"] and "did not finish" in plan.actions[-1].reason
    assert not plan.needs_consent() and plan.actions[-1].cause == "pending"
    half_source = (owned("FXSRC_ITEMS", "source", state="creating", readonly=False),)
    plan = plan_for(fixture(), file=None, records=half_source)
    assert kinds(plan) == ["build", "snapshot", "mount"] and plan.actions[0].drop_first
    assert not plan.needs_consent()


def test_changed_recipe_needs_consent_unless_rebuild_was_asked_for() -> None:
    plan = plan_for(fixture(pin()), recipe=RECIPE_2, records=IN_SYNC)
    assert [a.kind for a in plan.needs_consent()] == ["build", "replace"]
    assert plan.needs_consent(rebuild={"items"}) == []


def test_readonly_change_replaces() -> None:
    plan = plan_for(fixture(pin(), readonly=False), records=IN_SYNC)
    assert kinds(plan) == ["verify", "replace"] and plan.needs_consent()
    assert not plan.needs_consent(rebuild={"items"})


def test_namespace_owned_by_someone_else_is_a_conflict() -> None:
    (problem,) = plan_for(fixture(pin()), records=IN_SYNC[:1], others=("FX_ITEMS",)).problems
    assert problem.kind == "conflict" and problem.reason == "namespace-taken"
    assert "was not made by irisfx (no irisfx project owns it)" in problem.message


def test_foreign_source_with_a_recipe_is_a_conflict() -> None:
    (problem,) = plan_for(fixture(), file=None, others=("FXSRC_ITEMS",)).problems
    assert "was not made by irisfx" in problem.message


def test_source_without_recipe_is_snapshotted_as_it_is_or_refused() -> None:
    no_recipe = ResolvedFixture("items", Fixture())
    obs_files = {"items": FileState(None)}
    for namespaces, expected in [({"FXSRC_ITEMS"}, ["snapshot", "mount"]), (set(), [])]:
        observation = Observation(SIM, Inventory(frozenset(namespaces)), obs_files, {})
        plan = make_plan([no_recipe], observation, declared_namespaces=set())
        assert kinds(plan) == expected
        assert bool(plan.problems) == (not expected)


def test_simulator_file_is_refused_by_iris_and_vice_versa() -> None:
    (problem,) = plan_for(fixture(pin()), records=IN_SYNC[:1], engine=IRIS).problems
    assert "cannot be mounted on IRIS" in problem.message and "--rebuild" in problem.fix
    iris_pin = pin(built_by="IRIS for UNIX 2025.1")
    (problem,) = plan_for(fixture(iris_pin), records=IN_SYNC[:1]).problems
    assert "cannot be mounted on the simulator" in problem.message


def test_expect_disagreeing_with_the_pin_is_a_conflict() -> None:
    f = fixture(pin(tables={"Shop.Item": 3}), expect={"shop.item": 4})
    (problem,) = plan_for(f, records=IN_SYNC).problems
    assert "shop.item: expected 4 rows, found 3 in the pinned file" in problem.details
    assert not plan_for(fixture(pin(tables={"Shop.Item": 3}), expect={"shop.item": 3}),
                        records=IN_SYNC).has_changes


def test_undeclared_owned_namespaces_are_unmounted_but_copies_are_left() -> None:
    records = (*IN_SYNC, owned("FX_OLD"), owned("FX_ITEMS_GW0", "copy"))
    plan = plan_for(fixture(pin()), records=records)
    assert [(a.kind, a.namespace) for a in plan.actions] == [("unmount", "FX_OLD")]


def test_adopted_pin_without_tables_does_not_contradict_expect() -> None:
    # 'irisfx pin' records no row counts; 'expect' is then checked after mounting.
    plan = plan_for(fixture(pin(tables={}), expect={"Shop.Item": 3}), records=IN_SYNC)
    assert plan.problems == () and plan.actions == ()
    wrong = plan_for(fixture(pin(tables={"Shop.Item": 2}), expect={"Shop.Item": 3}),
                     records=IN_SYNC)
    assert [p.reason for p in wrong.problems] == ["expect-vs-pin"]
