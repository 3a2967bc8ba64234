"""The blocks of one section's own text: paragraphs, (nested) list items and tables.

Headings come from the outline; this reads what lies between them, line by line, keeping the
line each block starts on. It understands the markdown people write in specs (bullets and
numbered items nested by indentation, continuation lines, pipe tables) and nothing fancier.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["Item", "Paragraph", "Table", "TableRow", "column", "label", "plain", "read_blocks"]

_ITEM = re.compile(r"^( *)(?:[-*+]|(\d{1,9})[.)])(?:[ \t]+(.*)|$)")
_TABLE_RULE = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# Every branch starts with a marker character, so the engine skips plain text quickly.
_MARKUP = re.compile(r"\*\*|__|`|[*_](?:(?<!\w[*_])(?=\S)|(?<=\S[*_])(?!\w))")
_LABEL = re.compile(r"^([A-Za-z][A-Za-z' /-]{0,40}?)\s*:\s*(.*)$")
_CELL_BORDER = re.compile(r"(?<!\\)\|")


def plain(text: str) -> str:
    """Inline markdown as plain text: no emphasis, code ticks, link targets or extra spaces."""
    if "[" in text:
        text = _LINK.sub(r"\1", text)
    if "*" in text or "_" in text or "`" in text:
        text = _MARKUP.sub("", text)
    return " ".join(text.split())


def label(text: str) -> tuple[str, str]:
    """("priority", "Must") for "Priority: Must"; ("", text) when the text has no label."""
    found = _LABEL.match(text)
    if not found:
        return "", text
    return found.group(1).strip().lower(), found.group(2).strip()


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Consecutive lines of prose, joined with spaces (markup kept)."""

    line: int
    text: str


@dataclass(frozen=True, slots=True)
class Item:
    """A list item: its first line, its continuation lines and the items nested in it."""

    line: int
    numbered: bool
    text: str  # the first line after the marker (markup kept)
    more: tuple[tuple[int, str], ...] = ()  # continuation lines: (line, text)
    children: tuple[Item, ...] = ()


@dataclass(frozen=True, slots=True)
class TableRow:
    """One body row of a pipe table: its cells with markup kept."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A pipe table: the header cells (plain, lower case) and the rows below the rule."""

    line: int
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]


Block = Paragraph | Item | Table


def column(table: Table, pattern: re.Pattern[str]) -> int:
    """The index of the first header cell matching ``pattern``; -1 when none does."""
    return next((i for i, cell in enumerate(table.header) if pattern.search(cell)), -1)


@dataclass(slots=True)
class _OpenItem:
    line: int
    indent: int
    numbered: bool
    text: str
    more: list[tuple[int, str]] = field(default_factory=list)
    children: list[_OpenItem] = field(default_factory=list)

    def close(self) -> Item:
        return Item(
            self.line,
            self.numbered,
            self.text,
            tuple(self.more),
            tuple(child.close() for child in self.children),
        )


def read_blocks(lines: Iterable[tuple[int, str]]) -> tuple[Block, ...]:
    """The blocks of (line number, text) pairs, in order."""
    blocks: list[Block | _OpenItem] = []
    open_items: list[_OpenItem] = []
    prose: list[str] = []
    prose_line = 0
    table: list[tuple[int, str]] = []
    after_blank = False

    def end_prose() -> None:
        if prose:
            blocks.append(Paragraph(prose_line, " ".join(prose)))
            prose.clear()

    def end_table() -> None:
        if table:
            blocks.append(_table(table))
            table.clear()

    for number, raw in lines:
        stripped = raw.strip()
        if not stripped:
            end_prose()
            end_table()
            after_blank = True
            continue
        line = raw.expandtabs(4) if "\t" in raw else raw
        indent = len(line) - len(line.lstrip(" "))
        item = _ITEM.match(line)
        if stripped.startswith("|"):
            end_prose()
            open_items.clear()
            table.append((number, stripped))
        elif item:
            end_prose()
            end_table()
            while open_items and open_items[-1].indent >= indent:
                open_items.pop()
            opened = _OpenItem(number, indent, item.group(2) is not None, item.group(3) or "")
            (open_items[-1].children if open_items else blocks).append(opened)
            open_items.append(opened)
        elif open_items and (indent > open_items[0].indent or not after_blank):
            end_table()
            owner = next((o for o in reversed(open_items) if o.indent < indent), open_items[-1])
            owner.more.append((number, stripped))
        else:
            end_table()
            open_items.clear()
            if not prose:
                prose_line = number
            prose.append(stripped)
        after_blank = False
    end_prose()
    end_table()
    return tuple(b.close() if isinstance(b, _OpenItem) else b for b in blocks)


def _table(rows: Sequence[tuple[int, str]]) -> Table:
    cells = [(number, _cells(text)) for number, text in rows]
    if len(rows) > 1 and _TABLE_RULE.match(rows[1][1]):
        header = tuple(plain(cell).lower() for cell in cells[0][1])
        body = cells[2:]
    else:
        header, body = (), cells
    return Table(rows[0][0], header, tuple(TableRow(number, row) for number, row in body))


def _cells(row: str) -> tuple[str, ...]:
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return tuple(cell.strip() for cell in _CELL_BORDER.split(row))
