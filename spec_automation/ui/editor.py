"""The artifact editor: one tab per artifact with line numbers, highlighting, find and
replace, an outline of headings and a live preview.

The tab keeps the text the file had when it was opened or last saved (``base_text``), so it
knows whether the buffer is modified and whether a change on disk is somebody else's. Work that
grows with the document (rendering the preview, the outline) runs in a worker thread, debounced
after typing stops; the tab asks for a backup of its buffer through ``backupDue``.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
    QShowEvent,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from spec_automation.core.artifacts import content_hash
from spec_automation.ui.highlighter import MarkdownHighlighter
from spec_automation.ui.outline import Heading, headings
from spec_automation.ui.preview import LARGE_DOCUMENT_LINES, MarkdownPreview, render_preview
from spec_automation.ui.tasks import spawn
from spec_automation.ui.theme import Theme, current_theme

__all__ = ["DocumentEditor", "EditorTab", "FindBar", "NumberedTextEdit"]

PREVIEW_DELAY_MS = 300
OUTLINE_DELAY_MS = 400


class _LineNumbers(QWidget):
    """The gutter left of the editor."""

    def __init__(self, editor: NumberedTextEdit) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_gutter(event)


class NumberedTextEdit(QPlainTextEdit):
    """A plain-text editor with a line-number gutter (only visible lines are painted)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPixelSize(14)
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self._gutter = _LineNumbers(self)
        self._gutter_colours: tuple[QColor, QColor] = (QColor(), QColor())
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self._update_gutter_width()
        self.set_gutter_theme(current_theme())

    def set_gutter_theme(self, theme: Theme) -> None:
        """Recolour the gutter."""
        self._gutter_colours = (theme.colour("text-muted"), theme.colour("panel"))
        self._gutter.update()

    def line_label(self, block_number: int) -> str:
        """The number shown in the gutter for a line."""
        return str(block_number + 1)

    def gutter_width(self) -> int:
        """Pixels the line numbers need (at least three digits, 8px either side)."""
        digits = max(3, len(str(self.blockCount())))
        return 16 + self.fontMetrics().horizontalAdvance("9") * digits

    def _update_gutter_width(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        area = self.contentsRect()
        self._gutter.setGeometry(QRect(area.left(), area.top(), self.gutter_width(), area.height()))

    def paint_gutter(self, event: QPaintEvent) -> None:
        """Paint the line numbers of the visible lines only."""
        painter = QPainter(self._gutter)
        text_colour, background = self._gutter_colours
        painter.fillRect(event.rect(), background)
        painter.setPen(text_colour)
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        width = self._gutter.width() - 8
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                painter.drawText(
                    0,
                    top,
                    width,
                    height,
                    Qt.AlignmentFlag.AlignRight,
                    self.line_label(block.blockNumber()),
                )
            block = block.next()
            top = bottom
        painter.end()

    def go_to_line(self, line: int) -> None:
        """Put the cursor at the start of a 0-based line and show it near the top."""
        block = self.document().findBlockByNumber(line)
        if not block.isValid():
            return
        cursor = QTextCursor(block)
        self.setTextCursor(cursor)
        # The scroll bar counts laid-out lines, wrapped ones included, not blocks.
        bar = self.verticalScrollBar()
        bar.setValue(min(bar.maximum(), block.firstLineNumber()))
        self.setFocus()


class DocumentEditor(NumberedTextEdit):
    """The markdown editor of one artifact tab (objectName ``documentEditor``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentEditor")
        self.highlighter = MarkdownHighlighter(self.document())

    def set_theme(self, theme: Theme) -> None:
        """Recolour the gutter and the highlighting."""
        self.set_gutter_theme(theme)
        self.highlighter.set_theme(theme)


def _bar_button(text: str, tip: str) -> QPushButton:
    """A narrow button of the find bar, its action said in its tooltip."""
    button = QPushButton(text)
    button.setToolTip(tip)
    button.setAccessibleName(tip.split(" (")[0])
    button.setProperty("role", "glyph")
    button.setMaximumWidth(36)
    return button


class FindBar(QFrame):
    """Find and replace in one editor: next, previous, replace, replace all."""

    def __init__(self, editor: DocumentEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.editor = editor
        self.find_field = QLineEdit(placeholderText="Find")
        self.replace_field = QLineEdit(placeholderText="Replace with")
        for field in (self.find_field, self.replace_field):
            field.setMinimumWidth(160)
        self.case = QCheckBox("Aa")
        self.case.setToolTip("Match case")
        self.case.setAccessibleName("Match case")
        self.status = QLabel()
        self.status.setProperty("role", "caption")
        previous = _bar_button("↑", "Previous match (Shift+Enter)")
        following = _bar_button("↓", "Next match (Enter)")
        replace = QPushButton("Replace")
        replace_all = QPushButton("All")
        replace_all.setToolTip("Replace every match")
        close = _bar_button("✕", "Close the find bar (Esc)")
        # Two short rows rather than one long one: the bar never holds the editor wide.
        layout = QGridLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setHorizontalSpacing(4)
        layout.setVerticalSpacing(4)
        layout.addWidget(self.find_field, 0, 0)
        layout.addWidget(previous, 0, 1)
        layout.addWidget(following, 0, 2)
        layout.addWidget(self.case, 0, 3)
        layout.addWidget(close, 0, 4)
        layout.addWidget(self.replace_field, 1, 0)
        layout.addWidget(replace, 1, 1, 1, 2)
        layout.addWidget(replace_all, 1, 3, 1, 2)
        layout.addWidget(self.status, 2, 0, 1, 5)
        layout.setColumnStretch(0, 1)
        self.find_field.returnPressed.connect(self.find_next)
        QShortcut(
            QKeySequence("Shift+Return"),
            self.find_field,
            activated=self.find_previous,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        following.clicked.connect(self.find_next)
        previous.clicked.connect(self.find_previous)
        replace.clicked.connect(self.replace_one)
        replace_all.clicked.connect(self.replace_all)
        close.clicked.connect(self.close_bar)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.close_bar)

    def open_bar(self, *, replace: bool = False) -> None:
        """Show the bar with the selected text as the search."""
        selected = self.editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find_field.setText(selected)
        self.show()
        (self.replace_field if replace and self.find_field.text() else self.find_field).setFocus()
        self.find_field.selectAll()

    def close_bar(self) -> None:
        """Hide the bar and return to the text."""
        self.hide()
        self.editor.setFocus()

    def _flags(self, backward: bool = False) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def find_next(self) -> bool:
        """Select the next match, wrapping at the end; False when there is none."""
        return self._find(backward=False)

    def find_previous(self) -> bool:
        """Select the previous match, wrapping at the start."""
        return self._find(backward=True)

    def _find(self, *, backward: bool) -> bool:
        needle = self.find_field.text()
        if not needle:
            return False
        if self.editor.find(needle, self._flags(backward)):
            self.status.setText("")
            return True
        cursor = self.editor.textCursor()
        cursor.movePosition(
            QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
        )
        self.editor.setTextCursor(cursor)
        found = self.editor.find(needle, self._flags(backward))
        self.status.setText("" if found else "Not found")
        return found

    def _selection_matches(self) -> bool:
        selected = self.editor.textCursor().selectedText()
        needle = self.find_field.text()
        if self.case.isChecked():
            return selected == needle
        return selected.lower() == needle.lower()

    def replace_one(self) -> None:
        """Replace the selected match and go to the next one."""
        if self.find_field.text() and self._selection_matches():
            self.editor.textCursor().insertText(self.replace_field.text())
        self.find_next()

    def replace_all(self) -> int:
        """Replace every match in one undoable step; returns how many."""
        needle = self.find_field.text()
        if not needle:
            return 0
        document = self.editor.document()
        edit = QTextCursor(document)
        edit.beginEditBlock()
        count = 0
        cursor = document.find(needle, 0, self._flags())
        while not cursor.isNull():
            cursor.insertText(self.replace_field.text())
            count += 1
            cursor = document.find(needle, cursor, self._flags())
        edit.endEditBlock()
        self.status.setText(f"Replaced {count}")
        return count


class EditorTab(QWidget):
    """One open artifact: outline, editor with find bar, and preview side by side."""

    dirtyChanged = Signal(bool)
    backupDue = Signal()

    def __init__(
        self,
        artifact: str,
        path: Path,
        text: str,
        *,
        autosave_interval_s: float = 2.0,
        confirm_link: Callable[[QUrl], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._theme_due: Theme | None = None  # a theme to apply once shown
        self.setObjectName("editorTab")
        self.artifact = artifact
        self.path = path
        self.base_text = text
        self.base_hash = content_hash(text)
        self.editor = DocumentEditor()
        self.editor.setPlainText(text)
        self.editor.document().setModified(False)
        self.find_bar = FindBar(self.editor)
        self.find_bar.hide()
        self.preview = MarkdownPreview(confirm_link=confirm_link)
        self.outline = QTreeWidget()
        self.outline.setObjectName("outline")
        self.outline.setHeaderLabel("Outline")
        self.outline.setIndentation(12)
        self.outline.itemActivated.connect(self._go_to_heading)
        self.outline.itemClicked.connect(self._go_to_heading)

        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.setSpacing(0)
        column_layout.addWidget(self.editor, 1)
        column_layout.addWidget(self.find_bar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.outline)
        self.splitter.addWidget(column)
        self.splitter.addWidget(self.preview)
        # The editor and the preview keep readable widths; the outline gives way first.
        self.editor.setMinimumWidth(240)
        self.preview.setMinimumWidth(200)
        self.outline.setMinimumWidth(40)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([180, 1000, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self._preview_timer = _single_shot(self, PREVIEW_DELAY_MS, self._refresh_preview)
        self._outline_timer = _single_shot(self, OUTLINE_DELAY_MS, self._refresh_outline)
        self._backup_timer = _single_shot(
            self, round(autosave_interval_s * 1000), self._backup_if_dirty
        )
        self.editor.document().modificationChanged.connect(self.dirtyChanged)
        self.editor.textChanged.connect(self._on_text_changed)
        # The preview follows the editor: the heading at the top of the editor (and how far
        # past it) is the heading at the top of the preview.
        self._headings: list[Heading] = []
        self.editor.verticalScrollBar().valueChanged.connect(self._preview_follows)
        self._render_task: asyncio.Task[None] | None = None
        self._outline_task: asyncio.Task[None] | None = None
        self._refresh_preview()
        self._refresh_outline()

    # --- state -----------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """True when the buffer differs from what was last loaded or saved."""
        return self.editor.document().isModified()

    def text(self) -> str:
        """The buffer."""
        return self.editor.toPlainText()

    def shutdown(self) -> None:
        """Stop the tab's timers and background work (it is being closed)."""
        for timer in (self._preview_timer, self._outline_timer, self._backup_timer):
            timer.stop()
        for task in (self._render_task, self._outline_task):
            if task is not None and not task.done():
                task.cancel()

    def set_autosave_interval(self, seconds: float) -> None:
        """Back up this long after typing stops."""
        self._backup_timer.setInterval(round(seconds * 1000))

    def mark_saved(self, text: str) -> None:
        """The buffer ``text`` is now what the file holds."""
        self.base_text = text
        self.base_hash = content_hash(text)
        if self.text() == text:
            self.editor.document().setModified(False)

    def restore_unsaved(self, text: str) -> None:
        """Put back an unsaved buffer recovered from a backup (stays marked modified)."""
        self.editor.setPlainText(text)
        self.editor.document().setModified(text != self.base_text)

    def reload(self, text: str) -> None:
        """Replace the buffer with the file's new content (undoable) and mark it clean."""
        self.base_text = text
        self.base_hash = content_hash(text)
        if self.text() != text:
            cursor = QTextCursor(self.editor.document())
            position = self.editor.textCursor().position()
            cursor.beginEditBlock()
            cursor.select(QTextCursor.SelectionType.Document)
            cursor.insertText(text)
            cursor.endEditBlock()
            cursor.setPosition(min(position, len(text)))
            self.editor.setTextCursor(cursor)
        self.editor.document().setModified(False)

    def set_theme(self, theme: Theme) -> None:
        """Recolour the editor and the preview; a tab out of sight does it when next shown
        (re-highlighting every open document at once made a theme switch take seconds)."""
        self._theme_due = theme
        if self.isVisible():
            self._apply_theme()

    def _apply_theme(self) -> None:
        theme, self._theme_due = self._theme_due, None
        if theme is not None:
            self.editor.set_theme(theme)
            self.preview.set_theme(theme)

    def showEvent(self, event: QShowEvent) -> None:
        """Catch up with a theme switch made while the tab was out of sight."""
        self._apply_theme()
        super().showEvent(event)

    def set_preview_visible(self, visible: bool) -> None:
        """Show or hide the preview pane."""
        self.preview.setVisible(visible)
        if visible:
            self._refresh_preview()

    def show_find(self, *, replace: bool = False) -> None:
        """Open the find (and replace) bar."""
        self.find_bar.open_bar(replace=replace)

    # --- debounced work ---------------------------------------------------------------

    def _on_text_changed(self) -> None:
        if self.preview.isVisible() or not self.isVisible():
            self._preview_timer.start()
        self._outline_timer.start()
        self._backup_timer.start()

    def _backup_if_dirty(self) -> None:
        if self.dirty:
            self.backupDue.emit()

    def _refresh_preview(self) -> None:
        if self._render_task is not None and not self._render_task.done():
            self._render_task.cancel()
        line = self.editor.textCursor().blockNumber()
        self._render_task = _spawn_if_running(self._render(self.text(), line))
        if self._render_task is None:  # no loop (a plain script): render here
            self.preview.show_html(render_preview(self.text(), line))

    async def _render(self, text: str, line: int) -> None:
        fragment = await asyncio.to_thread(render_preview, text, line)
        self.preview.show_html(fragment)
        self._preview_follows()

    def _preview_follows(self, *_: object) -> None:
        """Scroll the preview to what the editor shows at its top."""
        if not self.preview.isVisible() or self.editor.document().blockCount() > (
            LARGE_DOCUMENT_LINES
        ):
            return  # a large document's preview shows only the cursor's section
        top = self.editor.firstVisibleBlock().blockNumber()
        lines = [h.line for h in self._headings]
        before = bisect.bisect_right(lines, top) - 1
        start = lines[before] if before >= 0 else 0
        stop = lines[before + 1] if before + 1 < len(lines) else self.editor.blockCount()
        fraction = (top - start) / max(1, stop - start)
        self.preview.follow(before, fraction)

    def _refresh_outline(self) -> None:
        if self._outline_task is not None and not self._outline_task.done():
            self._outline_task.cancel()
        self._outline_task = _spawn_if_running(self._outline(self.text()))
        if self._outline_task is None:
            self._show_outline(headings(self.text()))

    async def _outline(self, text: str) -> None:
        self._show_outline(await asyncio.to_thread(headings, text))

    def _show_outline(self, found: list[Heading]) -> None:
        self._headings = found
        self.outline.clear()
        parents: list[tuple[int, QTreeWidgetItem]] = []
        for heading in found:
            while parents and parents[-1][0] >= heading.level:
                parents.pop()
            item = QTreeWidgetItem([heading.title])
            item.setData(0, Qt.ItemDataRole.UserRole, heading.line)
            item.setToolTip(0, f"line {heading.line + 1}")
            if parents:
                parents[-1][1].addChild(item)
            else:
                self.outline.addTopLevelItem(item)
            parents.append((heading.level, item))
        self.outline.expandToDepth(1)

    def outline_titles(self) -> list[str]:
        """The headings the outline shows, top to bottom."""
        titles: list[str] = []

        def walk(item: QTreeWidgetItem) -> None:
            titles.append(item.text(0))
            for index in range(item.childCount()):
                walk(item.child(index))

        for index in range(self.outline.topLevelItemCount()):
            walk(self.outline.topLevelItem(index))
        return titles

    def go_to_heading(self, title: str) -> bool:
        """Move the cursor to the first heading called ``title``."""
        for heading in headings(self.text()):
            if heading.title == title:
                self.editor.go_to_line(heading.line)
                return True
        return False

    def _go_to_heading(self, item: QTreeWidgetItem) -> None:
        line = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(line, int):
            self.editor.go_to_line(line)

    def highlight_line(self, line: int) -> None:
        """Briefly mark a line (used after jumping to it)."""
        block = self.editor.document().findBlockByNumber(line)
        selection = QTextEdit.ExtraSelection()
        selection.format.setBackground(current_theme().colour("selection"))
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        selection.cursor = QTextCursor(block)
        self.editor.setExtraSelections([selection])


def _single_shot(parent: QWidget, interval_ms: int, slot: Callable[[], None]) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer


def _spawn_if_running(coro: object) -> asyncio.Task[None] | None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        coro.close()  # type: ignore[attr-defined]
        return None
    return spawn(coro)  # type: ignore[arg-type]
