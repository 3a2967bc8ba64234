"""Starting the app: the window shows first, the project opens once it has been painted."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from spec_automation.ui.app import after_first_paint
from tests.helpers.gui import run, until

pytestmark = pytest.mark.gui


def test_the_work_waits_for_the_first_paint(qtbot: Any, loop: asyncio.AbstractEventLoop) -> None:
    window = QLabel("starting")
    qtbot.addWidget(window)
    painted: list[bool] = []
    window.paintEvent = lambda event: (painted.append(True), QLabel.paintEvent(window, event))
    seen_when_called: list[bool] = []
    after_first_paint(window, lambda: seen_when_called.append(bool(painted)), fallback_ms=5000)
    run(loop, asyncio.sleep(0.05))
    assert seen_when_called == []  # not shown yet: nothing painted, nothing run
    window.show()
    run(loop, until(lambda: seen_when_called))
    assert seen_when_called == [True]
    window.update()
    run(loop, asyncio.sleep(0.1))
    assert seen_when_called == [True]  # once only


def test_a_window_never_painted_still_gets_its_work_done(
    qtbot: Any, loop: asyncio.AbstractEventLoop
) -> None:
    window = QLabel("minimised")
    qtbot.addWidget(window)
    calls: list[int] = []
    after_first_paint(window, lambda: calls.append(1), fallback_ms=100)
    run(loop, until(lambda: calls))
    assert calls == [1]
