"""The project folder on disk: where the brief, artifacts and store live, and atomic writes."""

from __future__ import annotations

import contextlib
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
    """Another process is running a workflow on this project (or the lock cannot be used)."""


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the project for the length of a run.

    The operating system's file lock (``filelock``: ``flock`` on Unix, a byte-range lock on
    Windows) is released when the process dies, so a crash never leaves it stuck. Who holds
    it is written beside it (``run.owner``), for the message a second run gets. A lock file
    that is a link is refused: nothing outside the project is touched through one.
    """
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    _refuse_link(path)
    lock = FileLock(path, timeout=0)
    owner = path.with_name("run.owner")
    try:
        lock.acquire()
    except Timeout:
        holder = _read_owner(owner) or "another process"
        raise RunLockedError(
            f"another run is in progress on this project ({holder}); wait for it or stop it"
        ) from None
    except OSError as exc:
        raise RunLockedError(f"the project's run lock {path} cannot be used: {exc}") from None
    try:
        write_atomic(owner, f"pid {os.getpid()}")
        yield
    finally:
        with contextlib.suppress(OSError):
            owner.unlink()
        lock.release()


def run_lock_is_free(path: Path) -> bool:
    """True when no process holds the project's run lock (so no run is in progress)."""
    if not path.exists() and not path.is_symlink():
        return True
    from filelock import FileLock, Timeout

    if path.is_symlink():
        return False  # not ours to judge; run_lock refuses it with a message
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except (Timeout, OSError):
        return False
    lock.release()
    return True


def _refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise RunLockedError(
            f"{path} is a link; the app does not read or write through links. "
            "Remove it and try again."
        )


def _read_owner(path: Path) -> str:
    if path.is_symlink():
        return ""
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""
