"""File ▸ New project (Ctrl+N) from an open project, and File ▸ Open recent."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.helpers.gui import run, until


def test_ctrl_n_closes_the_project_for_a_new_one_and_open_recent_brings_it_back(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    assert window.service is not None
    window.explorer.setFocus()
    QTest.keyClick(window.explorer, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    run(loop, until(lambda: window.service is None))
    assert window.pages.currentWidget() is window.welcome
    run(loop, until(lambda: window.welcome.name.hasFocus()))

    folders = window.project_menu.fill_recent()
    assert folders == [str(sample_project)]
    [entry] = window.project_menu.recent.actions()
    assert entry.text() == str(sample_project)
    entry.trigger()
    run(loop, until(lambda: window.service is not None))
    assert window.service.paths.root == sample_project.resolve()


def test_open_recent_says_when_there_is_none(make_window, loop, tmp_path: Path) -> None:
    window = make_window()
    assert window.project_menu.fill_recent() == []
    [entry] = window.project_menu.recent.actions()
    assert entry.text() == "No recent projects"
    assert not entry.isEnabled()
