"""The project's code folder: where the implementation stage writes, never over your edits.

The developer agent's files go to ``code/`` inside the project, or to the folder the user chose
for it (``code-folder PATH``, ``init --code-dir PATH``, Project ▸ Code folder in the app): a
subfolder of the project, or a folder of its own anywhere, such as a git repository the code
already lives in. The choice is kept in ``.spec_automation/code-folder.json``. Every file the
app writes is
remembered by its hash (``.spec_automation/code-written.json``); a file that is no longer
what the app last wrote there (you edited it), or that the app never wrote (you made it), is
kept as it is and named, never replaced. Nothing is written through a link: a path with a
link anywhere between the project folder and the file is refused before anything is written.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from spec_automation.core.artifacts import content_hash
from spec_automation.services.errors import ProjectError
from spec_automation.workspace import (
    ProjectPaths,
    UnsafeFileError,
    read_text_inside,
    refuse_links_below,
    write_atomic,
)

__all__ = [
    "CODE_FOLDER",
    "CodeFolder",
    "CodeWrite",
    "check_code_root",
    "choose_code_root",
    "code_root",
]

#: The code folder's name inside the project.
CODE_FOLDER = "code"
#: Where the folder the user chose is kept (in the project's state folder).
_CHOICE = "code-folder.json"
#: Folders of the project the code can never go in: the app's own.
_RESERVED = (".spec_automation", "artifacts", "inputs", ".git")


def code_root(paths: ProjectPaths) -> Path:
    """The project's code folder: the one chosen for it, else ``code/`` inside it."""
    try:
        data = json.loads(read_text_inside(paths.root, paths.state / _CHOICE))
    except (OSError, UnicodeDecodeError, ValueError):
        return paths.root / CODE_FOLDER
    chosen = data.get("folder") if isinstance(data, dict) else None
    if not isinstance(chosen, str) or not chosen.strip():
        return paths.root / CODE_FOLDER
    folder = Path(chosen)
    return folder if folder.is_absolute() else paths.root / folder


def choose_code_root(paths: ProjectPaths, folder: Path | None) -> Path:
    """Make ``folder`` the project's code folder (None: back to ``code/``); the folder now.

    Raises ``ProjectError`` before anything is written when it cannot be one (see
    :func:`check_code_root`).
    """
    record = paths.state / _CHOICE
    if folder is None:
        record.unlink(missing_ok=True)
        return paths.root / CODE_FOLDER
    wanted, stored = check_code_root(paths.root, folder)
    write_atomic(record, json.dumps({"folder": stored}, indent=1) + "\n")
    return wanted


def check_code_root(root: Path, folder: Path) -> tuple[Path, str]:
    """``folder`` as a code folder for the project in ``root`` (which need not exist yet), and
    how it is kept: relative to the project when inside it, so the project can move.

    Raises ``ProjectError`` for a folder that is a link or reached through one inside the
    project, a file, one of the app's own folders, the project folder itself or one holding
    it, or one whose parent does not exist.
    """
    wanted = Path(os.path.normpath(Path(folder).expanduser().absolute()))
    root = Path(os.path.normpath(root.absolute()))
    if wanted.is_symlink():
        raise ProjectError(
            f"{wanted} is a link; choose the folder it points to: the app does not write "
            "through links"
        )
    if wanted.exists() and not wanted.is_dir():
        raise ProjectError(f"{wanted} is a file, not a folder")
    if wanted == root or root.is_relative_to(wanted):
        raise ProjectError(
            f"the code folder cannot be the project folder or hold it ({root}); choose a "
            f"folder inside it, such as {root / CODE_FOLDER}, or one of its own"
        )
    if not wanted.is_relative_to(root):
        if not wanted.parent.is_dir():
            raise ProjectError(f"{wanted.parent} does not exist; create it first")
        return wanted, str(wanted)
    inside = wanted.relative_to(root)
    if inside.parts[0] in _RESERVED:
        raise ProjectError(f"{inside.parts[0]}/ is the app's own folder; choose another")
    try:
        refuse_links_below(root, wanted)
    except UnsafeFileError as exc:
        raise ProjectError(f"the code folder cannot be used: {exc}") from None
    return wanted, inside.as_posix()


