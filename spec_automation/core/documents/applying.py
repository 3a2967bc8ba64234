"""Writing a sprint change proposal's edits into the artifacts they name.

A proposed edit is a request in words ("Amend FR-8 so that ..."), not a patch, so it is written
where it applies: as a change note at the end of the section it names (the section's own text,
before any subsection), or, when the artifact has no such section, under a "Proposed changes"
section at the end. Everything already in the artifact stays as it was; the note names the
proposal and the line the edit came from, so a reader (or the phases built from the artifact)
sees what changed and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spec_automation.core.documents.model import ProposedEdit

__all__ = [
    "PROPOSED_CHANGES",
    "AppliedEdit",
    "ChangeNote",
    "apply_edits",
    "change_note",
    "read_change_notes",
]

#: The section a note goes under when the artifact has none of the name the edit gives.
PROPOSED_CHANGES = "Proposed changes"
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?|[A-Z][.)])\s+")
_WORDS = re.compile(r"[^\w]+")
_NOTE = re.compile(r"^> \*\*Change from (?P<source>.+?), line (?P<line>\d+):\*\* (?P<change>.+)$")


@dataclass(frozen=True, slots=True)
class AppliedEdit:
    """Where one edit was written: the section it landed in (``PROPOSED_CHANGES`` when the
    artifact has no section of the name it gives)."""

    edit: ProposedEdit
    section: str


def change_note(edit: ProposedEdit, source: str) -> str:
    """The note an edit is written as: the change, and the proposal line it came from."""
    change = edit.change.strip() or "(the proposal gives no details)"
    return f"> **Change from {source}, line {edit.line}:** {change}"


@dataclass(frozen=True, slots=True)
class ChangeNote:
    """A change note read back from an artifact: the proposal, its line, the change."""

    source: str
    line: int
    change: str


def read_change_notes(text: str) -> tuple[ChangeNote, ...]:
    """The change notes written into ``text`` by :func:`apply_edits`, in order."""
    return tuple(
        ChangeNote(m["source"], int(m["line"]), m["change"])
        for line in text.split("\n")
        if (m := _NOTE.match(line))
    )


def apply_edits(
    text: str, edits: Sequence[ProposedEdit], source: str
) -> tuple[str, tuple[AppliedEdit, ...]]:
    """``text`` with each edit's note written into the section it names; and where each went.

    ``source`` names the proposal in the notes (``inputs/NAME``). An edit whose note is
    already in the text is written once only, so applying a proposal twice changes nothing.
    """
    lines = text.split("\n")
    applied: list[AppliedEdit] = []
    unplaced: list[str] = []
    for edit in edits:
        note = change_note(edit, source)
        if note in lines:
            applied.append(AppliedEdit(edit, _placed_in(lines, note)))
            continue
        end, title = _section_end(lines, edit.section)
        if end is None:
            unplaced.append(note)
            applied.append(AppliedEdit(edit, PROPOSED_CHANGES))
            continue
        lines[end:end] = _padded(lines, end, note)
        applied.append(AppliedEdit(edit, title))
    if unplaced:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", f"## {PROPOSED_CHANGES}", "", *_spaced(unplaced), ""]
    return "\n".join(lines), tuple(applied)


def _headings(lines: Sequence[str]) -> list[tuple[int, int, str]]:
    """(line index, level, title) of every heading outside fenced code and front matter."""
    found = []
    fenced = False
    start = 0
    if lines and lines[0].strip() == "---":  # front matter: up to the closing ---
        closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        start = closing + 1 if closing is not None else 0
    for index in range(start, len(lines)):
        line = lines[index]
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            found.append((index, len(match.group(1)), match.group(2)))
    return found


def _key(title: str) -> str:
    return _WORDS.sub(" ", _NUMBERING.sub("", title.strip())).strip().lower()


def _section_end(lines: Sequence[str], section: str) -> tuple[int | None, str]:
    """Where the named section's own text ends (before its next heading), and its title."""
    wanted = _key(section)
    if not wanted:
        return None, ""
    headings = _headings(lines)
    keys = [_key(title) for _, _, title in headings]
    position = next((i for i, k in enumerate(keys) if k == wanted), None)
    if position is None:  # "Entities" finds "Entities and fields"; "Time off" "Epic 3: Time off"
        position = next((i for i, k in enumerate(keys) if wanted in k or (k and k in wanted)), None)
    if position is None:
        return None, ""
    after = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
    while after > headings[position][0] + 1 and not lines[after - 1].strip():
        after -= 1
    return after, headings[position][2]


def _padded(lines: Sequence[str], at: int, note: str) -> list[str]:
    """The note with a blank line before it, and after it when text follows."""
    follows = at < len(lines) and bool(lines[at].strip())
    return ["", note, *([""] if follows else [])]


def _spaced(notes: Sequence[str]) -> list[str]:
    spaced: list[str] = []
    for note in notes:
        spaced += [note, ""]
    return spaced[:-1]


def _placed_in(lines: Sequence[str], note: str) -> str:
    index = lines.index(note)
    before = [title for at, _, title in _headings(lines) if at < index]
    return before[-1] if before else PROPOSED_CHANGES
