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
    names = list(window.service.spec.artifacts)[:15]
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


def _area(window, dock):
    return window.dockWidgetArea(dock)


LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea


def test_a_narrow_window_puts_history_and_log_beside_the_project_and_widened_back_right(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    run(loop, window.editors.open_artifact("prd.md"))
    tab = window.editors.tabs.currentWidget()
    history, log, explorer = window.history_dock, window.log_dock, window.explorer_dock
    window.resize(1440, 900)
    QTest.qWait(50)
    assert (_area(window, history), _area(window, log)) == (RIGHT, RIGHT)
    window.resize(1024, 700)
    QTest.qWait(100)
    # One column of docks: History and Log are tabs beside the Project dock, which stays in front.
    assert (_area(window, history), _area(window, log)) == (LEFT, LEFT)
    assert set(window.tabifiedDockWidgets(explorer)) == {history, log}
    assert not explorer.visibleRegion().isEmpty()
    assert history.visibleRegion().isEmpty()
    assert log.visibleRegion().isEmpty()
    # The editor, its outline and its preview share what the right column gave up.
    assert tab.editor.width() >= 300
    assert tab.preview.width() >= 300
    assert tab.width() >= 750  # the outline keeps its room too
    window.resize(1440, 900)
    QTest.qWait(100)
    assert (_area(window, history), _area(window, log)) == (RIGHT, RIGHT)
    assert window.tabifiedDockWidgets(history) == [log]
    assert not history.visibleRegion().isEmpty()  # History in front again, as it was
    assert window.tabifiedDockWidgets(explorer) == []


def test_a_dock_the_user_moved_while_narrow_stays_where_they_put_it(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    window.resize(1024, 700)
    QTest.qWait(50)
    assert _area(window, window.history_dock) == LEFT
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, window.history_dock)
    window.log_dock.close()
    window.resize(1440, 900)
    QTest.qWait(50)
    assert _area(window, window.history_dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    # The Log dock goes back to the right, still closed.
    assert _area(window, window.log_dock) == RIGHT
    assert window.log_dock.isHidden()


def test_the_next_start_in_a_wide_window_moves_the_docks_a_narrow_one_moved_back(
    make_window, loop, sample_project: Path
) -> None:
    narrow = make_window()
    run(loop, narrow.open_project(sample_project))
    narrow.resize(1024, 700)
    QTest.qWait(50)
    assert _area(narrow, narrow.history_dock) == LEFT
    run(loop, narrow.close_project())  # the layout is kept with the docks at the left
    wide = make_window()
    wide.resize(1440, 900)
    run(loop, wide.open_project(sample_project))
    QTest.qWait(50)
    assert (_area(wide, wide.history_dock), _area(wide, wide.log_dock)) == (RIGHT, RIGHT)
    assert wide.tabifiedDockWidgets(wide.explorer_dock) == []
