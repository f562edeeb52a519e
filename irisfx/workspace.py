"""What one run of a command needs, opened once and handed down: the project and its stat cache."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from irisfx.config import Project, ensure_state_dir, load_project
from irisfx.digest import ProgressFactory, StatCache


@dataclass
class Workspace:
    """A loaded project, its ensured ``.irisfx/`` folder, its stat cache and a progress factory."""

    project: Project
    cache: StatCache
    progress: ProgressFactory | None = None

    @classmethod
    def open(cls, project: Project, progress: ProgressFactory | None = None) -> Workspace:
        """Ensure the state folder once and open the stat cache in it."""
        ensure_state_dir(project.state_dir)
        return cls(project, StatCache.in_state_dir(project.state_dir), progress)

    @classmethod
    def load(cls, config_path: Path, progress: ProgressFactory | None = None) -> Workspace:
        """Load fixtures.toml and open its workspace."""
        return cls.open(load_project(config_path), progress)

    def reload(self) -> None:
        """Read fixtures.toml again (another apply may have pinned while we waited)."""
        self.project = load_project(self.project.config_path)

    def save_cache(self) -> None:
        """Keep fresh digests for the next run."""
        with contextlib.suppress(OSError):  # an unwritten cache only costs a re-hash next time
            self.cache.save()
