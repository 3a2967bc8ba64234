"""Artifact history in the store: user versions with their change rows, pages, kinds."""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_automation.core.changes import ChangedBy
from spec_automation.store import Database
from spec_automation.store.errors import StoreError
from spec_automation.store.history import ArtifactHistory

DOC = "# PRD\n\n## Requirements\n\n- FR-1: sign in\n"


@pytest.fixture
def history(db: Database, project_id: int) -> ArtifactHistory:
    return ArtifactHistory(db, project_id)


def test_a_first_version_is_recorded_with_a_change_from_nothing(history: ArtifactHistory) -> None:
    version, change = history.record("prd.md", DOC, changed_by=ChangedBy.USER, phase="SPEC_PM")
    assert version is not None
    assert change is not None
    assert (version.version, version.kind, version.changed_by) == (1, "user_edit", "user")
    assert change.old_version_id is None
    assert change.new_version_id == version.id
    assert change.impact_level == "HIGH"
    assert history.content(version.id) == DOC


def test_unchanged_content_records_nothing(history: ArtifactHistory) -> None:
    history.record("prd.md", DOC, changed_by=ChangedBy.USER)
    version, change = history.record("prd.md", DOC, changed_by=ChangedBy.USER)
    assert change is None
    assert version is not None
    assert version.version == 1
    assert history.versions("prd.md")[1] == 1


def test_an_edit_records_the_sections_that_changed(history: ArtifactHistory) -> None:
    history.record("prd.md", DOC, changed_by=ChangedBy.SYSTEM)
    edited = DOC + "- FR-2: export\n"
    version, change = history.record("prd.md", edited, changed_by=ChangedBy.USER)
    assert version is not None
    assert change is not None
    assert version.version == 2
    assert [(s.name, s.kind) for s in change.sections] == [("Requirements", "modified")]
    assert change.sections[0].new_text.rstrip().endswith("- FR-2: export")
    assert history.latest_change() == change


def test_a_failed_file_write_records_nothing(history: ArtifactHistory) -> None:
    def broken(_: str) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        history.record("prd.md", DOC, changed_by=ChangedBy.USER, write=broken)
    assert history.latest("prd.md") is None
    assert history.changes("prd.md")[1] == 0


def test_a_reader_returning_nothing_records_nothing(history: ArtifactHistory) -> None:
    assert history.record("prd.md", lambda: None, changed_by=ChangedBy.USER) == (None, None)


def test_pages_are_newest_first_with_a_total(history: ArtifactHistory) -> None:
    for n in range(5):
        history.record("prd.md", DOC + f"\nline {n}\n", changed_by=ChangedBy.USER)
    items, total = history.versions("prd.md", limit=2, offset=1)
    assert total == 5
    assert [v.version for v in items] == [4, 3]
    changes, total = history.changes("prd.md", limit=10, offset=3)
    assert total == 5
    assert len(changes) == 2


def test_version_kinds_follow_how_a_version_came_to_be(
    history: ArtifactHistory, db: Database, project_id: int, tmp_path: Path
) -> None:
    history.record("a.md", "one\n", changed_by=ChangedBy.SYSTEM)
    history.record("a.md", "two\n", changed_by=ChangedBy.USER)
    history.record("a.md", "one\n", changed_by=ChangedBy.USER, reason="rollback")
    items, _ = history.versions("a.md")
    assert [v.kind for v in items] == ["rollback", "user_edit", "generated"]


def test_unknown_ids_are_clear_errors(history: ArtifactHistory) -> None:
    with pytest.raises(StoreError, match="no artifact version 99"):
        history.content(99)
    with pytest.raises(StoreError, match="no change 7"):
        history.change(7)
