"""The wave graph: one node per phase, in columns by wave, edges for dependencies.

``WaveScene`` is bound to the workflow model the way orange-canvas-core binds its canvas:
``set_workflow`` creates one ``PhaseNode`` per phase and keeps a phase→node map, and connects
to the ``RunTracker``'s signals; ``clear_workflow`` disconnects them and removes the items.
``WaveView`` is the QGraphicsView around it: Ctrl+wheel and +/- zoom, drag pans, ``fit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from spec_automation.core.graph import WorkflowGraph
from spec_automation.services import PlanReport
from spec_automation.ui.visualizer.links import SignalLinks
from spec_automation.ui.visualizer.palette import (
    CanvasColours,
    StateColours,
    canvas_colours,
    state_colours,
)
from spec_automation.ui.visualizer.run_state import (
    NodeState,
    PartView,
    PhaseView,
    RunState,
    format_duration,
    format_tokens,
)
from spec_automation.ui.visualizer.tracker import RunTracker

__all__ = ["NODE_HEIGHT", "NODE_WIDTH", "PhaseNode", "WaveScene", "WaveView"]

NODE_WIDTH = 184.0
UP_TO_DATE = "up to date"  # a dimmed phase a run does not need
NOT_REGENERATED = "not regenerated"  # a dimmed phase a regeneration leaves alone
NODE_HEIGHT = 72.0
_COLUMN_GAP = 38.0
_ROW_GAP = 22.0
_HEADER = 30.0


@dataclass(frozen=True, slots=True)
class _Look:
    """Colours and fonts shared by every node of a scene."""

    states: dict[NodeState, StateColours]
    canvas: CanvasColours
    title: QFont
    body: QFont


class PhaseNode(QGraphicsItem):
    """One phase: its name, agent role and state, drawn in the state's colours."""

    def __init__(
        self, phase: str, agent: str, wave: int, *, estimate_s: float, critical: bool, look: _Look
    ) -> None:
        super().__init__()
        self.phase = phase
        self.agent = agent
        self.wave = wave
        self.estimate_s = estimate_s
        self.critical = critical
        self.look = look
        self.state = NodeState.PENDING
        self.detail = f"est. {format_duration(estimate_s)}"
        self.dimmed = False  # outside the phases a run or a regeneration runs
        self.dimmed_as = NOT_REGENERATED  # what a dimmed node says instead of its state
        #: A phase that fans out: each part's state by index (pending until it starts).
        self.part_states: tuple[NodeState, ...] = ()
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        """The node's rectangle, with room for its outline."""
        return QRectF(-3, -3, NODE_WIDTH + 6, NODE_HEIGHT + 6)

    def display(self, view: PhaseView, state: RunState) -> None:
        """Show the phase as ``view`` says (state, elapsed time, tokens, error)."""
        self.state = view.state
        self.detail = _detail(view, state, self.estimate_s)
        self.part_states = _part_states(view)
        self.setToolTip(_tooltip(self, view, state))
        self.update()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,  # noqa: ARG002 - Qt's signature
        widget: QWidget | None = None,  # noqa: ARG002
    ) -> None:
        """Draw the card: state stripe, name, role, state line."""
        colours = self.look.states[self.state]
        rect = QRectF(0, 0, NODE_WIDTH, NODE_HEIGHT)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.dimmed:
            painter.setOpacity(0.35)
        if self.critical:
            painter.setPen(QPen(QColor(self.look.canvas.critical), 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-2.5, -2.5, 2.5, 2.5), 9, 9)
        painter.setPen(QPen(QColor(colours.border), 1.5))
        painter.setBrush(QBrush(QColor(colours.fill)))
        painter.drawRoundedRect(rect, 7, 7)
        stripe = QPainterPath()
        stripe.addRoundedRect(QRectF(0, 0, 7, NODE_HEIGHT), 3.5, 3.5)
        painter.fillPath(stripe, QColor(colours.border))

        left, width = 16.0, NODE_WIDTH - 24.0
        painter.setPen(QColor(colours.text))
        painter.setFont(self.look.title)
        title = QFontMetricsF(self.look.title).elidedText(
            self.phase, Qt.TextElideMode.ElideRight, width
        )
        painter.drawText(QRectF(left, 8, width, 20), Qt.AlignmentFlag.AlignLeft, title)
        painter.setFont(self.look.body)
        metrics = QFontMetricsF(self.look.body)
        painter.setPen(QColor(colours.secondary))
        role = f"{self.agent} · wave {self.wave}" + (" · critical" if self.critical else "")
        painter.drawText(
            QRectF(left, 29, width, 18),
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(role, Qt.TextElideMode.ElideRight, width),
        )
        painter.setPen(QColor(colours.text))
        detail = self.dimmed_as if self.dimmed else self.detail
        painter.drawText(
            QRectF(left, 48, width, 18),
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(detail, Qt.TextElideMode.ElideRight, width),
        )
        if not self.dimmed:
            painter.setPen(Qt.PenStyle.NoPen)
            for part, segment in zip(self.part_states, self.part_segments(), strict=True):
                painter.setBrush(QColor(self.look.states[part].border))
                painter.drawRoundedRect(segment, 1.5, 1.5)

    def part_segments(self) -> list[QRectF]:
        """Where the parts of a phase that fans out are drawn: one short segment each along
        the card's foot, in index order (none for a phase that runs as one call)."""
        count = len(self.part_states)
        if not count:
            return []
        left, width = 16.0, NODE_WIDTH - 24.0
        gap = 2.0 if count * 4 <= width else 0.0
        step = (width + gap) / count
        return [
            QRectF(left + index * step, NODE_HEIGHT - 7, max(1.0, step - gap), 3)
            for index in range(count)
        ]

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        """Lift the node a little so the pointer's target is clear."""
        self.setZValue(2)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        """Put the node back."""
        self.setZValue(1)
        super().hoverLeaveEvent(event)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Accept the press so the release comes here, not to the view's panning."""
        if event.button() == Qt.MouseButton.LeftButton:
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """A click opens the phase's artifacts."""
        scene = self.scene()
        if event.button() == Qt.MouseButton.LeftButton and isinstance(scene, WaveScene):
            scene.phase_clicked.emit(self.phase)
        super().mouseReleaseEvent(event)


class WaveScene(QGraphicsScene):
    """The workflow's phases as nodes in wave columns, bound to a ``RunTracker``.

    Signals:
        phase_clicked(str phase): the user clicked a node.
        node_state_changed(str phase, str state): a node now shows another state.
    """

    phase_clicked = Signal(str)
    node_state_changed = Signal(str, str)

    def __init__(self, *, dark: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QFont()
        title.setBold(True)
        title.setPointSizeF(9.5)
        body = QFont()
        body.setPointSizeF(9.0)
        self.look = _Look(state_colours(dark=dark), canvas_colours(dark=dark), title, body)
        self.nodes: dict[str, PhaseNode] = {}
        self.edges: list[QGraphicsPathItem] = []
        self.graph: WorkflowGraph | None = None
        self._tracker: RunTracker | None = None
        self._links = SignalLinks()
        self.setBackgroundBrush(QColor(self.look.canvas.background))

    # --- binding -------------------------------------------------------------------------

    def set_workflow(self, graph: WorkflowGraph, plan: PlanReport, tracker: RunTracker) -> None:
        """Create one node per phase (columns by wave) and follow ``tracker``."""
        self.clear_workflow()
        self.graph = graph
        self._tracker = tracker
        critical = set(plan.critical_path)
        estimates = {p.name: p.estimated_duration_s for p in plan.phases}
        tallest = max((len(w) for w in graph.waves), default=0)
        for number, wave in enumerate(graph.waves, start=1):
            x = (number - 1) * (NODE_WIDTH + _COLUMN_GAP)
            offset = (tallest - len(wave)) * (NODE_HEIGHT + _ROW_GAP) / 2
            header = QGraphicsSimpleTextItem(f"Wave {number}")
            header.setBrush(QColor(self.look.canvas.secondary))
            header.setFont(self.look.title)
            header.setPos(x + 2, 0)
            self.addItem(header)
            for row, name in enumerate(wave):
                node = PhaseNode(
                    name,
                    graph.phase(name).agent,
                    number,
                    estimate_s=estimates.get(name, graph.phase(name).estimated_duration_s),
                    critical=name in critical,
                    look=self.look,
                )
                node.setPos(x, _HEADER + offset + row * (NODE_HEIGHT + _ROW_GAP))
                node.setZValue(1)
                self.addItem(node)
                self.nodes[name] = node
        path_edges = set(zip(plan.critical_path, plan.critical_path[1:], strict=False))
        for name in graph.topological_order:
            for dependency in graph.dependencies(name):
                self._add_edge(dependency, name, critical=(dependency, name) in path_edges)
        self._links.connect(tracker.phase_state_changed, self._on_state_changed)
        self._links.connect(tracker.refreshed, self._on_refreshed)
        self.setSceneRect(self.itemsBoundingRect().adjusted(-30, -20, 30, 30))
        self._on_refreshed(list(self.nodes))

    def clear_workflow(self) -> None:
        """Disconnect from the tracker and remove every item."""
        self._links.disconnect_all()
        self._tracker = None
        self.graph = None
        self.nodes = {}
        self.edges = []
        self.clear()

    def set_dimmed(self, phases: Iterable[str], label: str = NOT_REGENERATED) -> None:
        """Dim these phases, each saying ``label`` (a run or regeneration runs only the
        others); an empty set undims all."""
        dimmed = set(phases)
        for name, node in self.nodes.items():
            if node.dimmed != (name in dimmed) or node.dimmed_as != label:
                node.dimmed = name in dimmed
                node.dimmed_as = label
                node.update()

    def dimmed_phases(self) -> list[str]:
        """The phases drawn dimmed, in wave order."""
        return [name for name, node in self.nodes.items() if node.dimmed]

    # --- updates -------------------------------------------------------------------------

    def _on_state_changed(self, phase: str, state: str) -> None:
        self._on_refreshed([phase])
        self.node_state_changed.emit(phase, state)

    def _on_refreshed(self, phases: Iterable[str]) -> None:
        if self._tracker is None:
            return
        run = self._tracker.state
        for phase in phases:
            node = self.nodes.get(phase)
            view = run.phases.get(phase)
            if node is not None and view is not None:
                node.display(view, run)

    def _add_edge(self, source: str, target: str, *, critical: bool) -> None:
        start = self.nodes[source].pos() + QPointF(NODE_WIDTH, NODE_HEIGHT / 2)
        end = self.nodes[target].pos() + QPointF(0, NODE_HEIGHT / 2)
        path = QPainterPath(start)
        bend = max(40.0, (end.x() - start.x()) / 2)
        path.cubicTo(start + QPointF(bend, 0), end - QPointF(bend, 0), end)
        item = QGraphicsPathItem(path)
        colour = self.look.canvas.critical if critical else self.look.canvas.edge
        pen = QPen(QColor(colour), 2.6 if critical else 1.3)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        item.setPen(pen)
        item.setZValue(0.5 if critical else 0)
        item.setToolTip(f"{target} needs {source}")
        self.addItem(item)
        arrow = QPainterPath()
        arrow.moveTo(end)
        arrow.lineTo(end + QPointF(-8, -4.5))
        arrow.lineTo(end + QPointF(-8, 4.5))
        arrow.closeSubpath()
        head = QGraphicsPathItem(arrow)
        head.setPen(Qt.PenStyle.NoPen)
        head.setBrush(QColor(colour))
        head.setZValue(item.zValue())
        self.addItem(head)
        self.edges.append(item)


#: Room kept above the critical path when the view shows it (scene pixels).
_SIGHT_MARGIN = 8.0


class WaveView(QGraphicsView):
    """The graph view ("waveVisualizer"): zoom with Ctrl+wheel or +/-, drag to pan, fit."""

    def __init__(self, scene: WaveScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setObjectName("waveVisualizer")
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setAccessibleName("Wave visualizer: the workflow's phases by wave")
        # Until the user moves the view, it keeps the critical path's row in sight from the
        # first wave on (the whole graph rarely fits the Run dock's height).
        self._kept_in_sight = True

    def keep_critical_path_in_sight(self) -> None:
        """Show the first waves with the critical path's nodes in the middle of the height
        (again after a resize, until the user pans, zooms or fits)."""
        self._kept_in_sight = True
        self._show_critical_path()

    def _show_critical_path(self) -> None:
        scene = self.scene()
        if not isinstance(scene, WaveScene):
            return
        nodes = [n for n in scene.nodes.values() if n.critical]
        if not nodes:
            return
        row = nodes[0].sceneBoundingRect()
        for node in nodes[1:]:
            row = row.united(node.sceneBoundingRect())
        shown = self.mapToScene(self.viewport().rect()).boundingRect()
        y = row.center().y()
        if row.height() + 2 * _SIGHT_MARGIN > shown.height():  # too tall: its top row first
            y = row.top() - _SIGHT_MARGIN + shown.height() / 2
        self.centerOn(QPointF(self.sceneRect().left() + shown.width() / 2, y))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the critical path in sight while the user has not moved the view."""
        super().resizeEvent(event)
        if self._kept_in_sight:
            self._show_critical_path()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A drag pans: the view stays where the user puts it."""
        self._kept_in_sight = False
        super().mousePressEvent(event)

    @property
    def zoom(self) -> float:
        """The current scale (1 = 100 %)."""
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zoom in (factor > 1) or out, between 20 % and 400 %."""
        self._kept_in_sight = False
        target = min(4.0, max(0.2, self.zoom * factor))
        self.scale(target / self.zoom, target / self.zoom)

    def fit(self) -> None:
        """Show the whole workflow."""
        self._kept_in_sight = False
        rect = self.sceneRect()
        if not rect.isEmpty():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
            if self.zoom > 1.0:  # a small workflow is not blown up past life size
                self.resetTransform()
                self.centerOn(rect.center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Ctrl+wheel zooms; the wheel alone scrolls."""
        self._kept_in_sight = False
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """+ and - zoom, 0 fits."""
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.2)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(1 / 1.2)
        elif key == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)


def _detail(view: PhaseView, state: RunState, estimate_s: float) -> str:
    elapsed = state.elapsed_of(view.name)
    if view.fanned_out:
        return _parts_detail(view, elapsed)
    match view.state:
        case NodeState.PENDING:
            return f"pending · est. {format_duration(estimate_s)}"
        case NodeState.QUEUED:
            return "queued · waiting for a slot"
        case NodeState.RUNNING:
            return f"running {format_duration(elapsed)} · {format_tokens(view.tokens)}"
        case NodeState.SUCCEEDED if elapsed is None:
            return "✓ done in the last run"  # shown from the store, no live timings
        case NodeState.SUCCEEDED:
            return f"✓ done in {format_duration(elapsed)} · {format_tokens(view.tokens)}"
        case NodeState.CACHED:
            return f"✓ cached · {format_tokens(view.tokens)}"
        case NodeState.FAILED:
            return f"✗ failed: {view.error}"
        case NodeState.BLOCKED:
            return f"blocked by {view.blocked_by}"
        case NodeState.WAITING:
            return f"waiting for approval: {view.gate}"
        case NodeState.CANCELLED:
            return "cancelled"
        case NodeState.DONE_EARLIER:
            return "✓ done in an earlier segment"
        case NodeState.SKIPPED:
            return "✓ not needed: what it reads came out unchanged"
    return str(view.state)


