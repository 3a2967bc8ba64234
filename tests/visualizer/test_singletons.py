"""The guard that keeps None/True/False alive under PySide6's dropped references."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal

from spec_automation.ui.visualizer.singletons import protect_singletons


class Emitter(QObject):
    fired = Signal(object)


@pytest.mark.gui
@pytest.mark.skipif(sys.version_info >= (3, 12), reason="immortal singletons from 3.12 on")
def test_emitting_many_signals_cannot_free_true(qapp: object) -> None:
    protect_singletons()
    protect_singletons()  # idempotent
    emitter = Emitter()
    received: list[object] = []
    emitter.fired.connect(received.append)
    floor = 1 << 39
    assert sys.getrefcount(True) > floor
    assert sys.getrefcount(None) > floor
    for i in range(20_000):  # ~30 times True's own count before the guard
        emitter.fired.emit(i)
    assert len(received) == 20_000
    assert sys.getrefcount(True) > floor
    assert sys.getrefcount(None) > floor
