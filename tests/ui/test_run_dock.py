"""The Run dock at the default window size: the graph shows the critical path and the
timeline's tabs below it, not under it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtTest import QTest

from tests.helpers.gui import run


def test_in_the_run_dock_of_the_default_window_the_critical_path_is_in_sight(
    make_window, loop, sample_project
) -> None:
    window = make_window()
    window.resize(1440, 900)  # the default size, before the Run dock takes its share of it
    run(loop, window.open_project(sample_project))
    QTest.qWait(200)
    workspace = window.runs.workspace
    dock = window.runs.dock.widget()  # the Run dock's scroller
    view = workspace.view
    shown = dock.viewport().rect()
    for phase in ("ANALYSIS", "SPEC_PM", "SOLUTIONING_TASKS"):
        node = view.mapFromScene(workspace.scene.nodes[phase].sceneBoundingRect()).boundingRect()
        where = view.viewport().mapTo(dock.viewport(), node.topLeft())
        assert shown.contains(QRect(where, node.size())), phase
    # The timeline's tabs show below the graph, not under it.
    tabs = workspace.tabs.mapTo(dock.viewport(), QPoint(0, 0))
    graph_bottom = view.mapTo(dock.viewport(), QPoint(0, view.height()))
    assert tabs.y() >= graph_bottom.y()
