"""Reading requirements with their priorities and acceptance criteria.

A requirement is written in one of these shapes, all read the same way:

* a heading with an identifier (``### FR-3: Skill-mix rules``), its statement in a
  ``Statement:`` field or its first paragraph, a ``Priority:`` field, and its acceptance
  criteria as the list items below it (or under an "Acceptance criteria" label or subheading);
* a list item (``- **FR-3** (Must): ...``, ``1. ...``, ``- ...``) with its criteria nested;
* a paragraph starting with an identifier, its criteria in the list right after it;
* a table row, with the columns named by the header (ID, Requirement, Priority, Criteria).

Under a requirements section, a subheading without an identifier groups requirements (its items
are the requirements) unless it reads as one requirement: prose with no item or paragraph
starting with an identifier, and no subheadings of its own. Given/When/Then steps are joined
into one criterion per scenario.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from spec_automation.core.documents.blocks import Item, Paragraph, Table, column, label, plain
from spec_automation.core.documents.model import Requirement
from spec_automation.core.documents.outline import Outline
from spec_automation.core.documents.priority import normal_priority, split_priority
from spec_automation.core.documents.roles import (
    ACCEPTANCE_CRITERIA,
    BEHAVIOURS,
    NON_FUNCTIONAL_REQUIREMENTS,
)

__all__ = [
    "IDENTIFIER",
    "ReadRequirement",
    "assign_identifiers",
    "attach_criteria",
    "read_criteria_section",
    "read_features",
    "read_requirements",
    "with_identifiers",
]

#: Requirement-like identifiers: FR-1, NFR-12, REQ-003, US-7, F-2 ...
IDENTIFIER = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{0,5}-\d+\b")
_LEADING_ID = re.compile(r"^[\[(]?\s*([A-Z][A-Z0-9]{0,5}-\d+)\b[\])]?[\s:.)–—-]*")
_LEADING_SEPARATORS = re.compile(r"^[\s:.;,–—-]+")
_STEP = re.compile(r"^(given|when|then|and|but)\b", re.IGNORECASE)
_STEP_BREAK = re.compile(r"\s+(?=(?:When|Then|And|But)\s)")
_STATEMENT_LABELS = frozenset({"statement", "description", "requirement", "summary"})
_CRITERIA_LABELS = frozenset({"acceptance criteria", "acceptance", "criteria", "ac"})
_SCENARIO_LABELS = frozenset({"scenario", "example"})
_ID_COLUMN = re.compile(r"^(?:id|#|ref|key|identifier|req(?:uirement)? id|no\.?)$")
_STATEMENT_COLUMN = re.compile(r"requirement|statement|description|title|summary|feature|name")
_PRIORITY_COLUMN = re.compile(r"priority|moscow")
_CRITERIA_COLUMN = re.compile(r"acceptance|criteria")
_ASIDE = re.compile(
    f"{ACCEPTANCE_CRITERIA.pattern.pattern}|{NON_FUNCTIONAL_REQUIREMENTS.pattern.pattern}"
)
_CELL_BREAK = re.compile(r"<br\s*/?>|;\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ReadRequirement:
    """A requirement as read, before identifiers are assigned.

    ``requirement.identifier`` is "" when the document gives none; ``numbered`` tells a
    numbered item (its number is its identity) from a plain bullet.
    """

    requirement: Requirement
    numbered: bool


def assign_identifiers(
    requirements: Sequence[Requirement], prefix: str = "FR"
) -> tuple[Requirement, ...]:
    """Give each requirement without an identifier the next free ``{prefix}-n``, in order.

    Numbering starts at 1 and skips identifiers the document already uses, so requirements
    that have identifiers keep them and the rest still get unique ones.
    """
    used = {r.identifier for r in requirements}
    number = 0
    assigned: list[Requirement] = []
    for requirement in requirements:
        if requirement.identifier:
            assigned.append(requirement)
            continue
        number += 1
        while f"{prefix}-{number}" in used:
            number += 1
        assigned.append(replace(requirement, identifier=f"{prefix}-{number}"))
    return tuple(assigned)


_LINE_START = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)?)(.*)$")


def with_identifiers(text: str, requirements: Sequence[Requirement]) -> str:
    """``text`` with the identifier of each requirement written where the requirement starts,
    when that line does not carry it yet (after its heading, bullet or number marker).

    Only lines that start a requirement change, and only by the identifier: a numbered item
    ``3. Staff ...`` becomes ``3. FR-3: Staff ...``. A requirement read from a table row
    keeps its row as it is (a cell is not a line to write into).
    """
    lines = text.split("\n")
    for requirement in requirements:
        index = requirement.line - 1
        if not requirement.identifier or not 0 <= index < len(lines):
            continue
        line = lines[index]
        if line.lstrip().startswith("|") or re.search(
            rf"(?<![\w-]){re.escape(requirement.identifier)}(?![\w-])", line
        ):
            continue
        match = _LINE_START.match(line)
        assert match is not None  # the pattern matches any line
        lines[index] = f"{match.group(1)}{requirement.identifier}: {match.group(2)}"
    return "\n".join(lines)


class _Criteria:
    """Acceptance criteria in order, Given/When/Then steps joined into one per scenario."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.steps: list[str] = []
        self.scenario = ""

    def name(self, scenario: str) -> None:
        self.flush()
        self.scenario = scenario.rstrip(".:")

    def add(self, text: str) -> None:
        if not text:
            return
        step = _STEP.match(text)
        if step and (self.steps or step.group(1).lower() in ("given", "when")):
            if step.group(1).lower() == "given" and self.steps:
                self.flush()
            self.steps.extend(_STEP_BREAK.split(text))
            return
        self.flush()
        self.found.append(text)

    def flush(self) -> None:
        if not self.steps:
            return
        first, *rest = (step.rstrip(" .;,") for step in self.steps)
        joined = ", ".join([first, *(s[:1].lower() + s[1:] for s in rest)]) + "."
        self.found.append(f"{self.scenario}: {joined}" if self.scenario else joined)
        self.steps.clear()
        self.scenario = ""

    def result(self) -> tuple[str, ...]:
        self.flush()
        return tuple(self.found)


