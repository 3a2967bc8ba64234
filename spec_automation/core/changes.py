"""Change detection: what changed between two versions of an artifact, section by section.

A change exists only when the SHA-256 hashes differ. Sections come from the markdown heading
tree (parsed with markdown-it-py): each heading starts a section that runs to the next heading
of any level, so a section's *own* text excludes its subsections and a section counts as
modified only when its own text changed. A section is named by its heading text; where that text
repeats (every requirement has "Acceptance criteria"), the nearest parent headings are added
until the name is unique ("FR-2: Swaps > Acceptance criteria").

An edit is cosmetic when the documents agree once whitespace, line wrapping, emphasis markers
and letter case are ignored. The change's impact level says how much it may matter downstream:
requirements (list items, requirement IDs, whole sections) added or removed → HIGH, requirements
only reworded → MEDIUM, cosmetic only → LOW.
"""

from __future__ import annotations

import enum
import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from spec_automation.core.artifacts import content_hash
from spec_automation.core.ports import Clock, SystemClock

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = [
    "FRONT_MATTER",
    "PREAMBLE",
    "Change",
    "ChangeDetector",
    "ChangedBy",
    "ImpactLevel",
    "Section",
    "SectionChange",
    "SectionChangeKind",
    "is_cosmetic",
    "parse_sections",
]

#: Name of the pseudo-section holding a file's YAML front matter.
FRONT_MATTER = "(front matter)"
#: Name of the pseudo-section holding text before the first heading.
PREAMBLE = "(preamble)"

_QUALIFIER = " > "
_LIST_ITEM = re.compile(r"^[ \t]{0,12}(?:[-*+]|\d{1,9}[.)])[ \t]+\S", re.MULTILINE)
# Requirement-like identifiers: FR-1, NFR-12, REQ-3, US-7, E-2, T-14 ...
_REQUIREMENT_ID = re.compile(r"(?<![\w-])[A-Z]{1,6}-\d+\b")
_EMPHASIS = re.compile(r"[*_]+")
_WHITESPACE = re.compile(r"\s+")
# Lines that may start, end or hide a heading: ATX headings, fences, HTML, setext underlines
# and thematic breaks, indented code. Any other non-blank line is prose (a list item too: the
# list rules are not used), and a run of prose lines is one block to the parser.
# Structural lines whose meaning depends on prose right above them: a setext underline (or
# "---", a rule only after a blank), an indented line (code only when no paragraph precedes
# it) and HTML (some kinds cannot interrupt a paragraph).
_NEEDS_PROSE = re.compile(r"[ \t]*[-=][-= \t]*$|    |\t|[ \t]{0,3}<")
_STRUCTURAL = re.compile(r"[ \t]*(?:#|`{3}|~{3}|<)|[ \t]*[-*_=][-*_= \t]*$|    |\t|.*>")


class ImpactLevel(enum.StrEnum):
    """How much a change (or an affected artifact) matters."""

    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"

    @property
    def rank(self) -> int:
        """2 for HIGH, 1 for MEDIUM, 0 for LOW: for comparing levels."""
        return {"HIGH": 2, "MEDIUM": 1, "LOW": 0}[self.value]


class ChangedBy(enum.StrEnum):
    """Who made a change."""

    USER = "user"
    SYSTEM = "system"


