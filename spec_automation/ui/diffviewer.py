"""The diff viewer: two versions side by side, scrolling together, changes highlighted.

Changed lines get a background (added, removed, changed, or a filler where the other side has
a line); within a changed line the words that differ get a stronger one. Only the visible
lines are painted, so a 10,000-line diff scrolls as fast as a short one. The diff itself is
computed in a worker thread; the loop puts its text into the panes in slices of a few
milliseconds each, so the window never stalls however big the documents are.

The front matter (where the artifact came from, its input hashes, which change on every
regeneration) is folded away by default and its changes are not counted; "Show front matter"
unfolds it. "Change k of n" says where the reader is; Previous and Next (Alt+Up, Alt+Down)
step from change to change, always with the start of the lines in view: moving never scrolls
sideways.
"""

from __future__ import annotations

import asyncio
import time

import shiboken6
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPaintEvent, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from spec_automation.ui.editor import NumberedTextEdit
from spec_automation.ui.textdiff import DiffLayout, RowKind, SideBySide, side_by_side
from spec_automation.ui.theme import Theme, current_theme

__all__ = ["DiffPane", "DiffViewer"]

# Text goes into the panes in pieces of this many lines; after each piece, once a slice has
# taken _SLICE_S, the event loop gets a turn, so a huge diff never freezes the window while it
# is laid out (a slice is measured, not counted, so a busy machine gets smaller slices).
_LINES_PER_PIECE = 200
_SLICE_S = 0.008


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


def _glyph_button(glyph: str, tip: str) -> QPushButton:
    """A narrow button showing one glyph, its action said in its tooltip and to a screen
    reader (as the find bar's are)."""
    button = QPushButton(glyph)
    button.setToolTip(tip)
    button.setAccessibleName(tip.split(" (")[0])
    button.setProperty("role", "glyph")
    button.setMaximumWidth(36)
    return button


