"""Imported documents and what their processors found.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

``documents`` records each document the user imported into ``inputs/`` (type, content hash,
status, metadata, version); ``processing_results`` records, per version, the processor's
findings and the requirements, stories, components, entities, endpoints or proposed edits it
extracted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the documents and processing_results tables."""
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("doc_type", sa.String(length=32), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('ok', 'warnings', 'errors')", name=op.f("ck_documents_status")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_documents_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_documents_project_id_name")),
    )
    op.create_index(
        op.f("ix_documents_project_id_content_hash"),
        "documents",
        ["project_id", "content_hash"],
    )
    op.create_table(
        "processing_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("processor", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("extraction", sa.JSON(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_processing_results_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processing_results")),
    )
    op.create_index(
        op.f("ix_processing_results_document_id"), "processing_results", ["document_id"]
    )


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_index(op.f("ix_processing_results_document_id"), table_name="processing_results")
    op.drop_table("processing_results")
    op.drop_index(op.f("ix_documents_project_id_content_hash"), table_name="documents")
    op.drop_table("documents")
