"""Regeneration runs: a workflow run's purpose, and what a regeneration did in detail.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

``workflow_runs.purpose`` tells a full workflow run from the scoped run a regeneration makes
(so resuming and metrics only look at workflow runs). A regeneration run now links its
workflow run and the snapshot taken before it, and records its status, the artifacts that came
out unchanged, the phases that failed, and the git commit of its results.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the new columns (SQLite: batch mode rebuilds the tables)."""
    with op.batch_alter_table("workflow_runs") as batch:
        batch.add_column(
            sa.Column("purpose", sa.String(length=16), nullable=False, server_default="workflow")
        )
    with op.batch_alter_table("regeneration_runs") as batch:
        batch.add_column(sa.Column("workflow_run_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("snapshot_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("artifacts_unchanged", sa.JSON(), nullable=False, server_default="[]")
        )
        batch.add_column(sa.Column("failures", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(
            sa.Column("git_commit", sa.String(length=64), nullable=False, server_default="")
        )
        batch.create_foreign_key(
            op.f("fk_regeneration_runs_workflow_run_id_workflow_runs"),
            "workflow_runs",
            ["workflow_run_id"],
            ["id"],
        )
        batch.create_foreign_key(
            op.f("fk_regeneration_runs_snapshot_id_snapshots"),
            "snapshots",
            ["snapshot_id"],
            ["id"],
        )


def downgrade() -> None:
    """Remove the columns again."""
    with op.batch_alter_table("regeneration_runs") as batch:
        batch.drop_constraint(
            op.f("fk_regeneration_runs_snapshot_id_snapshots"), type_="foreignkey"
        )
        batch.drop_constraint(
            op.f("fk_regeneration_runs_workflow_run_id_workflow_runs"), type_="foreignkey"
        )
        for column in (
            "git_commit",
            "failures",
            "artifacts_unchanged",
            "status",
            "snapshot_id",
            "workflow_run_id",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("workflow_runs") as batch:
        batch.drop_column("purpose")
