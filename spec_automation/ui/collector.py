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
approach of pyqtgraph's ``GarbageCollector``). It chooses the generation as CPython does,
including its rule for the oldest one: a full collection only once the objects that reached
it since the last full one are a quarter of what that one left. The timer ticks often, so
each collection has few young objects to look at: a pause of the window stays short even
while a worker thread builds a large result (a 10,000-line diff).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

__all__ = ["GuiThreadCollector", "collect_pending", "install"]

#: How often the GUI thread looks whether a collection is due (milliseconds). A look that
#: finds nothing due costs a microsecond; a long interval lets a busy worker thread pile up
#: young objects that one collection then holds the GUI thread to look through.
INTERVAL_MS = 40

_installed: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Collects reference cycles on the GUI thread only (see the module)."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._long_lived = len(gc.get_objects(2))  # the oldest generation after a full one
        self._pending = 0  # objects moved into it since
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
        """Collect the generation Python would collect now; the number of objects freed."""
        first, second, _ = self._thresholds
        counts = gc.get_count()
        if first <= 0 or counts[0] <= first:
            return 0  # as in Python, only the young generation's allocations start one
        for generation in (2, 1, 0):
            due = counts[generation] > self._thresholds[generation]
            # Young objects past what Python lets the middle generation gather (700 x 10)
            # are looked through once, with it, instead of again some ticks later.
            if generation == 1 and counts[0] > first * second:
                due = True
            if not due:
                continue
            if generation == 2 and self._pending < self._long_lived / 4:
                continue  # as CPython: a full collection would free too little to pay
            return self._collect(generation)
        return 0

    def _collect(self, generation: int) -> int:
        if generation == 2:
            freed = gc.collect(2)
            self._long_lived, self._pending = len(gc.get_objects(2)), 0
            return freed
        if generation == 0:
            return gc.collect(0)
        young = len(gc.get_objects(0)) + len(gc.get_objects(1))
        freed = gc.collect(1)
        self._pending += max(young - freed, 0)  # what survived went to the oldest generation
        return freed


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
