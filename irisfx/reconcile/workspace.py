"""What one run of a command needs, opened once and handed down: the project and its stat cache."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from irisfx.files.digest import CACHE_NAME, ProgressFactory, StatCache
from irisfx.lockfile.journal import load_project_with_pins, with_pins
from irisfx.lockfile.parsed import CACHE_NAME as TOML_CACHE_NAME
from irisfx.lockfile.project import Project, ensure_state_dir

# When this process started: a temp file older than that cannot be one it is still writing.
_STARTED = time.time()


@dataclass
class Workspace:
    """A loaded project, its ensured ``.irisfx/`` folder, its stat cache and a progress factory.

    Its project includes pins not yet folded into fixtures.toml (irisfx.lockfile.journal).
    """

    project: Project
    cache: StatCache
    progress: ProgressFactory | None = None

    @classmethod
    def open(cls, project: Project, progress: ProgressFactory | None = None) -> Workspace:
        """Ensure the state folder once and open the stat cache in it."""
        ensure_state_dir(project.state_dir)
        return cls(with_pins(project), StatCache.in_state_dir(project.state_dir), progress)

    @classmethod
    def load(cls, config_path: Path, progress: ProgressFactory | None = None) -> Workspace:
        """Load fixtures.toml and open its workspace."""
        return cls.open(load_project_with_pins(config_path), progress)

    def reload(self) -> None:
        """Read fixtures.toml again (another apply may have pinned while we waited)."""
        self.project = load_project_with_pins(self.project.config_path)

    def save_cache(self) -> None:
        """Keep fresh digests for the next run."""
        with contextlib.suppress(OSError):  # an unwritten cache only costs a re-hash next time
            self.cache.save()

    def flush_cache(self) -> None:
        """Append the digests of the last action to the cache's log (costs the change only)."""
        with contextlib.suppress(OSError):
            self.cache.flush()

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete temp files a killed irisfx left behind; call it holding the apply lock.

        Only irisfx's own names. ``.fixtures.toml.*.tmp`` beside fixtures.toml goes whatever
        its age: every writer of fixtures.toml holds the apply lock, so none is being written.
        ``.stat-cache.json.*.tmp`` and ``.toml-cache.json.*.tmp`` in ``.irisfx/`` go only when
        older than this process, since a plan (which takes no lock) may be writing one now.
        """
        removed = []
        for folder, name, cutoff in ((self.project.root, self.project.config_path.name, None),
                                     (self.project.state_dir, CACHE_NAME, _STARTED),
                                     (self.project.state_dir, TOML_CACHE_NAME, _STARTED)):
            for path in folder.glob(f".{name}.*.tmp"):
                with contextlib.suppress(OSError):
                    stat = path.lstat()
                    if S_ISREG(stat.st_mode) and (cutoff is None or stat.st_mtime < cutoff):
                        path.unlink()
                        removed.append(path)
        return removed
