"""The outline of a markdown document: its headings and their lines (plain Python, no Qt).

Headings inside fenced code blocks and the YAML front matter are not headings; they are
skipped the way a markdown renderer would skip them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Heading", "front_matter_end", "headings"]

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True, slots=True)
class Heading:
    """One heading: its level (1-6), its text and its 0-based line."""

    level: int
    title: str
    line: int


def headings(text: str) -> list[Heading]:
    """Every ATX heading (``#`` to ``######``) of ``text``, in order."""
    found: list[Heading] = []
    lines = text.splitlines()
    start = front_matter_end(lines)
    fence: str | None = None
    for number in range(start, len(lines)):
        line = lines[number]
        marker = _FENCE.match(line)
        if marker:
            token = marker.group(1)
            if fence is None:
                fence = token[0] * len(token)
            elif token[0] == fence[0] and len(token) >= len(fence):
                fence = None
            continue
        if fence is not None:
            continue
        match = _ATX.match(line)
        if match:
            found.append(Heading(len(match.group(1)), match.group(2).strip(), number))
    return found


def front_matter_end(lines: list[str]) -> int:
    """The first line after a leading ``---`` ... ``---`` block (0 when there is none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for number in range(1, len(lines)):
        if lines[number].strip() in ("---", "..."):
            return number + 1
    return 0
