"""``RunWorkspace``: the live wave visualizer, its run controls, banners and views in one widget.

The desktop app's main window hosts one per open project. Everything the user does here is one
service call awaited as a task on the qasync loop; what the engine reports comes back through
the one ``EngineEventBridge`` and the ``RunTracker`` the views are bound to.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Collection, Coroutine, Mapping
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStyle,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from spec_automation.core.events import (
    EventSink,
    GateDecided,
    GateWaiting,
    RunFinished,
    RunStarted,
)
from spec_automation.core.ports import RunMode, RunStatus
from spec_automation.services import (
    PlanReport,
    ProjectError,
    ProjectService,
    RegenerationReport,
    RunOptions,
    RunReport,
)
from spec_automation.settings import AppSettings
from spec_automation.ui.visualizer.bridge import EngineEventBridge
from spec_automation.ui.visualizer.graph_view import WaveScene, WaveView
from spec_automation.ui.visualizer.metrics_view import MetricsView
from spec_automation.ui.visualizer.palette import canvas_colours, is_dark, state_colours
from spec_automation.ui.visualizer.run_state import NodeState, format_duration
from spec_automation.ui.visualizer.timeline import TimelineView
from spec_automation.ui.visualizer.tracker import RunTracker

__all__ = ["RunWorkspace"]

#: Asks the user why a gate is rejected: (gate, phase) -> feedback, or None to go back.
FeedbackPrompt = Callable[[str, str], str | None]

_GATE_POLL_S = 0.2  # how often a waiting run looks for the decision the banner writes


class _Banner(QFrame):
    """A strip above the views: a message and its buttons, coloured by what it is about."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(12, 8, 12, 8)
        self._row.addWidget(self.message, 1)
        self.hide()

    def add_button(self, text: str, slot: Callable[[], None], name: str = "") -> QPushButton:
        """A button at the right of the banner."""
        button = QPushButton(text)
        if name:
            button.setObjectName(name)
        button.clicked.connect(slot)
        self._row.addWidget(button)
        return button

    def paint_as(self, state: NodeState, *, dark: bool) -> None:
        """Use the colours of a node state, so a banner reads like the node it is about."""
        colours = state_colours(dark=dark)[state]
        self.setStyleSheet(
            f"#{self.objectName()} {{ background: {colours.fill}; "
            f"border: 1px solid {colours.border}; border-left: 6px solid {colours.border}; "
            f"border-radius: 6px; }}"
            f"#{self.objectName()} QLabel {{ color: {colours.text}; background: transparent; }}"
        )


