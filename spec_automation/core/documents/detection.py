"""Telling the document type from its structure: headings, identifiers, scenarios, endpoints.

Each type has signals with a weight: its title ("Product requirements", "Technical
specification"), the headings of the sections it is built from, and marks in the text
(requirement identifiers, Given/When/Then steps, HTTP endpoints, artifact file names). A signal
counts once however often it occurs, so a long document does not outweigh a short one. The type
with the highest score wins; below ``MIN_SCORE``, or when two types share the highest score, the
type is ``None`` and the caller asks the user.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from spec_automation.core.documents import roles
from spec_automation.core.documents.design import find_endpoints
from spec_automation.core.documents.model import Detection, DocumentType
from spec_automation.core.documents.outline import Outline, heading_text, read_outline
from spec_automation.core.documents.proposals import find_artifact_names

__all__ = ["MIN_SCORE", "detect_type"]

#: The score a type needs before the document is taken to be of that type.
MIN_SCORE = 3

_PRD, _FUNCTIONAL, _TECHNICAL, _PROPOSAL = (
    DocumentType.PRD,
    DocumentType.FUNCTIONAL_SPEC,
    DocumentType.TECHNICAL_SPEC,
    DocumentType.SPRINT_CHANGE_PROPOSAL,
)

_TITLES = (
    (_PRD, re.compile(r"\bproduct requirements?\b|\bprd\b")),
    (_FUNCTIONAL, re.compile(r"\bfunctional spec(?:ification)?s?\b")),
    (_TECHNICAL, re.compile(r"\btechnical (?:spec(?:ification)?|design)s?\b|\bdesign doc")),
    (_PROPOSAL, re.compile(r"\bchange proposals?\b|\bcourse correction\b")),
)
_TITLE_WEIGHT = 4

_HEADINGS = (
    (_PRD, 2, roles.GOALS.pattern),
    (_PRD, 3, roles.FUNCTIONAL_REQUIREMENTS.pattern),
    (_PRD, 1, roles.NON_FUNCTIONAL_REQUIREMENTS.pattern),
    (_PRD, 1, roles.ACCEPTANCE_CRITERIA.pattern),
    (_PRD, 1, roles.USER_STORIES.pattern),
    (_FUNCTIONAL, 2, roles.FEATURES.pattern),
    (_FUNCTIONAL, 3, roles.BEHAVIOURS.pattern),
    (_FUNCTIONAL, 1, re.compile(r"\bbusiness rules?\b")),
    (_TECHNICAL, 2, roles.COMPONENTS.pattern),
    (_TECHNICAL, 2, roles.DATA.pattern),
    (_TECHNICAL, 2, roles.INTERFACES.pattern),
    (_PROPOSAL, 1, roles.ISSUE.pattern),
    (_PROPOSAL, 1, roles.ANALYSIS.pattern),
    (_PROPOSAL, 3, roles.PROPOSED_EDITS.pattern),
    (_PROPOSAL, 1, roles.IMPACT.pattern),
)

_FR_ID = re.compile(r"(?<![\w-])FR-\d+\b")
_GIVEN = re.compile(r"[Gg]iven[*_]*\s")
_STEP_LEAD = re.compile(r"[ \t>*+_-]*(?:\d+[.)][ \t]*)?[*_]*")


@dataclass(frozen=True, slots=True)
class _Mark:
    """A mark in the text that points to a type."""

    type: DocumentType
    weight: int
    what: str  # "requirement identifiers such as FR-1 appear"
    find: Callable[[str], re.Match[str] | None]


def _given_step(text: str) -> re.Match[str] | None:
    """The first "Given" that starts a line, a list item or a quote: a scenario's first step."""
    for found in _GIVEN.finditer(text):
        line_start = text.rfind("\n", 0, found.start()) + 1
        if _STEP_LEAD.fullmatch(text, line_start, found.start()):
            return found
    return None


def _two_artifacts(text: str) -> re.Match[str] | None:
    """The first artifact file name, when at least two different ones are named."""
    first: re.Match[str] | None = None
    for found in find_artifact_names(text):
        if first is None:
            first = found
        elif found.group(1).lower() != first.group(1).lower():
            return first
    return None


_MARKS = (
    _Mark(_PRD, 2, "Requirement identifiers such as FR-1 appear", _FR_ID.search),
    _Mark(_FUNCTIONAL, 2, "Given/When/Then scenarios appear", _given_step),
    _Mark(
        _TECHNICAL,
        2,
        "HTTP endpoints such as 'GET /path' appear",
        lambda text: next(find_endpoints(text), None),
    ),
    _Mark(_PROPOSAL, 2, "Several artifact files such as prd.md are named", _two_artifacts),
)


def detect_type(text: str) -> Detection:
    """The type of a document, with the reasons; ``type`` is ``None`` when it is unclear."""
    if not text.strip():
        return Detection(None, 0, ("The document is empty.",))
    outline = read_outline(text)
    scores = dict.fromkeys(DocumentType, 0)
    reasons: dict[DocumentType, list[str]] = {t: [] for t in DocumentType}

    def score(document_type: DocumentType, weight: int, reason: str) -> None:
        scores[document_type] += weight
        reasons[document_type].append(reason)

    _score_title(outline, score)
    _score_headings(outline, score)
    for mark in _MARKS:
        found = mark.find(outline.text)
        if found:
            line = outline.text.count("\n", 0, found.start()) + 1
            score(mark.type, mark.weight, f"{mark.what}, first on line {line}.")
    ranked = tuple(sorted(scores.items(), key=lambda pair: -pair[1]))
    (best, top), (second, runner_up) = ranked[0], ranked[1]
    if top < MIN_SCORE:
        return Detection(None, top, (_NOTHING,), ranked)
    if runner_up == top:
        tie = (
            f"It fits a {best.label} and a {second.label} equally well (score {top} each), "
            "so its type has to be given."
        )
        return Detection(None, top, (tie,), ranked)
    return Detection(best, top, tuple(reasons[best]), ranked)


_NOTHING = (
    "Nothing in it marks it as a PRD, a functional spec, a technical spec or a sprint change "
    "proposal, so its type has to be given."
)


def _score_title(outline: Outline, score: Callable[[DocumentType, int, str], None]) -> None:
    title = outline.title or next((s for s in outline.sections if s.level), None)
    if title is None:
        return
    for document_type, pattern in _TITLES:
        if pattern.search(title.key):
            name = heading_text(title.title)
            score(
                document_type,
                _TITLE_WEIGHT,
                f"The title '{name}' on line {title.line} names it a {document_type.label}.",
            )


def _score_headings(outline: Outline, score: Callable[[DocumentType, int, str], None]) -> None:
    pending = list(_HEADINGS)
    for index, section in enumerate(outline.sections):
        if not section.level or index == outline.title_index:
            continue
        for signal in [s for s in pending if s[2].search(section.key)]:
            pending.remove(signal)
            document_type, weight, _ = signal
            score(
                document_type,
                weight,
                f"The heading '{heading_text(section.title)}' on line {section.line} is typical "
                f"of a {document_type.label}.",
            )
        if not pending:
            return
