"""The timeline ("timelineView"): a Gantt chart of the run, one bar per phase, growing live.

Rows follow the waves (a band per wave, labelled); bars sit on one time axis shared by every
phase, so a phase visibly starts the moment its own inputs are ready, not when its wave does.
A thin lead-in before a bar is the time the phase spent queued for a slot; dashed lines mark
the moments waves finished.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from spec_automation.core.graph import WorkflowGraph
from spec_automation.ui.visualizer.links import SignalLinks
from spec_automation.ui.visualizer.palette import (
    CanvasColours,
    StateColours,
    canvas_colours,
    is_dark,
    state_colours,
)
from spec_automation.ui.visualizer.run_state import NodeState, PhaseView, format_duration
from spec_automation.ui.visualizer.tracker import RunTracker

__all__ = ["TimelineView"]

_ROW = 22.0
_LABEL_WIDTH = 214.0
_AXIS = 26.0
_WAVE_GAP = 6.0
_MIN_SPAN_S = 5.0


class TimelineView(QWidget):
    """A live Gantt chart of the run segment the tracker follows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineView")
        self.setAccessibleName("Timeline: one bar per phase on a shared time axis")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._graph: WorkflowGraph | None = None
        self._tracker: RunTracker | None = None
        self._links = SignalLinks()
        self._span_s = _MIN_SPAN_S

    def set_workflow(self, graph: WorkflowGraph, tracker: RunTracker) -> None:
        """Show ``graph``'s phases and follow ``tracker``."""
        self.clear_workflow()
        self._graph = graph
        self._tracker = tracker
        for signal in (tracker.refreshed, tracker.phase_state_changed, tracker.run_started):
            self._links.connect(signal, self._changed)
        self._span_s = _MIN_SPAN_S
        self.setFixedHeight(round(self.sizeHint().height()))
        self.update()

    def clear_workflow(self) -> None:
        """Stop following the tracker."""
        self._links.disconnect_all()
        self._graph = None
        self._tracker = None

    def sizeHint(self) -> QSize:
        """Tall enough for every row."""
        if self._graph is None:
            return QSize(600, 120)
        rows = len(self._graph.topological_order)
        waves = len(self._graph.waves)
        return QSize(800, round(_AXIS + rows * _ROW + waves * _WAVE_GAP + 20))

    def _changed(self, *_: object) -> None:
        self.update()

    # --- drawing -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: ARG002 - Qt's name
        """Draw axis, wave bands, bars and wave ends."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        dark = is_dark(self.palette())
        canvas = canvas_colours(dark=dark)
        states = state_colours(dark=dark)
        painter.fillRect(self.rect(), QColor(canvas.background))
        if self._graph is None or self._tracker is None:
            return
        run = self._tracker.state
        now = run.now_s()
        ends = [v.finished_at or 0.0 for v in run.phases.values()]
        self._span_s = max(self._span_s, now * 1.08, *(e * 1.02 for e in ends), _MIN_SPAN_S)
        span = self._span_s
        plot = QRectF(_LABEL_WIDTH, _AXIS, max(50.0, self.width() - _LABEL_WIDTH - 16), 0)
        font = QFont(self.font())
        font.setPointSizeF(8.5)
        painter.setFont(font)
        metrics = QFontMetricsF(font)

        # Axis with round tick steps.
        step = _tick_step(span, plot.width())
        painter.setPen(QPen(QColor(canvas.grid), 1))
        tick = 0.0
        while tick <= span + 1e-9:
            x = plot.left() + tick / span * plot.width()
            painter.drawLine(QPointF(x, _AXIS - 4), QPointF(x, self.height()))
            painter.setPen(QColor(canvas.secondary))
            painter.drawText(QRectF(x - 30, 4, 60, 16), Qt.AlignmentFlag.AlignCenter, f"{tick:g} s")
            painter.setPen(QPen(QColor(canvas.grid), 1))
            tick += step

        y = _AXIS
        for number, wave in enumerate(self._graph.waves, start=1):
            band_top = y
            for name in wave:
                view = run.phases.get(name)
                painter.setPen(QColor(canvas.text))
                label = metrics.elidedText(name, Qt.TextElideMode.ElideRight, _LABEL_WIDTH - 44)
                painter.drawText(
                    QRectF(40, y, _LABEL_WIDTH - 44, _ROW),
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    label,
                )
                if view is not None:
                    self._draw_bar(painter, view, (states, canvas), plot, now, y)
                y += _ROW
            # The wave's band: a label at the left and a rule under it.
            painter.setPen(QColor(canvas.secondary))
            painter.drawText(
                QRectF(4, band_top, 34, y - band_top),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                f"W{number}",
            )
            painter.setPen(QPen(QColor(canvas.grid), 1))
            painter.drawLine(
                QPointF(4, y + _WAVE_GAP / 2), QPointF(self.width(), y + _WAVE_GAP / 2)
            )
            y += _WAVE_GAP

        # Wave ends: dashed verticals, labelled under the last row.
        pen = QPen(QColor(canvas.critical), 1, Qt.PenStyle.DashLine)
        for number, end in sorted(run.wave_ends.items()):
            x = plot.left() + end / span * plot.width()
            painter.setPen(pen)
            painter.drawLine(QPointF(x, _AXIS), QPointF(x, y))
            painter.setPen(QColor(canvas.critical))
            painter.drawText(QRectF(x - 20, y, 40, 14), Qt.AlignmentFlag.AlignCenter, f"W{number}")
        if run.running:
            x = plot.left() + now / span * plot.width()
            painter.setPen(QPen(QColor(canvas.text), 1.2))
            painter.drawLine(QPointF(x, _AXIS - 4), QPointF(x, y))
        painter.end()

    def _draw_bar(
        self,
        painter: QPainter,
        view: PhaseView,
        look: tuple[dict[NodeState, StateColours], CanvasColours],
        plot: QRectF,
        now: float,
        y: float,
    ) -> None:
        states, canvas = look
        colours = states[view.state]

        def to_x(seconds: float) -> float:
            return plot.left() + seconds / self._span_s * plot.width()

        if view.queued_at is not None:
            queue_end = view.started_at if view.started_at is not None else now
            if view.state == NodeState.QUEUED or view.started_at is not None:
                painter.setPen(QPen(QColor(colours.border), 1.5, Qt.PenStyle.DotLine))
                painter.drawLine(
                    QPointF(to_x(view.queued_at), y + _ROW / 2),
                    QPointF(to_x(queue_end), y + _ROW / 2),
                )
        if view.started_at is None:
            return
        end = view.finished_at if view.finished_at is not None else now
        left = to_x(view.started_at)
        rect = QRectF(left, y + 4, max(2.0, to_x(end) - left), _ROW - 8)
        painter.setPen(QPen(QColor(colours.border), 1))
        painter.setBrush(QColor(colours.border))
        painter.drawRoundedRect(rect, 3, 3)
        duration = view.duration_s if view.duration_s is not None else end - view.started_at
        text = format_duration(duration)
        if view.state == NodeState.FAILED:
            text += " ✗"
        if QFontMetricsF(painter.font()).horizontalAdvance(text) + 8 < self.width() - rect.right():
            painter.setPen(QColor(canvas.secondary))
            painter.drawText(
                QRectF(rect.right() + 4, y, 90, _ROW),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                text,
            )


def _tick_step(span: float, width: float) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving ticks ~80 px apart."""
    raw = span / max(1.0, width / 80.0)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power
