"""The command palette (Ctrl+Shift+P) runs any action by name; quick open (Ctrl+P) opens an
artifact or input by name. Both driven by key presses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from spec_automation.ui.command_palette import PickerDialog
from tests.helpers.gui import run, until


def _opened(window: Any, keys: str) -> PickerDialog:
    modifiers = Qt.KeyboardModifier.ControlModifier
    if "Shift" in keys:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window.explorer, Qt.Key.Key_P, modifiers)
    dialog = window.palette_part.dialog
    assert isinstance(dialog, PickerDialog)
    assert dialog.isVisible()
    return dialog


def test_the_palette_lists_commands_with_their_keys_and_runs_the_one_typed(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    window.explorer.setFocus()
    dialog = _opened(window, "Ctrl+Shift+P")
    shown = dialog.shown()
    assert any(line.startswith("Toggle theme") and "Ctrl+Shift+T" in line for line in shown)
    assert not any(line.startswith("Command palette") for line in shown)
    assert not any(line.startswith("Cancel run") for line in shown)  # nothing runs: disabled
    before = window.theme.name
    QTest.keyClicks(dialog.field, "toggle the")
    assert dialog.shown() == [line for line in shown if line.startswith("Toggle theme")]
    QTest.keyClick(dialog.field, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert window.theme.name != before


def test_quick_open_opens_an_artifact_or_the_brief_by_name(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    window.explorer.setFocus()
    dialog = _opened(window, "Ctrl+P")
    assert "brief.md    brief" in dialog.shown()
    QTest.keyClicks(dialog.field, "tasks")
    assert dialog.shown() == ["tasks.md    artifact"]
    QTest.keyClick(dialog.field, Qt.Key.Key_Return)
    run(loop, until(lambda: window.editors.tab_for("tasks.md") is not None))
    assert window.editors.tabs.currentWidget() is window.editors.tab_for("tasks.md")
    run(loop, until(window.isActiveWindow))  # the closed palette handed the keys back
    window.explorer.setFocus()
    dialog = _opened(window, "Ctrl+P")
    QTest.keyClicks(dialog.field, "md")
    QTest.keyClick(dialog.field, Qt.Key.Key_Down)
    second = dialog.list.currentItem().text().split()[0]
    QTest.keyClick(dialog.field, Qt.Key.Key_Return)
    run(loop, until(lambda: window.editors.tab_for(second) is not None))
