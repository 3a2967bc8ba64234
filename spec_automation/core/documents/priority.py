"""Requirement priorities: found in a requirement's text and spelt one way per scale.

Three scales are understood, each kept as it is (a P1 is not turned into a "Must"): MoSCoW
("Must", "Should", "Could", "Won't"), P0 to P3, and "High", "Medium", "Low". A priority is read
from a tag, "(Must)", "[P1]", "(priority: high)", or a field, "Priority: Should"; a word in a
sentence ("patients must book") is not a priority.
"""

from __future__ import annotations

import re

__all__ = ["normal_priority", "split_priority"]

_WORD = r"(must|should|could|won'?t|wont|will not|p[0-3]|high|medium|low)(?:[ -]have)?"
_TAG = re.compile(r"\s*[\[(]\s*(?:priority\s*[:=]?\s*)?" + _WORD + r"\s*[\])]", re.IGNORECASE)
_FIELD = re.compile(r"\s*\bpriority\s*[:=–—-]?\s*" + _WORD + r"\b\.?", re.IGNORECASE)
_SPELLINGS = {
    "must": "Must",
    "should": "Should",
    "could": "Could",
    "won't": "Won't",
    "wont": "Won't",
    "will not": "Won't",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
}
_HAVE = re.compile(r"[ -]have$")
_P_LEVEL = re.compile(r"p[0-3]")


def normal_priority(value: str) -> str | None:
    """A priority in its canonical spelling: "MUST have" gives "Must", "p1" "P1", "high" "High".

    ``None`` for anything that is not a MoSCoW, P0-P3 or High/Medium/Low priority.
    """
    word = _HAVE.sub("", value.strip().strip(".").lower())
    if _P_LEVEL.fullmatch(word):
        return word.upper()
    return _SPELLINGS.get(word)


def split_priority(text: str) -> tuple[str | None, str]:
    """(priority or None, the text without its priority tag or field)."""
    for pattern in (_TAG, _FIELD):
        found = pattern.search(text)
        if found:
            rest = text[: found.start()] + text[found.end() :]
            return normal_priority(found.group(1)), rest.strip()
    return None, text.strip()
