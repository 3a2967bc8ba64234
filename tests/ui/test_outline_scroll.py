"""Choosing a heading in the outline scrolls the editor to it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem

from spec_automation.ui.outline import headings as outline_headings
from tests.helpers.gui import run, until


def test_an_outline_click_puts_the_heading_at_the_top_of_the_editor(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact("tasks.md"))
    items: list[QTreeWidgetItem] = []

    def walk(item: QTreeWidgetItem) -> None:
        items.append(item)
        for index in range(item.childCount()):
            walk(item.child(index))

    for index in range(tab.outline.topLevelItemCount()):
        walk(tab.outline.topLevelItem(index))
    assert len(items) > 5
    far = items[-1]
    line = far.data(0, Qt.ItemDataRole.UserRole)
    # tasks.md wraps long lines at the default size: lines and blocks differ
    assert tab.editor.firstVisibleBlock().blockNumber() < line - 5  # it is out of view
    tab.outline.itemClicked.emit(far, 0)
    first = tab.editor.firstVisibleBlock().blockNumber()
    assert tab.editor.textCursor().blockNumber() == line
    assert first == line or (
        tab.editor.verticalScrollBar().value() == tab.editor.verticalScrollBar().maximum()
        and first <= line
    )
    back = items[1]
    tab.outline.itemClicked.emit(back, 0)
    assert tab.editor.firstVisibleBlock().blockNumber() == back.data(0, Qt.ItemDataRole.UserRole)


def test_the_preview_follows_the_editor_to_the_heading_at_its_top(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact("tasks.md"))
    run(loop, until(lambda: len(tab.preview.heading_tops()) > 10))
    bar = tab.preview.verticalScrollBar()
    assert bar.value() == 0
    headings = outline_headings(tab.text())
    tops = tab.preview.heading_tops()
    assert len(tops) == len(headings)
    # Scroll the editor so a heading halfway down is its first line: the preview puts the
    # same heading at its top.
    middle = len(headings) // 2
    block = tab.editor.document().findBlockByNumber(headings[middle].line)
    tab.editor.verticalScrollBar().setValue(block.firstLineNumber())
    assert tab.editor.firstVisibleBlock().blockNumber() == headings[middle].line
    assert abs(bar.value() - min(bar.maximum(), tops[middle])) <= 1
    assert bar.value() > 0
    # Back to the top: the preview goes back too.
    tab.editor.verticalScrollBar().setValue(0)
    assert bar.value() == 0
