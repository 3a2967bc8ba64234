"""Read-side queries of the store, returning the frozen records of ``store.records``.

Each function is one short transaction on its own session; what it returns is detached from
the database and safe to hand to another thread or serialise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from spec_automation.core.copying import copy_fields
from spec_automation.core.ports import GateStatus, PhaseStatus, RunMode, RunStatus
from spec_automation.store.database import Database
from spec_automation.store.errors import StoreError
from spec_automation.store.models import (
    ApprovalGate,
    ArtifactVersion,
    ParallelExecutionRun,
    PhaseRun,
    Project,
    Snapshot,
    SnapshotItem,
    WorkflowRun,
)
from spec_automation.store.records import (
    ArtifactVersionRecord,
    GateRecord,
    PhaseRunRecord,
    ProjectRecord,
    RunDetail,
    RunRecord,
    SnapshotItemRecord,
    SnapshotRecord,
    WaveRunRecord,
)
from spec_automation.store.rows import rows_page

__all__ = [
    "UNFINISHED_STATUSES",
    "artifact_versions",
    "ensure_project",
    "find_project",
    "gates",
    "get_project",
    "get_run",
    "last_failures",
    "latest_unfinished_run",
    "list_runs",
    "mark_interrupted",
    "record_run_options",
    "runs_in_range",
    "snapshots",
    "wave_rows",
]

#: Run statuses that leave something to resume or retry.
UNFINISHED_STATUSES = (
    RunStatus.RUNNING,
    RunStatus.INTERRUPTED,
    RunStatus.CANCELLED,
    RunStatus.PARTIAL,
    RunStatus.FAILED,
)


def ensure_project(
    db: Database, name: str, root: Path | str, spec_name: str, *, now: datetime | None = None
) -> ProjectRecord:
    """The store's project, created from these values when the store has none yet.

    An existing project is returned as stored: its name and root are not overwritten.
    """
    with db.session() as session:
        row = session.scalar(select(Project).order_by(Project.id).limit(1))
        if row is None:
            row = Project(
                name=name,
                root_path=str(root),
                spec_name=spec_name,
                created_at=now or datetime.now(UTC),
            )
            session.add(row)
            session.flush()
        return _project(row)


def get_project(db: Database) -> ProjectRecord:
    """The store's project.

    Raises:
        StoreError: the store has no project yet.
    """
    record = find_project(db)
    if record is None:
        raise StoreError(f"{db.path} holds no project yet")
    return record


def find_project(db: Database) -> ProjectRecord | None:
    """The store's project, or None when it has none yet (an ``init`` that was stopped)."""
    with db.session() as session:
        row = session.scalar(select(Project).order_by(Project.id).limit(1))
        return None if row is None else _project(row)


def list_runs(db: Database, project_id: int, limit: int = 50, offset: int = 0) -> list[RunRecord]:
    """A page of the project's workflow runs, newest first."""
    with db.session() as session:
        newest = (WorkflowRun.started_at.desc(), WorkflowRun.id.desc())
        where = (WorkflowRun.project_id == project_id,)
        rows = rows_page(session, WorkflowRun, where, newest, limit, offset)
        return [_run(row) for row in rows]


def get_run(db: Database, run_id: int) -> RunDetail:
    """A run with its phase attempts and wave metrics.

    Raises:
        StoreError: there is no such run.
    """
    with db.session() as session:
        row = session.get(WorkflowRun, run_id)
        if row is None:
            raise StoreError(f"no workflow run {run_id} in this project")
        return _details(session, [row])[0]


def latest_unfinished_run(db: Database, project_id: int) -> RunRecord | None:
    """The newest run left running, interrupted, cancelled, partial or failed, if any."""
    with db.session() as session:
        row = session.scalar(
            select(WorkflowRun)
            .where(
                WorkflowRun.project_id == project_id,
                WorkflowRun.status.in_(UNFINISHED_STATUSES),
                # A regeneration's scoped run is never resumed as if it were the workflow.
                WorkflowRun.purpose == "workflow",
            )
            .order_by(WorkflowRun.started_at.desc(), WorkflowRun.id.desc())
            .limit(1)
        )
        return None if row is None else _run(row)


