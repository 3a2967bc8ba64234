"""The run view as a page: Ctrl+Shift+R gives the visualizer the whole central area."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget, QScrollArea

from tests.helpers.gui import run, until


def test_ctrl_shift_r_puts_the_run_view_in_the_page_and_back_in_its_dock(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    workspace = window.runs.workspace
    dock = window.runs.dock
    assert dock is not None
    assert dock.isVisible()
    run(loop, until(window.isActiveWindow))

    QTest.keyClick(
        window,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    QTest.qWait(100)
    assert window.runs.as_page
    page = window.pages.currentWidget()
    assert isinstance(page, QScrollArea)
    assert page.widget() is workspace
    assert window.commands["run_page"].isChecked()
    assert not dock.isVisible()
    # The run view fills the middle of the window, and at this size its page does not scroll:
    # the graph scrolls in its view alone.
    assert workspace.height() == page.viewport().height()
    assert not page.verticalScrollBar().isVisible()
    graph, below = workspace.splitter.sizes()
    assert graph >= 0.55 * (graph + below)
    assert window.runs._scroller is not None
    assert window.runs._scroller.widget() is None

    QTest.keyClick(
        window,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    QTest.qWait(50)
    assert window.pages.currentWidget() is window.editors.stack
    assert dock.isVisible()
    assert window.pages.count() == 2  # the page is gone
    assert dock.widget().widget() is workspace
    assert not window.commands["run_page"].isChecked()


def test_opening_an_artifact_from_the_run_page_shows_it(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    window.commands["run_page"].trigger()
    assert window.runs.as_page
    tab = run(loop, window.editors.open_artifact("prd.md"))
    assert tab is not None
    assert window.pages.currentWidget() is window.editors.stack
    assert window.editors.tabs.currentWidget() is tab
    assert window.runs.dock is not None
    assert window.runs.dock.isVisible()


def test_the_run_page_never_widens_a_small_window(make_window, loop, sample_project: Path) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    window.resize(1024, 700)
    QTest.qWait(50)
    window.commands["run_page"].trigger()
    QTest.qWait(100)
    assert window.minimumSizeHint().width() <= 1024
    assert window.width() == 1024
    window.commands["run_page"].trigger()
    QTest.qWait(50)
    assert window.width() == 1024


def test_in_a_narrow_window_the_run_page_keeps_one_column_of_docks(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    history = window.findChild(QDockWidget, "historyDock")
    assert history is not None
    right = Qt.DockWidgetArea.RightDockWidgetArea
    window.resize(1024, 700)
    QTest.qWait(50)
    # History is a tab behind the Project dock (see test_small_window), so it takes no width.
    assert window.dockWidgetArea(history) == Qt.DockWidgetArea.LeftDockWidgetArea
    window.commands["run_page"].trigger()
    QTest.qWait(100)
    assert window.pages.currentWidget().width() > 700
    window.commands["run_page"].trigger()
    QTest.qWait(50)
    # A dock the user put back at the right steps aside for the page, and comes back after.
    window.addDockWidget(right, history)
    QTest.qWait(50)
    assert history.isVisible()
    window.commands["run_page"].trigger()
    QTest.qWait(100)
    assert not history.isVisible()  # the graph gets the room instead
    assert window.pages.currentWidget().width() > 700
    window.commands["run_page"].trigger()
    QTest.qWait(50)
    assert history.isVisible()
    assert window.dockWidgetArea(history) == right

    window.resize(1440, 900)
    QTest.qWait(50)
    window.commands["run_page"].trigger()
    QTest.qWait(100)
    assert history.isVisible()  # a wide window keeps it beside the page
    window.commands["run_page"].trigger()
