"""Document parsing: detect a document's type, validate it, and extract structured records.

Users import the documents they already have: a PRD, a functional spec, a technical spec or a
sprint change proposal. This package is the pure part of that: text in, plain records out, no
files, no store, no Qt. :func:`detect_type` reads the type from the structure and headings
(``None`` when unclear: the caller asks the user); :func:`process` validates the document as a
type (findings are sentences with a line number) and extracts its requirements, user stories,
components, entities, endpoints or proposed edits, each with the line it came from. One
processor per type is registered in :data:`PROCESSORS`.

Sections come from the product's one markdown section parser
(:func:`spec_automation.core.changes.parse_sections`); the modules here read what lies in them:
``outline`` (sections with lines), ``blocks`` (paragraphs, items, tables), ``roles`` (the
section vocabulary), ``detection``, ``requirements``, ``priority``, ``stories``, ``design``,
``proposals``, ``validation`` and ``processors``.
"""

from __future__ import annotations

from spec_automation.core.documents.detection import MIN_SCORE, detect_type
from spec_automation.core.documents.model import (
    Component,
    Detection,
    DocumentType,
    Endpoint,
    Entity,
    Extraction,
    Finding,
    ProcessedDocument,
    ProposedEdit,
    Requirement,
    Severity,
    UserStory,
)
from spec_automation.core.documents.priority import normal_priority
from spec_automation.core.documents.processors import (
    PROCESSORS,
    DocumentProcessor,
    OutlineProcessor,
    process,
)
from spec_automation.core.documents.requirements import assign_identifiers, with_identifiers

__all__ = [
    "MIN_SCORE",
    "PROCESSORS",
    "Component",
    "Detection",
    "DocumentProcessor",
    "DocumentType",
    "Endpoint",
    "Entity",
    "Extraction",
    "Finding",
    "OutlineProcessor",
    "ProcessedDocument",
    "ProposedEdit",
    "Requirement",
    "Severity",
    "UserStory",
    "assign_identifiers",
    "detect_type",
    "normal_priority",
    "process",
    "with_identifiers",
]