def last_failures(db: Database, project_id: int) -> dict[str, str]:
    """Phases whose last attempt (in any run) failed or was blocked, each with why."""
    newest = (
        select(func.max(PhaseRun.id))
        .join(WorkflowRun, WorkflowRun.id == PhaseRun.run_id)
        .where(WorkflowRun.project_id == project_id)
        .group_by(PhaseRun.phase)
        .scalar_subquery()
    )
    with db.session() as session:
        rows = session.execute(
            select(PhaseRun.phase, PhaseRun.status, PhaseRun.error, PhaseRun.blocked_by).where(
                PhaseRun.id.in_(newest),
                PhaseRun.status.in_((PhaseStatus.FAILED, PhaseStatus.BLOCKED)),
            )
        ).all()
    return {
        phase: (f"blocked by {blocked_by}" if status == PhaseStatus.BLOCKED else error)
        or str(status)
        for phase, status, error, blocked_by in rows
    }


def record_run_options(
    db: Database, run_id: int, provider: str, model: str, options: dict[str, object]
) -> None:
    """Record the provider, model and options a run goes on with (a resume that overrode
    some of them on purpose)."""
    with db.session() as session:
        session.execute(
            update(WorkflowRun)
            .where(WorkflowRun.id == run_id)
            .values(provider=provider, model=model, options=options)
        )


def running_run_ids(db: Database, project_id: int) -> list[int]:
    """The runs recorded as running (a workflow's or a regeneration's), oldest first."""
    with db.session() as session:
        return list(
            session.scalars(
                select(WorkflowRun.id)
                .where(
                    WorkflowRun.project_id == project_id,
                    WorkflowRun.status == RunStatus.RUNNING,
                )
                .order_by(WorkflowRun.id)
            )
        )


def mark_interrupted(db: Database, run_id: int) -> bool:
    """Mark a run that a dead process left ``running`` as interrupted, with its open phases.

    Returns whether the run was running (a run in any other state is left alone).
    """
    with db.session() as session:
        result = session.execute(
            update(WorkflowRun)
            .where(WorkflowRun.id == run_id, WorkflowRun.status == RunStatus.RUNNING)
            .values(status=RunStatus.INTERRUPTED.value)
        )
        changed = cast("CursorResult[Any]", result).rowcount
        if changed:
            session.execute(
                update(PhaseRun)
                .where(
                    PhaseRun.run_id == run_id,
                    PhaseRun.status.in_(
                        (PhaseStatus.PENDING, PhaseStatus.QUEUED, PhaseStatus.RUNNING)
                    ),
                )
                .values(status=PhaseStatus.INTERRUPTED.value)
            )
        return bool(changed)


def wave_rows(db: Database, run_id: int) -> list[WaveRunRecord]:
    """The recorded waves of a run, in wave order."""
    with db.session() as session:
        rows = session.scalars(
            select(ParallelExecutionRun)
            .where(ParallelExecutionRun.run_id == run_id)
            .order_by(ParallelExecutionRun.wave_number, ParallelExecutionRun.id)
        ).all()
        return [_wave(row) for row in rows]


def runs_in_range(
    db: Database,
    project_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    purpose: str | None = "workflow",
) -> list[RunDetail]:
    """Runs started in ``[since, until)`` (either end open when ``None``), oldest first.

    Only workflow runs by default (``purpose=None``: regenerations' scoped runs too). Phase
    and wave rows come in two queries for all runs together, not one per run.
    """
    query = select(WorkflowRun).where(WorkflowRun.project_id == project_id)
    if purpose is not None:
        query = query.where(WorkflowRun.purpose == purpose)
    if since is not None:
        query = query.where(WorkflowRun.started_at >= since)
    if until is not None:
        query = query.where(WorkflowRun.started_at < until)
    with db.session() as session:
        rows = session.scalars(query.order_by(WorkflowRun.started_at, WorkflowRun.id)).all()
        return _details(session, rows)


def artifact_versions(
    db: Database, project_id: int, artifact: str, limit: int = 50, offset: int = 0
) -> list[ArtifactVersionRecord]:
    """A page of an artifact's versions, newest first."""
    with db.session() as session:
        where = (ArtifactVersion.project_id == project_id, ArtifactVersion.artifact == artifact)
        newest = (ArtifactVersion.version.desc(),)
        rows = rows_page(session, ArtifactVersion, where, newest, limit, offset)
        return [_version(row) for row in rows]


