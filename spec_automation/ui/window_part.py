"""The base of the main window's parts: each is a child object of the window that owns some
widgets, state and actions, and reaches the shell (notifications, tasks, the service) and
the other parts through ``window``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["WindowPart"]


class WindowPart(QObject):
    """A part of the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
