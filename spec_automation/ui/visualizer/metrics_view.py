"""The metrics view ("metricsView"): what parallel execution saved, and what a run costs live.

Three parts: the last run and the runs in a date range, both straight from the service's
``metrics`` (sequential against parallel time, time saved and percent, per-wave breakdown);
a chart of runs over time; and, during a run, the app's own CPU and memory use and the tokens
and cost spent so far.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from spec_automation.services import MetricsReport, ProjectError, ProjectService, RunMetrics
from spec_automation.ui.visualizer.palette import canvas_colours, is_dark, state_colours
from spec_automation.ui.visualizer.run_state import NodeState, format_duration, format_tokens
from spec_automation.ui.visualizer.tracker import RunTracker

__all__ = ["MetricsView", "ProcessUsage", "format_saved"]

# The value rows of each part, (key, title); the last run and the runs in the range show the
# same times.
_TIMES = (
    ("parallel", "Parallel (wall time less waits)"),
    ("sequential", "Sequential (sum of phases)"),
    ("saved", "Time saved"),
    ("wait", "Waiting for approvals (apart)"),
)
_LAST = (("last.run", "Run"), *((f"last.{key}", title) for key, title in _TIMES))
_ACROSS = (("all.runs", "Runs analysed"), *((f"all.{key}", title) for key, title in _TIMES))
_LIVE = (
    ("live.cpu", "App CPU"),
    ("live.memory", "App memory"),
    ("live.tokens", "Tokens so far"),
    ("live.cost", "Cost so far"),
)


def format_saved(seconds: float, percent: float) -> str:
    """``"12.3 s (41.0 %)"``: time saved and its share of the sequential time."""
    return f"{format_duration(seconds)} ({percent:.1f} %)"


class ProcessUsage:
    """The app's own CPU share and memory, sampled from the standard library only.

    CPU is process time over wall time between two samples; memory is the resident set from
    ``/proc/self/statm`` where it exists, else the peak from ``getrusage``.
    """

    def __init__(self) -> None:
        self._wall = time.monotonic()
        self._cpu = time.process_time()

    def sample(self) -> tuple[float, float]:
        """(CPU percent since the last sample, resident memory in MiB)."""
        wall, cpu = time.monotonic(), time.process_time()
        elapsed = wall - self._wall
        percent = 100.0 * (cpu - self._cpu) / elapsed if elapsed > 0 else 0.0
        self._wall, self._cpu = wall, cpu
        return percent, _resident_mib()


def _resident_mib() -> float:
    import psutil  # the same figure on Linux, Windows and macOS

    return float(psutil.Process().memory_info().rss) / 2**20


class MetricsView(QWidget):
    """Metrics of the project's runs, read from ``ProjectService.metrics``.

    ``refresh()`` re-reads them (the workspace calls it when a run ends); the date range
    applies to the "across runs" part.
    """

    refreshed = Signal()

    def __init__(self, project: ProjectService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metricsView")
        self.setAccessibleName("Execution metrics")
        self.project = project
        self.last_run: MetricsReport | None = None
        self.across: MetricsReport | None = None
        self.values: dict[str, str] = {}  # what each value label shows, by key
        self._labels: dict[str, QLabel] = {}
        self._usage = ProcessUsage()
        self._tracker: RunTracker | None = None
        self._live_timer = QTimer(self)
        self._live_timer.setInterval(1000)
        self._live_timer.timeout.connect(self._sample_live)

        last = QGroupBox("Last run")
        last_form = QFormLayout(last)
        self._add_values(last_form, _LAST)
        self.last_waves = _wave_table()
        last_form.addRow(self.last_waves)

        across = QGroupBox("Across runs")
        across_layout = QVBoxLayout(across)
        range_row = QHBoxLayout()
        self.use_range = QCheckBox("Only runs from")
        self.since = QDateEdit(QDate.currentDate().addDays(-30))
        self.until = QDateEdit(QDate.currentDate())
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.use_range.toggled.connect(self.since.setEnabled)
        self.use_range.toggled.connect(self.until.setEnabled)
        apply = QPushButton("Apply")
        apply.clicked.connect(self.refresh)
        self.use_range.toggled.connect(self.refresh)
        range_row.addWidget(self.use_range)
        range_row.addWidget(self.since)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.until)
        range_row.addWidget(apply)
        range_row.addStretch(1)
        across_layout.addLayout(range_row)
        across_form = QFormLayout()
        self._add_values(across_form, _ACROSS)
        across_layout.addLayout(across_form)
        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setMargins(self.chart.margins() * 0)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(190)
        across_layout.addWidget(self.chart_view, 1)

        live = QGroupBox("This run, live")
        live_form = QFormLayout(live)
        self._add_values(live_form, _LIVE)

        layout = QGridLayout(self)
        layout.addWidget(last, 0, 0)
        layout.addWidget(live, 1, 0)
        layout.addWidget(across, 0, 1, 2, 1)
        layout.setColumnStretch(0, 2)
        layout.setColumnStretch(1, 3)
        for key, _ in _LIVE:
            self._set(key, "—")

    # --- data ----------------------------------------------------------------------------

    def follow(self, tracker: RunTracker) -> None:
        """Show live figures while ``tracker``'s run goes."""
        self._tracker = tracker
        tracker.run_started.connect(self._run_started)
        tracker.run_finished.connect(self._run_finished)

    def date_range(self) -> tuple[datetime | None, datetime | None]:
        """The chosen range as UTC datetimes ``[since, until)``; both ``None`` when off."""
        if not self.use_range.isChecked():
            return None, None
        since = _utc(self.since.date())
        until = _utc(self.until.date()) + timedelta(days=1)  # the end day is included
        return since, until

    def refresh(self) -> None:
        """Re-read the service's metrics for the last run and for the chosen range."""
        try:
            everything = self.project.metrics()
            since, until = self.date_range()
            self.across = self.project.metrics(since, until) if since or until else everything
        except ProjectError as exc:
            self._set("all.runs", str(exc))
            return
        last = everything.runs[-1] if everything.runs else None
        self.last_run = (
            self.project.metrics(last.started_at, last.started_at + timedelta(milliseconds=1))
            if last is not None
            else None
        )
        self._show_last(last)
        self._show_across(self.across)
        self.refreshed.emit()

    def _show_last(self, last: RunMetrics | None) -> None:
        if last is None or self.last_run is None:
            for key, _ in _LAST:
                self._set(key, "no finished parallel run yet")
            self.last_waves.setRowCount(0)
            return
        when = last.started_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        self._set("last.run", f"#{last.run_id} · {last.status} · {when}")
        self._set("last.parallel", format_duration(last.parallel_time_s))
        self._set("last.sequential", format_duration(last.sequential_estimate_s))
        self._set("last.saved", format_saved(last.time_saved_s, last.time_saved_pct))
        self._set("last.wait", format_duration(last.person_wait_s))
        _fill_waves(self.last_waves, self.last_run)

    def _show_across(self, report: MetricsReport) -> None:
        self._set("all.runs", str(report.runs_analysed))
        self._set("all.parallel", format_duration(report.parallel_duration_s))
        self._set("all.sequential", format_duration(report.sequential_duration_s))
        self._set("all.saved", format_saved(report.time_saved_s, report.time_saved_pct))
        self._set("all.wait", format_duration(report.person_wait_s))
        self._draw_chart(report.runs)

    def _draw_chart(self, runs: tuple[RunMetrics, ...]) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        dark = is_dark(self.palette())
        canvas = canvas_colours(dark=dark)
        states = state_colours(dark=dark)
        chart.setBackgroundBrush(QColor(canvas.background))
        chart.setTitleBrush(QColor(canvas.text))
        chart.legend().setLabelColor(QColor(canvas.text))
        chart.setTitle("Runs over time: wall time against one-at-a-time time")
        parallel = QLineSeries()
        parallel.setName("Parallel (wall, less waits for people)")
        sequential = QLineSeries()
        sequential.setName("Sequential (sum of phases)")
        for series, colour in (
            (parallel, states[NodeState.RUNNING].border),
            (sequential, canvas.edge),
        ):
            series.setPen(QPen(QColor(colour), 2.2))
            series.setPointsVisible(True)
        for run in runs:
            stamp = float(run.started_at.timestamp() * 1000)
            parallel.append(stamp, run.parallel_time_s)
            sequential.append(stamp, run.sequential_estimate_s)
        chart.addSeries(sequential)
        chart.addSeries(parallel)
        time_axis = QDateTimeAxis()
        time_axis.setFormat("MM-dd hh:mm")
        seconds_axis = QValueAxis()
        seconds_axis.setTitleText("seconds")
        seconds_axis.setLabelFormat("%.0f")
        # Every run's both points fit (a run slower than one at a time is plotted too).
        top = max((max(r.sequential_estimate_s, r.parallel_time_s) for r in runs), default=1.0)
        seconds_axis.setRange(0, max(1.0, top * 1.15))
        if runs:
            first = runs[0].started_at.timestamp() * 1000
            last = runs[-1].started_at.timestamp() * 1000
            pad = max(60_000.0, (last - first) * 0.05)
            # Runs minutes apart need seconds on the axis; runs days apart need the date.
            time_axis.setFormat("MM-dd hh:mm" if last - first > 6 * 3_600_000 else "hh:mm:ss")
            time_axis.setTickCount(5)
            time_axis.setRange(
                QDateTime.fromMSecsSinceEpoch(round(first - pad)),
                QDateTime.fromMSecsSinceEpoch(round(last + pad)),
            )
        for axis in (time_axis, seconds_axis):
            axis.setLabelsColor(QColor(canvas.secondary))
            axis.setTitleBrush(QColor(canvas.secondary))
            axis.setGridLineColor(QColor(canvas.grid))
            axis.setLinePenColor(QColor(canvas.edge))
        chart.addAxis(time_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(seconds_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (parallel, sequential):
            series.attachAxis(time_axis)
            series.attachAxis(seconds_axis)

    # --- live ----------------------------------------------------------------------------

    def _run_started(self, _event: object) -> None:
        self._usage = ProcessUsage()
        self._sample_live()
        self._live_timer.start()

    def _run_finished(self, _event: object) -> None:
        self._sample_live()
        self._live_timer.stop()

    def _sample_live(self) -> None:
        cpu, memory = self._usage.sample()
        self._set("live.cpu", f"{cpu:.0f} %")
        self._set("live.memory", f"{memory:.0f} MiB")
        if self._tracker is not None:
            state = self._tracker.state
            self._set("live.tokens", format_tokens(state.tokens))
            self._set("live.cost", f"${state.cost_usd:.4f}")

    # --- plumbing ------------------------------------------------------------------------

    def _add_values(self, form: QFormLayout, rows: Iterable[tuple[str, str]]) -> None:
        """A row per (key, title): the title and a value label that ``_set(key)`` fills."""
        for key, title in rows:
            form.addRow(title, self._value(key))

    def _value(self, key: str) -> QLabel:
        label = QLabel("—")
        label.setObjectName(key)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._labels[key] = label
        return label

    def _set(self, key: str, text: str) -> None:
        self.values[key] = text
        self._labels[key].setText(text)


def _wave_table() -> QTableWidget:
    table = QTableWidget(0, 5)
    table.setHorizontalHeaderLabels(["Wave", "Phases", "Duration", "Sequential", "Saved"])
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    table.setMinimumHeight(160)
    return table


def _fill_waves(table: QTableWidget, report: MetricsReport) -> None:
    table.setRowCount(len(report.waves))
    for row, wave in enumerate(report.waves):
        cells = (
            str(wave.wave),
            ", ".join(wave.phases),
            format_duration(wave.duration_s),
            format_duration(wave.sequential_estimate_s),
            format_duration(wave.time_saved_s),
        )
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(row, column, item)


def _utc(date: QDate) -> datetime:
    local = QDateTime(date, QTime(0, 0)).toSecsSinceEpoch()
    return datetime.fromtimestamp(local, tz=UTC)
