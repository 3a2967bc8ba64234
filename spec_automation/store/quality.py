"""Quality gate runs: recording one with every gate's result and findings, and reading them.

``QualityStore.record`` writes a run, its gates and their findings in one transaction; the
readers hand back :class:`QualityRunRecord` values holding the core's ``GateResult`` and
``Finding`` (a listing leaves the findings out and keeps their number).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from spec_automation.core.quality import Finding, GateResult, QualityRun
from spec_automation.store.database import Database
from spec_automation.store.models import (
    QualityFinding,
    QualityGateResult,
    QualityGateRun,
    WorkflowRun,
)
from spec_automation.store.rows import owned_row, page_of

__all__ = ["QualityRunRecord", "QualityStore"]


@dataclass(frozen=True, slots=True)
class QualityRunRecord:
    """One recorded quality run. ``finding_counts`` is each gate's number of findings (the
    findings themselves are in ``gates`` only when the run was read in full)."""

    id: int
    run_id: int | None
    round: int
    phase: str
    code_dir: str
    status: str
    started_at: datetime
    finished_at: datetime
    wall_s: float
    gates: tuple[GateResult, ...]
    finding_counts: tuple[int, ...]


class QualityStore:
    """The quality runs of one project."""

    def __init__(self, db: Database, project_id: int) -> None:
        self._db = db
        self._project_id = project_id

    def record(
        self,
        run: QualityRun,
        *,
        code_dir: str,
        run_id: int | None = None,
        round: int = 1,
        phase: str = "",
    ) -> int:
        """Record ``run`` with its gates and findings; its id. ``StoreError`` when ``run_id``
        names no workflow run of the project."""
        with self._db.session() as session:
            if run_id is not None:
                owned_row(session, WorkflowRun, run_id, self._project_id, "workflow run")
            row = QualityGateRun(
                project_id=self._project_id,
                run_id=run_id,
                round=round,
                phase=phase,
                code_dir=code_dir,
                status=run.status,
                started_at=run.started_at,
                finished_at=run.started_at + timedelta(seconds=run.wall_s),
                wall_s=run.wall_s,
            )
            session.add(row)
            session.flush()
            for position, result in enumerate(run.results):
                gate = QualityGateResult(
                    quality_run_id=row.id,
                    position=position,
                    name=result.name,
                    status=result.status,
                    command=list(result.command),
                    parser=result.parser,
                    duration_s=result.duration_s,
                    counts=dict(result.counts),
                    message=result.message,
                    finding_count=len(result.findings),
                )
                session.add(gate)
                session.flush()
                session.add_all(
                    QualityFinding(
                        gate_result_id=gate.id,
                        file=f.file,
                        line=f.line,
                        column=f.column,
                        rule=f.rule,
                        message=f.message,
                        severity=f.severity,
                    )
                    for f in result.findings
                )
            return row.id

    def check_workflow_run(self, run_id: int) -> None:
        """``StoreError`` unless ``run_id`` is a workflow run of the project."""
        with self._db.session() as session:
            owned_row(session, WorkflowRun, run_id, self._project_id, "workflow run")

    def runs(self, limit: int = 50, offset: int = 0) -> tuple[list[QualityRunRecord], int]:
        """A page of the project's quality runs, newest first (without their findings), and
        how many there are."""
        with self._db.session() as session:
            rows, total = page_of(
                session,
                select(QualityGateRun),
                [QualityGateRun.project_id == self._project_id],
                [QualityGateRun.started_at.desc(), QualityGateRun.id.desc()],
                limit,
                offset,
                lambda row: row,
            )
            return [_record(session, row, findings=False) for row in rows], total

    def run(self, quality_run_id: int) -> QualityRunRecord:
        """One quality run in full (``StoreError`` when the project has none by that id)."""
        with self._db.session() as session:
            row = owned_row(
                session, QualityGateRun, quality_run_id, self._project_id, "quality run"
            )
            return _record(session, row, findings=True)

    def gate_time(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> tuple[float, int]:
        """The summed wall time of the quality runs started in the range, and their number."""
        where = [QualityGateRun.project_id == self._project_id]
        if since is not None:
            where.append(QualityGateRun.started_at >= since)
        if until is not None:
            where.append(QualityGateRun.started_at < until)
        with self._db.session() as session:
            total, count = session.execute(
                select(func.coalesce(func.sum(QualityGateRun.wall_s), 0.0), func.count()).where(
                    *where
                )
            ).one()
        return float(total), int(count)

    def gate_time_by_run(self, run_ids: Sequence[int]) -> dict[int, float]:
        """The summed wall time of the quality runs of each workflow run in ``run_ids``."""
        if not run_ids:
            return {}
        with self._db.session() as session:
            rows = session.execute(
                select(QualityGateRun.run_id, func.sum(QualityGateRun.wall_s))
                .where(
                    QualityGateRun.project_id == self._project_id,
                    QualityGateRun.run_id.in_(list(run_ids)),
                )
                .group_by(QualityGateRun.run_id)
            ).all()
        return {int(run_id): float(total) for run_id, total in rows if run_id is not None}


def _record(session: Session, row: QualityGateRun, *, findings: bool) -> QualityRunRecord:
    gates = session.scalars(
        select(QualityGateResult)
        .where(QualityGateResult.quality_run_id == row.id)
        .order_by(QualityGateResult.position)
    ).all()
    found: dict[int, list[Finding]] = {gate.id: [] for gate in gates}
    names = {gate.id: gate.name for gate in gates}
    if findings and gates:
        for finding in session.scalars(
            select(QualityFinding)
            .where(QualityFinding.gate_result_id.in_(list(found)))
            .order_by(QualityFinding.id)
        ):
            found[finding.gate_result_id].append(
                Finding(
                    gate=names[finding.gate_result_id],
                    file=finding.file,
                    line=finding.line,
                    column=finding.column,
                    rule=finding.rule,
                    message=finding.message,
                    severity=finding.severity,
                )
            )
    return QualityRunRecord(
        id=row.id,
        run_id=row.run_id,
        round=row.round,
        phase=row.phase,
        code_dir=row.code_dir,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        wall_s=row.wall_s,
        gates=tuple(
            GateResult(
                name=gate.name,
                status=gate.status,
                duration_s=gate.duration_s,
                findings=tuple(found[gate.id]),
                counts={str(k): int(v) for k, v in gate.counts.items()},
                message=gate.message,
                command=tuple(str(word) for word in gate.command),
                parser=gate.parser,
            )
            for gate in gates
        ),
        finding_counts=tuple(gate.finding_count for gate in gates),
    )
