"""Read-side records the store hands out: frozen dataclasses, detached from any session.

Fields are plain values (text, numbers, aware UTC datetimes, tuples, dicts and the string
enums of ``core.ports``) so the service facade can turn them into JSON directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from spec_automation.core.ports import GateStatus, PhaseStatus, RunMode, RunStatus

__all__ = [
    "ArtifactVersionRecord",
    "ChangeRecord",
    "DocumentRecord",
    "GateRecord",
    "PhaseRunRecord",
    "ProcessingRecord",
    "ProjectRecord",
    "RegenerationRunRecord",
    "RunDetail",
    "RunRecord",
    "SectionChangeRecord",
    "SnapshotItemRecord",
    "SnapshotRecord",
    "VersionRecord",
    "WaveRunRecord",
]


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    """The project a store belongs to."""

    id: int
    name: str
    root_path: str
    spec_name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One workflow run as listed in the history."""

    id: int
    project_id: int
    mode: RunMode
    status: RunStatus
    spec_name: str
    concurrency: int
    phases: tuple[str, ...]
    started_at: datetime
    completed_at: datetime | None
    wall_time_s: float
    sequential_estimate_s: float
    time_saved_s: float
    error: str
    segments: int
    provider: str = ""
    model: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)  # what it was started with
    person_wait_s: float = 0.0  # nothing ran while a gate waited for a person


@dataclass(frozen=True, slots=True)
class PhaseRunRecord:
    """One attempt at one phase of a run."""

    id: int
    run_id: int
    phase: str
    wave: int | None  # None for a phase blocked before it started
    attempt: int
    status: PhaseStatus
    started_at: datetime | None
    completed_at: datetime | None
    duration_s: float
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    cost_usd: float
    cached: bool
    error: str
    blocked_by: str
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WaveRunRecord:
    """The recorded metrics of one wave of a run."""

    id: int
    run_id: int
    wave: int
    phases: tuple[str, ...]
    started_at: datetime | None
    completed_at: datetime
    duration_s: float
    sequential_estimate_s: float
    time_saved_s: float
    phases_completed: tuple[str, ...]
    phases_failed: Mapping[str, str]  # phase -> error


@dataclass(frozen=True, slots=True)
class RunDetail:
    """A run with its phase attempts (in start order) and its waves (in wave order)."""

    run: RunRecord
    phases: tuple[PhaseRunRecord, ...]
    waves: tuple[WaveRunRecord, ...]


@dataclass(frozen=True, slots=True)
class ArtifactVersionRecord:
    """One stored version of an artifact."""

    id: int
    artifact: str
    version: int
    content: str
    content_hash: str
    changed_by: str  # 'system' or 'user'
    phase: str
    phase_run_id: int | None
    workflow_run_id: int | None
    created_at: datetime
    regeneration_reason: str | None
    regeneration_run_id: int | None


@dataclass(frozen=True, slots=True)
class GateRecord:
    """An approval gate and its current decision."""

    id: int
    gate: str
    phase: str
    run_id: int | None
    status: GateStatus
    artifact_hashes: Mapping[str, Any]  # artifact -> content hash it was opened for
    opened_at: datetime
    decided_at: datetime | None
    decided_by: str
    note: str


@dataclass(frozen=True, slots=True)
class SnapshotItemRecord:
    """The artifact version a snapshot holds for one artifact."""

    artifact: str
    artifact_version_id: int
    version: int
    content_hash: str


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    """A snapshot and the artifact versions it holds (by artifact name)."""

    id: int
    run_id: int | None
    label: str
    created_at: datetime
    items: tuple[SnapshotItemRecord, ...]


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """One stored version of an artifact, without its content.

    ``kind`` says how it came to be: ``generated`` (a workflow run), ``user_edit``,
    ``regeneration`` or ``rollback``; ``reason`` is the regeneration or rollback reason.
    """

    id: int
    artifact: str
    version: int
    created_at: datetime
    changed_by: str  # 'system' or 'user'
    kind: str
    content_hash: str
    phase: str
    workflow_run_id: int | None
    regeneration_run_id: int | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class SectionChangeRecord:
    """One section of an artifact added, modified or deleted, with its old and new text."""

    name: str
    kind: str  # 'added', 'modified' or 'deleted'
    old_text: str
    new_text: str


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """A detected change between two versions of an artifact."""

    id: int
    artifact: str
    detected_at: datetime
    changed_by: str  # 'user' or 'system'
    impact_level: str  # 'HIGH', 'MEDIUM' or 'LOW'
    cosmetic: bool
    sections: tuple[SectionChangeRecord, ...]
    old_hash: str | None
    new_hash: str
    old_version_id: int | None
    new_version_id: int


@dataclass(frozen=True, slots=True)
class RegenerationRunRecord:
    """A regeneration after a change, as recorded."""

    id: int
    trigger_artifact: str
    trigger_change_id: int | None
    strategy: str
    status: str  # running, completed, partial, failed, cancelled or ignored
    impact_analysis: Mapping[str, Any]
    artifacts_to_regenerate: tuple[str, ...]
    artifacts_regenerated: tuple[str, ...]
    artifacts_unchanged: tuple[str, ...]
    failures: Mapping[str, str]  # phase -> error (or what blocked it)
    started_at: datetime
    completed_at: datetime | None
    duration_s: float
    success: bool | None
    error: str
    workflow_run_id: int | None
    snapshot_id: int | None
    git_commit: str


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A document imported into ``inputs/``, as the store holds it."""

    id: int
    name: str  # the file name in inputs/
    path: str  # relative to the project: inputs/NAME
    doc_type: str
    content_hash: str
    status: str  # ok, warnings or errors: what its latest processing found
    meta: Mapping[str, Any]
    version: int
    imported_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProcessingRecord:
    """What a processor found in one version of a document."""

    id: int
    document_id: int
    version: int
    processor: str
    status: str
    findings: tuple[Mapping[str, Any], ...]
    extraction: Mapping[str, Any]
    duration_ms: float
    processed_at: datetime
