"""The chart of the quality gates panel ("qualityChart"): the problems each recorded run
found, a stacked bar per run, drawn with QPainter in the theme's colours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from spec_automation.services.quality import QualityRunInfo
from spec_automation.ui.theme import current_theme

__all__ = ["PROBLEM_KINDS", "FindingChart", "problem_count"]

#: What a finding is worth counting as a problem: a linter's findings, pytest's failures.
PROBLEM_KINDS = ("error", "warning", "info", "failed")
#: The colours the chart gives the gates, in order (no meaning of their own: not red/green).
_GATE_COLOURS = ("link", "syn-number", "syn-string", "code", "quote", "syn-keyword", "syn-name")


def problem_count(counts: Mapping[str, int]) -> int:
    """The problems among a gate's counts: errors, warnings and notes of a linter or a type
    checker, failed and erroring tests (passed, skipped and expected failures left out)."""
    return sum(counts.get(kind, 0) for kind in PROBLEM_KINDS)


@dataclass(frozen=True, slots=True)
class _Bar:
    run_id: int
    label: str
    problems: tuple[tuple[str, int], ...]  # per gate, in the run's order
    status: str


class FindingChart(QWidget):
    """Problems found in each recorded run, a stacked bar per run (oldest left), one colour
    per gate; the chosen run outlined. Clicking a bar chooses its run (``runClicked``)."""

    runClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qualityChart")
        self.setAccessibleName("Problems found per run")
        self.setMinimumHeight(112)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.bars: list[_Bar] = []
        self.gates: list[str] = []
        self.selected: int | None = None
        self._hits: list[tuple[QRectF, int]] = []

    def sizeHint(self) -> QSize:
        """Wide enough for a dozen bars, low enough to leave room for the code."""
        return QSize(360, 120)

    def set_runs(self, runs: Sequence[QualityRunInfo]) -> None:
        """Chart ``runs`` (as listed: newest first)."""
        gates: list[str] = []
        bars: list[_Bar] = []
        for run in reversed(runs):
            for gate in run.gates:
                if gate.name not in gates:
                    gates.append(gate.name)
            problems = tuple((g.name, problem_count(g.counts)) for g in run.gates)
            bars.append(_Bar(run.id, f"#{run.id}", problems, run.status))
        self.gates, self.bars = gates, bars
        self.update()

    def select(self, run_id: int | None) -> None:
        """Outline the bar of ``run_id``."""
        self.selected = run_id
        self.update()

    def totals(self) -> dict[int, int]:
        """Each charted run's problems in all, by run id."""
        return {bar.run_id: sum(n for _, n in bar.problems) for bar in self.bars}

    def bar_area(self, run_id: int) -> QRectF | None:
        """Where the bar of ``run_id`` was last drawn (its column; None: not drawn)."""
        return next((area for area, shown in self._hits if shown == run_id), None)

    def _colour(self, gate: str) -> QColor:
        index = self.gates.index(gate) if gate in self.gates else 0
        return current_theme().colour(_GATE_COLOURS[index % len(_GATE_COLOURS)])

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: ARG002 - Qt's name
        """Draw the title, the legend, the bars with their totals, and the run numbers."""
        theme = current_theme()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), theme.colour("panel"))
        font = QFont(self.font())
        font.setPixelSize(12)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        line = metrics.height()
        painter.setPen(theme.colour("text-muted"))
        painter.drawText(QRectF(8, 4, self.width() - 16, line), "Problems found per run")
        self._hits = []
        if not self.bars:
            painter.drawText(
                QRectF(8, 4 + line, self.width() - 16, self.height() - line - 8),
                Qt.AlignmentFlag.AlignCenter,
                "No recorded runs yet.",
            )
            return
        # The legend, right-aligned on the title's line.
        x = self.width() - 8.0
        for gate in reversed(self.gates):
            width = metrics.horizontalAdvance(gate)
            x -= width
            painter.setPen(theme.colour("text"))
            painter.drawText(QRectF(x, 4, width + 2, line), gate)
            x -= 14
            painter.fillRect(QRectF(x, 4 + line / 2 - 4, 8, 8), self._colour(gate))
            x -= 12
        plot = QRectF(8, 8 + 2 * line, self.width() - 16, self.height() - 16 - 3 * line)
        top = max(1, max(sum(n for _, n in bar.problems) for bar in self.bars))
        slot = plot.width() / max(len(self.bars), 1)
        width = max(4.0, min(32.0, slot * 0.6))
        painter.setPen(QPen(theme.colour("border"), 1))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        for index, bar in enumerate(self.bars):
            left = plot.left() + index * slot + (slot - width) / 2
            y = plot.bottom()
            total = 0
            for gate, number in bar.problems:
                if number <= 0:
                    continue
                height = plot.height() * number / top
                painter.fillRect(QRectF(left, y - height, width, height), self._colour(gate))
                y -= height
                total += number
            column = QRectF(
                left - (slot - width) / 2, plot.top() - line, slot, plot.height() + line
            )
            self._hits.append((column, bar.run_id))
            painter.setPen(theme.colour("text" if total else "text-muted"))
            painter.drawText(
                QRectF(column.left(), y - line, slot, line),
                Qt.AlignmentFlag.AlignCenter,
                str(total),
            )
            if bar.run_id == self.selected:
                painter.setPen(QPen(theme.colour("accent"), 2))
                painter.drawRect(
                    QRectF(left - 3, y - line - 2, width + 6, plot.bottom() - y + line + 4)
                )
            painter.setPen(theme.colour("accent" if bar.run_id == self.selected else "text-muted"))
            if slot >= metrics.horizontalAdvance(bar.label) + 2 or bar.run_id == self.selected:
                painter.drawText(
                    QRectF(column.left() - 8, plot.bottom() + 2, slot + 16, line),
                    Qt.AlignmentFlag.AlignCenter,
                    bar.label,
                )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Choose the run whose bar was clicked."""
        for area, run_id in self._hits:
            if area.contains(event.position()):
                self.runClicked.emit(run_id)
                return
        super().mousePressEvent(event)