class SectionChangeKind(enum.StrEnum):
    """What happened to one section."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Section:
    """One section of a document: its heading and its own text (subsections excluded)."""

    name: str  # unique within the document (qualified with parent headings when needed)
    heading: str  # the heading's text as written
    level: int  # 1-6 for headings; 0 for the front matter and the preamble
    path: tuple[str, ...]  # heading texts from the top of the tree down to this one
    text: str  # own text: the heading line(s) and the body up to the next heading
    key: str = ""  # the heading path with case and emphasis ignored: pairs up two versions


@dataclass(frozen=True, slots=True)
class SectionChange:
    """A section added, modified or deleted, with its old and new own text."""

    name: str
    kind: SectionChangeKind
    old_text: str
    new_text: str
    cosmetic: bool = False  # only whitespace, wrapping, emphasis or case differ


@dataclass(frozen=True, slots=True)
class Change:
    """A detected change between two versions of one artifact."""

    old_hash: str | None  # None when there was no earlier version
    new_hash: str
    changed_by: ChangedBy
    detected_at: datetime
    sections: tuple[SectionChange, ...]
    cosmetic: bool
    impact_level: ImpactLevel


class ChangeDetector:
    """Finds the sections that changed between two versions and rates the change.

    The clock is passed in so tests can fix ``detected_at``.
    """

    def __init__(self, *, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()

    def detect(
        self, old: str | None, new: str, *, changed_by: ChangedBy | str = ChangedBy.USER
    ) -> Change | None:
        """The change from ``old`` to ``new``; ``None`` when their SHA-256 hashes are equal.

        ``old`` is ``None`` for an artifact seen for the first time: every section is added.
        """
        new_hash = content_hash(new)
        old_hash = None if old is None else content_hash(old)
        if old_hash == new_hash:
            return None
        new_sections = parse_sections(new)
        old_sections = parse_sections(old) if old is not None else ()
        sections = _compare(old_sections, new_sections)
        # Pairing ignores case and emphasis, so a cosmetic edit shows as cosmetic modifications.
        cosmetic = old is not None and all(
            s.kind == SectionChangeKind.MODIFIED and s.cosmetic for s in sections
        )
        return Change(
            old_hash=old_hash,
            new_hash=new_hash,
            changed_by=ChangedBy(changed_by),
            detected_at=self.clock.now(),
            sections=sections,
            cosmetic=cosmetic,
            impact_level=_impact(sections, cosmetic=cosmetic),
        )


def is_cosmetic(old: str, new: str) -> bool:
    """True when the texts differ only in whitespace, line wrapping, emphasis or letter case."""
    return _normal(old) == _normal(new)


# --- parsing ---------------------------------------------------------------------------------


@functools.cache
def _block_parser() -> MarkdownIt:
    """The section parser, made on first use (markdown-it loads only when text is parsed)."""
    from markdown_it import MarkdownIt

    # Only block structure is needed: inline parsing (links, emphasis) is most of the cost and
    # says nothing about where sections start. Lists, tables and quotes are left out of the
    # block rules too: a heading nested in them does not start a document section, and fences,
    # indented code and HTML blocks (which do hide '#' lines) are kept.
    parser = MarkdownIt("commonmark")
    parser.block.ruler.enableOnly(
        ["fence", "code", "html_block", "hr", "heading", "lheading", "paragraph"]
    )
    return parser



def parse_sections(text: str) -> tuple[Section, ...]:
    """The document's sections in order: front matter, preamble, then one per heading.

    Empty pseudo-sections are left out. Names are unique within the result.
    """
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    sections: list[tuple[str, int, tuple[str, ...], int, int]] = []
    keys: list[str] = []
    first_body_line = 0
    if lines and lines[0] == "---":
        for index in range(1, len(lines)):
            if lines[index] == "---":
                sections.append((FRONT_MATTER, 0, (FRONT_MATTER,), 0, index + 1))
                keys.append(FRONT_MATTER)
                first_body_line = index + 1
                break
    headings = _headings(lines, first_body_line)
    preamble_end = headings[0][0] if headings else len(lines)
    if any(line.strip() for line in lines[first_body_line:preamble_end]):
        sections.append((PREAMBLE, 0, (PREAMBLE,), first_body_line, preamble_end))
        keys.append(PREAMBLE)
    stack: list[tuple[int, str, str]] = []  # (level, title, key)
    for index, (start, level, title) in enumerate(headings):
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent_key = stack[-1][2] + _QUALIFIER if stack else ""
        stack.append((level, title, parent_key + _normal(title)))
        end = headings[index + 1][0] if index + 1 < len(headings) else len(lines)
        sections.append((title, level, tuple(t for _, t, _ in stack), start, end))
        keys.append(stack[-1][2])

    names = _unique_names([path for _, _, path, _, _ in sections])
    return tuple(
        Section(
            name=name,
            heading=title,
            level=level,
            path=path,
            text=text[offsets[start] : offsets[end] - 1] if end > start else "",
            key=key,
        )
        for name, key, (title, level, path, start, end) in zip(names, keys, sections, strict=True)
    )


def _headings(lines: Sequence[str], first: int) -> list[tuple[int, int, str]]:
    """(line, level, text) of every heading from line ``first`` on, found by markdown-it.

    Prose cannot start, end or hide a heading, so the parser is handed a condensed copy: a run
    of prose lines is dropped, or kept as one line when the line after it needs a paragraph
    above it to mean what it means (a setext underline, an indented line, HTML), and runs of
    blank lines become one. Headings come out the same from far fewer lines; line numbers are
    mapped back afterwards.
    """
    structural = _STRUCTURAL.match
    kinds = [
        "blank" if not line.strip() else "structural" if structural(line) else "prose"
        for line in lines[first:]
    ]
    runs: list[tuple[str, int]] = []  # (kind, first original line), consecutive kinds merged
    previous = ""
    for number, kind in enumerate(kinds, start=first):
        if kind != previous or kind == "structural":
            runs.append((kind, number))
            previous = kind
    condensed: list[tuple[str, int]] = []
    for index, (kind, number) in enumerate(runs):
        if kind == "prose":
            after = runs[index + 1] if index + 1 < len(runs) else ("end", 0)
            if after[0] != "structural" or not _NEEDS_PROSE.match(lines[after[1]]):
                continue  # no underline, indented line or HTML below it: irrelevant
        if kind == "blank" and condensed and condensed[-1][0] == "blank":
            continue
        condensed.append((kind, number))
    runs = condensed
    kept = [
        lines[n] if kind == "structural" else "x" if kind == "prose" else "" for kind, n in runs
    ]
    origin = [n for _, n in runs]
    tokens: list[Any] = []
    parser = _block_parser()
    parser.block.parse("\n".join(kept), parser, {}, tokens)
    headings: list[tuple[int, int, str]] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        start = origin[token.map[0]]
        if token.markup in ("=", "-"):
            # Setext: the heading is the prose right above the underline.
            underline = origin[token.map[1] - 1]
            start = underline
            while (
                start > first
                and lines[start - 1].strip()
                and not _STRUCTURAL.match(lines[start - 1])
            ):
                start -= 1
            title = " ".join(line.strip() for line in lines[start:underline])
        else:
            title = tokens[index + 1].content.strip()
        headings.append((start, int(token.tag[1]), title))
    return headings


def _unique_names(paths: Sequence[tuple[str, ...]]) -> list[str]:
    """Each section's heading, with parent headings added (nearest first) until unique."""
    depth = [1] * len(paths)

    def name(i: int) -> str:
        return _QUALIFIER.join(paths[i][-depth[i] :])

    pending = list(range(len(paths)))
    while pending:
        counts = Counter(name(i) for i in range(len(paths)))
        clashing = [i for i in pending if counts[name(i)] > 1 and depth[i] < len(paths[i])]
        if not clashing:
            break
        for i in clashing:
            depth[i] += 1
        pending = clashing
    names = [name(i) for i in range(len(paths))]
    # Identical headings under identical parents: number them in order of appearance.
    seen: Counter[str] = Counter()
    totals = Counter(names)
    for i, base in enumerate(names):
        if totals[base] > 1:
            seen[base] += 1
            names[i] = f"{base} ({seen[base]})"
    return names


