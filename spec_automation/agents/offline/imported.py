"""Requirements from the documents a user imported, for the offline PM to build ``prd.md`` on.

The requirements of the imported PRDs are used, or without one the features of the imported
functional specs (which restate a PRD's requirements feature by feature), each with its
identifier, priority and acceptance criteria. Identifiers of the form ``FR-n`` and ``NFR-n``
are kept; any other (a feature's ``F-2``, a ``REQ-7``), a repeated one, or none at all gets
the next free ``FR-n``, and the source line names the original, so every requirement is
cited once downstream in the form the later phases trace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from spec_automation.core.documents import DocumentType, Requirement, assign_identifiers, process
from spec_automation.core.documents.readers import SourceDocument

__all__ = ["ImportedRequirement", "imported_requirements"]

_ORDER = (DocumentType.PRD, DocumentType.FUNCTIONAL_SPEC)
_TRACED = re.compile(r"N?FR-\d+")
_CLAUSE = re.compile(r"[,;:(]|\.(?=\s|$)")  # not the point of "99.5"


@dataclass(frozen=True, slots=True)
class ImportedRequirement:
    """A requirement read from an imported document, and where."""

    requirement: Requirement
    title: str
    document: str  # inputs/NAME
    source: str  # "inputs/NAME line N", or "F-2 in inputs/NAME line N" when renumbered


def imported_requirements(documents: Sequence[SourceDocument]) -> list[ImportedRequirement]:
    """The requirements of the imported PRDs (else functional specs), in name order."""
    read: list[tuple[Requirement, str, str]] = []
    seen: set[str] = set()
    kind = next((k for k in _ORDER if any(d.type is k for d in documents)), None)
    if kind is not None:
        for document in (d for d in documents if d.type is kind):
            for requirement in process(document.text, kind).extraction.requirements:
                original = requirement.identifier
                where = f"{document.name} line {requirement.line}"
                if original in seen or not _TRACED.fullmatch(original):
                    requirement = replace(requirement, identifier="")
                    where = f"{original} in {where}" if original else where
                seen.add(requirement.identifier)
                read.append((requirement, document.name, where))
    numbered = assign_identifiers([r for r, _, _ in read])
    return [
        ImportedRequirement(requirement, _title(requirement.statement), name, source)
        for requirement, (_, name, source) in zip(numbered, read, strict=True)
    ]


def _title(statement: str) -> str:
    """A short title from a requirement's statement: its first clause, at most eight words."""
    clause = _CLAUSE.split(statement, maxsplit=1)[0]
    words = clause.split()[:8]
    return " ".join(words).rstrip() or "Requirement"
