"""The project folder on disk: where the brief, artifacts and store live, and atomic writes."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spec_automation.core.ports import ArtifactDraft

__all__ = ["ProjectPaths", "RunLockedError", "run_lock", "run_lock_is_free", "write_atomic"]

STATE_DIR = ".spec_automation"


@dataclass(frozen=True, slots=True)
class ProjectPaths:
    """The layout of a project folder."""

    root: Path

    @property
    def brief(self) -> Path:
        """The user's brief."""
        return self.root / "brief.md"

    @property
    def inputs(self) -> Path:
        """Imported documents."""
        return self.root / "inputs"

    @property
    def artifacts(self) -> Path:
        """Generated artifacts, one file each."""
        return self.root / "artifacts"

    @property
    def spec_override(self) -> Path:
        """A project's own spec, used instead of the bundled one when present."""
        return self.root / "orchestrator_spec.yml"

    @property
    def state(self) -> Path:
        """The app's private folder (never committed)."""
        return self.root / STATE_DIR

    @property
    def database(self) -> Path:
        """The SQLite store."""
        return self.state / "state.db"

    @property
    def lock(self) -> Path:
        """Held while a run writes to the project."""
        return self.state / "run.lock"

    def artifact(self, name: str) -> Path:
        """The file of one artifact (names are checked plain file names)."""
        return self.artifacts / name

    def is_project(self) -> bool:
        """True when the folder holds a spec_automation project."""
        return self.database.is_file()

    def write_artifacts(self, drafts: Sequence[ArtifactDraft]) -> None:
        """Write each artifact file atomically."""
        self.artifacts.mkdir(parents=True, exist_ok=True)
        for draft in drafts:
            write_atomic(self.artifact(draft.name), draft.content)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that ``path`` holds either the old content or the new, never half.

    A temporary file in the same folder is written and fsynced, then renamed over the target,
    then the folder is fsynced so the rename survives a power cut.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class RunLockedError(RuntimeError):
    """Another process is running a workflow on this project."""


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the project for the length of a run.

    The OS releases the lock when the process dies, so a crash never leaves it stuck.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunLockedError(
                f"another run is in progress on this project ({holder}); wait for it or stop it"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def run_lock_is_free(path: Path) -> bool:
    """True when no process holds the project's run lock (so no run is in progress)."""
    if not path.exists():
        return True
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return True
