"""Which phases read an imported document: the analyst and the PM read every PRD and spec;
the architect reads a technical spec too. A sprint change proposal is read by no phase: it is
applied as edits to the artifacts it names.

Documents are given in name order, so a phase's prompt (and the reply cache's key) only
change when a document it reads does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spec_automation.core.documents.model import DocumentType

__all__ = ["READERS", "SourceDocument", "documents_for"]

_SPEC_READERS = frozenset({"analyst", "pm"})

#: The agent roles that read each type of document.
READERS: dict[DocumentType, frozenset[str]] = {
    DocumentType.PRD: _SPEC_READERS,
    DocumentType.FUNCTIONAL_SPEC: _SPEC_READERS,
    DocumentType.TECHNICAL_SPEC: _SPEC_READERS | {"architect"},
    DocumentType.SPRINT_CHANGE_PROPOSAL: frozenset(),
}


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """An imported document as the phases reading it are given it."""

    name: str  # as stored: inputs/NAME
    type: DocumentType
    text: str


def documents_for(agent: str, documents: Iterable[SourceDocument]) -> tuple[SourceDocument, ...]:
    """The documents a phase run by ``agent`` reads, in name order."""
    return tuple(sorted((d for d in documents if agent in READERS[d.type]), key=lambda d: d.name))
