"""One processor per document type: validation and extraction, and the registry of them.

A processor is pure: text in, findings or records out. Each built-in one reads the document's
outline once and derives both its findings and its extraction from that reading; the last few
results are kept, so ``validate`` then ``extract`` (or :func:`process`) read a document once.
The agents layer wraps these processors; a caller that needs another type supplies its own
object of the :class:`DocumentProcessor` shape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from spec_automation.core.documents import roles
from spec_automation.core.documents.design import read_components, read_endpoints, read_entities
from spec_automation.core.documents.model import (
    DocumentType,
    Extraction,
    Finding,
    ProcessedDocument,
)
from spec_automation.core.documents.outline import Outline, read_outline
from spec_automation.core.documents.proposals import read_proposed_edits
from spec_automation.core.documents.requirements import (
    ReadRequirement,
    assign_identifiers,
    attach_criteria,
    read_criteria_section,
    read_features,
    read_requirements,
)
from spec_automation.core.documents.stories import read_user_stories
from spec_automation.core.documents.validation import (
    duplicate_identifiers,
    edit_findings,
    empty_sections,
    missing_criteria,
    missing_section,
    nothing_read,
    sorted_findings,
    unidentified_requirements,
)

__all__ = ["PROCESSORS", "DocumentProcessor", "OutlineProcessor", "process"]


class DocumentProcessor(Protocol):
    """Validates and extracts one type of document."""

    @property
    def type(self) -> DocumentType:
        """The type of document it reads."""
        ...

    def validate(self, text: str) -> tuple[Finding, ...]:
        """The findings on a document of this type, sorted by line."""
        ...

    def extract(self, text: str) -> Extraction:
        """The records read from a document of this type."""
        ...


@dataclass(frozen=True, slots=True)
class OutlineProcessor:
    """A processor that analyses a document's outline into findings and an extraction."""

    type: DocumentType
    analyse: Callable[[Outline], tuple[list[Finding], Extraction]]

    def validate(self, text: str) -> tuple[Finding, ...]:
        """The findings on the document, sorted by line."""
        return _processed(self, text).findings

    def extract(self, text: str) -> Extraction:
        """The records read from the document."""
        return _processed(self, text).extraction


@functools.lru_cache(maxsize=4)
def _processed(processor: OutlineProcessor, text: str) -> ProcessedDocument:
    if not text.strip():
        return ProcessedDocument(processor.type, (Finding(1, "error", _EMPTY),), Extraction())
    findings, extraction = processor.analyse(read_outline(text))
    return ProcessedDocument(processor.type, sorted_findings(findings), extraction)


_EMPTY = "The document is empty."


def process(text: str, document_type: DocumentType | str) -> ProcessedDocument:
    """Validate and extract a document as the given type.

    An unknown type name raises ``ValueError`` with a sentence listing the known ones.
    """
    try:
        chosen = DocumentType(document_type)
    except ValueError:
        known = ", ".join(t.value for t in DocumentType)
        raise ValueError(
            f"There is no document type '{document_type}'; the types are {known}."
        ) from None
    processor = PROCESSORS[chosen]
    return ProcessedDocument(chosen, processor.validate(text), processor.extract(text))


# --- the four types ----------------------------------------------------------------------------


def _analyse_prd(outline: Outline) -> tuple[list[Finding], Extraction]:
    prd = DocumentType.PRD
    functional_at = outline.first(roles.FUNCTIONAL_REQUIREMENTS.pattern)
    non_functional_at = outline.first(roles.NON_FUNCTIONAL_REQUIREMENTS.pattern)
    read: tuple[ReadRequirement, ...] = ()
    if functional_at >= 0:
        read = read_requirements(outline, functional_at)
        for index in outline.find(roles.ACCEPTANCE_CRITERIA.pattern):
            read = attach_criteria(read, read_criteria_section(outline, index))
    functional = assign_identifiers([r.requirement for r in read], "FR")
    read_non_functional = _read_at(outline, non_functional_at)
    non_functional = assign_identifiers([r.requirement for r in read_non_functional], "NFR")
    has_criteria = any(r.acceptance_criteria for r in functional)
    findings = [
        *missing_section(
            outline, prd, roles.GOALS, present=outline.first(roles.GOALS.pattern) >= 0
        ),
        *missing_section(outline, prd, roles.FUNCTIONAL_REQUIREMENTS, present=functional_at >= 0),
        *missing_section(
            outline,
            prd,
            roles.ACCEPTANCE_CRITERIA,
            present=has_criteria or outline.first(roles.ACCEPTANCE_CRITERIA.pattern) >= 0,
        ),
        *duplicate_identifiers(r.requirement for r in (*read, *read_non_functional)),
        *missing_criteria(functional),
        *empty_sections(outline),
    ]
    if functional_at >= 0:
        findings += unidentified_requirements(outline, functional_at, read, functional)
        if not read:
            findings += nothing_read(outline, functional_at, _NO_REQUIREMENTS)
    extraction = Extraction(
        requirements=(*functional, *non_functional), user_stories=read_user_stories(outline)
    )
    return findings, extraction


