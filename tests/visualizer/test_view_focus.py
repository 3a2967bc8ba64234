"""The graph view keeps the critical path in sight in a short Run dock, until the user moves
the view."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtTest import QTest

from spec_automation.ui.visualizer.run_workspace import RunWorkspace


def _in_sight(workspace: RunWorkspace, phase: str) -> bool:
    view = workspace.view
    node = workspace.scene.nodes[phase].sceneBoundingRect()
    shown: QRect = view.mapFromScene(node).boundingRect()
    return view.viewport().rect().contains(shown)


def test_a_short_view_shows_the_critical_path_from_the_first_wave(
    workspace: RunWorkspace,
) -> None:
    workspace.resize(1400, 420)  # the graph's share of a Run dock at the default window size
    QTest.qWait(50)
    view = workspace.view
    assert view.viewport().height() < workspace.scene.sceneRect().height(), "it cannot all fit"
    assert _in_sight(workspace, "ANALYSIS")
    assert _in_sight(workspace, "SPEC_PM")
    assert _in_sight(workspace, "SPEC_ARCHITECT")
    workspace.resize(1400, 380)  # a resize keeps it so
    QTest.qWait(50)
    assert _in_sight(workspace, "ANALYSIS")


def test_once_the_user_zooms_the_view_stays_where_they_put_it(workspace: RunWorkspace) -> None:
    workspace.resize(1400, 420)
    QTest.qWait(50)
    view = workspace.view
    view.zoom_by(1.2)
    view.verticalScrollBar().setValue(view.verticalScrollBar().minimum())
    where = view.verticalScrollBar().value()
    workspace.resize(1400, 400)
    QTest.qWait(50)
    assert view.verticalScrollBar().value() == where