class _Draft:
    """One requirement being read: fields and criteria arrive block by block."""

    def __init__(self, text: str, line: int, *, numbered: bool = False) -> None:
        identifier, rest = _split_identifier(text)
        self.identifier = identifier
        self.priority, self.statement = split_priority(rest)
        self.line = line
        self.numbered = numbered
        self.criteria = _Criteria()

    def take_paragraph(self, text: str) -> None:
        """A paragraph below the requirement: a field, a scenario step or its statement."""
        text = plain(text)
        if self.take_field(text):
            return
        if _STEP.match(text):
            self.criteria.add(text)
        elif not self.statement:
            self.statement = text

    def take_item(self, item: Item) -> None:
        """A list item below the requirement: a field or an acceptance criterion."""
        text = plain(" ".join([item.text, *(more for _, more in item.more)]))
        name = label(text)[0]
        if name in _CRITERIA_LABELS or name in _SCENARIO_LABELS:
            self.take_field(text)
        elif self.take_field(text):
            return
        else:
            self.criteria.add(text)
        for child in item.children:
            self.take_item(child)

    def take_field(self, text: str) -> bool:
        """Read a "Name: value" field the requirement knows; False when it is not one."""
        name, value = label(text)
        if name in _STATEMENT_LABELS:
            self.statement = self.statement or value
        elif name == "priority":
            self.priority = self.priority or normal_priority(value)
        elif name in _CRITERIA_LABELS:
            self.criteria.add(value)
        elif name in _SCENARIO_LABELS:
            self.criteria.name(value)
        else:
            return False
        return True

    def result(self) -> ReadRequirement:
        statement = _LEADING_SEPARATORS.sub("", self.statement)
        requirement = Requirement(
            self.identifier, statement, self.priority, self.criteria.result(), self.line
        )
        return ReadRequirement(requirement, self.numbered)


def _split_identifier(text: str) -> tuple[str, str]:
    found = _LEADING_ID.match(text)
    return (found.group(1), text[found.end() :]) if found else ("", text)


def _starts_with_identifier(text: str) -> bool:
    return _LEADING_ID.match(plain(text)) is not None


# --- requirements sections ---------------------------------------------------------------------


def read_requirements(outline: Outline, index: int) -> tuple[ReadRequirement, ...]:
    """The requirements in the section at ``index`` and its subsections, in document order."""
    found = list(_from_blocks(outline, index))
    position, end = index + 1, outline.sections[index].end
    while position < end:
        section = outline.sections[position]
        identified = _starts_with_identifier(section.title)
        if not identified and _ASIDE.search(section.key):
            position = section.end  # criteria read on their own, or requirements of a kind
        elif identified or not _is_group(outline, position):
            found.append(_from_heading(outline, position))
            position = section.end
        else:
            found.extend(_from_blocks(outline, position))
            position += 1
    return tuple(found)


def read_features(outline: Outline, index: int) -> tuple[ReadRequirement, ...]:
    """A functional spec's features: one per subsection, else one per list item.

    A feature's behaviours (Given/When/Then scenarios, or the items under a "Behaviours"
    subheading) are its acceptance criteria.
    """
    children = outline.children(index)
    if not children:
        return tuple(_from_blocks(outline, index))
    return tuple(_from_heading(outline, child) for child in children)


def _is_group(outline: Outline, index: int) -> bool:
    """Whether a subheading without an identifier groups requirements rather than being one."""
    if outline.children(index):
        return True
    blocks = outline.blocks(index)
    if any(isinstance(b, Table) or _starts_with_identifier(b.text) for b in _texts(blocks)):
        return True
    return not any(isinstance(b, Paragraph) and not label(plain(b.text))[0] for b in blocks)


def _texts(blocks: Iterable[Paragraph | Item | Table]) -> Iterable[Paragraph | Item | Table]:
    """Blocks with nested items flattened."""
    for block in blocks:
        yield block
        if isinstance(block, Item):
            yield from _texts(block.children)


