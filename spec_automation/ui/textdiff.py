"""Side-by-side diff of two texts, line by line and word by word (plain Python, no Qt).

The result is laid out for two panes with the same number of lines: where one side has no
counterpart a blank filler line is inserted, so both panes scroll together line for line.
The rows of the YAML front matter (where an artifact came from, its input hashes: they change
on every regeneration) are told apart, so a viewer can fold them away and count only the
changes a reader cares about. It runs in a worker thread (it can take a moment on big
documents), so it returns plain data.
"""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass

from spec_automation.ui.outline import front_matter_end, headings

__all__ = ["DiffLayout", "RowKind", "SideBySide", "side_by_side"]

# Word-level comparison of very long lines costs a lot for little: they are marked as a whole.
_MAX_WORD_DIFF_CHARS = 4000
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


class RowKind(enum.StrEnum):
    """What happened to one displayed line."""

    EQUAL = "equal"
    ADDED = "added"  # only on the new side
    REMOVED = "removed"  # only on the old side
    CHANGED = "changed"  # on both sides, different


Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class DiffLayout:
    """One row of the side-by-side view (the same index in both panes)."""

    kind: RowKind
    old_line: int | None  # 0-based line of the old text, None on a filler line
    new_line: int | None
    old_spans: tuple[Span, ...] = ()  # changed character ranges within the old line
    new_spans: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class SideBySide:
    """Two equally long texts to show side by side, and where the changes are."""

    old_text: str
    new_text: str
    rows: tuple[DiffLayout, ...]
    hunks: tuple[int, ...]  # the first row of each run of changed rows
    sections: tuple[tuple[str, int], ...]  # heading title -> row, from the new side
    front_matter_rows: int = 0  # the leading rows that show either side's front matter

    @property
    def changed(self) -> bool:
        """True when the texts differ."""
        return bool(self.hunks)

    @property
    def body_hunks(self) -> tuple[int, ...]:
        """The hunks below the front matter (a run of changes that starts inside it and goes
        on below counts from its first row below)."""
        start = self.front_matter_rows
        return tuple(
            index
            for index in range(start, len(self.rows))
            if self.rows[index].kind != RowKind.EQUAL
            and (index == start or self.rows[index - 1].kind == RowKind.EQUAL)
        )


def side_by_side(old: str, new: str) -> SideBySide:
    """Compare ``old`` with ``new`` and lay the result out for two synchronised panes."""
    old_lines = old.splitlines()
    new_lines = new.splitlines()
    # autojunk: lines that recur everywhere (blank lines, fences) would make matching
    # quadratic on a long document; ignoring them as anchors keeps it near linear.
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=True)
    rows: list[DiffLayout] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                DiffLayout(RowKind.EQUAL, i, j)
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
        elif tag == "delete":
            rows.extend(DiffLayout(RowKind.REMOVED, i, None) for i in range(i1, i2))
        elif tag == "insert":
            rows.extend(DiffLayout(RowKind.ADDED, None, j) for j in range(j1, j2))
        else:
            rows.extend(_replace_rows(old_lines, new_lines, i1, i2, j1, j2))
    hunks = tuple(
        index
        for index, row in enumerate(rows)
        if row.kind != RowKind.EQUAL and (index == 0 or rows[index - 1].kind == RowKind.EQUAL)
    )
    row_of_new_line = {
        row.new_line: index for index, row in enumerate(rows) if row.new_line is not None
    }
    sections = tuple(
        (heading.title, row_of_new_line[heading.line])
        for heading in headings(new)
        if heading.line in row_of_new_line
    )
    old_shown = [old_lines[r.old_line] if r.old_line is not None else "" for r in rows]
    new_shown = [new_lines[r.new_line] if r.new_line is not None else "" for r in rows]
    folded = _front_matter_rows(rows, front_matter_end(old_lines), front_matter_end(new_lines))
    return SideBySide(
        "\n".join(old_shown), "\n".join(new_shown), tuple(rows), hunks, sections, folded
    )


def _front_matter_rows(rows: list[DiffLayout], old_end: int, new_end: int) -> int:
    """How many leading rows show nothing but front matter (lines before ``old_end`` on
    the old side, ``new_end`` on the new)."""
    if not old_end and not new_end:
        return 0
    count = 0
    for row in rows:
        old_in = row.old_line is None or row.old_line < old_end
        new_in = row.new_line is None or row.new_line < new_end
        if not (old_in and new_in):
            break
        count += 1
    return count


def _replace_rows(
    old_lines: list[str], new_lines: list[str], i1: int, i2: int, j1: int, j2: int
) -> list[DiffLayout]:
    """Pair replaced lines one to one; the longer side's rest is added or removed."""
    rows: list[DiffLayout] = []
    pairs = min(i2 - i1, j2 - j1)
    for k in range(pairs):
        old_spans, new_spans = word_spans(old_lines[i1 + k], new_lines[j1 + k])
        rows.append(DiffLayout(RowKind.CHANGED, i1 + k, j1 + k, old_spans, new_spans))
    rows.extend(DiffLayout(RowKind.REMOVED, i, None) for i in range(i1 + pairs, i2))
    rows.extend(DiffLayout(RowKind.ADDED, None, j) for j in range(j1 + pairs, j2))
    return rows


def word_spans(old: str, new: str) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """The character ranges that differ between two versions of one line, word by word."""
    if len(old) + len(new) > _MAX_WORD_DIFF_CHARS:
        return ((0, len(old)),) if old else (), ((0, len(new)),) if new else ()
    old_tokens = _TOKEN.findall(old)
    new_tokens = _TOKEN.findall(new)
    old_starts = _starts(old_tokens)
    new_starts = _starts(new_tokens)
    old_spans: list[Span] = []
    new_spans: list[Span] = []
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            old_spans.append((old_starts[i1], old_starts[i2]))
        if j2 > j1:
            new_spans.append((new_starts[j1], new_starts[j2]))
    return tuple(old_spans), tuple(new_spans)


def _starts(tokens: list[str]) -> list[int]:
    """Start offset of each token, plus the end of the line."""
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets
