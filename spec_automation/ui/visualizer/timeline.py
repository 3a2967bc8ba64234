"""The timeline ("timelineView"): a Gantt chart of the run, one bar per phase, growing live.

Rows follow the waves (a band per wave, labelled); bars sit on one time axis shared by every
phase, so a phase visibly starts the moment its own inputs are ready, not when its wave does.
A thin lead-in before a bar is the time the phase spent queued for a slot; dashed lines mark
the moments waves finished.

A phase that fans out (one call per epic, say) gets thin sub-bars under its bar, one per part
at its own start and end, coloured by the part's state. Parts that ran one after another share a
lane, so the lanes show how many calls ran side by side; the phase's row grows by its lanes and
the rows under it move down, never under it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from spec_automation.core.graph import WorkflowGraph
from spec_automation.ui.visualizer.links import SignalLinks
from spec_automation.ui.visualizer.palette import (
    CanvasColours,
    StateColours,
    canvas_colours,
    is_dark,
    state_colours,
)
from spec_automation.ui.visualizer.run_state import (
    NodeState,
    PartView,
    PhaseView,
    RunState,
    format_duration,
)
from spec_automation.ui.visualizer.tracker import RunTracker

__all__ = ["PartBar", "TimelineView", "part_lanes"]

_ROW = 22.0
_LABEL_WIDTH = 214.0
_AXIS = 26.0
_WAVE_GAP = 6.0
_WAVE_LABEL = 14.0  # the height of a wave-end label's line
_WAVE_LABEL_W = 28.0
_WAVE_LABEL_ROWS = 3
_MIN_SPAN_S = 5.0
_LANE = 6.0  # pitch of the parts' lanes under a fanned-out phase's bar
_PART_HEIGHT = 4.0
_MIN_PART_WIDTH = 3.0
#: Parts drawn later lie on top where a short one overlaps the next in its lane: failures last.
_PART_DRAW_ORDER = {NodeState.FAILED: 2, NodeState.RUNNING: 1}
_PARTS_LABEL = 14.0  # the lanes' area is at least this tall, for its "11 parts" label


@dataclass(frozen=True, slots=True)
class PartBar:
    """Where one part of a fanned-out phase is drawn, and in which state."""

    phase: str
    index: int
    heading: str
    state: NodeState
    lane: int
    rect: QRectF


def part_lanes(parts: Iterable[PartView]) -> dict[int, int]:
    """Each part's lane (by index): the first lane free when it started, a running part
    holding its lane. Parts only ever start in time order, so a lane once given stays."""
    ends: list[float] = []
    lanes: dict[int, int] = {}
    for part in sorted(parts, key=lambda p: (p.started_at, p.index)):
        end = part.finished_at if part.finished_at is not None else math.inf
        lane = next((n for n, e in enumerate(ends) if e <= part.started_at), len(ends))
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = end
        lanes[part.index] = lane
    return lanes


def _lanes_height(view: PhaseView | None) -> float:
    """The extra height a phase's row takes for its parts' lanes (none if it has no parts)."""
    if view is None or not view.parts:
        return 0.0
    lanes = max(part_lanes(view.parts.values()).values()) + 1
    return max(_PARTS_LABEL, lanes * _LANE)


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
        lanes = 0.0
        if self._tracker is not None:
            lanes = sum(_lanes_height(v) for v in self._tracker.state.phases.values())
        labels = _WAVE_LABEL_ROWS * _WAVE_LABEL
        return QSize(800, round(_AXIS + rows * _ROW + lanes + waves * _WAVE_GAP + labels + 6))

    def _changed(self, *_: object) -> None:
        height = round(self.sizeHint().height())
        if height != self.height():  # a fanned-out phase's lanes grew or went
            self.setFixedHeight(height)
        self.update()

    # --- geometry (what is drawn where; tests read it too) -----------------------------

    def rows(self) -> dict[str, QRectF]:
        """Each phase's row (its bar's line and the lanes of its parts), top to bottom."""
        result: dict[str, QRectF] = {}
        if self._graph is None or self._tracker is None:
            return result
        phases = self._tracker.state.phases
        y = _AXIS
        for wave in self._graph.waves:
            for name in wave:
                height = _ROW + _lanes_height(phases.get(name))
                result[name] = QRectF(0, y, self.width(), height)
                y += height
            y += _WAVE_GAP
        return result

    def part_bars(self, phase: str) -> list[PartBar]:
        """The sub-bars of a fanned-out phase's parts as drawn now, by index."""
        row = self.rows().get(phase)
        if row is None or self._tracker is None:
            return []
        self._grow_span(self._tracker.state)
        return self._part_bars(self._tracker.state, phase, row.top())

    def _rows_bottom(self) -> float:
        rows = self.rows()
        return (max(r.bottom() for r in rows.values()) if rows else _AXIS) + _WAVE_GAP

    def gate_bands(self) -> list[tuple[QRectF, str]]:
        """Where each wait at a gate is drawn (across every row) and what it says."""
        if self._tracker is None:
            return []
        run = self._tracker.state
        span, plot = self._grow_span(run), self._plot()
        bottom, now = self._rows_bottom(), run.now_s()
        bands = []
        for gate, since, until in run.gate_waits:
            end = until if until is not None else now
            left = plot.left() + since / span * plot.width()
            right = plot.left() + end / span * plot.width()
            what = "waited" if until is not None else "waiting"
            bands.append(
                (
                    QRectF(left, _AXIS, max(right - left, 1.0), bottom - _AXIS),
                    f"{what} for approval of {gate}: {end - since:.1f} s",
                )
            )
        return bands

    def wave_end_labels(self) -> list[tuple[int, QRectF]]:
        """Each finished wave's label under the rows, stepped down a line where it would
        touch the one before."""
        if self._tracker is None:
            return []
        run = self._tracker.state
        span, plot, bottom = self._grow_span(run), self._plot(), self._rows_bottom()
        placed: list[tuple[int, QRectF]] = []
        last_right = [float("-inf")] * _WAVE_LABEL_ROWS
        for number, end in sorted(run.wave_ends.items()):
            x = plot.left() + end / span * plot.width()
            line = next(
                (i for i, right in enumerate(last_right) if x - _WAVE_LABEL_W / 2 >= right + 2),
                min(range(_WAVE_LABEL_ROWS), key=last_right.__getitem__),
            )
            rect = QRectF(
                x - _WAVE_LABEL_W / 2, bottom + line * _WAVE_LABEL, _WAVE_LABEL_W, _WAVE_LABEL
            )
            last_right[line] = rect.right()
            placed.append((number, rect))
        return placed

    def _part_bars(self, run: RunState, phase: str, y: float) -> list[PartBar]:
        view = run.phases[phase]
        now = run.now_s()
        lanes = part_lanes(view.parts.values())
        bars = []
        for index, part in sorted(view.parts.items()):
            end = part.finished_at if part.finished_at is not None else now
            left = self._to_x(part.started_at)
            # A hair's gap keeps a part that starts as the one before it ends apart from it;
            # a part that ended at once (failed, or cached) still shows.
            width = max(_MIN_PART_WIDTH, self._to_x(end) - left - 1.0)
            top = y + _ROW - 2 + lanes[index] * _LANE
            rect = QRectF(left, top, width, _PART_HEIGHT)
            bars.append(PartBar(phase, index, part.heading, part.state, lanes[index], rect))
        return bars

    def _grow_span(self, run: RunState) -> float:
        """The time axis' span: it only grows, so bars never jump back while a run goes."""
        ends = [v.finished_at or 0.0 for v in run.phases.values()]
        self._span_s = max(self._span_s, run.now_s() * 1.08, *(e * 1.02 for e in ends))
        return self._span_s

    def _plot(self) -> QRectF:
        return QRectF(_LABEL_WIDTH, _AXIS, max(50.0, self.width() - _LABEL_WIDTH - 16), 0)

    def _to_x(self, seconds: float) -> float:
        plot = self._plot()
        return plot.left() + seconds / self._span_s * plot.width()

    def event(self, event: QEvent) -> bool:
        """A tooltip over a part's sub-bar names the part and says how it went."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self._part_tip(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def _part_tip(self, point: QPointF) -> str:
        if self._tracker is None:
            return ""
        for phase, row in self.rows().items():
            if not row.contains(point):
                continue
            for bar in self.part_bars(phase):
                if bar.rect.adjusted(-1, -1, 1, 1).contains(point):
                    part = self._tracker.state.phases[phase].parts[bar.index]
                    return f"{phase}, {part.heading}: {_part_outcome(part)}"
        return ""

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
        span = self._grow_span(run)
        plot = self._plot()
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

        rows = self.rows()
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
                    if view.parts:
                        self._draw_parts(painter, run, name, (states, canvas), y)
                y += rows[name].height()
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

        # Time spent waiting for a person at a gate: a band across every row, labelled.
        waiting = QColor(states[NodeState.WAITING].border)
        for band, text in self.gate_bands():
            fill = QColor(waiting)
            fill.setAlpha(40)
            painter.fillRect(band, fill)
            painter.setPen(waiting)
            painter.drawText(
                QRectF(band.left() + 4, band.top() + 2, max(band.width() - 8, 0), 14),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(band.width() - 8, 0)),
            )

        # Wave ends: dashed verticals, labelled under the last row (labels that would touch
        # step down a line, so none covers another).
        pen = QPen(QColor(canvas.critical), 1, Qt.PenStyle.DashLine)
        for number, label in self.wave_end_labels():
            x = label.center().x()
            painter.setPen(pen)
            painter.drawLine(QPointF(x, _AXIS), QPointF(x, label.top()))
            painter.setPen(QColor(canvas.critical))
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, f"W{number}")
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
        if view.fanned_out:  # its duration is its calls' time; the bar is its wall time
            duration = end - view.started_at
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

    def _draw_parts(
        self,
        painter: QPainter,
        run: RunState,
        phase: str,
        look: tuple[dict[NodeState, StateColours], CanvasColours],
        y: float,
    ) -> None:
        """The phase's parts: a sub-bar each, and how many there are under its name."""
        states, canvas = look
        view = run.phases[phase]
        bars = self._part_bars(run, phase, y)
        painter.setPen(Qt.PenStyle.NoPen)
        for bar in sorted(bars, key=lambda b: _PART_DRAW_ORDER.get(b.state, 0)):
            painter.setBrush(QColor(states[bar.state].border))
            painter.drawRoundedRect(bar.rect, 1.5, 1.5)
        side_by_side = max(bar.lane for bar in bars) + 1
        count = view.part_count
        label = f"{count} part" if count == 1 else f"{count} parts"
        if side_by_side > 1:
            label += f", up to {side_by_side} at once"
        font = QFont(painter.font())
        font.setPointSizeF(7.5)
        painter.save()
        painter.setFont(font)
        painter.setPen(QColor(canvas.secondary))
        painter.drawText(
            QRectF(40, y + _ROW - 4, _LABEL_WIDTH - 44, _lanes_height(view)),
            Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft,
            QFontMetricsF(font).elidedText(label, Qt.TextElideMode.ElideRight, _LABEL_WIDTH - 44),
        )
        painter.restore()


def _part_outcome(part: PartView) -> str:
    took = format_duration(part.duration_s)
    match part.state:
        case NodeState.RUNNING:
            return f"running since {format_duration(part.started_at)}"
        case NodeState.FAILED:
            return f"failed after {took}: {part.error}"
        case NodeState.CACHED:
            return "reused from the cache"
        case NodeState.CANCELLED:
            return "cancelled"
    return f"done in {took}"


def _tick_step(span: float, width: float) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving ticks ~80 px apart."""
    raw = span / max(1.0, width / 80.0)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power
