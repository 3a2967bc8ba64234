"""A document's outline: its sections with line numbers, read from the markdown heading tree.

Sections come from :func:`spec_automation.core.changes.parse_sections` (the one section parser
of the product); this module adds what document parsing needs on top: the 1-based line of each
heading, the parent/child structure, a heading *key* that ignores case, numbering ("## 1.
Goals"), emphasis and trailing colons, and the lines with fenced code blanked out, so a ``GET
/x`` or a bullet inside an example is never read as part of the document.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from spec_automation.core.changes import FRONT_MATTER, parse_sections
from spec_automation.core.documents.blocks import Block, plain, read_blocks

__all__ = ["Outline", "OutlineSection", "heading_key", "heading_text", "read_outline"]

_NUMBERING = re.compile(
    r"^(?:(?:section|part|chapter)\s+)?(?:\d+(?:\.\d+)*[.)]?|[ivx]+[.)]|[a-z][.)])\s+",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"[\s:.#]+$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")


def heading_text(title: str) -> str:
    """A heading as a name: "## 2.1 **Rota service**:" gives "Rota service"."""
    return _TRAILING.sub("", _NUMBERING.sub("", plain(title)))


def heading_key(title: str) -> str:
    """A heading reduced for matching: "## 1. **Goals**:" and "goals" give the same key."""
    return heading_text(title.replace("&", " and ")).lower()


@dataclass(frozen=True, slots=True)
class OutlineSection:
    """One heading and the lines of its own text (subsections excluded).

    The preamble (text before the first heading) is a section of level 0 with an empty title.
    """

    title: str  # as written, markup included
    key: str  # see heading_key
    level: int  # 1-6; 0 for the preamble
    line: int  # 1-based line of the heading (its first line for a setext heading)
    body_start: int  # 1-based line of the first line below the heading
    body_end: int  # 1-based line after the last line of the own text
    parent: int  # index of the enclosing section in Outline.sections; -1 for none
    end: int  # index after the last subsection in Outline.sections


class Outline:
    """The sections of one document in order, with its lines (fenced code blanked).

    Treat it as read-only: outlines are shared through a small cache.
    """

    __slots__ = ("_blocks", "lines", "sections", "text", "title_index")

    def __init__(
        self, text: str, lines: tuple[str, ...], sections: tuple[OutlineSection, ...]
    ) -> None:
        self.text = text  # the lines joined: the document with code and front matter blanked
        self.lines = lines
        self.sections = sections
        self._blocks: dict[int, tuple[Block, ...]] = {}
        #: The document's title: its first heading when no other is as high; -1 for none. The
        #: title names the document, so it never plays a section's role ("Sprint change
        #: proposal: ..." is not the proposed-edits section).
        self.title_index = _title(sections)

    def blocks(self, index: int) -> tuple[Block, ...]:
        """The paragraphs, list items and tables of a section's own text (read once)."""
        found = self._blocks.get(index)
        if found is None:
            found = self._blocks[index] = read_blocks(self.body(self.sections[index]))
        return found

    @property
    def title_line(self) -> int:
        """Where a finding about the whole document goes: its first heading, else line 1."""
        for section in self.sections:
            if section.level:
                return section.line
        return 1

    @property
    def title(self) -> OutlineSection | None:
        """The title section, if the document has one."""
        return self.sections[self.title_index] if self.title_index >= 0 else None

    def body(self, section: OutlineSection) -> Iterator[tuple[int, str]]:
        """(line number, text) of the section's own lines below its heading."""
        for number in range(section.body_start, section.body_end):
            yield number, self.lines[number - 1]

    def is_empty(self, index: int) -> bool:
        """True for a heading with neither text nor subsections below it."""
        section = self.sections[index]
        if section.end > index + 1:
            return False
        return not any(line.strip() for _, line in self.body(section))

    def children(self, index: int) -> list[int]:
        """Indices of the direct subsections of a section."""
        end = self.sections[index].end
        return [i for i in range(index + 1, end) if self.sections[i].parent == index]

    def find(self, pattern: re.Pattern[str]) -> list[int]:
        """Indices of the sections whose key matches ``pattern``; the title is never one."""
        return [
            i
            for i in range(len(self.sections))
            if self.sections[i].level
            and i != self.title_index
            and pattern.search(self.sections[i].key)
        ]

    def first(self, pattern: re.Pattern[str]) -> int:
        """The first section whose key matches, outermost first; -1 when there is none."""
        found = self.find(pattern)
        return min(found, key=lambda i: (self.sections[i].level, i)) if found else -1


@functools.lru_cache(maxsize=4)
def read_outline(text: str) -> Outline:
    """The outline of a document (kept for the last few documents: detection, validation and
    extraction of one import all read the same outline)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    sections: list[OutlineSection] = []
    stack: list[int] = []  # indices of the open headings
    position, line = 0, 1
    for section in parse_sections(text):
        at = text.find(section.text, position) if section.text else position
        line += text.count("\n", position, at)
        size = section.text.count("\n") + 1
        position = at + len(section.text)
        if section.name == FRONT_MATTER:
            for number in range(line - 1, line - 1 + size):
                lines[number] = ""
        elif section.level == 0:
            sections.append(OutlineSection("", "", 0, line, line, line + size, -1, 0))
        else:
            while stack and sections[stack[-1]].level >= section.level:
                sections[stack[-1]] = _closed(sections[stack[-1]], len(sections))
                stack.pop()
            heading_lines = _heading_size(section.text)
            sections.append(
                OutlineSection(
                    title=section.heading,
                    key=heading_key(section.heading),
                    level=section.level,
                    line=line,
                    body_start=line + heading_lines,
                    body_end=line + size,
                    parent=stack[-1] if stack else -1,
                    end=0,
                )
            )
            stack.append(len(sections) - 1)
        line += size - 1
    for index, read in enumerate(sections):
        if read.end == 0:
            sections[index] = _closed(read, len(sections) if read.level else index + 1)
    _blank_code(lines)
    return Outline("\n".join(lines), tuple(lines), tuple(sections))


def _title(sections: tuple[OutlineSection, ...]) -> int:
    headings = [i for i, section in enumerate(sections) if section.level]
    if not headings:
        return -1
    first = headings[0]
    level = sections[first].level
    return first if all(sections[i].level > level for i in headings[1:]) else -1


def _closed(section: OutlineSection, end: int) -> OutlineSection:
    return OutlineSection(
        section.title,
        section.key,
        section.level,
        section.line,
        section.body_start,
        section.body_end,
        section.parent,
        end,
    )


def _heading_size(text: str) -> int:
    """How many lines the heading at the start of a section's text takes."""
    if text.lstrip(" ").startswith("#"):
        return 1
    for number, line in enumerate(text.split("\n", 8), start=1):
        if _SETEXT_UNDERLINE.match(line):
            return number
    return 1


def _blank_code(lines: list[str]) -> None:
    """Blank fenced code blocks in place (fence lines included); line numbers stay put."""
    fence = ""
    for number, line in enumerate(lines):
        if not fence:
            if "`" not in line and "~" not in line:
                continue
            opened = _FENCE.match(line)
            if opened:
                fence = opened.group(1)
                lines[number] = ""
            continue
        closing = _FENCE.match(line)
        if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
            fence = ""
        lines[number] = ""
