"""The quality gates panel ("qualityPanel"): what ruff, basedpyright and pytest (or a project's
own gates) found in the code folder, run by run.

From the top: the recorded runs to choose from (newest first) with Run gates and Cancel; a
sentence saying what is going on; each gate of the chosen run with its status, time and
counts (live while the gates run); the results tree (gate → file → finding, and for pytest
module → test → outcome); beside it the code view, where a finding opens at its line, and a
chart of the problems found in each run. The panel only shows things: ``QualityArea`` reads
the service and answers the panel's signals.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from spec_automation.core.quality import Finding, GateResult
from spec_automation.services.quality import QualityRunInfo, QualityRunReport
from spec_automation.ui.code_view import CodeView
from spec_automation.ui.quality_chart import PROBLEM_KINDS, FindingChart
from spec_automation.ui.theme import current_theme

__all__ = ["QualityPanel", "run_label"]

#: The theme colour of each status, severity and outcome.
_TONES = {
    "passed": "success",
    "failed": "error",
    "error": "error",
    "missing": "warning",
    "timeout": "warning",
    "cancelled": "text-muted",
    "warning": "warning",
    "info": "text-muted",
    "skipped": "text-muted",
    "xfailed": "text-muted",
    "running": "link",
    "waiting": "text-muted",
}
#: The data role holding a file item's or a finding item's (file, line).
LOCATION_ROLE = Qt.ItemDataRole.UserRole + 1
_COLUMNS = ("Where", "Rule or test", "Message", "Severity or outcome")


def run_label(run: QualityRunInfo) -> str:
    """How a recorded run is named in the list: ``#7 · 12-07 15:36 · failed · run #3 round
    2`` (the last part only for a run of a workflow's quality phase)."""
    when = run.started_at.astimezone().strftime("%m-%d %H:%M:%S")
    label = f"#{run.id} · {when} · {run.status}"
    if run.run_id is not None:
        label += f" · run #{run.run_id} round {run.round}"
    return label


def _counts_text(counts: Mapping[str, int]) -> str:
    shown = [f"{number} {kind}" for kind, number in counts.items() if number]
    return ", ".join(shown) if shown else "nothing found"


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 60 else f"{value / 60:.1f} min"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _test_name(finding: Finding) -> str:
    return finding.rule.rsplit("::", 1)[-1] if "::" in finding.rule else finding.rule


def _where(finding: Finding) -> str:
    if finding.line <= 0:
        return "—"
    return f"{finding.line}:{finding.column}" if finding.column > 0 else str(finding.line)


class _GateTable(QTreeWidget):
    """One row per gate: status, time, counts and what happened."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("gateSummary")
        self.setAccessibleName("Gates")
        self.setColumnCount(5)
        self.setHeaderLabels(["Gate", "Status", "Time", "Counts", "What happened"])
        self.setRootIsDecorated(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.header()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.rows: dict[str, QTreeWidgetItem] = {}

    def set_row(
        self, gate: str, status: str, seconds: float | None, counts: str, message: str
    ) -> None:
        """Show (or update) the row of ``gate``."""
        item = self.rows.get(gate)
        if item is None:
            item = QTreeWidgetItem([gate, "", "", "", ""])
            self.addTopLevelItem(item)
            self.rows[gate] = item
        item.setText(1, status)
        item.setForeground(1, current_theme().colour(_TONES.get(status, "text")))
        item.setText(2, "" if seconds is None else _seconds(seconds))
        item.setText(3, counts)
        item.setText(4, _first_line(message))
        item.setToolTip(4, message)
        self.setFixedHeight(self.sizeHint().height())

    def clear_rows(self) -> None:
        """Show no gate."""
        self.clear()
        self.rows.clear()
        self.setFixedHeight(self.sizeHint().height())

    def sizeHint(self) -> QSize:
        """As tall as its rows (at least three), so it never scrolls."""
        rows = max(3, self.topLevelItemCount())
        row = self.sizeHintForRow(0) if self.topLevelItemCount() else 28
        height = self.header().sizeHint().height() + rows * max(row, 24) + 2 * self.frameWidth()
        return QSize(super().sizeHint().width(), height + 4)


class QualityPanel(QWidget):
    """The quality gates panel (see the module's docstring)."""

    runRequested = Signal()
    cancelRequested = Signal()
    runChosen = Signal(int)
    findingActivated = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qualityPanel")
        self.setAccessibleName("Quality gates")
        self.report: QualityRunReport | None = None
        self.runs: list[QualityRunInfo] = []
        self.running = False
        self._started: dict[str, float] = {}
        self._finished: dict[str, tuple[str, float]] = {}
        self._ticker = QTimer(self)
        self._ticker.setInterval(200)
        self._ticker.timeout.connect(self._tick)
        self._theme = current_theme().name
        self._recolour = QTimer(self)
        self._recolour.setSingleShot(True)
        self._recolour.setInterval(0)
        self._recolour.timeout.connect(self._follow_theme)

        self.run_list = QComboBox()
        self.run_list.setObjectName("qualityRuns")
        self.run_list.setAccessibleName("Recorded quality runs")
        self.run_list.setToolTip("The recorded runs of the quality gates, newest first")
        self.run_list.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.run_list.setMinimumContentsLength(30)
        self.run_list.currentIndexChanged.connect(self._run_list_changed)
        self.run_button = QPushButton("Run gates")
        self.run_button.setObjectName("runGates")
        self.run_button.setProperty("role", "primary")
        self.run_button.clicked.connect(self.runRequested)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelGates")
        self.cancel_button.setToolTip("Stop the gates that are running")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.status = QLabel("Open a project to check its code.")
        self.status.setObjectName("qualityStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.gate_table = _GateTable()
        self.results = QTreeWidget()
        self.results.setObjectName("qualityResults")
        self.results.setAccessibleName("What the gates found")
        self.results.setColumnCount(len(_COLUMNS))
        self.results.setHeaderLabels(list(_COLUMNS))
        self.results.setUniformRowHeights(True)
        header = self.results.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.results.setColumnWidth(0, 200)
        self.results.setColumnWidth(1, 150)
        self.results.itemClicked.connect(self._item_chosen)
        self.results.itemActivated.connect(self._item_chosen)

        self.code_title = QLabel("Choose a finding to see its code.")
        self.code_title.setObjectName("codeTitle")
        self.code_title.setProperty("role", "caption")
        self.code_title.setTextFormat(Qt.TextFormat.PlainText)
        self.code = CodeView()
        self.chart = FindingChart()
        self.chart.runClicked.connect(self.choose_run)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        runs_label = QLabel("Run:")
        runs_label.setBuddy(self.run_list)
        bar.addWidget(runs_label)
        bar.addWidget(self.run_list, 2)
        bar.addWidget(self.run_button)
        bar.addWidget(self.cancel_button)
        bar.addSpacing(8)
        bar.addWidget(self.status, 3)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(8)
        left_layout.addWidget(self.gate_table)
        left_layout.addWidget(self.results, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(4)
        right_layout.addWidget(self.chart)
        right_layout.addWidget(self.code_title)
        right_layout.addWidget(self.code, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        left.setMinimumWidth(320)
        self.results.setMinimumHeight(72)
        self._align_chart()
        self.code.setMinimumHeight(72)
        right.setMinimumWidth(240)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)

    def _align_chart(self) -> None:
        """The chart as tall as the gates beside it, so the tree and the code start level."""
        self.chart.setFixedHeight(max(112, self.gate_table.sizeHint().height()))

    # --- what the panel says ----------------------------------------------------------------

    def say(self, message: str, *, error: bool = False) -> None:
        """Show a sentence under the buttons (``error``: in the theme's error colour)."""
        self.status.setText(message)
        self.status.setProperty("role", "error" if error else "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def set_running(self, running: bool) -> None:
        """Enable Run gates or Cancel."""
        self.running = running
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.run_list.setEnabled(not running)
        if not running:
            self._ticker.stop()

    def set_can_run(self, can_run: bool, why: str = "") -> None:
        """Whether Run gates can be pressed now (``why`` says why not, in its tooltip)."""
        self.run_button.setEnabled(can_run and not self.running)
        self.run_button.setToolTip(why or "Run the quality gates on the code folder (Ctrl+Shift+G)")

    # --- the recorded runs --------------------------------------------------------------------

    def show_runs(self, runs: Sequence[QualityRunInfo], selected: int | None) -> None:
        """List ``runs`` (newest first) and chart them; ``selected`` is the one shown."""
        self.runs = list(runs)
        self.run_list.blockSignals(True)
        try:
            self.run_list.clear()
            for run in runs:
                self.run_list.addItem(run_label(run), run.id)
            index = self.run_list.findData(selected) if selected is not None else -1
            self.run_list.setCurrentIndex(index)
        finally:
            self.run_list.blockSignals(False)
        self.chart.set_runs(runs)
        self.chart.select(selected)

    def choose_run(self, run_id: int) -> None:
        """Choose the recorded run ``run_id`` (as if picked in the list)."""
        index = self.run_list.findData(run_id)
        if index >= 0 and not self.running:
            self.run_list.setCurrentIndex(index)

    def _run_list_changed(self, index: int) -> None:
        run_id = self.run_list.itemData(index)
        if isinstance(run_id, int):
            self.chart.select(run_id)
            self.runChosen.emit(run_id)

    # --- one run ---------------------------------------------------------------------------

    def show_report(self, report: QualityRunReport) -> None:
        """Show every gate of ``report`` and what each found."""
        self.report = report
        self.gate_table.clear_rows()
        for gate in report.gates:
            self.gate_table.set_row(
                gate.name, gate.status, gate.duration_s, _counts_text(gate.counts), gate.message
            )
        self._fill_results(report.gates)
        self._align_chart()
        self.chart.select(report.id)
        if not self.running:
            self.say(self._summary(report))

    def show_nothing(self, message: str, *, error: bool = False) -> None:
        """Show no run: empty tables and ``message``."""
        self.report = None
        self.gate_table.clear_rows()
        self.results.clear()
        self.say(message, error=error)

    def _summary(self, report: QualityRunReport) -> str:
        when = report.started_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        part = (
            f" (workflow run #{report.run_id}, Dev-QA round {report.round})"
            if report.run_id is not None
            else ""
        )
        if report.status == "passed":
            outcome = "every gate passed"
        elif report.status == "cancelled":
            outcome = "it was cancelled"
        else:
            failing = [g.name for g in report.gates if not g.passed]
            outcome = f"{', '.join(failing)} did not pass"
        return (
            f"Run #{report.id} of {when}{part} checked {report.code_dir} in "
            f"{_seconds(report.wall_s)}: {outcome}."
        )

    def _fill_results(self, gates: Sequence[GateResult]) -> None:
        self.results.clear()
        theme = current_theme()
        for gate in gates:
            gate_item = QTreeWidgetItem([gate.name, "", gate.message, gate.status])
            gate_item.setToolTip(2, gate.message)
            gate_item.setForeground(3, theme.colour(_TONES.get(gate.status, "text")))
            bold = gate_item.font(0)
            bold.setBold(True)
            gate_item.setFont(0, bold)
            self.results.addTopLevelItem(gate_item)
            files: dict[str, QTreeWidgetItem] = {}
            tests = gate.parser == "junit_xml"
            for finding in sorted(gate.findings, key=lambda f: (f.file, f.line, f.column)):
                file_item = files.get(finding.file)
                if file_item is None:
                    file_item = QTreeWidgetItem([finding.file or "(no file)", "", "", ""])
                    file_item.setToolTip(0, finding.file)
                    file_item.setData(0, LOCATION_ROLE, (finding.file, 0))
                    gate_item.addChild(file_item)
                    files[finding.file] = file_item
                rule = _test_name(finding) if tests else finding.rule
                item = QTreeWidgetItem(
                    [_where(finding), rule, _first_line(finding.message), finding.severity]
                )
                item.setToolTip(0, f"{finding.file}:{finding.line}")
                item.setToolTip(1, finding.rule)
                item.setToolTip(2, finding.message)
                item.setForeground(3, theme.colour(_TONES.get(finding.severity, "text")))
                item.setData(0, LOCATION_ROLE, (finding.file, finding.line))
                file_item.addChild(item)
            for file_item in files.values():
                found = [file_item.child(i).text(3) for i in range(file_item.childCount())]
                problems = sum(1 for s in found if s in PROBLEM_KINDS)
                noun = "test" if tests else "finding"
                file_item.setText(
                    2,
                    f"{len(found)} {noun}{'s' if len(found) != 1 else ''}"
                    + (f", {problems} not passing" if tests and problems else ""),
                )
                file_item.setExpanded(problems > 0)
            gate_item.setExpanded(bool(gate.findings))

    def finding_items(self) -> list[QTreeWidgetItem]:
        """Every finding's item in the results tree, gate by gate."""
        found: list[QTreeWidgetItem] = []
        for index in range(self.results.topLevelItemCount()):
            gate = self.results.topLevelItem(index)
            for f in range(gate.childCount()):
                file_item = gate.child(f)
                found += [file_item.child(i) for i in range(file_item.childCount())]
        return found

    def _item_chosen(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        location = item.data(0, LOCATION_ROLE)
        if isinstance(location, tuple | list) and len(location) == 2 and location[0]:
            self.findingActivated.emit(str(location[0]), int(location[1]))

    # --- the code -----------------------------------------------------------------------------

    def show_code(self, file: str, text: str, line: int) -> None:
        """Show ``file`` of the code folder with ``line`` marked."""
        self.code_title.setText(f"{file}, line {line}" if line > 0 else file)
        self.code.show_file(file, text, line)

    def show_code_problem(self, file: str, message: str) -> None:
        """Say why ``file`` cannot be shown."""
        self.code_title.setText(file)
        self.code.clear_file(message)

    # --- live progress ------------------------------------------------------------------------

    def start_progress(self, gates: Sequence[str]) -> None:
        """The gates are starting: a row for each, waiting."""
        self.set_running(True)
        self._started, self._finished = {}, {}
        self.gate_table.clear_rows()
        for gate in gates:
            self.gate_table.set_row(gate, "waiting", None, "", "")
        self._align_chart()
        self.results.clear()
        self.say(f"Running {len(gates)} quality gate{'s' if len(gates) != 1 else ''}…")
        self._ticker.start()

    def gate_progress(self, gate: str, state: str) -> None:
        """``gate`` started ("running") or ended (its status)."""
        now = time.monotonic()
        if state == "running":
            self._started[gate] = now
            self.gate_table.set_row(gate, "running", 0.0, "", "")
        else:
            took = now - self._started.get(gate, now)
            self._finished[gate] = (state, took)
            self.gate_table.set_row(gate, state, took, "", "")
        self._tick()

    def _tick(self) -> None:
        now = time.monotonic()
        running = [g for g in self._started if g not in self._finished]
        for gate in running:
            self.gate_table.set_row(gate, "running", now - self._started[gate], "", "")
        total = len(self.gate_table.rows)
        done = len(self._finished)
        if self.running:
            doing = f"; {', '.join(running)} running" if running else ""
            self.say(f"{done} of {total} gates finished{doing}.")

    def changeEvent(self, event: QEvent) -> None:
        """Re-colour the tables after a theme switch (once it is over: the new theme is named
        only after its palette is applied)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._recolour.start()

    def _follow_theme(self) -> None:
        theme = current_theme().name
        if theme == self._theme:
            return
        self._theme = theme
        if self.report is not None and not self.running:
            self.show_report(self.report)
        self.chart.update()