def _from_heading(outline: Outline, index: int) -> ReadRequirement:
    section = outline.sections[index]
    draft = _Draft(plain(section.title), section.line)
    title, draft.statement = draft.statement, ""  # a field or the first paragraph says more
    for position in range(index, section.end):
        if position != index:
            sub = outline.sections[position]
            name, value = label(plain(sub.title))
            if name in _SCENARIO_LABELS:
                draft.criteria.name(value)
            elif not (ACCEPTANCE_CRITERIA.matches(sub.key) or BEHAVIOURS.matches(sub.key)):
                continue  # notes, rules, open questions: not criteria
        for block in outline.blocks(position):
            if isinstance(block, Paragraph):
                draft.take_paragraph(block.text)
            elif isinstance(block, Item):
                draft.take_item(block)
    draft.statement = draft.statement or title
    return draft.result()


def _from_blocks(outline: Outline, index: int) -> Iterable[ReadRequirement]:
    """Requirements written as list items, paragraphs or table rows of one section."""
    current: _Draft | None = None  # a requirement written as a paragraph takes the list below
    for block in outline.blocks(index):
        if isinstance(block, Table):
            yield from _from_table(block)
        elif isinstance(block, Paragraph):
            text = plain(block.text)
            if _starts_with_identifier(text):
                if current is not None:
                    yield current.result()
                current = _Draft(text, block.line)
            elif current is not None and (label(text)[0] or _STEP.match(text)):
                current.take_paragraph(text)
            elif current is not None:
                yield current.result()
                current = None
        elif current is not None and not _starts_with_identifier(block.text):
            current.take_item(block)
        else:
            if current is not None:
                yield current.result()
                current = None
            yield from _from_item(block)
    if current is not None:
        yield current.result()


def _from_item(item: Item) -> Iterable[ReadRequirement]:
    if not _starts_with_identifier(item.text) and any(
        _starts_with_identifier(child.text) for child in item.children
    ):
        for child in item.children:  # a bullet grouping identified requirements
            yield from _from_item(child)
        return
    draft = _Draft(plain(item.text), item.line, numbered=item.numbered)
    for _, more in item.more:
        text = plain(more)
        if not draft.take_field(text):
            if _STEP.match(text):
                draft.criteria.add(text)
            else:
                draft.statement = f"{draft.statement} {text}".strip()
    for child in item.children:
        draft.take_item(child)
    yield draft.result()


def _from_table(table: Table) -> Iterable[ReadRequirement]:
    identifier = column(table, _ID_COLUMN)
    statement = column(table, _STATEMENT_COLUMN)
    if statement < 0:
        return
    priority = column(table, _PRIORITY_COLUMN)
    criteria = column(table, _CRITERIA_COLUMN)
    for row in table.rows:

        def cell(at: int, cells: tuple[str, ...] = row.cells) -> str:
            return plain(cells[at]) if 0 <= at < len(cells) else ""

        text = cell(statement)
        if not text:
            continue
        ident = cell(identifier) if identifier >= 0 else _split_identifier(cell(0))[0]
        requirement = Requirement(
            identifier=ident if IDENTIFIER.fullmatch(ident) else "",
            statement=text,
            priority=normal_priority(cell(priority)),
            acceptance_criteria=tuple(c for c in _CELL_BREAK.split(cell(criteria)) if c),
            line=row.line,
        )
        yield ReadRequirement(requirement, numbered=False)


# --- acceptance criteria kept apart from the requirements --------------------------------------


def read_criteria_section(outline: Outline, index: int) -> dict[str, list[str]]:
    """Criteria of an "Acceptance criteria" section, by the requirement they name.

    A subheading or an item starting with an identifier gives the criteria under it to that
    requirement; criteria naming no requirement are not attributed (so the criteria section
    of a requirement written as a heading, read with the requirement, adds nothing here).
    """
    found: dict[str, list[str]] = {}
    if _starts_with_identifier(outline.sections[index].title):
        return found  # a requirement about acceptance ("FR-9: Acceptance tests"), read as one
    for position in range(index, outline.sections[index].end):
        heading = _split_identifier(plain(outline.sections[position].title))[0]
        for block in outline.blocks(position):
            if isinstance(block, Item):
                _criteria_item(block, heading, found)
    return found


def _criteria_item(item: Item, owner: str, found: dict[str, list[str]]) -> None:
    identifier, rest = _split_identifier(plain(item.text))
    owner = identifier or owner
    if owner and rest.strip():
        found.setdefault(owner, []).append(_LEADING_SEPARATORS.sub("", rest))
    for child in item.children:
        _criteria_item(child, owner, found)


def attach_criteria(
    read: Sequence[ReadRequirement], criteria: dict[str, list[str]]
) -> tuple[ReadRequirement, ...]:
    """The requirements with criteria from a separate section added to their own."""
    if not criteria:
        return tuple(read)
    return tuple(
        replace(
            r,
            requirement=replace(
                r.requirement,
                acceptance_criteria=(
                    *r.requirement.acceptance_criteria,
                    *criteria.get(r.requirement.identifier, ()),
                ),
            ),
        )
        for r in read
    )
