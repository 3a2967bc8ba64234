"""Imported documents: their rows, what their processors found, and their texts' history.

``DocumentStore.store`` records one import in one transaction: the text as the next version
of ``inputs/NAME`` in the artifacts' history (with the change it makes from the version
before, so an input is tracked like an artifact), the ``documents`` row (created, or its
version raised), the processor's ``processing_results`` row, and the file write. A failing
write records nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from spec_automation.core.artifacts import content_hash
from spec_automation.core.changes import ChangedBy, ChangeDetector
from spec_automation.core.copying import copy_fields
from spec_automation.core.ports import Clock, SystemClock
from spec_automation.store.database import Database
from spec_automation.store.history import ArtifactHistory
from spec_automation.store.models import Document, ProcessingResult
from spec_automation.store.records import DocumentRecord, ProcessingRecord

__all__ = ["DocumentStore", "Processing"]


@dataclass(frozen=True, slots=True)
class Processing:
    """What a processor made of a document's text, as the store keeps it (plain JSON)."""

    processor: str
    status: str  # ok, warnings or errors
    findings: Sequence[Mapping[str, Any]]
    extraction: Mapping[str, Any]
    duration_ms: float


class DocumentStore:
    """The documents of one project and the results of processing them."""

    def __init__(
        self, db: Database, project_id: int, history: ArtifactHistory, *, clock: Clock | None = None
    ) -> None:
        self._db = db
        self._project_id = project_id
        self._history = history
        self._clock = clock or SystemClock()
        self._detector = ChangeDetector(clock=self._clock)

    # --- reading ---------------------------------------------------------------------------

    def documents(self) -> list[DocumentRecord]:
        """Every imported document, by name."""
        with self._db.session() as session:
            rows = session.scalars(
                select(Document)
                .where(Document.project_id == self._project_id)
                .order_by(Document.name)
            ).all()
            return [_document(row) for row in rows]

    def document(self, name: str) -> DocumentRecord | None:
        """The document imported as ``name`` (None: there is none)."""
        with self._db.session() as session:
            row = self._row(session, name)
            return _document(row) if row else None

    def with_hash(self, content_hash: str) -> DocumentRecord | None:
        """A document whose current text has this hash (None: none has)."""
        with self._db.session() as session:
            row = session.scalars(
                select(Document)
                .where(
                    Document.project_id == self._project_id,
                    Document.content_hash == content_hash,
                )
                .limit(1)
            ).first()
            return _document(row) if row else None

    def latest_processing(self, document_id: int) -> ProcessingRecord | None:
        """What the latest processing of the document found (None: never processed)."""
        with self._db.session() as session:
            row = session.scalars(
                select(ProcessingResult)
                .where(ProcessingResult.document_id == document_id)
                .order_by(ProcessingResult.id.desc())
                .limit(1)
            ).first()
            return _processing(row) if row else None

    # --- writing ---------------------------------------------------------------------------

    def store(
        self,
        name: str,
        text: str,
        *,
        doc_type: str,
        meta: Mapping[str, Any],
        processing: Processing,
        write: Callable[[str], None],
    ) -> DocumentRecord:
        """Record ``text`` as the document ``name`` (new, or its next version) with what its
        processor found, and ``write`` the file, all in one transaction."""
        path = f"inputs/{name}"
        with self._db.session() as session:
            latest = self._history.latest_row(session, path)
            change = self._detector.detect(
                latest.content if latest else None, text, changed_by=ChangedBy.USER
            )
            now = self._clock.now()
            if change is not None:
                version_id = self._history.add_version(
                    session,
                    artifact=path,
                    version=(latest.version if latest else 0) + 1,
                    content=text,
                    content_hash=change.new_hash,
                    changed_by=ChangedBy.USER.value,
                    phase="",
                    created_at=change.detected_at,
                )
                if latest is not None:  # a first import starts the history: no change
                    self._history.record_change(session, path, change, latest.id, version_id)
            row = self._row(session, name)
            if row is None:
                row = Document(
                    project_id=self._project_id,
                    name=name,
                    path=path,
                    version=0,
                    imported_at=now,
                )
                session.add(row)
            row.doc_type = doc_type
            row.content_hash = content_hash(text)
            row.status = processing.status
            row.meta = dict(meta)
            row.version += 1
            row.updated_at = now
            session.flush()
            session.add(
                ProcessingResult(
                    document_id=row.id,
                    version=row.version,
                    processor=processing.processor,
                    status=processing.status,
                    findings=[dict(f) for f in processing.findings],
                    extraction=dict(processing.extraction),
                    duration_ms=processing.duration_ms,
                    processed_at=now,
                )
            )
            write(text)
            session.flush()
            return _document(row)

    def _row(self, session: Session, name: str) -> Document | None:
        return session.scalars(
            select(Document).where(Document.project_id == self._project_id, Document.name == name)
        ).first()


def _document(row: Document) -> DocumentRecord:
    return copy_fields(DocumentRecord, row, meta=dict(row.meta))


def _processing(row: ProcessingResult) -> ProcessingRecord:
    return copy_fields(
        ProcessingRecord,
        row,
        findings=tuple(f for f in row.findings if isinstance(f, dict)),
        extraction=dict(row.extraction),
    )
