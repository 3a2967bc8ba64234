"""The one bridge from the engine's typed events to Qt signals.

The engine calls its ``on_event`` sink on the event-loop thread (the engine runs as a task on
the qasync loop, which is the Qt thread), so the bridge emits directly: no queued connection,
no copying, no polling.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from spec_automation.core import events as ev

__all__ = ["EngineEventBridge"]


class EngineEventBridge(QObject):
    """Re-emits every engine event as a Qt signal carrying the event object.

    ``event`` fires for every event; the typed signals fire for their own kind, so a view
    connects only to what it draws.
    """

    event = Signal(object)
    run_started = Signal(object)
    run_finished = Signal(object)
    wave_started = Signal(object)
    wave_finished = Signal(object)
    phase_queued = Signal(object)
    phase_started = Signal(object)
    phase_progress = Signal(object)
    phase_succeeded = Signal(object)
    phase_failed = Signal(object)
    phase_blocked = Signal(object)
    phase_cancelled = Signal(object)
    gate_waiting = Signal(object)
    gate_decided = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._typed = {
            ev.RunStarted: self.run_started,
            ev.RunFinished: self.run_finished,
            ev.WaveStarted: self.wave_started,
            ev.WaveFinished: self.wave_finished,
            ev.PhaseQueued: self.phase_queued,
            ev.PhaseStarted: self.phase_started,
            ev.PhaseProgress: self.phase_progress,
            ev.PhaseSucceeded: self.phase_succeeded,
            ev.PhaseFailed: self.phase_failed,
            ev.PhaseBlocked: self.phase_blocked,
            ev.PhaseCancelled: self.phase_cancelled,
            ev.GateWaiting: self.gate_waiting,
            ev.GateDecided: self.gate_decided,
        }

    def sink(self, event: ev.EngineEvent) -> None:
        """The engine's ``on_event``: emit ``event`` and the signal of its kind."""
        self.event.emit(event)
        typed = self._typed.get(type(event))
        if typed is not None:
            typed.emit(event)
