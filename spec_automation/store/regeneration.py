"""Regeneration runs, snapshots and rollback in the store.

A regeneration run row is written when the run starts (so a crash leaves a trace) and
completed when it ends. A rollback restores a snapshot's artifact versions as new versions
(reason ``rollback``) and writes their files in the same transaction; if a file cannot be
written, the files already rewritten are put back and nothing is recorded.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, select, update

from spec_automation.core.changes import ChangedBy, ChangeDetector
from spec_automation.core.copying import copy_fields
from spec_automation.core.ports import Clock, PhaseStatus, SystemClock
from spec_automation.store.database import Database
from spec_automation.store.history import ROLLBACK_REASON, ArtifactHistory
from spec_automation.store.models import (
    ArtifactVersion,
    PhaseRun,
    RegenerationRun,
    Snapshot,
    SnapshotItem,
)
from spec_automation.store.records import RegenerationRunRecord
from spec_automation.store.rows import artifacts_only, latest_versions, owned_row, page_of

__all__ = ["RegenerationStore"]

#: How many recent successful attempts of a phase its measured duration is the median of.
_MEASURED_ATTEMPTS = 10


class RegenerationStore:
    """Regeneration runs, measured phase durations, snapshots and rollback of one project."""

    def __init__(self, db: Database, project_id: int, *, clock: Clock | None = None) -> None:
        self._db = db
        self._project_id = project_id
        self._clock = clock or SystemClock()

    # --- runs ------------------------------------------------------------------------------

    def begin(
        self,
        *,
        trigger_artifact: str,
        trigger_change_id: int | None,
        strategy: str,
        impact_analysis: Mapping[str, Any],
        artifacts_to_regenerate: Sequence[str],
        started_at: datetime,
    ) -> int:
        """Record a regeneration that is starting; return its id."""
        with self._db.session() as session:
            return session.execute(
                insert(RegenerationRun)
                .values(
                    project_id=self._project_id,
                    trigger_artifact=trigger_artifact,
                    trigger_change_id=trigger_change_id,
                    strategy=strategy,
                    status="running",
                    impact_analysis=dict(impact_analysis),
                    artifacts_to_regenerate=list(artifacts_to_regenerate),
                    artifacts_regenerated=[],
                    artifacts_unchanged=[],
                    failures={},
                    started_at=started_at,
                    duration_s=0.0,
                    error="",
                    git_commit="",
                )
                .returning(RegenerationRun.id)
            ).scalar_one()

    def running(self) -> list[int]:
        """Regenerations recorded as running (in another process, or left by a dead one)."""
        with self._db.session() as session:
            return list(
                session.scalars(
                    select(RegenerationRun.id).where(
                        RegenerationRun.project_id == self._project_id,
                        RegenerationRun.status == "running",
                    )
                ).all()
            )

    def mark_interrupted(self) -> list[int]:
        """Mark regenerations a dead process left ``running`` as interrupted; their ids.

        Only call this while holding the project's run lock (or knowing it is free): a
        regeneration in another live process is running, not interrupted.
        """
        with self._db.session() as session:
            ids = list(
                session.scalars(
                    select(RegenerationRun.id).where(
                        RegenerationRun.project_id == self._project_id,
                        RegenerationRun.status == "running",
                    )
                ).all()
            )
            if ids:
                session.execute(
                    update(RegenerationRun)
                    .where(RegenerationRun.id.in_(ids))
                    .values(
                        status="interrupted",
                        success=False,
                        error=(
                            "the app stopped before this regeneration finished; roll back to "
                            "the snapshot taken before it, or regenerate again"
                        ),
                    )
                )
        return ids

    def update(self, run_id: int, **values: Any) -> None:
        """Set some fields of a regeneration run (snapshot, workflow run, outcome, commit)."""
        with self._db.session() as session:
            session.execute(
                update(RegenerationRun).where(RegenerationRun.id == run_id).values(**values)
            )

    def regenerated(self, run_id: int) -> list[str]:
        """Artifacts that got a new version from this regeneration run, in storing order."""
        with self._db.session() as session:
            rows = session.scalars(
                select(ArtifactVersion.artifact)
                .where(ArtifactVersion.regeneration_run_id == run_id)
                .order_by(ArtifactVersion.id)
            ).all()
        return list(dict.fromkeys(rows))

    def get(self, run_id: int) -> RegenerationRunRecord:
        """One regeneration run.

        Raises:
            StoreError: no such run in this project.
        """
        with self._db.session() as session:
            row = owned_row(session, RegenerationRun, run_id, self._project_id, "regeneration run")
            return _record(row)

    def page(self, limit: int = 50, offset: int = 0) -> tuple[list[RegenerationRunRecord], int]:
        """A page of regeneration runs, newest first, and how many there are."""
        where = (RegenerationRun.project_id == self._project_id,)
        order = (RegenerationRun.id.desc(),)
        with self._db.session() as session:
            return page_of(session, select(RegenerationRun), where, order, limit, offset, _record)

    def measured_durations(self, phases: Collection[str]) -> dict[str, float]:
        """Median duration of each phase's recent successful attempts (phases never run: none)."""
        samples = self._recent_successes(phases, (PhaseRun.duration_s,))
        return {phase: statistics.median(t[0] for t in values) for phase, values in samples.items()}

    def measured_usage(self, phases: Collection[str]) -> dict[str, tuple[int, int]]:
        """Median (input, output) tokens of each phase's recent successful, uncached attempts
        (phases never run that way: none)."""
        samples = self._recent_successes(
            phases, (PhaseRun.input_tokens, PhaseRun.output_tokens), PhaseRun.cached.is_(False)
        )
        return {
            phase: (
                round(statistics.median(t[0] for t in values)),
                round(statistics.median(t[1] for t in values)),
            )
            for phase, values in samples.items()
        }

    def _recent_successes(
        self, phases: Collection[str], columns: Sequence[Any], *where: ColumnElement[bool]
    ) -> dict[str, list[tuple[Any, ...]]]:
        """``columns`` of each phase's last ``_MEASURED_ATTEMPTS`` successful attempts that
        also match ``where``, newest first."""
        if not phases:
            return {}
        with self._db.session() as session:
            rows = session.execute(
                select(PhaseRun.phase, *columns)
                .where(
                    PhaseRun.phase.in_(list(phases)),
                    PhaseRun.status == PhaseStatus.SUCCEEDED,
                    *where,
                )
                .order_by(PhaseRun.id.desc())
            ).all()
        samples: dict[str, list[tuple[Any, ...]]] = {}
        for phase, *values in rows:
            if len(samples.setdefault(phase, [])) < _MEASURED_ATTEMPTS:
                samples[phase].append(tuple(values))
        return samples

    # --- snapshots and rollback ------------------------------------------------------------

    def take_snapshot(self, label: str, *, run_id: int | None = None) -> int:
        """Snapshot the latest version of every artifact; return the snapshot id."""
        newest = latest_versions(self._project_id)
        with self._db.session() as session:
            snapshot_id = session.execute(
                insert(Snapshot)
                .values(
                    project_id=self._project_id,
                    run_id=run_id,
                    label=label,
                    created_at=self._clock.now(),
                )
                .returning(Snapshot.id)
            ).scalar_one()
            items = [
                {"snapshot_id": snapshot_id, "artifact": artifact, "artifact_version_id": vid}
                for artifact, vid in session.execute(
                    select(ArtifactVersion.artifact, ArtifactVersion.id).where(
                        ArtifactVersion.id.in_(newest), artifacts_only()
                    )
                )
            ]
            if items:
                session.execute(insert(SnapshotItem), items)
        return snapshot_id

    def rollback(
        self,
        snapshot_id: int,
        write: Callable[[str, str], None],
        read: Callable[[str], str | None],
    ) -> tuple[list[tuple[int, str]], list[str]]:
        """Restore every artifact to its version in the snapshot.

        Each artifact whose latest content differs gets a new version (reason ``rollback``,
        changed by the user who asked for it) with a change row, and its file is rewritten
        with ``write(artifact, content)``. Returns ([(new version id, artifact)], artifacts
        already as in the snapshot). ``read`` gives a file's current text, to put it back if
        a later write fails.

        Raises:
            StoreError: no such snapshot in this project.
        """
        detector = ChangeDetector(clock=self._clock)
        history = ArtifactHistory(self._db, self._project_id, clock=self._clock)
        written: list[tuple[str, str | None]] = []
        restored: list[tuple[int, str]] = []
        unchanged: list[str] = []
        with self._db.session() as session:
            owned_row(session, Snapshot, snapshot_id, self._project_id, "snapshot")
            targets = session.execute(
                select(
                    SnapshotItem.artifact,
                    ArtifactVersion.content,
                    ArtifactVersion.phase,
                    ArtifactVersion.made_from,
                    ArtifactVersion.kept,
                )
                .join(ArtifactVersion, ArtifactVersion.id == SnapshotItem.artifact_version_id)
                .where(SnapshotItem.snapshot_id == snapshot_id)
                .order_by(SnapshotItem.artifact)
            ).all()
            try:
                for artifact, content, phase, made_from, kept in targets:
                    latest = session.execute(
                        select(ArtifactVersion.id, ArtifactVersion.version, ArtifactVersion.content)
                        .where(
                            ArtifactVersion.project_id == self._project_id,
                            ArtifactVersion.artifact == artifact,
                        )
                        .order_by(ArtifactVersion.version.desc())
                        .limit(1)
                    ).one()
                    change = detector.detect(latest.content, content, changed_by=ChangedBy.USER)
                    if change is None:
                        unchanged.append(artifact)
                        continue
                    version_id = history.add_version(
                        session,
                        artifact=artifact,
                        version=latest.version + 1,
                        content=content,
                        content_hash=change.new_hash,
                        changed_by=ChangedBy.USER.value,
                        phase=phase,
                        created_at=change.detected_at,
                        regeneration_reason=ROLLBACK_REASON,
                        # The restored content was made from what it was made from then.
                        made_from=made_from,
                        kept=kept,
                    )
                    history.record_change(session, artifact, change, latest.id, version_id)
                    written.append((artifact, read(artifact)))
                    write(artifact, content)
                    restored.append((version_id, artifact))
            except BaseException:
                for artifact, previous in reversed(written):
                    if previous is not None:
                        write(artifact, previous)
                raise
        return restored, unchanged


def _record(row: RegenerationRun) -> RegenerationRunRecord:
    return copy_fields(
        RegenerationRunRecord,
        row,
        impact_analysis=dict(row.impact_analysis),
        artifacts_to_regenerate=tuple(row.artifacts_to_regenerate),
        artifacts_regenerated=tuple(row.artifacts_regenerated),
        artifacts_unchanged=tuple(row.artifacts_unchanged),
        failures={str(k): str(v) for k, v in row.failures.items()},
    )