# --- comparing ----------------------------------------------------------------------------


def _compare(old: Sequence[Section], new: Sequence[Section]) -> tuple[SectionChange, ...]:
    """Pair sections by their heading path, then by heading alone, and list what changed."""
    pairs: dict[int, int] = {}  # new index -> old index
    old_by_key: dict[str, list[int]] = {}
    for i, section in enumerate(old):
        old_by_key.setdefault(section.key, []).append(i)
    used: set[int] = set()
    for j, section in enumerate(new):
        candidates = old_by_key.get(section.key)
        if candidates:
            i = candidates.pop(0)
            pairs[j] = i
            used.add(i)
    # A parent heading renamed moves its children's paths: pair leftovers by their own
    # heading when that is unambiguous on both sides.
    left_old: dict[str, list[int]] = {}
    for i, section in enumerate(old):
        if i not in used:
            left_old.setdefault(_normal(section.heading), []).append(i)
    left_new: dict[str, list[int]] = {}
    for j, section in enumerate(new):
        if j not in pairs:
            left_new.setdefault(_normal(section.heading), []).append(j)
    for heading, js in left_new.items():
        is_ = left_old.get(heading, [])
        if len(js) == 1 and len(is_) == 1:
            pairs[js[0]] = is_[0]
            used.add(is_[0])

    changes: list[SectionChange] = []
    for j, section in enumerate(new):
        if j not in pairs:
            changes.append(SectionChange(section.name, SectionChangeKind.ADDED, "", section.text))
            continue
        before = old[pairs[j]]
        if before.text != section.text:
            changes.append(
                SectionChange(
                    section.name,
                    SectionChangeKind.MODIFIED,
                    before.text,
                    section.text,
                    cosmetic=is_cosmetic(before.text, section.text),
                )
            )
    changes.extend(
        SectionChange(section.name, SectionChangeKind.DELETED, section.text, "")
        for i, section in enumerate(old)
        if i not in used
    )
    return tuple(changes)


def _impact(sections: Sequence[SectionChange], *, cosmetic: bool) -> ImpactLevel:
    if cosmetic:
        return ImpactLevel.LOW
    content = [s for s in sections if s.name != FRONT_MATTER]
    if not content or all(s.cosmetic for s in content):
        return ImpactLevel.LOW  # only metadata or formatting moved
    if any(s.kind != SectionChangeKind.MODIFIED for s in content):
        return ImpactLevel.HIGH
    # An ID that moved from one changed section to another was neither added nor removed.
    old_ids = {i for s in content for i in _REQUIREMENT_ID.findall(s.old_text)}
    new_ids = {i for s in content for i in _REQUIREMENT_ID.findall(s.new_text)}
    if old_ids != new_ids:
        return ImpactLevel.HIGH
    for change in content:
        if len(_LIST_ITEM.findall(change.old_text)) != len(_LIST_ITEM.findall(change.new_text)):
            return ImpactLevel.HIGH
    return ImpactLevel.MEDIUM


def _normal(text: str) -> str:
    """Text with emphasis markers dropped, whitespace collapsed and letters lower-cased."""
    return _WHITESPACE.sub(" ", _EMPHASIS.sub("", text)).strip().lower()
