"""The store's tables, as typed SQLAlchemy 2 declarative models.

The schema is created and changed only by the Alembic migrations in ``migrations/``; a test
compares the migrated database with these models so the two cannot drift apart. Every
timestamp is a timezone-aware UTC ``datetime`` on the Python side.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false

__all__ = [
    "ApprovalGate",
    "ArtifactChange",
    "ArtifactVersion",
    "Base",
    "Document",
    "ParallelExecutionRun",
    "PhaseRun",
    "ProcessingResult",
    "Project",
    "QualityFinding",
    "QualityGateResult",
    "QualityGateRun",
    "RegenerationRun",
    "ResponseCacheEntry",
    "Snapshot",
    "SnapshotItem",
    "UTCDateTime",
    "WorkflowRun",
]

# Named constraints let later batch migrations on SQLite find and alter them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A ``DateTime`` that stores UTC and gives back timezone-aware UTC datetimes.

    SQLite has no time zone type, so values are stored naive in UTC. A naive value handed in
    is refused: guessing its zone would silently shift recorded times.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002
    ) -> datetime | None:
        """Convert an aware datetime to naive UTC for storage."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store records aware UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002
    ) -> datetime | None:
        """Mark a stored naive UTC value as UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base of every store table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class Project(Base):
    """The project this store belongs to (one row per store)."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    root_path: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    spec_name: Mapped[str] = mapped_column(String(200))


