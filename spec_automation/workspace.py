"""The project folder on disk: where the brief, artifacts and store live, and atomic writes."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from spec_automation.core.project_texts import BRIEF, CONSTITUTION, INPUTS_PREFIX

if TYPE_CHECKING:
    from spec_automation.core.ports import ArtifactDraft

__all__ = [
    "INPUTS_PREFIX",
    "MAX_DOCUMENT_BYTES",
    "MAX_TEXT_BYTES",
    "PROJECT_TEXTS",
    "ProjectPaths",
    "RunLockedError",
    "UnsafeFileError",
    "is_project_input",
    "read_chosen_bytes",
    "read_chosen_text",
    "read_text_inside",
    "refuse_links_below",
    "run_lock",
    "run_lock_is_free",
    "write_atomic",
]

STATE_DIR = ".spec_automation"
#: The largest brief, constitution or artifact the app reads (a spec is words, not data).
MAX_TEXT_BYTES = 4 * 1024 * 1024
#: The largest document the app imports into ``inputs/``.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
#: The project's own texts the store versions beside the artifacts (with ``inputs/NAME``).
PROJECT_TEXTS = (BRIEF, CONSTITUTION)


class UnsafeFileError(OSError):
    """A project file the app will not read or write: a link, not a regular file, or too
    large. ``str()`` is a sentence for the user."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(errno.EPERM, problem, str(path))
        self.path = path
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.path} {self.problem}"


def refuse_links_below(root: Path, path: Path) -> None:
    """Raise ``UnsafeFileError`` when ``path`` or a folder between ``root`` and it is a link.

    The project folder itself may be reached through a link; nothing inside it is followed,
    so nothing outside the project is read or written through one.
    """
    try:
        inside = path.relative_to(root)
    except ValueError:
        raise UnsafeFileError(path, f"is outside the project folder {root}") from None
    current = root
    for part in inside.parts:
        current = current / part
        if current.is_symlink():
            raise UnsafeFileError(
                current, "is a link; the app does not read or write through links"
            )


def read_text_inside(root: Path, path: Path, *, limit: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of a regular file inside the project, read without following links.

    Raises ``FileNotFoundError`` when there is no file, ``UnsafeFileError`` for a link, a
    folder, a pipe or device, or a file over ``limit`` bytes, and ``UnicodeDecodeError``
    when the bytes are not UTF-8. A pipe never blocks the read: it is refused unopened.
    """
    refuse_links_below(root, path)
    return _read_regular(path, limit, follow_links=False).decode("utf-8")


def read_chosen_text(path: Path, *, limit: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of a file the user named themselves (a brief to start from): a link is
    followed, since the user chose it, but only a regular file under ``limit`` is read, so a
    pipe or a device never hangs or floods the app. Raises as ``read_text_inside`` does."""
    return _read_regular(path, limit, follow_links=True).decode("utf-8")


def read_chosen_bytes(path: Path, *, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a file the user named themselves (a document to import), read as
    ``read_chosen_text`` reads: a link is followed, only a regular file under ``limit``."""
    return _read_regular(path, limit, follow_links=True)


def _read_regular(path: Path, limit: int, *, follow_links: bool) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFileError(
                path, "is a link; the app does not read or write through links"
            ) from None
        if exc.errno == errno.EISDIR:
            raise UnsafeFileError(path, "is a folder, not a file") from None
        raise
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):  # checked before fdopen, which refuses folders itself
            raise UnsafeFileError(path, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(path, "is not a regular file (a pipe or a device?)")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnsafeFileError(
            path, f"is larger than {limit // (1024 * 1024)} MiB, more than the app reads"
        )
    return data


@dataclass(frozen=True, slots=True)
class ProjectPaths:
    """The layout of a project folder."""

    root: Path

    @property
    def brief(self) -> Path:
        """The user's brief."""
        return self.root / BRIEF

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
    def write_journal(self) -> Path:
        """The content hashes of the artifact files being written, recorded before the
        files are renamed into place: a crash before the store's COMMIT is recognised."""
        return self.state / "writing.json"

    @property
    def lock(self) -> Path:
        """Held while a run writes to the project."""
        return self.state / "run.lock"

    def artifact(self, name: str) -> Path:
        """The file of one artifact (names are checked plain file names)."""
        return self.artifacts / name

    def tracked(self, name: str) -> Path:
        """The file of anything the store versions: an artifact, the brief, the
        constitution, or an imported document (``inputs/NAME``)."""
        if name in PROJECT_TEXTS:
            return self.root / name
        if name.startswith(INPUTS_PREFIX):
            return self.inputs / name.removeprefix(INPUTS_PREFIX)
        return self.artifact(name)

    def is_project(self) -> bool:
        """True when the folder holds a spec_automation project."""
        return self.database.is_file()

    def read_text(self, path: Path, *, limit: int = MAX_TEXT_BYTES) -> str:
        """A file of the project, read as ``read_text_inside`` says (never through a link)."""
        return read_text_inside(self.root, path, limit=limit)

    def write_text(self, path: Path, text: str) -> None:
        """Write a file of the project atomically, never through a link."""
        refuse_links_below(self.root, path)
        write_atomic(path, text)

    def write_artifacts(self, drafts: Sequence[ArtifactDraft]) -> None:
        """Write each artifact file atomically (never through a link)."""
        refuse_links_below(self.root, self.artifacts)
        self.artifacts.mkdir(parents=True, exist_ok=True)
        if drafts:  # the store commits one batch at a time: the journal holds the latest
            refuse_links_below(self.root, self.write_journal)
            journal = {d.name: d.content_hash for d in drafts}
            write_atomic(self.write_journal, json.dumps(journal, sort_keys=True))
        for draft in drafts:
            path = self.artifact(draft.name)
            refuse_links_below(self.root, path)
            write_atomic(path, draft.content)


def is_project_input(name: str) -> bool:
    """Whether a name the store versions is one of the project's inputs (the brief, the
    constitution, an imported document) rather than an artifact."""
    return name in PROJECT_TEXTS or name.startswith(INPUTS_PREFIX)


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
        try:
            write_atomic(owner, f"pid {os.getpid()}")
        except OSError as exc:  # the lock is released below
            raise RunLockedError(
                f"cannot start: {exc.strerror or exc} (writing {owner}); "
                "free some space (or make the folder writable) and try again"
            ) from None
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
