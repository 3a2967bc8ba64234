"""Choosing a heading in the outline scrolls the editor to it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem

from tests.helpers.gui import run


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