class RunWorkspace(QWidget):
    """The live wave visualizer of one project, with run controls and metrics.

    Args:
        project: the open project; its service calls do all the work.
        settings: the app's settings (concurrency, latency scale, timeouts).
        open_artifact: called with an artifact's name when the user clicks a node.
        ask_feedback: asks why a gate is rejected; the default is a dialog.

    Signals:
        run_completed(str outcome, dict failures): a run ended (``completed``, ``partial``,
            ``failed`` or ``cancelled``); failures map phase to error. The main window turns it
            into a notification; the workspace shows its own banner too.
        report_ready(object report): the ``RunReport`` of a run that ended normally.
    """

    run_completed = Signal(str, dict)
    report_ready = Signal(object)

    def __init__(
        self,
        project: ProjectService,
        settings: AppSettings,
        *,
        open_artifact: Callable[[str], None] | None = None,
        ask_feedback: FeedbackPrompt | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("runWorkspace")
        self.project = project
        self.settings = settings
        self.open_artifact = open_artifact
        self.ask_feedback = ask_feedback or self._ask_feedback_dialog
        self.run_task: asyncio.Task[Any] | None = None  # a run's or a regeneration's
        self._dimmed: list[str] = []  # phases a regeneration leaves alone, drawn dimmed
        self._busy = False  # from launching a run until its task has shown how it ended
        self._closed = False
        self._resumable = False  # the project has an unfinished run the user may resume
        self.last_report: RunReport | None = None
        self.waiting_gate: GateWaiting | None = None
        self._redo: tuple[str, str] | None = None  # (phase, feedback) after a rejection
        self._tray: QSystemTrayIcon | None = None
        self._dark = is_dark(self.palette())

        self.bridge = EngineEventBridge(self)
        self.tracker = RunTracker(self.bridge, self)
        self.scene = WaveScene(dark=self._dark, parent=self)
        self.view = WaveView(self.scene)
        self.timeline = TimelineView()
        self.metrics = MetricsView(project)
        self.metrics.follow(self.tracker)

        self._build_controls()
        self._build_banners()
        self._build_layout()

        self.tracker.phase_state_changed.connect(self._show_progress)
        self.tracker.run_started.connect(self._on_run_started)
        self.tracker.run_finished.connect(self._on_run_finished)
        self.tracker.gate_waiting.connect(self._on_gate_waiting)
        self.tracker.gate_decided.connect(self._on_gate_decided)
        self.scene.phase_clicked.connect(self._open_phase)

        self._bind_workflow()
        self._show_last_recorded_run()
        self.metrics.refresh()
        self._update_buttons()

    # --- building ------------------------------------------------------------------------

    def _build_controls(self) -> None:
        self.plan_label = QLabel()
        self.plan_label.setObjectName("planSummary")
        self.plan_label.setWordWrap(True)
        self.plan_label.setTextFormat(Qt.TextFormat.RichText)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("runButton")
        self.run_button.setToolTip("Run the workflow, independent phases in parallel (F5)")
        self.run_button.clicked.connect(lambda: self.start_run(mode=RunMode.PARALLEL))
        self.sequential_button = QPushButton("Run sequentially")
        self.sequential_button.setObjectName("runSequentialButton")
        self.sequential_button.setToolTip("One phase at a time: the baseline metrics compare with")
        self.sequential_button.clicked.connect(lambda: self.start_run(mode=RunMode.SEQUENTIAL))
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancel_run)
        self.retry_button = QPushButton("Retry failed")
        self.retry_button.setObjectName("retryButton")
        self.retry_button.setToolTip("Run the failed phases again and what they blocked")
        self.retry_button.clicked.connect(self.retry_failed)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setObjectName("resumeButton")
        self.resume_button.setToolTip("Go on with the last unfinished run; done phases stay done")
        self.resume_button.clicked.connect(self.resume_run)
        self.concurrency = QSpinBox()
        self.concurrency.setObjectName("concurrency")
        self.concurrency.setRange(1, 64)
        self.concurrency.setValue(self.settings.concurrency)
        self.concurrency.setToolTip("How many phases may run at once")
        self.concurrency.valueChanged.connect(self._show_plan)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("runProgress")
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumWidth(160)
        self.progress_bar.setMaximumHeight(10)
        self.zoom_out = QPushButton("−")
        self.zoom_in = QPushButton("+")
        self.fit_button = QPushButton("Fit")
        for button, tip in (
            (self.zoom_out, "Zoom out (−, Ctrl+wheel)"),
            (self.zoom_in, "Zoom in (+, Ctrl+wheel)"),
            (self.fit_button, "Fit the whole workflow (0)"),
        ):
            button.setToolTip(tip)
            button.setMaximumWidth(48)
        self.zoom_out.clicked.connect(lambda: self.view.zoom_by(1 / 1.2))
        self.zoom_in.clicked.connect(lambda: self.view.zoom_by(1.2))
        self.fit_button.clicked.connect(self.view.fit)
        QShortcut(QKeySequence("F5"), self, activated=lambda: self.start_run())

    def _build_banners(self) -> None:
        self.approval_banner = _Banner("approvalBanner")
        self.approve_button = self.approval_banner.add_button(
            "Approve", self.approve_gate, "approveButton"
        )
        self.reject_button = self.approval_banner.add_button(
            "Reject…", self.reject_gate, "rejectButton"
        )
        self.resume_banner = _Banner("resumeBanner")
        self.resume_banner.add_button("Resume", self.resume_run, "resumeBannerButton")
        self.resume_banner.add_button("Not now", self.resume_banner.hide)
        self.completion_banner = _Banner("completionBanner")
        self.completion_banner.add_button("Dismiss", self.completion_banner.hide)

    def _build_layout(self) -> None:
        controls = QHBoxLayout()
        for widget in (
            self.run_button,
            self.sequential_button,
            self.cancel_button,
            self.retry_button,
            self.resume_button,
        ):
            controls.addWidget(widget)
        concurrency_label = QLabel("Concurrency")
        concurrency_label.setBuddy(self.concurrency)
        controls.addSpacing(12)
        controls.addWidget(concurrency_label)
        controls.addWidget(self.concurrency)
        controls.addStretch(1)
        controls.addWidget(self.progress_bar)
        controls.addWidget(self.progress_label)
        controls.addSpacing(12)
        controls.addWidget(self.zoom_out)
        controls.addWidget(self.zoom_in)
        controls.addWidget(self.fit_button)

        timeline_scroll = QScrollArea()
        timeline_scroll.setWidget(self.timeline)
        timeline_scroll.setWidgetResizable(True)
        timeline_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs = QTabWidget()
        self.tabs.addTab(timeline_scroll, "Timeline")
        self.tabs.addTab(self.metrics, "Metrics")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(controls)
        layout.addWidget(self.plan_label)
        layout.addWidget(self.resume_banner)
        layout.addWidget(self.approval_banner)
        layout.addWidget(self.completion_banner)
        layout.addWidget(splitter, 1)

    def _bind_workflow(self) -> None:
        plan = self.project.plan(self.concurrency.value())
        self.tracker.reset(self.project.graph.waves)
        self.scene.set_workflow(self.project.graph, plan, self.tracker)
        self.timeline.set_workflow(self.project.graph, self.tracker)
        self._show_plan()

    def _show_last_recorded_run(self) -> None:
        """Opening a project shows how its last run left each phase."""
        try:
            status = self.project.status()
        except ProjectError:
            return
        if status.last_run_phases:
            self.tracker.state.load(status.last_run_phases)
            for name, view in self.tracker.state.phases.items():
                self.tracker.phase_state_changed.emit(name, str(view.state))
            self.tracker.flush()

    # --- the plan ------------------------------------------------------------------------

    @property
    def plan(self) -> PlanReport:
        """The plan at the chosen concurrency."""
        return self.project.plan(self.concurrency.value())

    def _show_plan(self) -> None:
        plan = self.plan
        path = " → ".join(plan.critical_path)
        critical = canvas_colours(dark=self._dark).critical
        text = (
            f"<b>Plan</b>: {len(plan.waves)} waves, {len(plan.phases)} phases · "
            f"<span style='color:{critical}'>critical path</span> {path} "
            f"({format_duration(plan.critical_path_s)}) · estimated "
            f"{format_duration(plan.sequential_estimate_s)} one at a time, "
            f"{format_duration(plan.parallel_estimate_s)} in parallel at concurrency "
            f"{plan.concurrency}"
        )
        if self.settings.provider == "offline":
            scale = self.settings.latency_scale
            text += (
                f" (offline simulation ×{scale:g}: about "
                f"{format_duration(plan.parallel_estimate_s * scale)})"
            )
        for warning in plan.warnings:
            text += f"<br>⚠ {warning}"
        self.plan_label.setText(text)

    # --- running -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether a run started here has not ended yet."""
        return self._busy

    def options(
        self, mode: RunMode = RunMode.PARALLEL, *, resume: bool = False, auto_approve: bool = False
    ) -> RunOptions:
        """Run options from the user's settings and the concurrency box."""
        return RunOptions.from_settings(
            self.settings,
            mode=mode,
            concurrency=self.concurrency.value(),
            auto_approve=auto_approve,
            resume=resume,
            gate_poll_interval_s=_GATE_POLL_S,
        )

    def apply_settings(self, settings: AppSettings) -> None:
        """Use new settings from the next run on (provider, model, concurrency, ...)."""
        self.settings = settings
        if not self.running:
            self.concurrency.setValue(settings.concurrency)

    def start_run(
        self, *, mode: RunMode = RunMode.PARALLEL, resume: bool = False, auto_approve: bool = False
    ) -> asyncio.Task[RunReport | None] | None:
        """Start a run (or resume the last unfinished one); ``None`` if one is going."""
        if self.running:
            return None
        options = self.options(mode, resume=resume, auto_approve=auto_approve)
        return self._launch(self.project.run_workflow(options, self.bridge.sink))

    def resume_run(self) -> asyncio.Task[RunReport | None] | None:
        """Resume the last unfinished run (offered when the project is opened)."""
        self.resume_banner.hide()
        return self.start_run(resume=True)

    def retry_failed(self) -> asyncio.Task[RunReport | None] | None:
        """Run the failed phases again, and then what they blocked."""
        return self.start_run(resume=True)

    def cancel_run(self) -> None:
        """Cancel the run: in-flight phases stop, the run is recorded as cancelled."""
        if self.running and self.run_task is not None:
            self.cancel_button.setEnabled(False)
            self.run_task.cancel()

    def _launch(self, call: Coroutine[Any, Any, RunReport]) -> asyncio.Task[RunReport | None]:
        self._set_dimmed([])
        self.completion_banner.hide()
        self.resume_banner.hide()
        self._busy = True
        self._resumable = False
        self.run_task = asyncio.ensure_future(self._drive(call))
        self._update_buttons()
        return self.run_task

    async def _drive(self, call: Coroutine[Any, Any, RunReport]) -> RunReport | None:
        report: RunReport | None = None
        try:
            report = await call
        except asyncio.CancelledError:
            # The engine recorded the run as cancelled and said so (RunFinished): show it.
            self._resumable = True
            self._announce(str(RunStatus.CANCELLED), {}, {})
        except ProjectError as exc:
            self._show_error(str(exc))
        else:
            self.last_report = report
            self._resumable = report.status != RunStatus.COMPLETED
            self._announce(str(report.status), report.failed, report.blocked, report)
            self.report_ready.emit(report)
        finally:
            self._busy = False
            self.approval_banner.hide()
            self.waiting_gate = None
            self.metrics.refresh()
        self._update_buttons()
        if self._redo is not None and (report is None or report.status != RunStatus.COMPLETED):
            phase, feedback = self._redo
            self._redo = None
            if report is not None:  # not after a cancel or an error
                self._launch(
                    self.project.redo_phase(phase, feedback, self.options(), self.bridge.sink)
                )
        else:
            self._redo = None
        return report

    # --- regeneration --------------------------------------------------------------------

    def run_regeneration(
        self,
        call: Callable[[EventSink], Coroutine[Any, Any, RegenerationReport]],
        phases: Collection[str],
    ) -> asyncio.Task[RegenerationReport] | None:
        """Show a regeneration live: ``phases`` active, every other phase dimmed.

        ``call`` gets the bridge's event sink and returns the service's ``regenerate``
        coroutine. The task's result is the report; a refused regeneration raises its
        ``ProjectError`` (also shown in the banner). ``None`` if a run is going.
        """
        if self.running:
            return None
        self.completion_banner.hide()
        self.resume_banner.hide()
        self._busy = True
        self._set_dimmed([p for p in self.project.graph.topological_order if p not in phases])
        task = asyncio.ensure_future(self._drive_regeneration(call(self.bridge.sink)))
        self.run_task = task
        self._update_buttons()
        return task

    async def _drive_regeneration(
        self, call: Coroutine[Any, Any, RegenerationReport]
    ) -> RegenerationReport:
        try:
            report = await call
        except asyncio.CancelledError:
            self._announce_regeneration("cancelled", "the finished artifacts are kept")
            raise
        except ProjectError as exc:
            self._show_error(str(exc))
            raise
        finally:
            self._busy = False
            self.approval_banner.hide()
            self.waiting_gate = None
            self.metrics.refresh()
            self._update_buttons()
        done = len(report.artifacts_regenerated)
        detail = (
            f"{done} regenerated, {len(report.artifacts_unchanged)} unchanged, "
            f"{len(report.failures)} failed in {format_duration(report.duration_s)}"
        )
        self._announce_regeneration(report.status, detail, report.failures)
        return report

    def _announce_regeneration(
        self, outcome: str, detail: str, failures: Mapping[str, str] | None = None
    ) -> None:
        lines = [f"<b>Regeneration {_escape(outcome)}</b>: {_escape(detail)}"]
        lines += [f"✗ <b>{p}</b>: {_escape(e)}" for p, e in (failures or {}).items()]
        self.completion_banner.message.setText("<br>".join(lines))
        state = {"completed": NodeState.SUCCEEDED, "cancelled": NodeState.CANCELLED}.get(
            outcome, NodeState.FAILED
        )
        self.completion_banner.paint_as(state, dark=self._dark)
        self.completion_banner.show()

    def _set_dimmed(self, phases: list[str]) -> None:
        self._dimmed = phases
        self.scene.set_dimmed(phases)
        self._show_progress()

    # --- gates ---------------------------------------------------------------------------

    def approve_gate(self) -> None:
        """Approve the gate the run waits on; its dependents start."""
        self._decide(approved=True, note="")

    def reject_gate(self) -> None:
        """Reject the waiting gate with feedback; the phase is then regenerated with it."""
        gate = self.waiting_gate
        if gate is None:
            return
        feedback = self.ask_feedback(gate.gate, gate.phase)
        if feedback is None or not feedback.strip():
            return
        if self._decide(approved=False, note=feedback.strip()):
            self._redo = (gate.phase, feedback.strip())

    def _decide(self, *, approved: bool, note: str) -> bool:
        gate = self.waiting_gate
        if gate is None:
            return False
        try:
            self.project.decide_gate(gate.gate, approved=approved, note=note, decided_by="user")
        except ProjectError as exc:
            self._show_error(str(exc))
            return False
        self.approve_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        verb = "Approved" if approved else "Rejected"
        follow = (
            "; its dependents start now"
            if approved
            else f"; {gate.phase} will be regenerated with your feedback once the phases "
            "already running finish"
        )
        self.approval_banner.message.setText(f"<b>{verb}</b> {gate.gate}{follow}.")
        return True

    def _on_gate_waiting(self, event: GateWaiting) -> None:
        self.waiting_gate = event
        waiting = ", ".join(event.waiting) or "nothing else"
        self.approval_banner.message.setText(
            f"<b>Approval needed</b>: gate <b>{event.gate}</b> on {event.phase}. "
            f"Review its artifacts; {waiting} wait{'s' if len(event.waiting) == 1 else ''} "
            "for your decision."
        )
        self.approve_button.setEnabled(True)
        self.reject_button.setEnabled(True)
        self.approval_banner.paint_as(NodeState.WAITING, dark=self._dark)
        self.approval_banner.show()

    def _on_gate_decided(self, event: GateDecided) -> None:
        if self.waiting_gate is not None and self.waiting_gate.gate == event.gate:
            self.waiting_gate = None
        if event.approved:
            self.approval_banner.hide()

    @staticmethod
    def _ask_feedback_dialog(gate: str, phase: str) -> str | None:
        text, ok = QInputDialog.getMultiLineText(
            None,
            f"Reject {gate}",
            f"What should {phase} change? It will be regenerated with this feedback.",
        )
        return text if ok else None

    # --- resume offered on open ----------------------------------------------------------

    def offer_resume(self) -> bool:
        """Offer to resume the project's unfinished run, if it has one; say whether it did.

        The main window calls this when it opens a project.
        """
        try:
            status = self.project.status()
        except ProjectError:
            return False
        if status.resumable_run_id is None or self.running:
            return False
        done = sum(1 for s in status.last_run_phases.values() if s == "succeeded")
        how = status.last_run_status or "unfinished"
        total = len(self.project.graph.topological_order)
        self.resume_banner.message.setText(
            f"<b>Run #{status.resumable_run_id} is {how}</b>: {done}/{total} phases done. "
            "Resume it? Done phases are not run again."
        )
        self.resume_banner.paint_as(NodeState.QUEUED, dark=self._dark)
        self.resume_banner.show()
        self._resumable = True
        self._update_buttons()
        return True

    # --- completion ----------------------------------------------------------------------

    def _announce(
        self,
        outcome: str,
        failed: dict[str, str],
        blocked: dict[str, str],
        report: RunReport | None = None,
    ) -> None:
        finished: RunFinished | None = self.tracker.state.finished
        if report is None and finished is not None:
            failed, blocked = dict(finished.failed), dict(finished.blocked)
        title = {
            "completed": "Run completed",
            "partial": "Run finished with failures",
            "failed": "Run failed",
            "cancelled": "Run cancelled",
        }.get(outcome, f"Run {outcome}")
        lines = [f"<b>{title}</b>"]
        if report is not None:
            lines[0] += (
                f" in {format_duration(report.wall_time_s)}: "
                f"{len(report.succeeded)}/{len(self.project.graph.topological_order)} phases, "
                f"{format_duration(report.time_saved_s)} saved by running in parallel "
                f"({report.time_saved_pct:.0f} %)"
            )
        for phase, error in failed.items():
            lines.append(f"✗ <b>{phase}</b>: {_escape(error)}")
        if blocked:
            lines.append("Blocked: " + ", ".join(f"{p} (by {b})" for p, b in blocked.items()))
        if self._redo is not None and outcome != "cancelled":
            lines.append(f"Regenerating {self._redo[0]} with your feedback…")
        self.completion_banner.message.setText("<br>".join(lines))
        state = {
            "completed": NodeState.SUCCEEDED,
            "cancelled": NodeState.CANCELLED,
        }.get(outcome, NodeState.FAILED)
        self.completion_banner.paint_as(state, dark=self._dark)
        self.completion_banner.show()
        self.run_completed.emit(outcome, dict(failed))
        self._notify_tray(title, failed)

    def _notify_tray(self, title: str, failed: dict[str, str]) -> None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.show()
        body = "\n".join(f"{p}: {e}" for p, e in failed.items()) or self.project.info.name
        kind = (
            QSystemTrayIcon.MessageIcon.Warning
            if failed
            else QSystemTrayIcon.MessageIcon.Information
        )
        self._tray.showMessage(title, body, kind, 8000)

    def _show_error(self, message: str) -> None:
        self.completion_banner.message.setText(f"<b>Could not run</b>: {_escape(message)}")
        self.completion_banner.paint_as(NodeState.FAILED, dark=self._dark)
        self.completion_banner.show()

    # --- reacting ------------------------------------------------------------------------

    def _on_run_started(self, _event: RunStarted) -> None:
        self.completion_banner.hide()
        self._show_progress()

    def _on_run_finished(self, _event: RunFinished) -> None:
        self._show_progress()

    def _show_progress(self, *_: object) -> None:
        state = self.tracker.state
        done, total = state.progress()
        if self._dimmed:  # a regeneration: count only the phases it reruns
            active = [v for name, v in state.phases.items() if name not in self._dimmed]
            done, total = sum(1 for v in active if v.state.finished), len(active)
        running = len(state.in_state(NodeState.RUNNING))
        text = f"{done}/{total} phases"
        if running:
            text += f" · {running} running"
        waiting = state.in_state(NodeState.WAITING)
        if waiting:
            text += " · waiting for approval"
        self.progress_label.setText(text)
        self.progress_bar.setMaximum(max(1, total))
        self.progress_bar.setValue(done)
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.running
        failed = bool(self.tracker.state.in_state(NodeState.FAILED))
        for button in (self.run_button, self.sequential_button, self.concurrency):
            button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.retry_button.setEnabled(not running and failed)
        self.resume_button.setEnabled(not running and self._resumable)

    def _open_phase(self, phase: str) -> None:
        artifacts = self.project.graph.phase(phase).produces
        if self.open_artifact is None:
            self.progress_label.setText(f"{phase} writes {', '.join(artifacts)}")
            return
        for artifact in artifacts:
            self.open_artifact(artifact)

    # --- theme and closing ---------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        """Follow the app's theme: a palette change re-colours the views."""
        if event.type() == QEvent.Type.PaletteChange:
            dark = is_dark(self.palette())
            if dark != self._dark:
                self._dark = dark
                self.scene.clear_workflow()
                self.scene.deleteLater()
                self.scene = WaveScene(dark=dark, parent=self)
                self.scene.phase_clicked.connect(self._open_phase)
                self.view.setScene(self.scene)
                self.scene.set_workflow(self.project.graph, self.plan, self.tracker)
                self.scene.set_dimmed(self._dimmed)
                self.metrics.refresh()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the workspace cancels its run and lets go of the views."""
        self.close_workspace()
        super().closeEvent(event)

    def close_workspace(self) -> None:
        """Cancel a run in progress and disconnect the views (the project is closing).

        Safe to call more than once.
        """
        if self._closed:
            return
        self._closed = True
        if self.running and self.run_task is not None:
            self.run_task.cancel()
        self.scene.clear_workflow()
        self.timeline.clear_workflow()
        with contextlib.suppress(RuntimeError):
            self.tracker.disconnect_bridge()
        if self._tray is not None:
            self._tray.hide()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
