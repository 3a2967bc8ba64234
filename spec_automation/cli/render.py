"""How the command line prints: markup, plain tables, JSON, times, notes and warnings.

Text uses rich's markup (``[bold]``, ``[yellow]...[/]``, ``\\[`` for a literal bracket) so the
live run view, which rich draws, and every other command read alike. Everything but the live
view is printed here, without loading rich (a thirtieth of a second on every command): styles
become ANSI colours on a terminal that takes them, and are dropped anywhere else.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

__all__ = [
    "EXIT_OK",
    "Output",
    "Table",
    "escape",
    "note",
    "plain",
    "print_json",
    "warn",
    "when",
]

EXIT_OK = 0

# rich's markup tags: ``[style]`` opens, ``[/]`` or ``[/style]`` closes; a tag starts with a
# letter, '#', '/' or '@' (so "[  1.2s]" is text); backslashes before '[' escape it.
_TAG = re.compile(r"(\\*)\[([a-z#/@][^[]*?)]")
_CODES = {
    "bold": "1",
    "dim": "2",
    "italic": "3",
    "underline": "4",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
}


_TAG_TEXT = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def escape(text: str) -> str:
    """``text`` with whatever would read as markup escaped, so it prints as it is (as
    ``rich.markup.escape`` does)."""
    text = _TAG_TEXT.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", text)
    if text.endswith("\\") and not text.endswith("\\\\"):
        return text + "\\"
    return text


def _render(text: str, colour: bool) -> str:
    """``text`` with its markup turned into ANSI codes (``colour``) or removed."""
    out: list[str] = []
    open_styles: list[str] = []
    position = 0
    for match in _TAG.finditer(text):
        slashes, tag = match.group(1), match.group(2)
        out.append(text[position : match.start()])
        position = match.end()
        out.append("\\" * (len(slashes) // 2))  # a pair of backslashes stands for one
        if len(slashes) % 2:  # an escaped bracket: the tag is text
            out.append("[" + tag + "]")
            continue
        if tag.startswith("/"):
            if open_styles:
                open_styles.pop()
            if colour:
                out.append("\x1b[0m" + "".join(open_styles))
            continue
        codes = ";".join(_CODES[word] for word in tag.split() if word in _CODES)
        style = f"\x1b[{codes}m" if codes else ""
        open_styles.append(style)
        if colour:
            out.append(style)
    out.append(text[position:])
    if colour and open_styles:
        out.append("\x1b[0m")
    return "".join(out)


def plain(text: str) -> str:
    """``text`` with its markup removed."""
    return _render(text, colour=False)


@dataclass
class _Column:
    header: str
    justify: str = "left"
    wrap: bool = True


@dataclass
class Table:
    """Rows under bold headers, columns two spaces apart; cells may hold markup and lines.

    A table wider than the output is narrowed by wrapping the text of its widest wrapping
    columns at word boundaries (breaking a word only when it is longer than the column).
    """

    title: str = ""
    columns: list[_Column] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    @classmethod
    def of(cls, *headers: str, title: str = "") -> Table:
        """A table with these columns, left-justified and wrapping."""
        table = cls(title)
        for header in headers:
            table.add_column(header)
        return table

    def add_column(self, header: str, *, justify: str = "left", wrap: bool = True) -> None:
        """Add a column (``justify``: left or right; ``wrap``: may be wrapped to fit)."""
        self.columns.append(_Column(header, justify, wrap))

    def add_row(self, *cells: str) -> None:
        """Add a row, one cell per column."""
        self.rows.append(list(cells))

    def lines(self, colour: bool, width: int = 120) -> list[str]:
        """The table's lines as printed, fitted to ``width`` where it can be."""
        header = [f"[bold]{column.header}[/]" for column in self.columns]
        cells = [header, *self.rows]
        widths = _fit(self.columns, cells, width)
        grid = [
            [_wrap(cell, widths[index]) for index, cell in enumerate(row)] for row in cells
        ]
        lines = [_render(self.title, colour)] if self.title else []
        for row in grid:
            for depth in range(max(len(cell) for cell in row)):
                parts = []
                for index, cell in enumerate(row):
                    text = cell[depth] if depth < len(cell) else ""
                    gap = " " * (widths[index] - len(plain(text)))
                    shown = _render(text, colour)
                    right = self.columns[index].justify == "right"
                    parts.append(gap + shown if right else shown + gap)
                lines.append("  ".join(parts))
        return lines


def _fit(columns: list[_Column], cells: list[list[str]], width: int) -> list[int]:
    """Column widths: each column's widest line, the wrapping ones narrowed (widest first,
    down to their longest word) until the table fits in ``width``."""
    widths = [
        max(len(plain(line)) for row in cells for line in row[index].split("\n"))
        for index in range(len(columns))
    ]
    floors = [
        max((len(word) for row in cells for word in plain(row[index]).split()), default=1)
        if column.wrap
        else widths[index]
        for index, column in enumerate(columns)
    ]
    floors = [min(floor, 10) if columns[i].wrap else floor for i, floor in enumerate(floors)]
    while sum(widths) + 2 * (len(widths) - 1) > width:
        narrowable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not narrowable:
            break
        widest = max(narrowable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _wrap(cell: str, width: int) -> list[str]:
    """A cell's lines at ``width`` (a cell holding markup is left as it is)."""
    lines: list[str] = []
    for line in cell.split("\n"):
        if len(plain(line)) <= width or plain(line) != line:
            lines.append(line)
        else:
            lines.extend(textwrap.wrap(line, width, break_on_hyphens=False) or [""])
    return lines


class Output:
    """Where a command prints: a stream, in colour when it is a terminal that takes it.

    Tables fit the terminal's width, or 120 columns in a log or a pipe.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.file = stream if stream is not None else sys.stdout
        self.is_terminal = bool(getattr(self.file, "isatty", lambda: False)())
        self.width = shutil.get_terminal_size().columns if self.is_terminal else 120
        self.colour = (
            self.is_terminal
            and "NO_COLOR" not in os.environ
            and os.environ.get("TERM", "") != "dumb"
        )

    def print(self, *items: str | Table) -> None:
        """Print text (with markup) or tables, each on its own lines."""
        for item in items:
            if isinstance(item, Table):
                lines = item.lines(self.colour, self.width)
                self.file.write("".join(f"{line}\n" for line in lines))
            else:
                self.file.write(_render(item, self.colour) + "\n")
        self.file.flush()


def print_json(out: Output, value: Any) -> int:
    """Print a result as indented JSON; the exit status for success."""
    from spec_automation.services.reports import to_json

    out.file.write(json.dumps(to_json(value), indent=2) + "\n")
    out.file.flush()
    return EXIT_OK


def when(moment: datetime) -> str:
    """A moment in the user's local time."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def note(text: str) -> None:
    """A note on standard error."""
    Output(sys.stderr).print(f"[yellow]note:[/] {escape(text)}")


def warn(text: str) -> None:
    """A warning on standard error."""
    Output(sys.stderr).print(f"[yellow]warning:[/] {escape(text)}")
