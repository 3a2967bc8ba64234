"""The sections each document type is built from, recognised by their headings.

Detection and validation share this vocabulary: a heading whose key (see
:func:`~spec_automation.core.documents.outline.heading_key`) matches a role's pattern plays that
role, so "## 2. Goals:", "Goals and objectives" and a setext "GOALS" all count as the goals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ACCEPTANCE_CRITERIA",
    "ANALYSIS",
    "BEHAVIOURS",
    "COMPONENTS",
    "DATA",
    "FEATURES",
    "FUNCTIONAL_REQUIREMENTS",
    "GOALS",
    "IMPACT",
    "INTERFACES",
    "ISSUE",
    "NON_FUNCTIONAL_REQUIREMENTS",
    "PROPOSED_EDITS",
    "USER_STORIES",
    "SectionRole",
]


@dataclass(frozen=True, slots=True)
class SectionRole:
    """A part a section can play: what it is called in sentences and how to spot it."""

    name: str  # in words, for messages: "functional requirements"
    example: str  # a heading to suggest: "Functional requirements"
    pattern: re.Pattern[str]

    def matches(self, key: str) -> bool:
        """Whether a heading key plays this role."""
        return self.pattern.search(key) is not None


def _role(name: str, example: str, pattern: str) -> SectionRole:
    return SectionRole(name, example, re.compile(pattern))


GOALS = _role("goals", "Goals", r"(?<![\w-])(?:goals?|objectives?)\b")
FUNCTIONAL_REQUIREMENTS = _role(
    "functional requirements",
    "Functional requirements",
    r"(?<![\w-])(?<!non )functional requirements?\b"
    r"|^(?:product |system |business |feature |user )?requirements?$",
)
NON_FUNCTIONAL_REQUIREMENTS = _role(
    "non-functional requirements",
    "Non-functional requirements",
    r"\bnon[- ]?functional\b|\bquality (?:attributes|requirements)\b",
)
ACCEPTANCE_CRITERIA = _role(
    "acceptance criteria", "Acceptance criteria", r"\bacceptance(?: criteria| tests?)?\b"
)
USER_STORIES = _role("user stories", "User stories", r"\buser stor(?:y|ies)\b")
FEATURES = _role("features", "Features", r"\bfeatures?\b|\bcapabilit(?:y|ies)\b")
BEHAVIOURS = _role("behaviours", "Behaviours", r"\bbehaviou?rs?\b|\bscenarios?\b")
COMPONENTS = _role("components", "Components", r"\bcomponents?\b|\bservices\b|\bmodules\b")
DATA = _role(
    "data",
    "Data model",
    r"\bdata ?models?\b|\bentit(?:y|ies)\b|\bschemas?\b|\bdatabase\b|^data\b",
)
INTERFACES = _role("interfaces", "Interfaces", r"\binterfaces?\b|\bapis?\b|\bendpoints?\b")
ISSUE = _role("issue", "Issue", r"\b(?:issue|problem|trigger)s?\b")
ANALYSIS = _role("analysis", "Analysis", r"\banalysis\b")
PROPOSED_EDITS = _role(
    "proposed edits",
    "Proposed edits",
    r"\bproposed (?:edits?|changes?)\b|\bchange proposals?\b|\bdetailed changes?\b"
    r"|^edits?(?: (?:by|per) (?:document|artifact))?$",
)
IMPACT = _role("impact", "Impact", r"\bimpacts?\b")