def _parts_detail(view: PhaseView, elapsed: float | None) -> str:
    """The state line of a phase that fans out: how many of its parts are done."""
    count, done = view.part_count, view.parts_done
    parts = "part" if count == 1 else "parts"
    failed = len(view.parts_in(NodeState.FAILED))
    match view.state:
        case NodeState.RUNNING if done == count:
            return f"{done}/{count} {parts} · merging"
        case NodeState.RUNNING:
            running = len(view.parts_in(NodeState.RUNNING))
            return f"{done}/{count} {parts} · {running} running"
        case NodeState.WAITING:
            return f"waiting for approval: {view.gate}"
        case NodeState.SUCCEEDED:
            return f"✓ done in {format_duration(elapsed)} · {count} {parts}"
        case NodeState.CACHED:
            return f"✓ cached · {count} {parts}"
        case NodeState.FAILED if failed:
            return f"✗ {failed} of {count} {parts} failed"
        case NodeState.FAILED:
            return f"✗ failed: {view.error}"
        case NodeState.CANCELLED:
            return f"cancelled · {done}/{count} {parts} done"
    return f"{view.state} · {count} {parts}"


def _part_states(view: PhaseView) -> tuple[NodeState, ...]:
    """Each part's state by index; a part not started yet is pending (waiting for a slot)."""
    return tuple(
        view.parts[i].state if i in view.parts else NodeState.PENDING
        for i in range(view.part_count)
    )