class DiffViewer(QWidget):
    """Two versions of an artifact side by side (objectName ``diffViewer``).

    Args:
        artifact: the artifact compared (for the window's tab and for tests).
        keys: bind Alt+Down and Alt+Up to the next and previous change while the viewer is
            shown (False: its owner binds them with :meth:`bind_keys`).
        toolbar_inside: put the counter, the buttons and the section list (``toolbar``) above
            the panes (False: the owner places ``toolbar``, across more room).

    Signals:
        ready: the diff is computed and shown.
        changeShown(int k, int n): change k (from 1) of n is in view.
    """

    ready = Signal()
    changeShown = Signal(int, int)

    def __init__(
        self,
        artifact: str,
        parent: QWidget | None = None,
        *,
        keys: bool = True,
        toolbar_inside: bool = True,
    ) -> None:
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
            # A long version name is cut off (and said in full in the tooltip) rather than
            # widening the viewer.
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary = QLabel("Comparing…")
        self.summary.setObjectName("changeCounter")
        self.front_matter = QCheckBox("Show front matter")
        self.front_matter.setObjectName("showFrontMatter")
        self.front_matter.setToolTip(
            "The front matter says where the artifact came from; its hashes change on every "
            "regeneration, so it is folded away and its changes are not counted"
        )
        self.front_matter.hide()
        self.previous_button = _glyph_button("↑", "Previous change (Alt+Up)")
        self.next_button = _glyph_button("↓", "Next change (Alt+Down)")
        self.sections = QComboBox()
        # Long headings must not widen the viewer (and squeeze the docks beside it).
        self.sections.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.sections.setMinimumContentsLength(10)
        self.sections.setPlaceholderText("Go to section")
        self.sections.setToolTip("Go to a section of the newer version")
        self.previous_button.clicked.connect(self.previous_change)
        self.next_button.clicked.connect(self.next_change)
        self.sections.activated.connect(self._go_to_section)
        self.front_matter.toggled.connect(self._front_matter_toggled)

        self.toolbar = bar = QFrame()
        bar.setObjectName("diffToolbar")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(8, 4, 8, 4)
        bar_layout.setSpacing(8)
        bar_layout.addWidget(self.summary)
        bar_layout.addWidget(self.previous_button)
        bar_layout.addWidget(self.next_button)
        bar_layout.addStretch(1)
        bar_layout.addWidget(self.front_matter)
        bar_layout.addWidget(self.sections)

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
        if toolbar_inside:
            layout.addWidget(bar)
        layout.addWidget(splitter, 1)

        # Both panes always hold the same number of lines, so one scroll value fits both.
        for one, other in ((self.old_pane, self.new_pane), (self.new_pane, self.old_pane)):
            one.verticalScrollBar().valueChanged.connect(other.verticalScrollBar().setValue)
            one.horizontalScrollBar().valueChanged.connect(other.horizontalScrollBar().setValue)
        if keys:
            self.bind_keys(self)
        self._hunk = -1
        self._hunks: tuple[int, ...] = ()  # the changes counted: those in view
        self._shown = 0  # which _show is the latest (an older one stops at its next slice)

    def bind_keys(self, scope: QWidget) -> None:
        """Alt+Down and Alt+Up show the next and previous change from anywhere in the window
        while ``scope`` (this viewer, or a window part holding it) is shown. Qt passes over
        the shortcuts of hidden widgets, so the diffs in tabs out of sight never make the
        keys ambiguous."""
        for key, slot in (("Alt+Down", self.next_change), ("Alt+Up", self.previous_change)):
            shortcut = QShortcut(QKeySequence(key), scope)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    def set_theme(self, theme: Theme) -> None:
        """Use the theme's colours."""
        self.old_pane.set_theme(theme)
        self.new_pane.set_theme(theme)

    async def compare(self, old: str, new: str, old_title: str, new_title: str) -> SideBySide:
        """Compute the diff in a worker thread and show it."""
        self._set_title(self.old_title, old_title)
        self._set_title(self.new_title, new_title)
        self.summary.setText("Comparing…")
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, side_by_side, old, new)
        await self.show_diff(result)
        return result

    async def show_diff(
        self, result: SideBySide, old_title: str | None = None, new_title: str | None = None
    ) -> None:
        """Show a diff computed already (titles: the versions' names, if they change), in
        slices; a later call takes over from one still going."""
        if old_title is not None:
            self._set_title(self.old_title, old_title)
        if new_title is not None:
            self._set_title(self.new_title, new_title)
        await self._show(result)

    @staticmethod
    def _set_title(label: QLabel, title: str) -> None:
        label.setText(title)
        label.setToolTip(title)

    async def _show(self, result: SideBySide) -> None:
        self._shown += 1
        mine = self._shown
        self.result = None
        self._hunks = ()
        self._hunk = -1
        for pane in (self.old_pane, self.new_pane):
            pane.rows = ()
            pane.clear()
        self.summary.setText("Comparing…")
        old_lines = result.old_text.split("\n")
        new_lines = result.new_text.split("\n")
        began = time.perf_counter()
        for start in range(0, len(result.rows) or 1, _LINES_PER_PIECE):
            for pane, lines in ((self.old_pane, old_lines), (self.new_pane, new_lines)):
                chunk = "\n".join(lines[start : start + _LINES_PER_PIECE])
                cursor = QTextCursor(pane.document())
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.insertText(chunk if start == 0 else "\n" + chunk)
            if time.perf_counter() - began >= _SLICE_S:
                await asyncio.sleep(0)
                if mine != self._shown or not shiboken6.isValid(self):
                    return  # a newer diff is being shown, or the viewer was closed
                began = time.perf_counter()
        self.result = result
        for pane in (self.old_pane, self.new_pane):
            pane.rows = result.rows
        self.sections.clear()
        self.sections.addItems([title for title, _row in result.sections])
        has_front_matter = result.front_matter_rows > 0
        self.front_matter.setVisible(has_front_matter)
        self._fold(not self.front_matter.isChecked())
        for pane in (self.old_pane, self.new_pane):
            pane.moveCursor(QTextCursor.MoveOperation.Start)
            pane.viewport().update()
        self._start_counting()
        if self._hunks:
            # Once the panes are laid out, bring the change into view again.
            QTimer.singleShot(0, self, self._reveal_current)
        self.ready.emit()

    # --- the front matter ----------------------------------------------------------------

    def front_matter_folded(self) -> bool:
        """True when the diff has front matter and it is folded away."""
        return (
            self.result is not None
            and self.result.front_matter_rows > 0
            and not self.front_matter.isChecked()
        )

    def _fold(self, folded: bool) -> None:
        """Hide (or show) the front matter's lines in both panes."""
        rows = self.result.front_matter_rows if self.result is not None else 0
        if not rows:
            return
        for pane in (self.old_pane, self.new_pane):
            document = pane.document()
            block = document.firstBlock()
            for _ in range(rows):
                block.setVisible(not folded)
                block = block.next()
            end = block.position() if block.isValid() else document.characterCount()
            document.markContentsDirty(0, end)
            pane.viewport().update()

    def _front_matter_toggled(self, shown: bool) -> None:
        if self.result is None:
            return
        self._fold(not shown)
        self._start_counting()

    # --- moving from change to change ----------------------------------------------------

    def _start_counting(self) -> None:
        """Count the changes in view and show the first (or say there are none)."""
        result = self.result
        if result is None:
            return
        self._hunks = result.body_hunks if self.front_matter_folded() else result.hunks
        self._hunk = -1
        self.previous_button.setEnabled(bool(self._hunks))
        self.next_button.setEnabled(bool(self._hunks))
        if self._hunks:
            self.next_change()
            return
        if result.hunks:
            self.summary.setText("Only the front matter changed")
        else:
            self.summary.setText("No differences")
        self._scroll_to(result.front_matter_rows if self.front_matter_folded() else 0)

    def change_count(self) -> int:
        """How many changes the counter counts (outside the front matter while it is
        folded)."""
        return len(self._hunks)

    def current_change(self) -> int:
        """Which change is in view, from 1 (0: none)."""
        return self._hunk + 1

    def _reveal_current(self) -> None:
        if self._hunks and self._hunk >= 0:
            self._scroll_to(self._hunks[self._hunk])

    def current_row(self) -> int:
        """The first line shown at the top of the panes."""
        return self.new_pane.firstVisibleBlock().blockNumber()

    def _scroll_to(self, row: int) -> None:
        """Bring a row near the top of both panes (a few lines of context above it), at the
        start of the lines: a change far along a long line is marked, never scrolled to, so
        moving never loses the line starts."""
        document = self.new_pane.document()
        block = document.findBlockByNumber(row)
        if not block.isValid():
            return
        self.new_pane.setTextCursor(QTextCursor(block))
        first = self.result.front_matter_rows if self.front_matter_folded() else 0
        top = document.findBlockByNumber(max(first, row - 3))
        # The scroll bar counts the lines laid out: folded ones are not.
        bar = self.new_pane.verticalScrollBar()
        bar.setValue(min(bar.maximum(), top.firstLineNumber()))
        self.new_pane.horizontalScrollBar().setValue(0)

    def _show_change(self, index: int) -> None:
        self._hunk = index % len(self._hunks)
        self._scroll_to(self._hunks[self._hunk])
        count = len(self._hunks)
        self.summary.setText(f"Change {self._hunk + 1} of {count}")
        self.changeShown.emit(self._hunk + 1, count)

    def next_change(self) -> None:
        """Show the next change (wrapping to the first)."""
        if self._hunks:
            self._show_change(self._hunk + 1)

    def previous_change(self) -> None:
        """Show the previous change (wrapping to the last)."""
        if self._hunks:
            self._show_change(self._hunk - 1 if self._hunk >= 0 else -1)

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
        if self.result is not None and 0 <= index < len(self.result.sections):
            self._scroll_to(self.result.sections[index][1])
