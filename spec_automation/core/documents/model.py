"""The records document parsing produces: types, findings, extracted requirements and more.

Every record carries the 1-based line it came from, so a finding or a requirement can be shown
next to the text it was read from.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Component",
    "Detection",
    "DocumentType",
    "Endpoint",
    "Entity",
    "Extraction",
    "Finding",
    "ProcessedDocument",
    "ProposedEdit",
    "Requirement",
    "Severity",
    "UserStory",
]

Severity = Literal["error", "warning"]


class DocumentType(enum.StrEnum):
    """The kinds of document a user can import."""

    PRD = "prd"
    FUNCTIONAL_SPEC = "functional-spec"
    TECHNICAL_SPEC = "technical-spec"
    SPRINT_CHANGE_PROPOSAL = "sprint-change-proposal"

    @property
    def label(self) -> str:
        """The type in words, for sentences: "PRD", "functional spec", ..."""
        return _LABELS[self]


_LABELS = {
    DocumentType.PRD: "PRD",
    DocumentType.FUNCTIONAL_SPEC: "functional spec",
    DocumentType.TECHNICAL_SPEC: "technical spec",
    DocumentType.SPRINT_CHANGE_PROPOSAL: "sprint change proposal",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a document.

    ``message`` is a full sentence without the line number (that is in ``line``); ``str()``
    gives both, as in "Line 12: The requirement FR-3 has no acceptance criteria."
    """

    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Requirement:
    """A requirement (or a functional spec's feature) with its acceptance criteria.

    ``priority`` is normalised within its own scale: "Must", "Should", "Could", "Won't";
    "P0" to "P3"; "High", "Medium", "Low"; ``None`` when the document gives none.
    """

    identifier: str
    statement: str
    priority: str | None
    acceptance_criteria: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class UserStory:
    """A user story (As a <role>, I want <goal>, so that <benefit>) and its identifier, if any."""

    identifier: str | None
    role: str
    goal: str
    benefit: str  # "" when the story gives no "so that" clause
    line: int


@dataclass(frozen=True, slots=True)
class Component:
    """A part of the system named in a technical spec, with what it is responsible for."""

    name: str
    responsibility: str
    line: int


@dataclass(frozen=True, slots=True)
class Entity:
    """A data entity of a technical spec with the names of its fields."""

    name: str
    fields: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An HTTP endpoint such as ``GET /rotas/{id}``."""

    method: str  # upper case
    path: str
    summary: str
    line: int


@dataclass(frozen=True, slots=True)
class ProposedEdit:
    """One edit a sprint change proposal asks for, in one artifact."""

    target: str  # the artifact's file name, such as "prd.md"
    section: str  # the section it changes; "" when the edit does not name one
    change: str
    line: int


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything structured that was read from a document, in document order."""

    requirements: tuple[Requirement, ...] = ()
    user_stories: tuple[UserStory, ...] = ()
    components: tuple[Component, ...] = ()
    entities: tuple[Entity, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    proposed_edits: tuple[ProposedEdit, ...] = ()


@dataclass(frozen=True, slots=True)
class Detection:
    """The document type read from a document's structure, or ``None`` when unsure.

    ``type`` is ``None`` when nothing scores enough or two types score the same: the caller
    then asks the user for the type. ``scores`` holds every type's score, highest first;
    ``reasons`` are sentences saying what the decision rests on.
    """

    type: DocumentType | None
    score: int
    reasons: tuple[str, ...]
    scores: tuple[tuple[DocumentType, int], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ProcessedDocument:
    """A document validated and extracted as one type."""

    type: DocumentType
    findings: tuple[Finding, ...]
    extraction: Extraction

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings that make the document unusable as its type."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The findings worth a look that do not stop the document being used."""
        return tuple(f for f in self.findings if f.severity == "warning")
