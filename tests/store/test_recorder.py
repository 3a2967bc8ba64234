"""SqlRunRecorder: what a run leaves in the store and on disk, including crashes and gates."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from spec_automation.core.ports import (
    ArtifactDraft,
    GateStatus,
    PhaseCompletion,
    PhaseStatus,
    RunMode,
    RunStart,
    RunStatus,
    RunSummary,
    TokenUsage,
    WaveRecord,
)
from spec_automation.store import Database, SqlRunRecorder, StoreError, queries
from spec_automation.store.records import PhaseRunRecord

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def draft(name: str, body: str, version: int = 1) -> ArtifactDraft:
    content = f"---\nartifact: {name}\n---\n{body}\n"
    return ArtifactDraft(name, content, hashlib.sha256(content.encode()).hexdigest(), version)


def completion(
    run_id: int, phase: str, wave: int, start: float, end: float, *drafts: ArtifactDraft
) -> PhaseCompletion:
    return PhaseCompletion(
        run_id=run_id,
        phase=phase,
        wave=wave,
        attempt=1,
        started_at=at(start),
        finished_at=at(end),
        duration_s=end - start,
        artifacts=drafts,
        provider="offline",
        model="offline-1",
        usage=TokenUsage(100, 200, 10, 20),
        cost_usd=0.25,
        cached=False,
        warnings=("short section",),
    )


def start_run(recorder: SqlRunRecorder, phases: tuple[str, ...]) -> int:
    return recorder.begin_run(
        RunStart(
            mode=RunMode.PARALLEL,
            spec_name="default",
            phases=phases,
            concurrency=4,
            started_at=T0,
        )
    )


def phase_rows(db: Database, run_id: int) -> Mapping[str, PhaseRunRecord]:
    return {row.phase: row for row in queries.get_run(db, run_id).phases}


def test_a_full_run_is_recorded_and_its_files_written(
    db: Database, recorder: SqlRunRecorder, writer: object, tmp_path: Path
) -> None:
    phases = ("ANALYSIS", "STACK_SELECTION", "SPEC_DESIGN_TOKENS", "SPEC_PM")
    run_id = start_run(recorder, phases)

    recorder.phase_started(run_id, "ANALYSIS", 1, 1, at(0))
    committed = recorder.commit_phase(
        completion(run_id, "ANALYSIS", 1, 0, 3, draft("analysis.md", "# Analysis"))
    )
    recorder.record_wave(
        WaveRecord(run_id, 1, ("ANALYSIS",), at(0), at(3), 3.0, 3.0, 0.0, ("ANALYSIS",), {})
    )
    recorder.phase_started(run_id, "STACK_SELECTION", 2, 1, at(3))
    recorder.phase_started(run_id, "SPEC_DESIGN_TOKENS", 2, 1, at(3))
    recorder.commit_phase(
        completion(run_id, "SPEC_DESIGN_TOKENS", 2, 3, 5, draft("design-tokens.md", "# Tokens"))
    )
    recorder.phase_failed(run_id, "STACK_SELECTION", "provider timed out", at(6), 3.0)
    recorder.phase_blocked(run_id, "SPEC_PM", "STACK_SELECTION")
    recorder.record_wave(
        WaveRecord(
            run_id,
            2,
            ("STACK_SELECTION", "SPEC_DESIGN_TOKENS"),
            at(3),
            at(6),
            3.0,
            5.0,
            2.0,
            ("SPEC_DESIGN_TOKENS",),
            {"STACK_SELECTION": "provider timed out"},
        )
    )
    snapshot_id = recorder.snapshot(run_id, "after run", at(7))
    recorder.finish_run(
        RunSummary(
            run_id=run_id,
            status=RunStatus.PARTIAL,
            finished_at=at(7),
            wall_time_s=7.0,
            sequential_estimate_s=8.0,
            time_saved_s=1.0,
            phases_succeeded=("ANALYSIS", "SPEC_DESIGN_TOKENS"),
            phases_failed={"STACK_SELECTION": "provider timed out"},
            phases_blocked={"SPEC_PM": "STACK_SELECTION"},
            error="1 phase failed",
        )
    )

    assert [(c.name, c.version) for c in committed] == [("analysis.md", 1)]
    assert (tmp_path / "artifacts" / "analysis.md").read_text().endswith("# Analysis\n")
    assert (tmp_path / "artifacts" / "design-tokens.md").is_file()

    detail = queries.get_run(db, run_id)
    assert detail.run.status is RunStatus.PARTIAL
    assert detail.run.completed_at == at(7)
    assert (detail.run.wall_time_s, detail.run.sequential_estimate_s) == (7.0, 8.0)
    assert detail.run.error == "1 phase failed"
    rows = phase_rows(db, run_id)
    assert {phase: row.status for phase, row in rows.items()} == {
        "ANALYSIS": PhaseStatus.SUCCEEDED,
        "SPEC_DESIGN_TOKENS": PhaseStatus.SUCCEEDED,
        "STACK_SELECTION": PhaseStatus.FAILED,
        "SPEC_PM": PhaseStatus.BLOCKED,
    }
    analysis = rows["ANALYSIS"]
    assert (analysis.wave, analysis.duration_s, analysis.provider) == (1, 3.0, "offline")
    assert (analysis.input_tokens, analysis.output_tokens, analysis.cost_usd) == (100, 200, 0.25)
    assert analysis.warnings == ("short section",)
    assert analysis.completed_at == at(3)
    assert rows["STACK_SELECTION"].error == "provider timed out"
    assert rows["SPEC_PM"].blocked_by == "STACK_SELECTION"
    assert len(detail.phases) == 4  # each start was updated in place, not duplicated

    assert [(w.wave, w.time_saved_s) for w in detail.waves] == [(1, 0.0), (2, 2.0)]
    assert detail.waves[1].phases_failed == {"STACK_SELECTION": "provider timed out"}

    versions = queries.artifact_versions(db, detail.run.project_id, "analysis.md")
    assert [(v.version, v.changed_by, v.phase, v.workflow_run_id) for v in versions] == [
        (1, "system", "ANALYSIS", run_id)
    ]
    assert versions[0].phase_run_id == analysis.id

    (snap,) = queries.snapshots(db, detail.run.project_id)
    assert snap.id == snapshot_id
    assert {item.artifact: item.version for item in snap.items} == {
        "analysis.md": 1,
        "design-tokens.md": 1,
    }


def test_latest_artifacts_gives_the_newest_version_of_each(recorder: SqlRunRecorder) -> None:
    run_id = start_run(recorder, ("ANALYSIS",))
    recorder.commit_phase(completion(run_id, "ANALYSIS", 1, 0, 1, draft("analysis.md", "one")))
    recorder.commit_phase(
        completion(run_id, "ANALYSIS", 1, 1, 2, draft("analysis.md", "two", version=2))
    )

    latest = recorder.latest_artifacts()

    assert list(latest) == ["analysis.md"]
    assert latest["analysis.md"][0] == 2
    assert latest["analysis.md"][1].endswith("two\n")


def test_a_failed_file_write_records_nothing(
    db: Database, recorder: SqlRunRecorder, writer: object
) -> None:
    run_id = start_run(recorder, ("ANALYSIS",))
    recorder.phase_started(run_id, "ANALYSIS", 1, 1, at(0))
    writer.fail_with = OSError(28, "No space left on device")  # type: ignore[attr-defined]

    with pytest.raises(OSError, match="No space left"):
        recorder.commit_phase(completion(run_id, "ANALYSIS", 1, 0, 1, draft("analysis.md", "lost")))

    assert writer.calls == [("analysis.md",)]  # type: ignore[attr-defined]
    assert recorder.latest_artifacts() == {}
    project_id = queries.get_run(db, run_id).run.project_id
    assert queries.artifact_versions(db, project_id, "analysis.md") == []
    assert phase_rows(db, run_id)["ANALYSIS"].status is PhaseStatus.RUNNING


def test_a_commit_without_a_recorded_start_still_records_the_phase(
    db: Database, recorder: SqlRunRecorder
) -> None:
    run_id = start_run(recorder, ("ANALYSIS",))
    recorder.commit_phase(completion(run_id, "ANALYSIS", 1, 0, 2, draft("analysis.md", "x")))
    (row,) = queries.get_run(db, run_id).phases
    assert (row.phase, row.status, row.started_at, row.duration_s) == (
        "ANALYSIS",
        PhaseStatus.SUCCEEDED,
        at(0),
        2.0,
    )


def test_a_cancelled_phase_records_how_long_it_ran(db: Database, recorder: SqlRunRecorder) -> None:
    run_id = start_run(recorder, ("ANALYSIS",))
    recorder.phase_started(run_id, "ANALYSIS", 1, 1, at(0))
    recorder.phase_cancelled(run_id, "ANALYSIS", at(4))
    row = phase_rows(db, run_id)["ANALYSIS"]
    assert (row.status, row.completed_at, row.duration_s) == (PhaseStatus.CANCELLED, at(4), 4.0)


def test_resuming_after_a_crash(db: Database, recorder: SqlRunRecorder, writer: object) -> None:
    run_id = start_run(recorder, ("ANALYSIS", "STACK_SELECTION", "SPEC_PM"))
    recorder.phase_started(run_id, "ANALYSIS", 1, 1, at(0))
    recorder.commit_phase(completion(run_id, "ANALYSIS", 1, 0, 3, draft("analysis.md", "a")))
    recorder.phase_started(run_id, "STACK_SELECTION", 2, 1, at(3))
    # The process dies here; a new one opens the store with a fresh recorder.
    project_id = queries.get_run(db, run_id).run.project_id
    fresh = SqlRunRecorder(db, project_id, writer)  # type: ignore[arg-type]
    assert queries.latest_unfinished_run(db, project_id).id == run_id  # type: ignore[union-attr]

    state = fresh.resume_run(run_id, at(100))

    assert state.run_id == run_id
    assert state.mode is RunMode.PARALLEL
    assert state.succeeded == frozenset({"ANALYSIS"})
    assert state.sequential_estimate_s == 3.0
    assert state.wall_time_s == 3.0  # the crashed segment, up to its last recorded activity
    detail = queries.get_run(db, run_id)
    assert detail.run.status is RunStatus.RUNNING
    assert detail.run.segments == 2
    assert phase_rows(db, run_id)["STACK_SELECTION"].status is PhaseStatus.INTERRUPTED

    fresh.phase_started(run_id, "STACK_SELECTION", 2, 1, at(100))
    fresh.commit_phase(completion(run_id, "STACK_SELECTION", 2, 100, 102, draft("stack.md", "s")))
    statuses = [(p.phase, p.status) for p in queries.get_run(db, run_id).phases]
    assert statuses == [
        ("ANALYSIS", PhaseStatus.SUCCEEDED),
        ("STACK_SELECTION", PhaseStatus.INTERRUPTED),
        ("STACK_SELECTION", PhaseStatus.SUCCEEDED),
    ]


def test_resuming_a_finished_partial_run_keeps_its_recorded_wall_time(
    recorder: SqlRunRecorder,
) -> None:
    run_id = start_run(recorder, ("ANALYSIS",))
    recorder.phase_failed(run_id, "ANALYSIS", "boom", at(2), 2.0)
    recorder.finish_run(
        RunSummary(run_id, RunStatus.FAILED, at(2), 2.5, 2.0, -0.5, (), {"ANALYSIS": "boom"}, {})
    )
    state = recorder.resume_run(run_id, at(50))
    assert (state.succeeded, state.wall_time_s, state.sequential_estimate_s) == (
        frozenset(),
        2.5,
        0.0,
    )


def test_resuming_an_unknown_or_completed_run_is_refused(recorder: SqlRunRecorder) -> None:
    with pytest.raises(StoreError, match="no workflow run 404"):
        recorder.resume_run(404, at(0))
    run_id = start_run(recorder, ("ANALYSIS",))
    recorder.finish_run(RunSummary(run_id, RunStatus.COMPLETED, at(1), 1.0, 1.0, 0.0, (), {}, {}))
    with pytest.raises(StoreError, match="nothing to resume"):
        recorder.resume_run(run_id, at(2))


def test_an_approved_gate_stays_approved_for_the_same_artifacts(
    db: Database, recorder: SqlRunRecorder
) -> None:
    run_id = start_run(recorder, ("SPEC_ARCHITECT",))
    hashes = {"architecture.md": "a" * 64, "api-spec.md": "b" * 64}

    opened = recorder.open_gate(run_id, "architecture_approved", "SPEC_ARCHITECT", hashes)
    assert opened.status is GateStatus.PENDING
    decided = recorder.decide_gate("architecture_approved", True, "ana", "looks right", at(9))
    assert (decided.status, decided.decided_by, decided.note) == (
        GateStatus.APPROVED,
        "ana",
        "looks right",
    )

    again = recorder.open_gate(run_id, "architecture_approved", "SPEC_ARCHITECT", dict(hashes))
    assert again.status is GateStatus.APPROVED
    assert recorder.gate_state("architecture_approved").decided_by == "ana"

    changed = {**hashes, "api-spec.md": "c" * 64}
    reopened = recorder.open_gate(run_id, "architecture_approved", "SPEC_ARCHITECT", changed)
    assert reopened.status is GateStatus.PENDING
    assert reopened.decided_by == ""
    (gate,) = queries.gates(db, queries.get_run(db, run_id).run.project_id)
    assert gate.artifact_hashes == changed
    assert gate.decided_at is None


def test_a_rejected_gate_is_reopened_even_for_the_same_artifacts(recorder: SqlRunRecorder) -> None:
    run_id = start_run(recorder, ("SPEC_ARCHITECT",))
    hashes = {"architecture.md": "a" * 64}
    recorder.open_gate(run_id, "architecture_approved", "SPEC_ARCHITECT", hashes)
    recorder.decide_gate("architecture_approved", False, "ana", "missing auth", at(5))
    assert recorder.gate_state("architecture_approved").status is GateStatus.REJECTED
    state = recorder.open_gate(run_id, "architecture_approved", "SPEC_ARCHITECT", hashes)
    assert state.status is GateStatus.PENDING


def test_an_unknown_gate_is_named_in_the_error(recorder: SqlRunRecorder) -> None:
    with pytest.raises(StoreError, match="no approval gate named ship_it has been opened"):
        recorder.gate_state("ship_it")
    with pytest.raises(StoreError, match="ship_it"):
        recorder.decide_gate("ship_it", True, "ana", "", at(0))
