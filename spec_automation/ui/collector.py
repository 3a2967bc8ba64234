"""Python's cycle collector, run only on the GUI thread.

Python collects reference cycles whenever enough objects have been allocated, on whichever
thread is allocating at that moment. The app does much of its work in worker threads (the
store, git, hashing files), so a cycle that holds the last reference to a Qt object (a
closed dialog whose slots refer back to it, an editor and its gutter) can be freed there.
Qt objects must be destroyed on the thread they live on: destroyed elsewhere, an object
with timers leaves them registered ("Timers cannot be stopped from another thread") and Qt
later delivers a timer event to freed memory, which crashes the process at a random moment.

:class:`GuiThreadCollector` turns the automatic collection off and runs the same collection
from a timer on the GUI thread instead, with the thresholds Python would have used (the
approach of pyqtgraph's ``GarbageCollector``).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

__all__ = ["GuiThreadCollector", "collect_pending", "install"]

#: How often the GUI thread looks whether a collection is due (milliseconds).
INTERVAL_MS = 250

_installed: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Collects reference cycles on the GUI thread only (see the module)."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)

    def start(self) -> None:
        """Turn Python's automatic collection off and collect from the GUI thread instead."""
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Give collection back to Python."""
        self._timer.stop()
        gc.enable()

    def collect_due(self) -> int:
        """Collect the generations Python would collect now; the number of objects freed."""
        first, second, third = self._thresholds
        count0, count1, count2 = gc.get_count()
        if first <= 0 or count0 <= first:
            return 0
        if count1 <= second:
            return gc.collect(0)
        if count2 <= third:
            return gc.collect(1)
        return gc.collect(2)


def install(parent: QObject) -> GuiThreadCollector:
    """Start the one collector of this process (a second call returns the first)."""
    global _installed
    if _installed is None:
        _installed = GuiThreadCollector(parent)
        _installed.start()
    return _installed


def collect_pending() -> int:
    """Run the collection that is due now, if the collector is installed; objects freed."""
    return _installed.collect_due() if _installed is not None else 0