def _part_line(part: PartView) -> str:
    match part.state:
        case NodeState.RUNNING:
            return f"{_escape(part.heading)}: running"
        case NodeState.FAILED:
            return f"{_escape(part.heading)}: failed: {_escape(part.error)}"
        case NodeState.CACHED:
            return f"{_escape(part.heading)}: cached"
        case NodeState.CANCELLED:
            return f"{_escape(part.heading)}: cancelled"
    return f"{_escape(part.heading)}: done in {format_duration(part.duration_s)}"


_MAX_PARTS_LISTED = 24


def _parts_tooltip(view: PhaseView) -> list[str]:
    """The tooltip's lines about a phase's parts: a summary, then each part with its state."""
    count = view.part_count
    waiting = count - len(view.parts)
    lines = [
        f"Parts: {count}, run side by side and merged in order "
        f"({format_duration(view.work_s)} of calls in all)"
    ]
    listed = [p for _i, p in sorted(view.parts.items())]
    lines += [f"&nbsp;&nbsp;{_part_line(p)}" for p in listed[:_MAX_PARTS_LISTED]]
    if len(listed) > _MAX_PARTS_LISTED:
        lines.append(f"&nbsp;&nbsp;and {len(listed) - _MAX_PARTS_LISTED} more")
    if waiting > 0:
        lines.append(f"&nbsp;&nbsp;{waiting} waiting for a slot")
    return lines


def _tooltip(node: PhaseNode, view: PhaseView, state: RunState) -> str:
    lines = [
        f"<b>{node.phase}</b> ({node.agent}, wave {node.wave})",
        f"State: {view.state}",
        f"Estimate: {format_duration(node.estimate_s)}",
    ]
    if view.queued_at is not None:
        lines.append(f"Queued at: {format_duration(view.queued_at)}")
    if view.started_at is not None:
        lines.append(f"Started at: {format_duration(view.started_at)}")
        lines.append(f"Ran for: {format_duration(state.elapsed_of(view.name))}")
    if view.tokens:
        lines.append(f"Tokens: {view.tokens:,}")
    if view.fanned_out:
        lines += _parts_tooltip(view)
    if view.error:
        lines.append(f"<span>Error: {_escape(view.error)}</span>")
    if view.blocked_by:
        lines.append(f"Blocked by: {_escape(view.blocked_by)}")
    if view.skipped_because:
        lines.append(f"Skipped: {_escape(view.skipped_because)}")
    if view.warnings:
        lines.append("Warnings: " + _escape("; ".join(view.warnings)))
    if node.critical:
        lines.append("On the critical path")
    lines.append("<i>Click to open its artifacts</i>")
    return "<br>".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
