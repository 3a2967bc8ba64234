"""Fixtures for store tests: a migrated database in a temporary project folder."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from spec_automation.core.ports import ArtifactDraft
from spec_automation.store import Database, SqlRunRecorder, open_database
from spec_automation.store.queries import ensure_project

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """A moment ``seconds`` after the fixed start of every test run."""
    return T0 + timedelta(seconds=seconds)


class FileWriter:
    """Writes drafts to ``artifacts/`` like the real atomic writer, and remembers the calls."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[tuple[str, ...]] = []
        self.fail_with: Exception | None = None

    def __call__(self, drafts: Sequence[ArtifactDraft]) -> None:
        self.calls.append(tuple(d.name for d in drafts))
        if self.fail_with is not None:
            raise self.fail_with
        folder = self.root / "artifacts"
        folder.mkdir(exist_ok=True)
        for draft in drafts:
            (folder / draft.name).write_text(draft.content, encoding="utf-8")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / ".spec_automation" / "state.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def project_id(db: Database, tmp_path: Path) -> int:
    return ensure_project(db, "demo", tmp_path, "default", now=T0).id


@pytest.fixture
def writer(tmp_path: Path) -> FileWriter:
    return FileWriter(tmp_path)


@pytest.fixture
def recorder(db: Database, project_id: int, writer: FileWriter) -> SqlRunRecorder:
    return SqlRunRecorder(db, project_id, writer)