@dataclass(frozen=True, slots=True)
class CodeWrite:
    """What writing the developer's files did."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]  # already exactly so
    kept: tuple[str, ...]  # yours: edited (or made) by you, left as they are


class CodeFolder:
    """The code folder of one project."""

    def __init__(self, paths: ProjectPaths) -> None:
        self.paths = paths
        self.root = code_root(paths)
        # Links are refused from the project folder down, or from a folder of its own down.
        inside = self.root.absolute().is_relative_to(paths.root.absolute())
        self._base = paths.root if inside else self.root
        self._record = paths.state / "code-written.json"
        # The parts of a phase written one epic at a time write from threads of their own.
        self._lock = threading.Lock()

    def write(self, files: Mapping[str, str]) -> CodeWrite:
        """Write the files (paths relative to the folder), keeping every file you changed.

        Raises ``ProjectError`` before anything is written when a path leaves the folder or
        goes through a link.
        """
        with self._lock:
            return self._write(files)

    def _write(self, files: Mapping[str, str]) -> CodeWrite:
        targets = {path: self._target(path) for path in files}
        written: list[str] = []
        unchanged: list[str] = []
        kept: list[str] = []
        record = self._written()
        for path, text in files.items():
            target = targets[path]
            current = self._current(target)
            if current == text:
                unchanged.append(path)
                record[path] = content_hash(text)
            elif current is not None and record.get(path) != content_hash(current):
                kept.append(path)
            else:
                write_atomic(target, text)
                record[path] = content_hash(text)
                written.append(path)
        write_atomic(self._record, json.dumps(record, indent=1, sort_keys=True) + "\n")
        return CodeWrite(tuple(written), tuple(unchanged), tuple(kept))

    def remove_stale(self, keep: Collection[str]) -> tuple[str, ...]:
        """Remove the files the app wrote before that are not in ``keep`` (what the developer
        writes now) and are still exactly as it wrote them; yours, and files it never
        wrote, stay. The paths removed."""
        with self._lock:
            record = self._written()
            removed: list[str] = []
            for path, digest in sorted(record.items()):
                if path in keep:
                    continue
                try:
                    target = self._target(path)
                except ProjectError:
                    continue  # through a link now: neither read nor removed
                current = self._current(target)
                if current is not None and content_hash(current) != digest:
                    continue  # edited since: yours
                if current is not None:
                    target.unlink()
                    removed.append(path)
                del record[path]
            write_atomic(self._record, json.dumps(record, indent=1, sort_keys=True) + "\n")
            return tuple(removed)

    def as_written(self) -> list[Path]:
        """The files of the folder still exactly as the app last wrote them (none of yours),
        when the folder is inside the project: they go into the project's git commits; a
        folder of its own is the user's repository, never committed to by the app."""
        if self._base != self.paths.root:
            return []
        files = []
        for path, digest in sorted(self._written().items()):
            try:
                target = self._target(path)
            except ProjectError:
                continue
            current = self._current(target)
            if current is not None and content_hash(current) == digest:
                files.append(target)
        return files

    def _target(self, path: str) -> Path:
        target = self.root / path
        try:
            refuse_links_below(self._base, target)
        except UnsafeFileError as exc:
            raise ProjectError(f"the code file {path} cannot be written: {exc}") from None
        if not target.resolve().is_relative_to(self.root.resolve()):
            raise ProjectError(f"the code file {path} would be outside {self.root}")
        return target

    def _current(self, target: Path) -> str | None:
        if not target.exists():
            return None
        try:
            return read_text_inside(self._base, target)
        except (OSError, UnicodeDecodeError):
            return ""  # unreadable as text: not what the app wrote, so it is kept

    def _written(self) -> dict[str, str]:
        try:
            data = json.loads(read_text_inside(self.paths.root, self._record))
        except (OSError, UnicodeDecodeError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items()}
