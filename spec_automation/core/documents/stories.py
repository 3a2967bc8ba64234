"""Reading user stories: "As a <role>, I want <goal>, so that <benefit>", anywhere outside code."""

from __future__ import annotations

import re

from spec_automation.core.documents.blocks import plain
from spec_automation.core.documents.model import UserStory
from spec_automation.core.documents.outline import Outline
from spec_automation.core.documents.requirements import IDENTIFIER

__all__ = ["read_user_stories"]

_STORY_START = re.compile(r"As an? ")  # no look-behind: it would slow the scan tenfold
_STORY = re.compile(
    r"(?<!\w)As an?\s+(?P<role>.+?),?\s+I\s+(?:want|need|would like|wish|can)\s+(?:to\s+)?"
    r"(?P<goal>.+?)(?:,?\s+so\s+that\s+(?P<benefit>.+?))?[\s.]*$"
)


def read_user_stories(outline: Outline) -> tuple[UserStory, ...]:
    """Every user story in the document, with the identifier written before it (US-3: ...)."""
    stories: list[UserStory] = []
    text, position, line, line_end = outline.text, 0, 1, -1
    for found in _STORY_START.finditer(text):
        if found.start() < line_end or text[found.start() - 1 : found.start()].isalnum():
            continue  # a second "As a" on a line already read, or "Has a"
        start = text.rfind("\n", 0, found.start()) + 1
        line_end = text.find("\n", found.start())
        line_end = len(text) if line_end < 0 else line_end
        line += text.count("\n", position, start)
        position = start
        plain_line = plain(text[start:line_end])
        story = _STORY.search(plain_line)
        if not story:
            continue
        identifier = IDENTIFIER.search(plain_line, 0, story.start())
        stories.append(
            UserStory(
                identifier=identifier.group(0) if identifier else None,
                role=story.group("role").strip(),
                goal=story.group("goal").strip(),
                benefit=(story.group("benefit") or "").strip(),
                line=line,
            )
        )
    return tuple(stories)