_NO_REQUIREMENTS = "lists no requirements; number them or give each an identifier such as FR-1"


def _read_at(outline: Outline, index: int) -> tuple[ReadRequirement, ...]:
    return read_requirements(outline, index) if index >= 0 else ()


def _analyse_functional_spec(outline: Outline) -> tuple[list[Finding], Extraction]:
    spec = DocumentType.FUNCTIONAL_SPEC
    features_at = outline.first(roles.FEATURES.pattern)
    read = read_features(outline, features_at) if features_at >= 0 else ()
    features = assign_identifiers([r.requirement for r in read], "FR")
    described = any(f.acceptance_criteria for f in features)
    behaviours = described or outline.first(roles.BEHAVIOURS.pattern) >= 0
    findings = [
        *missing_section(outline, spec, roles.FEATURES, present=features_at >= 0),
        *missing_section(outline, spec, roles.BEHAVIOURS, present=behaviours),
        *duplicate_identifiers(r.requirement for r in read),
        *missing_criteria(features, noun="feature", criteria="behaviours"),
        *empty_sections(outline),
    ]
    if features_at >= 0 and not read:
        findings += nothing_read(outline, features_at, "describes no features")
    extraction = Extraction(requirements=features, user_stories=read_user_stories(outline))
    return findings, extraction


def _analyse_technical_spec(outline: Outline) -> tuple[list[Finding], Extraction]:
    spec = DocumentType.TECHNICAL_SPEC
    extraction = Extraction(
        components=read_components(outline),
        entities=read_entities(outline),
        endpoints=read_endpoints(outline),
    )
    findings = [*empty_sections(outline)]
    checks = (
        (roles.COMPONENTS, bool(extraction.components), "names no component"),
        (roles.DATA, bool(extraction.entities), "describes no entity with fields"),
        (roles.INTERFACES, True, ""),
    )
    for role, found, complaint in checks:
        index = outline.first(role.pattern)
        findings += missing_section(outline, spec, role, present=index >= 0)
        if index >= 0 and not found and not outline.is_empty(index):
            findings += nothing_read(outline, index, complaint, severity="warning")
    return findings, extraction


def _analyse_change_proposal(outline: Outline) -> tuple[list[Finding], Extraction]:
    proposal = DocumentType.SPRINT_CHANGE_PROPOSAL
    edits = read_proposed_edits(outline)
    findings = [*empty_sections(outline), *edit_findings(edits)]
    for role in (roles.ISSUE, roles.ANALYSIS, roles.PROPOSED_EDITS, roles.IMPACT):
        index = outline.first(role.pattern)
        findings += missing_section(outline, proposal, role, present=index >= 0)
        if role is roles.PROPOSED_EDITS and index >= 0 and not edits:
            findings += nothing_read(outline, index, _NO_EDITS)
    extraction = Extraction(proposed_edits=tuple(e for e in edits if e.target))
    return findings, extraction


_NO_EDITS = "proposes no edit; list each edit with the artifact it changes, such as prd.md"

#: The processor for each document type.
PROCESSORS: Mapping[DocumentType, DocumentProcessor] = MappingProxyType(
    {
        DocumentType.PRD: OutlineProcessor(DocumentType.PRD, _analyse_prd),
        DocumentType.FUNCTIONAL_SPEC: OutlineProcessor(
            DocumentType.FUNCTIONAL_SPEC, _analyse_functional_spec
        ),
        DocumentType.TECHNICAL_SPEC: OutlineProcessor(
            DocumentType.TECHNICAL_SPEC, _analyse_technical_spec
        ),
        DocumentType.SPRINT_CHANGE_PROPOSAL: OutlineProcessor(
            DocumentType.SPRINT_CHANGE_PROPOSAL, _analyse_change_proposal
        ),
    }
)
