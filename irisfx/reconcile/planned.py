"""The plan as a command sees it: observe, then plan, with what the plan was made from.

``compute_plan`` is the single path ``plan``, ``apply``, ``check`` and ``verify`` take; it reads
and never changes anything (but the stat cache), and loads nothing of apply or the store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property

from irisfx.engines.base import Engine
from irisfx.lockfile.project import Project, select_fixtures, store_url
from irisfx.reconcile.observe import Observation, observe
from irisfx.reconcile.plan import Plan, make_plan
from irisfx.reconcile.workspace import Workspace


def fingerprint(project: Project, observation: Observation) -> dict[str, str]:
    """What a saved plan was made from: fixtures.toml, the instance, the files."""
    return {"config": hashlib.sha256(project.raw).hexdigest(), **observation.fingerprint()}


@dataclass(frozen=True)
class Planned:
    """A plan with the observation it was made from."""

    plan: Plan
    observation: Observation
    project: Project = field(repr=False)
    rebuild: tuple[str, ...]

    @cached_property
    def fingerprint(self) -> dict[str, str]:
        """What the plan was made from; computed only for saved plans (it costs at scale)."""
        return fingerprint(self.project, self.observation)


def compute_plan(
    ws: Workspace,
    engine: Engine,
    names: Collection[str] = (),
    *,
    rebuild: Collection[str] = (),
    full_verify: bool = False,
) -> Planned:
    """Observe and plan. Read-only, except that fresh digests go to the stat cache."""
    project = ws.project
    everything = project.fixtures()  # resolved once: at 10,000 fixtures it costs
    if rebuild:
        select_fixtures(project, rebuild)  # an unknown --rebuild name is an error too
    fixtures = select_fixtures(project, [*names, *rebuild]) if names else everything
    observation = observe(project, engine, fixtures, ws.cache, full=full_verify,
                          progress=ws.progress)
    declared = {ns for f in everything for ns in (f.source, f.mount)}
    plan = make_plan(fixtures, observation, declared_namespaces=declared, rebuild=set(rebuild),
                     narrowed=bool(names), store=store_url(project) is not None)
    ws.save_cache()
    return Planned(plan, observation, project, tuple(sorted(rebuild)))