class WorkflowRun(Base):
    """One workflow run, possibly made of several resumed segments."""

    __tablename__ = "workflow_runs"
    __table_args__ = (
        CheckConstraint("mode IN ('parallel', 'sequential')", name="mode"),
        Index(None, "project_id"),
        Index(None, "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    spec_name: Mapped[str] = mapped_column(String(200))
    concurrency: Mapped[int] = mapped_column(Integer)
    phases: Mapped[list[str]]
    started_at: Mapped[datetime]
    # When the current segment began: a crashed segment's wall time is measured from it.
    segment_started_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    wall_time_s: Mapped[float] = mapped_column(Float, default=0.0)
    sequential_estimate_s: Mapped[float] = mapped_column(Float, default=0.0)
    time_saved_s: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str] = mapped_column(Text, default="")
    segments: Mapped[int] = mapped_column(Integer, default=1)
    # "workflow", or "regeneration" for the scoped run a regeneration makes.
    purpose: Mapped[str] = mapped_column(String(16), default="workflow", server_default="workflow")
    provider: Mapped[str] = mapped_column(String(64), default="", server_default="")
    model: Mapped[str] = mapped_column(String(128), default="", server_default="")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    # Time nothing ran because an approval gate waited for a person (left out of metrics).
    person_wait_s: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class PhaseRun(Base):
    """One attempt at one phase within a run (or a phase that was blocked from running)."""

    __tablename__ = "phase_runs"
    __table_args__ = (Index(None, "run_id"), Index(None, "started_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("workflow_runs.id"))
    phase: Mapped[str] = mapped_column(String(64))
    # None for a phase blocked before it started: the recorder is not told its wave.
    wave: Mapped[int | None] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    provider: Mapped[str] = mapped_column(String(64), default="")
    model: Mapped[str] = mapped_column(String(128), default="")
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_write_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_read_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(Text, default="")
    blocked_by: Mapped[str] = mapped_column(Text, default="")
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)


class ArtifactVersion(Base):
    """One stored version of an artifact's full file content."""

    __tablename__ = "artifact_versions"
    # The unique constraint's index also serves lookups by (project_id, artifact), so no
    # separate index on that prefix is kept: it would only slow down every commit.
    __table_args__ = (
        UniqueConstraint("project_id", "artifact", "version"),
        CheckConstraint("changed_by IN ('system', 'user')", name="changed_by"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    artifact: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    changed_by: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(64), default="")
    phase_run_id: Mapped[int | None] = mapped_column(ForeignKey("phase_runs.id"))
    workflow_run_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_runs.id"))
    created_at: Mapped[datetime]
    regeneration_reason: Mapped[str | None] = mapped_column(Text)
    regeneration_run_id: Mapped[int | None] = mapped_column(ForeignKey("regeneration_runs.id"))
    # input -> content hash it was made from (None: not recorded, a user's edit not yet kept)
    made_from: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    kept: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ArtifactChange(Base):
    """A detected change between two versions of an artifact."""

    __tablename__ = "artifact_changes"
    __table_args__ = (
        CheckConstraint("changed_by IN ('system', 'user')", name="changed_by"),
        Index(None, "project_id", "artifact"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    artifact: Mapped[str] = mapped_column(String(200))
    old_version_id: Mapped[int | None] = mapped_column(ForeignKey("artifact_versions.id"))
    new_version_id: Mapped[int] = mapped_column(ForeignKey("artifact_versions.id"))
    old_hash: Mapped[str | None] = mapped_column(String(64))
    new_hash: Mapped[str] = mapped_column(String(64))
    changed_by: Mapped[str] = mapped_column(String(16))
    detected_at: Mapped[datetime]
    impact_level: Mapped[str | None] = mapped_column(String(16))
    sections: Mapped[list[Any]] = mapped_column(JSON, default=list)
    cosmetic: Mapped[bool] = mapped_column(Boolean, default=False)


class RegenerationRun(Base):
    """A regeneration of artifacts downstream of a change."""

    __tablename__ = "regeneration_runs"
    __table_args__ = (Index(None, "project_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    trigger_artifact: Mapped[str] = mapped_column(String(200))
    # use_alter: artifact_changes -> artifact_versions -> regeneration_runs closes a cycle.
    trigger_change_id: Mapped[int | None] = mapped_column(
        ForeignKey("artifact_changes.id", use_alter=True)
    )
    impact_analysis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    strategy: Mapped[str] = mapped_column(String(32))
    artifacts_to_regenerate: Mapped[list[str]] = mapped_column(JSON, default=list)
    artifacts_regenerated: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    success: Mapped[bool | None] = mapped_column(Boolean)
    error: Mapped[str] = mapped_column(Text, default="")
    workflow_run_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_runs.id"))
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    # running, completed, partial, failed, cancelled or ignored
    status: Mapped[str] = mapped_column(String(16), default="", server_default="")
    artifacts_unchanged: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    failures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    git_commit: Mapped[str] = mapped_column(String(64), default="", server_default="")


class ParallelExecutionRun(Base):
    """Metrics of one wave of a run."""

    __tablename__ = "parallel_execution_runs"
    __table_args__ = (Index(None, "run_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("workflow_runs.id"))
    wave_number: Mapped[int] = mapped_column(Integer)
    phases: Mapped[list[str]]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime]
    duration_s: Mapped[float] = mapped_column(Float)
    sequential_estimate_s: Mapped[float] = mapped_column(Float)
    time_saved_s: Mapped[float] = mapped_column(Float)
    phases_completed: Mapped[list[str]]
    phases_failed: Mapped[dict[str, Any]]


class Snapshot(Base):
    """A named point to roll artifacts back to."""

    __tablename__ = "snapshots"
    __table_args__ = (Index(None, "project_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_runs.id"))
    label: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class SnapshotItem(Base):
    """The version of one artifact a snapshot holds."""

    __tablename__ = "snapshot_items"
    __table_args__ = (Index(None, "snapshot_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"))
    artifact: Mapped[str] = mapped_column(String(200))
    artifact_version_id: Mapped[int] = mapped_column(ForeignKey("artifact_versions.id"))


class ApprovalGate(Base):
    """The current decision on one approval gate of the project."""

    __tablename__ = "approval_gates"
    __table_args__ = (
        UniqueConstraint("project_id", "gate"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    gate: Mapped[str] = mapped_column(String(64))
    phase: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_runs.id"))
    status: Mapped[str] = mapped_column(String(16))
    artifact_hashes: Mapped[dict[str, Any]]
    opened_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    waited_s: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class ResponseCacheEntry(Base):
    """A provider's reply, stored under a hash of everything that shaped it.

    The key is content-addressed on the provider, the model, the prompt template version, the
    hashes of the inputs and the generation parameters, so an unchanged phase can reuse its
    reply at zero tokens.
    """

    __tablename__ = "response_cache"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    phase: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(64))
    reply: Mapped[str] = mapped_column(Text)
    usage: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime]
    hits: Mapped[int] = mapped_column(Integer, default=0)


class Document(Base):
    """A document the user imported into ``inputs/``: its type, content and where it is used.

    ``version`` counts the contents imported under this name (the texts themselves are kept in
    ``artifact_versions`` under ``inputs/NAME``). ``status`` is what the latest processing
    found: ``ok``, ``warnings`` or ``errors``. ``meta`` holds the title, the original file,
    whether the type was detected or given, the detection's reasons and any ``use_as``.
    """

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        Index(None, "project_id", "content_hash"),
        CheckConstraint("status IN ('ok', 'warnings', 'errors')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(Text)
    doc_type: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    imported_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProcessingResult(Base):
    """What one processor found in one version of a document: findings and extracted records."""

    __tablename__ = "processing_results"
    __table_args__ = (Index(None, "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    processor: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    findings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    extraction: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    processed_at: Mapped[datetime]


class QualityGateRun(Base):
    """One run of the quality gates on the code folder: when, how long, how it ended, and the
    workflow run and Dev-QA round it belongs to (none for a run the user started alone)."""

    __tablename__ = "quality_runs"
    __table_args__ = (
        CheckConstraint("status IN ('passed', 'failed', 'cancelled')", name="status"),
        Index(None, "project_id", "started_at"),
        Index(None, "run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_runs.id"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    phase: Mapped[str] = mapped_column(String(64), default="")
    code_dir: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    wall_s: Mapped[float] = mapped_column(Float, default=0.0)


class QualityGateResult(Base):
    """How one gate of a quality run went: status, counts by severity or outcome, duration,
    and the sentence saying what happened (its findings are ``quality_findings``)."""

    __tablename__ = "quality_gate_results"
    __table_args__ = (
        CheckConstraint(
            "status IN ('passed', 'failed', 'error', 'missing', 'timeout', 'cancelled')",
            name="status",
        ),
        Index(None, "quality_run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quality_run_id: Mapped[int] = mapped_column(
        ForeignKey("quality_runs.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    command: Mapped[list[str]] = mapped_column(JSON, default=list)
    parser: Mapped[str] = mapped_column(String(32))
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    finding_count: Mapped[int] = mapped_column(Integer, default=0)


class QualityFinding(Base):
    """One thing a gate found: where (file relative to the code folder, line, column), the
    rule (for pytest: the test's id), the message and the severity (for pytest: the outcome)."""

    __tablename__ = "quality_findings"
    __table_args__ = (Index(None, "gate_result_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gate_result_id: Mapped[int] = mapped_column(
        ForeignKey("quality_gate_results.id", ondelete="CASCADE")
    )
    file: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer, default=0)
    column: Mapped[int] = mapped_column(Integer, default=0)
    rule: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16))
