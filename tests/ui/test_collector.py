"""Python's cycle collection runs on the GUI thread only, never on a worker thread."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from spec_automation.ui import collector

pytestmark = pytest.mark.gui


class _Dialog:
    """Stands for a closed dialog whose slots refer back to it: a cycle owning a Qt timer."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.start(60_000)
        self.me = self


def _cycle_freed_on(threads: list[int]) -> weakref.ref[_Dialog]:
    dialog = _Dialog()
    return weakref.ref(dialog, lambda _ref: threads.append(threading.get_ident()))


def test_the_app_turns_automatic_collection_off(qapp: Any) -> None:
    assert collector.install(qapp) is collector.install(qapp)  # one per process
    assert not gc.isenabled()


def test_a_worker_thread_that_allocates_a_lot_frees_no_cycle(qapp: Any) -> None:
    collector.install(qapp)
    freed_on: list[int] = []
    alive = _cycle_freed_on(freed_on)

    def allocate() -> None:
        # Far past the threshold at which Python would have collected on this thread.
        kept = [[] for _ in range(50 * gc.get_threshold()[0])]
        del kept

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert freed_on == []
    assert alive() is not None
    gc.collect()
    assert freed_on == [threading.get_ident()]


def test_the_gui_thread_collects_a_cycle_once_a_collection_is_due(qapp: Any) -> None:
    installed = collector.install(qapp)
    gc.collect()
    freed_on: list[int] = []
    alive = _cycle_freed_on(freed_on)
    assert installed.collect_due() == 0  # nothing allocated yet: not due
    assert alive() is not None
    kept = [[] for _ in range(2 * gc.get_threshold()[0])]
    assert installed.collect_due() > 0
    assert alive() is None
    assert freed_on == [threading.get_ident()]
    assert gc.get_count()[0] < gc.get_threshold()[0]
    del kept


def _generations_collected() -> tuple[list[int], Any]:
    seen: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(record)
    return seen, record


def _bump_oldest_count() -> None:
    """Make the oldest generation's count pass its threshold (as ten middle collections do)."""
    for _ in range(gc.get_threshold()[2] + 1):
        gc.collect(1)


def test_a_large_batch_of_young_objects_is_looked_through_once_with_the_middle_generation(
    qapp: Any,
) -> None:
    collector.install(qapp)
    mine = collector.GuiThreadCollector(qapp)
    gc.collect()
    first, second, _ = gc.get_threshold()
    seen, record = _generations_collected()
    try:
        small = [[] for _ in range(2 * first)]
        assert mine.collect_due() == 0
        assert seen == [0]  # a batch Python's own young collection would see
        large = [[] for _ in range(2 * first * second)]
        mine.collect_due()
        assert seen == [0, 1]  # past 7,000: through the middle generation at once
        assert gc.get_count()[1] == 0
    finally:
        gc.callbacks.remove(record)
    del small, large


def test_a_full_collection_waits_until_a_quarter_more_objects_have_grown_old(qapp: Any) -> None:
    collector.install(qapp)
    gc.collect()
    mine = collector.GuiThreadCollector(qapp)  # counts the oldest generation as it is now
    first = gc.get_threshold()[0]
    seen, record = _generations_collected()
    try:
        _bump_oldest_count()
        seen.clear()
        young = [[] for _ in range(2 * first)]
        mine.collect_due()
        assert 2 not in seen  # due by count, but too few objects reached the oldest since
        grown = [[] for _ in range(len(gc.get_objects(2)) // 4 + 10 * first)]
        mine.collect_due()  # they survive a middle collection: now in the oldest generation
        _bump_oldest_count()
        seen.clear()
        more = [[] for _ in range(2 * first)]
        mine.collect_due()
        assert seen == [2]
    finally:
        gc.callbacks.remove(record)
    del young, grown, more
