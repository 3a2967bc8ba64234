"""The initial schema: projects, runs, phases, artifact versions, changes, gates, snapshots.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Written out in full (not generated from the models at run time) so that later changes to
``models.py`` need a migration of their own; a test checks that the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _fk(column: str, target: str, table: str, ondelete: str | None = None) -> sa.Constraint:
    # Names follow models.NAMING_CONVENTION so later batch migrations can find them.
    target_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{target_table}"), ondelete=ondelete
    )


def upgrade() -> None:
    """Create every table and index."""
    op.create_table(
        "projects",
        _id(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("root_path", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("spec_name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )

    op.create_table(
        "workflow_runs",
        _id(),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("spec_name", sa.String(length=200), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("phases", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("segment_started_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("wall_time_s", sa.Float(), nullable=False),
        sa.Column("sequential_estimate_s", sa.Float(), nullable=False),
        sa.Column("time_saved_s", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "mode IN ('parallel', 'sequential')", name=op.f("ck_workflow_runs_mode")
        ),
        _fk("project_id", "projects.id", "workflow_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_runs")),
    )
    op.create_index(op.f("ix_workflow_runs_project_id"), "workflow_runs", ["project_id"])
    op.create_index(op.f("ix_workflow_runs_started_at"), "workflow_runs", ["started_at"])

    op.create_table(
        "phase_runs",
        _id(),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=64), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_write_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_read_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("cached", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("blocked_by", sa.Text(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        _fk("run_id", "workflow_runs.id", "phase_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phase_runs")),
    )
    op.create_index(op.f("ix_phase_runs_run_id"), "phase_runs", ["run_id"])
    op.create_index(op.f("ix_phase_runs_started_at"), "phase_runs", ["started_at"])

    # SQLite accepts a foreign key to a table created later (artifact_changes), which is how
    # the regeneration_runs -> artifact_changes -> artifact_versions cycle is closed.
    op.create_table(
        "regeneration_runs",
        _id(),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("trigger_artifact", sa.String(length=200), nullable=False),
        sa.Column("trigger_change_id", sa.Integer(), nullable=True),
        sa.Column("impact_analysis", sa.JSON(), nullable=False),
        sa.Column("strategy", sa.String(length=32), nullable=False),
        sa.Column("artifacts_to_regenerate", sa.JSON(), nullable=False),
        sa.Column("artifacts_regenerated", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        _fk("project_id", "projects.id", "regeneration_runs"),
        _fk("trigger_change_id", "artifact_changes.id", "regeneration_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regeneration_runs")),
    )
    op.create_index(op.f("ix_regeneration_runs_project_id"), "regeneration_runs", ["project_id"])

    op.create_table(
        "artifact_versions",
        _id(),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("artifact", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_by", sa.String(length=16), nullable=False),
        sa.Column("phase", sa.String(length=64), nullable=False),
        sa.Column("phase_run_id", sa.Integer(), nullable=True),
        sa.Column("workflow_run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("regeneration_reason", sa.Text(), nullable=True),
        sa.Column("regeneration_run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "changed_by IN ('system', 'user')", name=op.f("ck_artifact_versions_changed_by")
        ),
        _fk("project_id", "projects.id", "artifact_versions"),
        _fk("phase_run_id", "phase_runs.id", "artifact_versions"),
        _fk("workflow_run_id", "workflow_runs.id", "artifact_versions"),
        _fk("regeneration_run_id", "regeneration_runs.id", "artifact_versions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artifact_versions")),
        sa.UniqueConstraint(
            "project_id",
            "artifact",
            "version",
            name=op.f("uq_artifact_versions_project_id_artifact_version"),
        ),
    )

    op.create_table(
        "artifact_changes",
        _id(),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("artifact", sa.String(length=200), nullable=False),
        sa.Column("old_version_id", sa.Integer(), nullable=True),
        sa.Column("new_version_id", sa.Integer(), nullable=False),
        sa.Column("old_hash", sa.String(length=64), nullable=True),
        sa.Column("new_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_by", sa.String(length=16), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("impact_level", sa.String(length=16), nullable=True),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("cosmetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "changed_by IN ('system', 'user')", name=op.f("ck_artifact_changes_changed_by")
        ),
        _fk("project_id", "projects.id", "artifact_changes"),
        _fk("old_version_id", "artifact_versions.id", "artifact_changes"),
        _fk("new_version_id", "artifact_versions.id", "artifact_changes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artifact_changes")),
    )
    op.create_index(
        op.f("ix_artifact_changes_project_id_artifact"),
        "artifact_changes",
        ["project_id", "artifact"],
    )

    op.create_table(
        "parallel_execution_runs",
        _id(),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("wave_number", sa.Integer(), nullable=False),
        sa.Column("phases", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("sequential_estimate_s", sa.Float(), nullable=False),
        sa.Column("time_saved_s", sa.Float(), nullable=False),
        sa.Column("phases_completed", sa.JSON(), nullable=False),
        sa.Column("phases_failed", sa.JSON(), nullable=False),
        _fk("run_id", "workflow_runs.id", "parallel_execution_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parallel_execution_runs")),
    )
    op.create_index(
        op.f("ix_parallel_execution_runs_run_id"), "parallel_execution_runs", ["run_id"]
    )

    op.create_table(
        "snapshots",
        _id(),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("project_id", "projects.id", "snapshots"),
        _fk("run_id", "workflow_runs.id", "snapshots"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
    )
    op.create_index(op.f("ix_snapshots_project_id"), "snapshots", ["project_id"])

    op.create_table(
        "snapshot_items",
        _id(),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("artifact", sa.String(length=200), nullable=False),
        sa.Column("artifact_version_id", sa.Integer(), nullable=False),
        _fk("snapshot_id", "snapshots.id", "snapshot_items", ondelete="CASCADE"),
        _fk("artifact_version_id", "artifact_versions.id", "snapshot_items"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot_items")),
    )
    op.create_index(op.f("ix_snapshot_items_snapshot_id"), "snapshot_items", ["snapshot_id"])

    op.create_table(
        "approval_gates",
        _id(),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("gate", sa.String(length=64), nullable=False),
        sa.Column("phase", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("artifact_hashes", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("ck_approval_gates_status")
        ),
        _fk("project_id", "projects.id", "approval_gates"),
        _fk("run_id", "workflow_runs.id", "approval_gates"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_gates")),
        sa.UniqueConstraint("project_id", "gate", name=op.f("uq_approval_gates_project_id_gate")),
    )


def downgrade() -> None:
    """Drop every table (indexes go with them), children before parents."""
    for table in (
        "approval_gates",
        "snapshot_items",
        "snapshots",
        "parallel_execution_runs",
        "artifact_changes",
        "artifact_versions",
        "regeneration_runs",
        "phase_runs",
        "workflow_runs",
        "projects",
    ):
        op.drop_table(table)
