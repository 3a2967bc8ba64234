"""What each version was made from, kept edits, a run's provider and options, gate waits.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

``artifact_versions.made_from`` records the hashes of everything a version was made from (its
input artifacts, the brief, the constitution, its phase's spec and prompt), so staleness is
decided by content; ``kept`` marks a user's edit the user chose to keep as the artifact. A run
records the provider, model and options it was started with (a resumed run goes on with them)
and the time it spent waiting for a person at approval gates, which metrics leave out of the
parallel wall time; each gate records how long its last decision took.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = {
    "artifact_versions": (
        sa.Column("made_from", sa.JSON(), nullable=True),
        sa.Column("kept", sa.Boolean(), nullable=False, server_default=sa.false()),
    ),
    "workflow_runs": (
        sa.Column("provider", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("model", sa.String(length=128), nullable=False, server_default=""),
        sa.Column("options", sa.JSON(), nullable=False, server_default="{}"),
        sa.Column("person_wait_s", sa.Float(), nullable=False, server_default="0"),
    ),
    "approval_gates": (
        sa.Column("waited_s", sa.Float(), nullable=False, server_default="0"),
    ),
}


def upgrade() -> None:
    """Add the columns (SQLite adds a column with a default without rebuilding the table)."""
    for table, columns in _COLUMNS.items():
        for column in columns:
            op.add_column(table, column)


def downgrade() -> None:
    """Remove the columns again."""
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column.name)
