"""The diff viewer: two versions side by side, scrolling together, changes highlighted.

Changed lines get a background (added, removed, changed, or a filler where the other side has
a line); within a changed line the words that differ get a stronger one. Only the visible
lines are painted, so a 10,000-line diff scrolls as fast as a short one. The diff itself is
computed in a worker thread; the loop only lays out its result.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPaintEvent, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from spec_automation.ui.editor import NumberedTextEdit
from spec_automation.ui.textdiff import DiffLayout, RowKind, SideBySide, side_by_side
from spec_automation.ui.theme import Theme, current_theme

__all__ = ["DiffPane", "DiffViewer"]

# Text goes into the panes in slices, with a turn of the event loop between them, so a huge
# diff never freezes the window while it is laid out.
_LINES_PER_SLICE = 1500


class DiffPane(NumberedTextEdit):
    """One side of the diff: read-only text whose changed lines and words are painted."""

    def __init__(self, side: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.side = side  # "old" or "new"
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.rows: tuple[DiffLayout, ...] = ()
        self._colours: dict[str, QColor] = {}
        self.set_theme(current_theme())

    def set_theme(self, theme: Theme) -> None:
        """Use the theme's diff colours."""
        self.set_gutter_theme(theme)
        names = ("added", "removed", "changed", "added-word", "removed-word", "filler")
        self._colours = {name: theme.colour(name) for name in names}
        self.viewport().update()

    def line_label(self, block_number: int) -> str:
        """The line number in this side's version ('' on a filler line)."""
        if block_number >= len(self.rows):
            return ""
        row = self.rows[block_number]
        line = row.old_line if self.side == "old" else row.new_line
        return "" if line is None else str(line + 1)

    def _line_colour(self, row: DiffLayout) -> QColor | None:
        line = row.old_line if self.side == "old" else row.new_line
        if line is None:
            return self._colours["filler"]
        if row.kind == RowKind.CHANGED:
            return self._colours["changed"]
        if row.kind == RowKind.ADDED:
            return self._colours["added"]
        if row.kind == RowKind.REMOVED:
            return self._colours["removed"]
        return None

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint change backgrounds for the visible lines, then the text over them."""
        if self.rows:
            painter = QPainter(self.viewport())
            word = self._colours["removed-word" if self.side == "old" else "added-word"]
            block = self.firstVisibleBlock()
            offset = self.contentOffset()
            width = self.viewport().width()
            while block.isValid():
                geometry = self.blockBoundingGeometry(block).translated(offset)
                if geometry.top() > event.rect().bottom():
                    break
                number = block.blockNumber()
                if number < len(self.rows):
                    row = self.rows[number]
                    colour = self._line_colour(row)
                    if colour is not None:
                        painter.fillRect(
                            QRectF(0, geometry.top(), width, geometry.height()), colour
                        )
                    spans = row.old_spans if self.side == "old" else row.new_spans
                    layout = block.layout()
                    for start, end in spans:
                        line = layout.lineForTextPosition(start)
                        if not line.isValid():
                            continue
                        left = line.cursorToX(start)[0] + geometry.left()
                        right = line.cursorToX(min(end, block.length() - 1))[0] + geometry.left()
                        painter.fillRect(
                            QRectF(left, geometry.top() + line.y(), right - left, line.height()),
                            word,
                        )
                block = block.next()
            painter.end()
        super().paintEvent(event)


class DiffViewer(QWidget):
    """Two versions of an artifact side by side (objectName ``diffViewer``)."""

    ready = Signal()  # the diff is computed and shown

    def __init__(self, artifact: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diffViewer")
        self.artifact = artifact
        self.result: SideBySide | None = None
        self.old_pane = DiffPane("old")
        self.new_pane = DiffPane("new")
        self.old_title = QLabel()
        self.new_title = QLabel()
        for label in (self.old_title, self.new_title):
            label.setProperty("role", "caption")
        self.summary = QLabel("Comparing…")
        self.previous_button = QPushButton("Previous change")
        self.next_button = QPushButton("Next change")
        self.sections = QComboBox()
        self.sections.setMinimumWidth(240)
        self.sections.setPlaceholderText("Go to section")
        self.previous_button.clicked.connect(self.previous_change)
        self.next_button.clicked.connect(self.next_change)
        self.sections.activated.connect(self._go_to_section)

        bar = QFrame()
        bar.setObjectName("diffToolbar")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(8, 4, 8, 4)
        bar_layout.setSpacing(8)
        bar_layout.addWidget(self.summary)
        bar_layout.addStretch(1)
        bar_layout.addWidget(self.sections)
        bar_layout.addWidget(self.previous_button)
        bar_layout.addWidget(self.next_button)

        def column(title: QLabel, pane: DiffPane) -> QWidget:
            holder = QWidget()
            layout = QVBoxLayout(holder)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.setSpacing(4)
            title.setContentsMargins(8, 4, 8, 0)
            layout.addWidget(title)
            layout.addWidget(pane, 1)
            return holder

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(column(self.old_title, self.old_pane))
        splitter.addWidget(column(self.new_title, self.new_pane))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(splitter, 1)

        # Both panes always hold the same number of lines, so one scroll value fits both.
        for one, other in ((self.old_pane, self.new_pane), (self.new_pane, self.old_pane)):
            one.verticalScrollBar().valueChanged.connect(other.verticalScrollBar().setValue)
            one.horizontalScrollBar().valueChanged.connect(other.horizontalScrollBar().setValue)
        QShortcut(QKeySequence("Alt+Down"), self, activated=self.next_change)
        QShortcut(QKeySequence("Alt+Up"), self, activated=self.previous_change)
        self._hunk = -1

    def set_theme(self, theme: Theme) -> None:
        """Use the theme's colours."""
        self.old_pane.set_theme(theme)
        self.new_pane.set_theme(theme)

    async def compare(self, old: str, new: str, old_title: str, new_title: str) -> SideBySide:
        """Compute the diff in a worker thread and show it."""
        self.old_title.setText(old_title)
        self.new_title.setText(new_title)
        self.summary.setText("Comparing…")
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, side_by_side, old, new)
        await self._show(result)
        return result

    async def _show(self, result: SideBySide) -> None:
        self.result = result
        for pane in (self.old_pane, self.new_pane):
            pane.rows = ()
            pane.clear()
        old_lines = result.old_text.split("\n")
        new_lines = result.new_text.split("\n")
        for start in range(0, len(result.rows) or 1, _LINES_PER_SLICE):
            for pane, lines in ((self.old_pane, old_lines), (self.new_pane, new_lines)):
                chunk = "\n".join(lines[start : start + _LINES_PER_SLICE])
                cursor = QTextCursor(pane.document())
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.insertText(chunk if start == 0 else "\n" + chunk)
            await asyncio.sleep(0)
        for pane in (self.old_pane, self.new_pane):
            pane.rows = result.rows
            pane.moveCursor(QTextCursor.MoveOperation.Start)
            pane.viewport().update()
        self.sections.clear()
        for title, row in result.sections:
            self.sections.addItem(title, row)
        count = len(result.hunks)
        self.summary.setText(
            "No differences" if not count else f"{count} change{'s' if count != 1 else ''}"
        )
        self.previous_button.setEnabled(bool(count))
        self.next_button.setEnabled(bool(count))
        self._hunk = -1
        if count:
            self.next_change()
            # Once the panes are laid out, scroll sideways to the change in a long line.
            QTimer.singleShot(0, self, self._reveal_current)
        self.ready.emit()

    def _reveal_current(self) -> None:
        if self.result is not None and self.result.hunks and self._hunk >= 0:
            self._scroll_to(self.result.hunks[self._hunk])

    def current_row(self) -> int:
        """The first line shown at the top of the panes."""
        return self.new_pane.verticalScrollBar().value()

    def _scroll_to(self, row: int) -> None:
        # Keep a few lines of context above the change.
        self.new_pane.verticalScrollBar().setValue(max(0, row - 3))
        block = self.new_pane.document().findBlockByNumber(row)
        if not block.isValid():
            return
        cursor = QTextCursor(block)
        self.new_pane.horizontalScrollBar().setValue(0)
        self.new_pane.setTextCursor(cursor)
        if self.result is not None and row < len(self.result.rows):
            spans = self.result.rows[row].new_spans or self.result.rows[row].old_spans
            if spans:
                # In a long line, bring the first changed word to a third of the width.
                cursor.setPosition(block.position() + min(spans[0][0], block.length() - 1))
                x = self.new_pane.cursorRect(cursor).left()
                width = self.new_pane.viewport().width()
                if x > width * 0.8:
                    bar = self.new_pane.horizontalScrollBar()
                    bar.setValue(min(bar.maximum(), x - width // 3))

    def next_change(self) -> None:
        """Show the next change (wrapping to the first)."""
        if self.result and self.result.hunks:
            self._hunk = (self._hunk + 1) % len(self.result.hunks)
            self._scroll_to(self.result.hunks[self._hunk])

    def previous_change(self) -> None:
        """Show the previous change (wrapping to the last)."""
        if self.result and self.result.hunks:
            self._hunk = (self._hunk - 1) % len(self.result.hunks)
            self._scroll_to(self.result.hunks[self._hunk])

    def go_to_section(self, title: str) -> bool:
        """Show the section with this heading."""
        if self.result is None:
            return False
        for name, row in self.result.sections:
            if name == title:
                self._scroll_to(row)
                return True
        return False

    def _go_to_section(self, index: int) -> None:
        row = self.sections.itemData(index)
        if isinstance(row, int):
            self._scroll_to(row)
