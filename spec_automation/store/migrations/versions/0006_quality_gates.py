"""Quality gate runs, how each gate went, and what the gates found.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

``quality_runs`` records each run of the quality gates on the code folder (when, its wall
time, how it ended, and the workflow run and Dev-QA round it belongs to, when it belongs to
one); ``quality_gate_results`` records per gate its status, counts, duration and message;
``quality_findings`` each finding: file, line, column, rule (or test id), message, severity
(or outcome).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GATE_STATUSES = "'passed', 'failed', 'error', 'missing', 'timeout', 'cancelled'"


def upgrade() -> None:
    """Create the quality_runs, quality_gate_results and quality_findings tables."""
    op.create_table(
        "quality_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=64), nullable=False),
        sa.Column("code_dir", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("wall_s", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "status IN ('passed', 'failed', 'cancelled')", name=op.f("ck_quality_runs_status")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_quality_runs_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["workflow_runs.id"], name=op.f("fk_quality_runs_run_id_workflow_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_runs")),
    )
    op.create_index(
        op.f("ix_quality_runs_project_id_started_at"), "quality_runs", ["project_id", "started_at"]
    )
    op.create_index(op.f("ix_quality_runs_run_id"), "quality_runs", ["run_id"])
    op.create_table(
        "quality_gate_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quality_run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("command", sa.JSON(), nullable=False),
        sa.Column("parser", sa.String(length=32), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("finding_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            f"status IN ({_GATE_STATUSES})", name=op.f("ck_quality_gate_results_status")
        ),
        sa.ForeignKeyConstraint(
            ["quality_run_id"],
            ["quality_runs.id"],
            name=op.f("fk_quality_gate_results_quality_run_id_quality_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_gate_results")),
    )
    op.create_index(
        op.f("ix_quality_gate_results_quality_run_id"), "quality_gate_results", ["quality_run_id"]
    )
    op.create_table(
        "quality_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gate_result_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("column", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["gate_result_id"],
            ["quality_gate_results.id"],
            name=op.f("fk_quality_findings_gate_result_id_quality_gate_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_findings")),
    )
    op.create_index(
        op.f("ix_quality_findings_gate_result_id"), "quality_findings", ["gate_result_id"]
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_index(op.f("ix_quality_findings_gate_result_id"), table_name="quality_findings")
    op.drop_table("quality_findings")
    op.drop_index(op.f("ix_quality_gate_results_quality_run_id"), table_name="quality_gate_results")
    op.drop_table("quality_gate_results")
    op.drop_index(op.f("ix_quality_runs_run_id"), table_name="quality_runs")
    op.drop_index(op.f("ix_quality_runs_project_id_started_at"), table_name="quality_runs")
    op.drop_table("quality_runs")
