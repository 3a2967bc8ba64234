"""Execution state, kept apart from the workflow graph: the views' one source of truth.

``RunTracker`` listens to the bridge, applies every event to its ``RunState`` and tells the
views what changed: a state change at once (``phase_state_changed``), progress and elapsed time
on one repaint timer (``refreshed``, about 30 times a second while a run is going), so many
progress events between two frames cost one repaint.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from spec_automation.core import events as ev
from spec_automation.ui.visualizer.bridge import EngineEventBridge
from spec_automation.ui.visualizer.run_state import NodeState, RunState

__all__ = ["REFRESH_INTERVAL_MS", "RunTracker"]

REFRESH_INTERVAL_MS = 33  # one repaint per ~30 Hz frame while a run is going


class RunTracker(QObject):
    """The state of the run being shown, updated from the bridge.

    Signals:
        phase_state_changed(str phase, str state): a phase's node state changed.
        refreshed(list[str] phases): phases whose progress or elapsed time changed.
        run_started(object event), run_finished(object event): a segment began or ended.
        gate_waiting(object event), gate_decided(object event): approval gates.
        wave_finished(object event): a wave reached its end.
    """

    phase_state_changed = Signal(str, str)
    refreshed = Signal(list)
    run_started = Signal(object)
    run_finished = Signal(object)
    gate_waiting = Signal(object)
    gate_decided = Signal(object)
    wave_finished = Signal(object)

    def __init__(self, bridge: EngineEventBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = RunState()
        self.bridge = bridge
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_INTERVAL_MS)
        self._timer.timeout.connect(self.flush)
        bridge.event.connect(self._on_event)

    def reset(self, waves: tuple[tuple[str, ...], ...]) -> None:
        """Show the workflow with no run: every phase pending."""
        self._timer.stop()
        self.state.reset(waves)
        for name in self.state.phases:
            self.phase_state_changed.emit(name, str(NodeState.PENDING))
        self.flush()

    def disconnect_bridge(self) -> None:
        """Stop listening to the bridge (the workspace is closing)."""
        self._timer.stop()
        self.bridge.event.disconnect(self._on_event)

    def flush(self) -> None:
        """Report every phase whose progress or elapsed time changed since the last frame."""
        dirty = self.state.dirty
        dirty.update(self.state.in_state(NodeState.RUNNING))
        if not dirty:
            return
        phases = sorted(dirty)
        dirty.clear()
        self.refreshed.emit(phases)

    def _on_event(self, event: ev.EngineEvent) -> None:
        if isinstance(event, ev.PhaseProgress):
            self.state.apply(event)  # the repaint timer shows it
            return
        for changed in self.state.apply(event):
            self.phase_state_changed.emit(changed, str(self.state.phases[changed].state))
        match event:
            case ev.RunStarted():
                for name, view in self.state.phases.items():
                    self.phase_state_changed.emit(name, str(view.state))
                self._timer.start()
                self.run_started.emit(event)
            case ev.RunFinished():
                self._timer.stop()
                self.flush()
                self.run_finished.emit(event)
            case ev.GateWaiting():
                self.gate_waiting.emit(event)
            case ev.GateDecided():
                self.gate_decided.emit(event)
            case ev.WaveFinished():
                self.wave_finished.emit(event)
            case _:
                pass
