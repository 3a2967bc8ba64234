"""Docks in a narrow window: under ``NARROW_WINDOW_PX`` the docks at the right (History, Log)
join the Project dock's column as tabs, so the editor and its preview keep a readable width
between two columns instead of three. Widened again, the docks moved go back to the right.
A dock the user has moved since is left where the user put it."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget

from spec_automation.ui.window_part import WindowPart

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["NARROW_WINDOW_PX", "NarrowDocks"]

#: Below this width a window has room for the editor and one column of docks, not two.
NARROW_WINDOW_PX = 1280

_LEFT = Qt.DockWidgetArea.LeftDockWidgetArea
_RIGHT = Qt.DockWidgetArea.RightDockWidgetArea


class NarrowDocks(WindowPart):
    """Moves the right-hand docks into the left column while the window is narrow."""

    def __init__(self, window: MainWindow, anchor: QDockWidget, docks: Sequence[QDockWidget]):
        super().__init__(window)
        self._anchor = anchor  # the Project dock: the others become its tabs
        self._docks = list(docks)
        self._moved: list[QDockWidget] = []
        self._front: QDockWidget | None = None  # the one in front at the right before
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    @property
    def moved(self) -> list[str]:
        """The object names of the docks moved into the left column (kept with the layout)."""
        return [dock.objectName() for dock in self._moved]

    def resume(self, names: Sequence[str]) -> None:
        """Take up docks a narrow window moved in an earlier session (the layout restored)."""
        self._moved = [
            dock for dock in self._docks if dock.objectName() in names and self._docked(dock, _LEFT)
        ]
        self.fit()

    def fit(self) -> None:
        """Put the docks where the window's width wants them."""
        if self.window.width() < NARROW_WINDOW_PX:
            if not self._moved:
                self._to_left()
        elif self._moved:
            self._to_right()

    def _docked(self, dock: QDockWidget, area: Qt.DockWidgetArea) -> bool:
        return not dock.isFloating() and self.window.dockWidgetArea(dock) == area

    def _to_left(self) -> None:
        window, anchor = self.window, self._anchor
        moving = [dock for dock in self._docks if self._docked(dock, _RIGHT)]
        if not moving:
            return
        self._front = next((d for d in moving if not d.visibleRegion().isEmpty()), None)
        anchor_docked = self._docked(anchor, _LEFT)
        for dock in moving:  # a closed dock stays closed, in its new place
            window.addDockWidget(_LEFT, dock)
            if anchor_docked:
                window.tabifyDockWidget(anchor, dock)
        if anchor_docked:
            anchor.raise_()
        self._moved = moving

    def _to_right(self) -> None:
        window = self.window
        moving = [dock for dock in self._moved if self._docked(dock, _LEFT)]
        self._moved = []
        for dock in moving:
            window.addDockWidget(_RIGHT, dock)
        for first, second in itertools.pairwise(moving):
            window.tabifyDockWidget(first, second)
        front = self._front if self._front in moving else (moving[0] if moving else None)
        if front is not None:
            front.raise_()
