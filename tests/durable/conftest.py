"""Helpers for the durability tests: the core run in-process against a sim engine that a test
can make act like a concurrent user or attacker between two steps of apply."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from irisfx.engines.base import Engine
from irisfx.reconcile.apply import ApplyOptions, run_apply
from irisfx.reconcile.observe import open_project_engine
from irisfx.reconcile.plan import Plan
from irisfx.reconcile.workspace import Workspace


class Meddling:
    """The project's real sim engine; ``before[METHOD]`` runs once before that method does.

    It stands for a person or program acting on the project folder while apply runs.
    """

    def __init__(self, engine: Engine, before: dict[str, Callable[[], None]]) -> None:
        self._engine = engine
        self._before = dict(before)

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._engine, name)
        hook = self._before.pop(name, None)
        if hook is None:
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            hook()
            return target(*args, **kwargs)

        return call


def apply_in_process(config: Path, before: dict[str, Callable[[], None]]) -> Plan:
    """Run apply (auto-approved) through the core API with a meddling engine."""
    ws = Workspace.load(config)
    engine = open_project_engine(ws.project)
    try:
        return run_apply(ws, Meddling(engine, before),  # type: ignore[arg-type]
                         ApplyOptions(), confirm=lambda plan: True,
                         on_event=lambda kind, action: None)
    finally:
        engine.close()
