"""Where an API key shows up in a project folder, if anywhere."""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["key_leaks"]


def key_leaks(root: Path, key: str) -> list[str]:
    """The places under ``root`` holding ``key``: files (the store and its WAL included) by
    path, and ``git history`` when a commit carries it.

    It also checks that there was something to look in: a store, more than ten artifacts, and
    a history holding ``artifacts/analysis.md``.
    """
    written = [p for p in root.rglob("*") if p.is_file()]
    assert any(p.name.startswith("state.db") for p in written)
    assert len([p for p in written if p.suffix == ".md"]) > 10
    found = [str(p) for p in written if key.encode() in p.read_bytes()]
    # Git objects are compressed, so read the history through git itself.
    assert (root / ".git").is_dir()
    history = subprocess.run(
        ["git", "log", "-p", "--all"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert "artifacts/analysis.md" in history
    if key in history:
        found.append("git history")
    return found
