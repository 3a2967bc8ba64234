"""``SqlRunRecorder``: the engine's ``RunRecorder`` on the SQLite store.

Every method is one transaction. ``commit_phase`` is on the engine's hot path, so it issues
only the statements it needs: one UPDATE of the phase attempt (whose row id is remembered
from ``phase_started``), one multi-row INSERT of artifact versions, the file write, COMMIT.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from spec_automation.core.changes import ChangedBy, ChangeDetector
from spec_automation.core.copying import copy_fields, field_values
from spec_automation.core.ports import (
    ArtifactDraft,
    Clock,
    CommittedArtifact,
    GateState,
    GateStatus,
    PhaseCompletion,
    PhaseError,
    PhaseStatus,
    ResumeState,
    RunMode,
    RunStart,
    RunStatus,
    RunSummary,
    SystemClock,
    TokenUsage,
    WaveRecord,
)
from spec_automation.store.database import Database
from spec_automation.store.errors import StoreError
from spec_automation.store.history import ArtifactHistory
from spec_automation.store.models import (
    ApprovalGate,
    ArtifactVersion,
    ParallelExecutionRun,
    PhaseRun,
    Snapshot,
    SnapshotItem,
    WorkflowRun,
)
from spec_automation.store.rows import artifacts_only, latest_versions

__all__ = ["SqlRunRecorder"]

#: Writes a phase's artifact files atomically; raising aborts the phase's commit.
WriteFiles = Callable[[Sequence[ArtifactDraft]], None]

# Phase attempts that have not reached an end state yet.
_OPEN_STATUSES = (PhaseStatus.PENDING, PhaseStatus.QUEUED, PhaseStatus.RUNNING)
# Runs that may be resumed.
_RESUMABLE = (
    RunStatus.RUNNING,
    RunStatus.INTERRUPTED,
    RunStatus.CANCELLED,
    RunStatus.PARTIAL,
    RunStatus.FAILED,
)


class SqlRunRecorder:
    """Records a project's workflow runs for the engine (implements ``core.ports.RunRecorder``).

    Called from one worker thread, in order. ``write_files`` writes artifact files atomically;
    it runs inside ``commit_phase``'s transaction, after the rows are flushed and before the
    commit, so the files and the store agree whichever of the two fails.
    """

    def __init__(
        self,
        db: Database,
        project_id: int,
        write_files: WriteFiles,
        *,
        clock: Clock | None = None,
        regeneration: tuple[int, str] | None = None,
    ) -> None:
        """``regeneration`` is (regeneration run id, reason) when the run is a regeneration:
        every version it stores carries them, with a change row saying what changed."""
        self._db = db
        self._project_id = project_id
        self._write_files = write_files
        self._clock = clock or SystemClock()
        self._regeneration = regeneration
        # (run_id, phase) -> id of its open phase_runs row, so commits need no lookup.
        self._open_attempts: dict[tuple[int, str], int] = {}

    # --- runs --------------------------------------------------------------------------

    def begin_run(self, start: RunStart) -> int:
        """Record a new run (status running) and return its id."""
        run = WorkflowRun(
            project_id=self._project_id,
            mode=start.mode.value,
            status=RunStatus.RUNNING.value,
            spec_name=start.spec_name,
            concurrency=start.concurrency,
            phases=list(start.phases),
            started_at=start.started_at,
            segment_started_at=start.started_at,
            wall_time_s=0.0,
            sequential_estimate_s=0.0,
            time_saved_s=0.0,
            error="",
            segments=1,
            purpose=start.purpose,
            provider=start.provider,
            model=start.model,
            options=dict(start.options),
        )
        with self._db.session() as session:
            session.add(run)
            session.flush()
            return run.id

    def resume_run(self, run_id: int, started_at: datetime) -> ResumeState:
        """Mark an unfinished run running again and say what it already did.

        Phase attempts a crash left running become interrupted. The wall time of a segment
        that crashed (so never reached ``finish_run``) is counted up to its last recorded
        phase activity.

        Raises:
            StoreError: no such run in this project, or it already completed.
        """
        with self._db.session() as session:
            run = session.get(WorkflowRun, run_id)
            if run is None or run.project_id != self._project_id:
                raise StoreError(f"no workflow run {run_id} in this project")
            if run.status not in _RESUMABLE:
                raise StoreError(f"workflow run {run_id} has {run.status}; nothing to resume")
            wall_time_s = run.wall_time_s
            if run.status in (RunStatus.RUNNING, RunStatus.INTERRUPTED):
                wall_time_s += _crashed_segment_s(session, run)
            session.execute(
                update(PhaseRun)
                .where(PhaseRun.run_id == run_id, PhaseRun.status.in_(_OPEN_STATUSES))
                .values(status=PhaseStatus.INTERRUPTED.value)
            )
            done = session.execute(
                select(PhaseRun.phase, PhaseRun.duration_s).where(
                    PhaseRun.run_id == run_id, PhaseRun.status == PhaseStatus.SUCCEEDED
                )
            ).all()
            run.status = RunStatus.RUNNING.value
            run.segments += 1
            run.segment_started_at = started_at
            run.completed_at = None
            run.wall_time_s = wall_time_s
            mode = RunMode(run.mode)
            person_wait_s = run.person_wait_s
        self._open_attempts = {
            key: row for key, row in self._open_attempts.items() if key[0] != run_id
        }
        return ResumeState(
            run_id=run_id,
            mode=mode,
            succeeded=frozenset(phase for phase, _ in done),
            wall_time_s=wall_time_s,
            sequential_estimate_s=sum(duration for _, duration in done),
            person_wait_s=person_wait_s,
        )

    def finish_run(self, summary: RunSummary) -> None:
        """Record how the run ended; ``summary.wall_time_s`` is the total over all segments."""
        with self._db.session() as session:
            session.execute(
                update(WorkflowRun)
                .where(WorkflowRun.id == summary.run_id)
                .values(
                    status=summary.status.value,
                    completed_at=summary.finished_at,
                    wall_time_s=summary.wall_time_s,
                    sequential_estimate_s=summary.sequential_estimate_s,
                    time_saved_s=summary.time_saved_s,
                    error=summary.error,
                    person_wait_s=summary.person_wait_s,
                )
            )
            for gate, waited in summary.gate_waits.items():
                session.execute(
                    update(ApprovalGate)
                    .where(ApprovalGate.project_id == self._project_id, ApprovalGate.gate == gate)
                    .values(waited_s=waited)
                )

    # --- artifacts -----------------------------------------------------------------------

    def latest_artifacts(self) -> dict[str, tuple[int, str]]:
        """Latest stored version of every artifact: name -> (version, content)."""
        with self._db.session() as session:
            rows = session.execute(
                select(
                    ArtifactVersion.artifact, ArtifactVersion.version, ArtifactVersion.content
                ).where(ArtifactVersion.id.in_(latest_versions(self._project_id)))
            ).all()
        return {artifact: (version, content) for artifact, version, content in rows}

    # --- phases --------------------------------------------------------------------------

    def phase_started(
        self, run_id: int, phase: str, wave: int, attempt: int, started_at: datetime
    ) -> None:
        """Record that a phase attempt started (status running)."""
        with self._db.session() as session:
            attempt_id = session.execute(
                insert(PhaseRun)
                .values(
                    run_id=run_id,
                    phase=phase,
                    wave=wave,
                    attempt=attempt,
                    status=PhaseStatus.RUNNING.value,
                    started_at=started_at,
                )
                .returning(PhaseRun.id)
            ).scalar_one()
        self._open_attempts[(run_id, phase)] = attempt_id

    def commit_phase(self, completion: PhaseCompletion) -> tuple[CommittedArtifact, ...]:
        """Write the artifact files and record the phase's success, in one transaction.

        If ``write_files`` raises, nothing is recorded and the exception propagates.
        """
        c = completion
        values: dict[str, Any] = {
            "wave": c.wave,
            "attempt": c.attempt,
            "status": PhaseStatus.SUCCEEDED.value,
            "started_at": c.started_at,
            "completed_at": c.finished_at,
            "duration_s": c.duration_s,
            "provider": c.provider,
            "model": c.model,
            "input_tokens": c.usage.input_tokens,
            "output_tokens": c.usage.output_tokens,
            "cache_write_tokens": c.usage.cache_write_tokens,
            "cache_read_tokens": c.usage.cache_read_tokens,
            "cost_usd": c.cost_usd,
            "cached": c.cached,
            "warnings": list(c.warnings),
        }
        with self._db.session() as session:
            self._refuse_overtaken(session, c)
            attempt_id = self._close_attempt(session, c.run_id, c.phase, values)
            if c.artifacts and self._regeneration is not None:
                self._insert_regenerated(session, c, attempt_id)
            elif c.artifacts:
                session.execute(
                    insert(ArtifactVersion),
                    [
                        {
                            "project_id": self._project_id,
                            "artifact": draft.name,
                            "version": draft.version,
                            "content": draft.content,
                            "content_hash": draft.content_hash,
                            "changed_by": "system",
                            "phase": c.phase,
                            "phase_run_id": attempt_id,
                            "workflow_run_id": c.run_id,
                            "created_at": c.finished_at,
                            "made_from": dict(c.made_from),
                        }
                        for draft in c.artifacts
                    ],
                )
            if c.confirmed:
                # Written again exactly as they are: the current versions were made from this.
                session.execute(
                    update(ArtifactVersion)
                    .where(
                        ArtifactVersion.id.in_(latest_versions(self._project_id)),
                        ArtifactVersion.artifact.in_(c.confirmed),
                    )
                    .values(made_from=dict(c.made_from))
                )
            # Last step before COMMIT: a failed write rolls the rows back, and a failed
            # commit after a successful write is what the file-vs-store check on open catches.
            self._write_files(c.artifacts)
        return tuple(
            CommittedArtifact(name=d.name, version=d.version, content_hash=d.content_hash)
            for d in c.artifacts
        )

    def _refuse_overtaken(self, session: Session, completion: PhaseCompletion) -> None:
        """Raise ``PhaseError`` when an artifact the phase wrote got a newer version while it
        ran (the user saved or scanned an edit): that version is kept, nothing is stored."""
        names = [d.name for d in completion.artifacts]
        if not names:
            return
        newest = dict(
            session.execute(
                select(ArtifactVersion.artifact, func.max(ArtifactVersion.version))
                .where(
                    ArtifactVersion.project_id == self._project_id,
                    ArtifactVersion.artifact.in_(names),
                )
                .group_by(ArtifactVersion.artifact)
            ).all()
        )
        overtaken = [d.name for d in completion.artifacts if newest.get(d.name, 0) >= d.version]
        if overtaken:
            raise PhaseError(
                f"{', '.join(overtaken)} changed while {completion.phase} was writing it (an "
                "edit was saved during the run); your version is kept and nothing of this "
                "phase was stored: run again to decide about it"
            )

    def _insert_regenerated(
        self, session: Session, completion: PhaseCompletion, attempt_id: int
    ) -> None:
        """Store a regeneration's versions, each with a change row against the one before."""
        assert self._regeneration is not None
        regeneration_run_id, reason = self._regeneration
        history = ArtifactHistory(self._db, self._project_id, clock=self._clock)
        detector = ChangeDetector(clock=self._clock)
        for draft in completion.artifacts:
            previous = history.latest_row(session, draft.name)
            version_id = history.add_version(
                session,
                artifact=draft.name,
                version=draft.version,
                content=draft.content,
                content_hash=draft.content_hash,
                changed_by="system",
                phase=completion.phase,
                phase_run_id=attempt_id,
                workflow_run_id=completion.run_id,
                created_at=completion.finished_at,
                regeneration_reason=reason,
                regeneration_run_id=regeneration_run_id,
                made_from=dict(completion.made_from),
            )
            change = detector.detect(
                previous.content if previous else None, draft.content, changed_by=ChangedBy.SYSTEM
            )
            if change is not None:
                history.record_change(
                    session, draft.name, change, previous.id if previous else None, version_id
                )

    def phase_failed(
        self,
        run_id: int,
        phase: str,
        error: str,
        finished_at: datetime,
        duration_s: float,
        usage: TokenUsage | None = None,
        cost_usd: float = 0.0,
    ) -> None:
        """Record a phase failure with its error, and what its calls were billed."""
        usage = usage or TokenUsage()
        with self._db.session() as session:
            self._close_attempt(
                session,
                run_id,
                phase,
                {
                    "status": PhaseStatus.FAILED.value,
                    "error": error,
                    "completed_at": finished_at,
                    "duration_s": duration_s,
                    "input_tokens": usage.input_tokens,
                    "output_tokens": usage.output_tokens,
                    "cache_write_tokens": usage.cache_write_tokens,
                    "cache_read_tokens": usage.cache_read_tokens,
                    "cost_usd": cost_usd,
                },
                started_at=finished_at - timedelta(seconds=duration_s),
            )

    def phase_blocked(self, run_id: int, phase: str, blocked_by: str) -> None:
        """Record that a phase will not run because ``blocked_by`` failed or was rejected."""
        with self._db.session() as session:
            self._close_attempt(
                session,
                run_id,
                phase,
                {"status": PhaseStatus.BLOCKED.value, "blocked_by": blocked_by},
                started_at=None,
            )

    def phase_cancelled(self, run_id: int, phase: str, finished_at: datetime) -> None:
        """Record that a running phase was cancelled."""
        with self._db.session() as session:
            attempt_id = self._close_attempt(
                session,
                run_id,
                phase,
                {"status": PhaseStatus.CANCELLED.value, "completed_at": finished_at},
                started_at=None,
            )
            started_at = session.scalar(
                select(PhaseRun.started_at).where(PhaseRun.id == attempt_id)
            )
            if started_at is not None:
                duration_s = max(0.0, (finished_at - started_at).total_seconds())
                session.execute(
                    update(PhaseRun).where(PhaseRun.id == attempt_id).values(duration_s=duration_s)
                )

    # --- waves and snapshots -------------------------------------------------------------

    def record_wave(self, record: WaveRecord) -> None:
        """Record a wave's metrics (one ``parallel_execution_runs`` row)."""
        with self._db.session() as session:
            values = field_values(record)
            values.update(
                wave_number=values.pop("wave"),
                phases=list(record.phases),
                phases_completed=list(record.phases_completed),
                phases_failed=dict(record.phases_failed),
            )
            session.execute(insert(ParallelExecutionRun).values(**values))

    def snapshot(self, run_id: int, label: str, taken_at: datetime) -> int:
        """Snapshot the latest version of every artifact; return the snapshot id."""
        with self._db.session() as session:
            snapshot_id = session.execute(
                insert(Snapshot)
                .values(
                    project_id=self._project_id, run_id=run_id, label=label, created_at=taken_at
                )
                .returning(Snapshot.id)
            ).scalar_one()
            latest = select(ArtifactVersion.artifact, ArtifactVersion.id).where(
                ArtifactVersion.id.in_(latest_versions(self._project_id)), artifacts_only()
            )
            items = [
                {"snapshot_id": snapshot_id, "artifact": name, "artifact_version_id": version_id}
                for name, version_id in session.execute(latest)
            ]
            if items:
                session.execute(insert(SnapshotItem), items)
        return snapshot_id

    # --- approval gates ------------------------------------------------------------------

    def open_gate(
        self, run_id: int, gate: str, phase: str, artifact_hashes: Mapping[str, str]
    ) -> GateState:
        """Open ``gate`` for review of the given artifact versions.

        A gate already approved for exactly these artifact hashes stays approved; otherwise
        it becomes pending again, for this run and these hashes.
        """
        hashes = dict(artifact_hashes)
        with self._db.session() as session:
            row = self._gate_row(session, gate)
            if row is None:
                row = ApprovalGate(project_id=self._project_id, gate=gate)
                session.add(row)
            elif row.status == GateStatus.APPROVED and row.artifact_hashes == hashes:
                return _gate_state(row)
            row.phase = phase
            row.run_id = run_id
            row.status = GateStatus.PENDING.value
            row.artifact_hashes = hashes
            row.opened_at = self._clock.now()
            row.decided_at = None
            row.decided_by = ""
            row.note = ""
            session.flush()
            return _gate_state(row)

    def gate_state(self, gate: str) -> GateState:
        """Current state of a gate.

        Raises:
            StoreError: the gate has never been opened in this project.
        """
        with self._db.session() as session:
            return _gate_state(self._existing_gate(session, gate))

    def decide_gate(
        self, gate: str, approved: bool, decided_by: str, note: str, decided_at: datetime
    ) -> GateState:
        """Approve or reject a gate.

        Raises:
            StoreError: the gate has never been opened in this project.
        """
        with self._db.session() as session:
            row = self._existing_gate(session, gate)
            row.status = (GateStatus.APPROVED if approved else GateStatus.REJECTED).value
            row.decided_by = decided_by
            row.note = note
            row.decided_at = decided_at
            session.flush()
            return _gate_state(row)

    # --- internals -----------------------------------------------------------------------

    def _close_attempt(
        self,
        session: Session,
        run_id: int,
        phase: str,
        values: dict[str, Any],
        *,
        started_at: datetime | None = None,
    ) -> int:
        """Update the phase's open attempt with ``values``, inserting one if there is none."""
        attempt_id = self._open_attempts.pop((run_id, phase), None)
        if attempt_id is None:
            attempt_id = session.scalar(
                select(PhaseRun.id)
                .where(
                    PhaseRun.run_id == run_id,
                    PhaseRun.phase == phase,
                    PhaseRun.status.in_(_OPEN_STATUSES),
                )
                .order_by(PhaseRun.id.desc())
                .limit(1)
            )
        if attempt_id is None:
            # An engine (or a test fake) that never reported the start: record it anyway.
            row = {"run_id": run_id, "phase": phase, "started_at": started_at, **values}
            return session.execute(insert(PhaseRun).values(row).returning(PhaseRun.id)).scalar_one()
        session.execute(update(PhaseRun).where(PhaseRun.id == attempt_id).values(values))
        return attempt_id

    def _gate_row(self, session: Session, gate: str) -> ApprovalGate | None:
        return session.scalar(
            select(ApprovalGate).where(
                ApprovalGate.project_id == self._project_id, ApprovalGate.gate == gate
            )
        )

    def _existing_gate(self, session: Session, gate: str) -> ApprovalGate:
        row = self._gate_row(session, gate)
        if row is None:
            raise StoreError(f"no approval gate named {gate} has been opened in this project")
        return row


def _gate_state(row: ApprovalGate) -> GateState:
    return copy_fields(GateState, row, status=GateStatus(row.status))


def _crashed_segment_s(session: Session, run: WorkflowRun) -> float:
    """Wall time of a segment that died: from its start to its last recorded activity."""
    last = session.execute(
        select(func.max(PhaseRun.completed_at), func.max(PhaseRun.started_at)).where(
            PhaseRun.run_id == run.id, PhaseRun.started_at >= run.segment_started_at
        )
    ).one()
    moments: list[datetime] = [moment for moment in last if moment is not None]
    if not moments:
        return 0.0
    elapsed: timedelta = max(moments) - run.segment_started_at
    return max(0.0, elapsed.total_seconds())
