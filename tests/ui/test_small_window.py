"""The window at 1024 × 700 with every artifact open: nothing collapses."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget

from tests.helpers.gui import run


def test_at_1024_by_700_with_15_tabs_and_the_find_bar_every_panel_keeps_its_room(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    names = list(window.service.spec.artifacts)
    assert len(names) == 15
    for name in names:
        run(loop, window.editors.open_artifact(name))
    window.resize(1024, 700)
    QTest.qWait(100)
    # The window really is that small: nothing holds it wider or taller.
    assert (window.width(), window.height()) == (1024, 700)
    assert window.minimumSizeHint().width() <= 1024
    tab = window.editors.tabs.currentWidget()
    QTest.keyClick(tab.editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    QTest.qWait(100)
    assert tab.find_bar.isVisible()
    # Everything fits inside the window: no dock or panel pushed past its edge.
    assert window.minimumSizeHint().width() <= 1024
    shown = [d for d in window.findChildren(QDockWidget) if d.isVisible() and not d.isFloating()]
    assert shown
    for part in [*shown, window.centralWidget()]:
        assert part.geometry().right() < window.width(), part.objectName()
    assert tab.find_bar.find_field.width() >= 160
    assert tab.editor.width() >= 240
    assert tab.preview.width() >= 200
    assert window.explorer.width() >= 180
