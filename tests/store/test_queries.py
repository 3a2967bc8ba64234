"""Read-side queries: the history, metrics ranges and listings the app shows."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from spec_automation.core.ports import (
    ArtifactDraft,
    PhaseCompletion,
    PhaseStatus,
    RunMode,
    RunStart,
    RunStatus,
    TokenUsage,
)
from spec_automation.store import Database, SqlRunRecorder, StoreError, queries

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def begin(recorder: SqlRunRecorder, started: float) -> int:
    return recorder.begin_run(
        RunStart(RunMode.SEQUENTIAL, "default", ("ANALYSIS",), 1, at(started))
    )


def test_ensure_project_creates_the_project_once(db: Database, tmp_path: Path) -> None:
    first = queries.ensure_project(db, "demo", tmp_path, "default")
    second = queries.ensure_project(db, "renamed", tmp_path / "elsewhere", "other")
    assert second == first
    assert queries.get_project(db) == first
    assert (first.name, first.root_path) == ("demo", str(tmp_path))
    assert first.created_at.tzinfo is not None


def test_get_project_on_an_empty_store_says_so(db: Database) -> None:
    with pytest.raises(StoreError, match="holds no project yet"):
        queries.get_project(db)


def test_runs_are_listed_newest_first_a_page_at_a_time(
    db: Database, project_id: int, recorder: SqlRunRecorder
) -> None:
    ids = [begin(recorder, offset) for offset in (0, 60, 120)]
    page = queries.list_runs(db, project_id, limit=2)
    assert [run.id for run in page] == [ids[2], ids[1]]
    assert [run.id for run in queries.list_runs(db, project_id, limit=2, offset=2)] == [ids[0]]
    assert page[0].started_at == at(120)
    assert page[0].mode is RunMode.SEQUENTIAL


def test_unfinished_runs_and_marking_interrupted(
    db: Database, project_id: int, recorder: SqlRunRecorder
) -> None:
    assert queries.latest_unfinished_run(db, project_id) is None
    crashed = begin(recorder, 0)
    recorder.phase_started(crashed, "ANALYSIS", 1, 1, at(1))

    assert queries.mark_interrupted(db, crashed) is True
    assert queries.mark_interrupted(db, crashed) is False  # already marked
    unfinished = queries.latest_unfinished_run(db, project_id)
    assert unfinished is not None
    assert (unfinished.id, unfinished.status) == (crashed, RunStatus.INTERRUPTED)
    assert queries.get_run(db, crashed).phases[0].status is PhaseStatus.INTERRUPTED


def test_get_run_of_an_unknown_run_says_so(db: Database) -> None:
    with pytest.raises(StoreError, match="no workflow run 7"):
        queries.get_run(db, 7)


def test_runs_in_range_bounds_by_start_time(
    db: Database, project_id: int, recorder: SqlRunRecorder
) -> None:
    early, middle, late = (begin(recorder, offset) for offset in (0, 3600, 7200))
    for run_id, wave in ((early, 1), (middle, 1)):
        recorder.phase_started(run_id, "ANALYSIS", wave, 1, at(1))

    inside = queries.runs_in_range(db, project_id, since=at(3600), until=at(7200))
    assert [detail.run.id for detail in inside] == [middle]
    assert [p.phase for p in inside[0].phases] == ["ANALYSIS"]
    everything = queries.runs_in_range(db, project_id)
    assert [detail.run.id for detail in everything] == [early, middle, late]


def test_artifact_history_is_paginated_newest_first(
    db: Database, project_id: int, recorder: SqlRunRecorder
) -> None:
    run_id = begin(recorder, 0)
    for version in (1, 2, 3):
        content = f"v{version}"
        recorder.commit_phase(
            PhaseCompletion(
                run_id=run_id,
                phase="ANALYSIS",
                wave=1,
                attempt=1,
                started_at=at(version),
                finished_at=at(version + 1),
                duration_s=1.0,
                artifacts=(ArtifactDraft("analysis.md", content, "0" * 64, version),),
                provider="offline",
                model="",
                usage=TokenUsage(),
                cost_usd=0.0,
                cached=False,
            )
        )
    page = queries.artifact_versions(db, project_id, "analysis.md", limit=2)
    assert [(v.version, v.content) for v in page] == [(3, "v3"), (2, "v2")]
    older = queries.artifact_versions(db, project_id, "analysis.md", limit=2, offset=2)
    assert [v.version for v in older] == [1]


def test_records_serialise_to_json(db: Database, project_id: int, recorder: SqlRunRecorder) -> None:
    run_id = begin(recorder, 0)
    detail = queries.get_run(db, run_id)
    encoded = json.dumps(dataclasses.asdict(detail), default=str)
    assert json.loads(encoded)["run"]["status"] == "running"
