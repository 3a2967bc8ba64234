"""Backups of unsaved editor buffers, so a crash never loses what the user typed (no Qt).

Each project gets a folder under ``data_dir()/backups`` named after a hash of its path; each
artifact with unsaved text has one JSON file there holding the text and the hash of the file
content the edit started from. A clean save or an explicit discard removes the backup; whatever
is left when a project is opened is a buffer from a session that did not end cleanly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from spec_automation.settings import data_dir
from spec_automation.workspace import write_atomic

__all__ = ["Backup", "BackupStore"]


@dataclass(frozen=True, slots=True)
class Backup:
    """An unsaved buffer as it was last backed up."""

    artifact: str
    text: str
    base_hash: str  # content hash of the file the edit started from
    saved_at: str  # ISO time of the backup


class BackupStore:
    """The backups of one project's unsaved buffers."""

    def __init__(self, project_root: Path, *, root: Path | None = None) -> None:
        resolved = str(project_root.resolve())
        key = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:16]
        self.folder = (root or data_dir() / "backups") / key
        self.project_root = resolved

    def _file(self, artifact: str) -> Path:
        # Artifact names are plain file names (the spec checks them); hash anyway so any
        # name maps to one safe file.
        digest = hashlib.sha256(artifact.encode("utf-8")).hexdigest()[:24]
        return self.folder / f"{digest}.json"

    def write(self, artifact: str, text: str, base_hash: str) -> Path:
        """Back up ``text`` as the unsaved buffer of ``artifact`` (atomically)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        record = {
            "project": self.project_root,
            "artifact": artifact,
            "text": text,
            "base_hash": base_hash,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        target = self._file(artifact)
        write_atomic(target, json.dumps(record, ensure_ascii=False))
        return target

    def discard(self, artifact: str) -> None:
        """Forget the backup of ``artifact`` (after a save, or when the user drops the edit)."""
        self._file(artifact).unlink(missing_ok=True)

    def pending(self) -> list[Backup]:
        """Every backup left for this project, oldest artifact name first."""
        if not self.folder.is_dir():
            return []
        found: list[Backup] = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                found.append(
                    Backup(
                        str(data["artifact"]),
                        str(data["text"]),
                        str(data["base_hash"]),
                        str(data["saved_at"]),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a damaged backup is skipped, never fatal
        return sorted(found, key=lambda b: b.artifact)
