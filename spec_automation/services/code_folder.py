"""The project's code folder: where the implementation stage writes, never over your edits.

The developer agent's files go to ``code/`` inside the project. Every file the app writes is
remembered by its hash (``.spec_automation/code-written.json``); a file that is no longer
what the app last wrote there (you edited it), or that the app never wrote (you made it), is
kept as it is and named, never replaced. Nothing is written through a link: a path with a
link anywhere between the project folder and the file is refused before anything is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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

__all__ = ["CODE_FOLDER", "CodeFolder", "CodeWrite"]

#: The code folder's name inside the project.
CODE_FOLDER = "code"


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
        self.root = paths.root / CODE_FOLDER
        self._record = paths.state / "code-written.json"

    def write(self, files: Mapping[str, str]) -> CodeWrite:
        """Write the files (paths relative to the folder), keeping every file you changed.

        Raises ``ProjectError`` before anything is written when a path leaves the folder or
        goes through a link.
        """
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

    def _target(self, path: str) -> Path:
        target = self.root / path
        try:
            refuse_links_below(self.paths.root, target)
        except UnsafeFileError as exc:
            raise ProjectError(f"the code file {path} cannot be written: {exc}") from None
        if not target.resolve().is_relative_to(self.root.resolve()):
            raise ProjectError(f"the code file {path} would be outside {self.root}")
        return target

    def _current(self, target: Path) -> str | None:
        if not target.exists():
            return None
        try:
            return read_text_inside(self.paths.root, target)
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
