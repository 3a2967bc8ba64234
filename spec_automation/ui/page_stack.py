"""A stack of pages sized by the page on show, not by the largest page hidden behind it.

Qt's ``QStackedWidget`` asks for the largest minimum of all its pages, so a wide welcome
screen kept behind the project's editors held the whole window at 1241 px or more.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QStackedWidget, QWidget

__all__ = ["PageStack"]


class PageStack(QStackedWidget):
    """A ``QStackedWidget`` whose size hints are those of its current page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(self._page_changed)

    def sizeHint(self) -> QSize:
        """The current page's preferred size."""
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        """The current page's minimum size: hidden pages do not hold the window wide."""
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def _page_changed(self, _index: int) -> None:
        self.updateGeometry()