def gates(db: Database, project_id: int) -> list[GateRecord]:
    """Every approval gate opened in the project, by name."""
    with db.session() as session:
        rows = session.scalars(
            select(ApprovalGate)
            .where(ApprovalGate.project_id == project_id)
            .order_by(ApprovalGate.gate)
        ).all()
        return [_gate(row) for row in rows]


def snapshots(
    db: Database, project_id: int, limit: int = 50, offset: int = 0
) -> list[SnapshotRecord]:
    """A page of the project's snapshots, newest first, each with its artifact versions."""
    with db.session() as session:
        newest = (Snapshot.created_at.desc(), Snapshot.id.desc())
        where = (Snapshot.project_id == project_id,)
        rows = rows_page(session, Snapshot, where, newest, limit, offset)
        items: dict[int, list[SnapshotItemRecord]] = defaultdict(list)
        if rows:
            item_rows = session.execute(
                select(
                    SnapshotItem.snapshot_id,
                    SnapshotItem.artifact,
                    SnapshotItem.artifact_version_id,
                    ArtifactVersion.version,
                    ArtifactVersion.content_hash,
                )
                .join(ArtifactVersion, ArtifactVersion.id == SnapshotItem.artifact_version_id)
                .where(SnapshotItem.snapshot_id.in_([row.id for row in rows]))
                .order_by(SnapshotItem.artifact)
            ).all()
            for snapshot_id, artifact, version_id, version, content_hash in item_rows:
                items[snapshot_id].append(
                    SnapshotItemRecord(artifact, version_id, version, content_hash)
                )
        return [
            SnapshotRecord(
                id=row.id,
                run_id=row.run_id,
                label=row.label,
                created_at=row.created_at,
                items=tuple(items[row.id]),
            )
            for row in rows
        ]


# --- row -> record ---------------------------------------------------------------------------


def _details(session: Session, runs: Sequence[WorkflowRun]) -> list[RunDetail]:
    if not runs:
        return []
    run_ids = [run.id for run in runs]
    phases: dict[int, list[PhaseRunRecord]] = defaultdict(list)
    for row in session.scalars(
        select(PhaseRun).where(PhaseRun.run_id.in_(run_ids)).order_by(PhaseRun.id)
    ):
        phases[row.run_id].append(_phase(row))
    waves: dict[int, list[WaveRunRecord]] = defaultdict(list)
    for wave in session.scalars(
        select(ParallelExecutionRun)
        .where(ParallelExecutionRun.run_id.in_(run_ids))
        .order_by(ParallelExecutionRun.wave_number, ParallelExecutionRun.id)
    ):
        waves[wave.run_id].append(_wave(wave))
    return [
        RunDetail(run=_run(run), phases=tuple(phases[run.id]), waves=tuple(waves[run.id]))
        for run in runs
    ]


def _project(row: Project) -> ProjectRecord:
    return copy_fields(ProjectRecord, row)


def _run(row: WorkflowRun) -> RunRecord:
    return copy_fields(
        RunRecord,
        row,
        mode=RunMode(row.mode),
        status=RunStatus(row.status),
        phases=tuple(row.phases),
        options=dict(row.options or {}),
    )


def _phase(row: PhaseRun) -> PhaseRunRecord:
    return copy_fields(
        PhaseRunRecord, row, status=PhaseStatus(row.status), warnings=tuple(row.warnings)
    )


def _wave(row: ParallelExecutionRun) -> WaveRunRecord:
    return copy_fields(
        WaveRunRecord,
        row,
        wave=row.wave_number,
        phases=tuple(row.phases),
        phases_completed=tuple(row.phases_completed),
        phases_failed={str(k): str(v) for k, v in row.phases_failed.items()},
    )


def _version(row: ArtifactVersion) -> ArtifactVersionRecord:
    return copy_fields(ArtifactVersionRecord, row)


def _gate(row: ApprovalGate) -> GateRecord:
    return copy_fields(
        GateRecord, row, status=GateStatus(row.status), artifact_hashes=dict(row.artifact_hashes)
    )

