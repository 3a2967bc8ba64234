"""``RunWorkspace``: the live wave visualizer, its run controls, banners and views in one widget.

The desktop app's main window hosts one per open project. Everything the user does here is one
service call awaited as a task on the qasync loop; what the engine reports comes back through
the one ``EngineEventBridge`` and the ``RunTracker`` the views are bound to.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Collection, Coroutine
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from spec_automation.core.events import (
    EventSink,
    GateWaiting,
)
from spec_automation.core.ports import RunMode
from spec_automation.services import (
    PlanReport,
    ProjectError,
    ProjectService,
    RegenerationReport,
    RunOptions,
    RunReport,
)
from spec_automation.settings import AppSettings
from spec_automation.ui.visualizer.banners import (
    ApprovalBanner,
    Banner,
    CompletionBanner,
    FeedbackPrompt,
)
from spec_automation.ui.visualizer.bridge import EngineEventBridge
from spec_automation.ui.visualizer.controls import RunControls
from spec_automation.ui.visualizer.graph_view import (
    NOT_REGENERATED,
    UP_TO_DATE,
    WaveScene,
    WaveView,
)
from spec_automation.ui.visualizer.metrics_view import MetricsView
from spec_automation.ui.visualizer.palette import canvas_colours, is_dark
from spec_automation.ui.visualizer.run_driver import RunDriver
from spec_automation.ui.visualizer.run_plan import (
    EditsPrompt,
    ask_with_dialog,
)
from spec_automation.ui.visualizer.run_state import NodeState, format_duration
from spec_automation.ui.visualizer.timeline import TimelineView
from spec_automation.ui.visualizer.tracker import RunTracker

__all__ = ["RunWorkspace"]

_GATE_POLL_S = 0.2  # how often a waiting run looks for the decision the banner writes


class RunWorkspace(QWidget):
    """The live wave visualizer of one project, with run controls and metrics.

    Args:
        project: the open project; its service calls do all the work.
        settings: the app's settings (concurrency, latency scale, timeouts).
        open_artifact: called with an artifact's name when the user clicks a node.
        ask_feedback: asks why a gate is rejected; the default is a dialog.
        decide_edits: asks what to do with artifacts carrying the user's edits that a run
            would rewrite (keep, overwrite or cancel); the default is ``EditsDialog``.

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
        decide_edits: EditsPrompt | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("runWorkspace")
        self.decide_edits = decide_edits or ask_with_dialog
        self.project = project
        self.settings = settings
        self.open_artifact = open_artifact
        self.driver = RunDriver(self)
        self._dimmed: list[str] = []  # phases a run or regeneration leaves alone, drawn dimmed
        self.dimmed_as = NOT_REGENERATED
        self._closed = False
        self._dark = is_dark(self.palette())

        self.bridge = EngineEventBridge(self)
        self.tracker = RunTracker(self.bridge, self)
        self.scene = WaveScene(dark=self._dark, parent=self)
        self.view = WaveView(self.scene)
        self.timeline = TimelineView()
        self.metrics = MetricsView(project)
        self.metrics.follow(self.tracker)

        self.controls = RunControls(settings.concurrency)
        self._connect_controls()
        self.plan_label = QLabel()
        self.plan_label.setObjectName("planSummary")
        self.plan_label.setWordWrap(True)
        self.plan_label.setTextFormat(Qt.TextFormat.RichText)
        self.approval_banner = ApprovalBanner(
            project,
            ask_feedback=ask_feedback,
            on_rejected=self.driver.rejected,
            on_error=lambda message: self.completion_banner.show_error(message),
        )
        self.resume_banner = Banner("resumeBanner")
        self.resume_banner.add_button("Resume", self.resume_run, "resumeBannerButton")
        self.resume_banner.add_button("Not now", self.resume_banner.hide)
        self.completion_banner = CompletionBanner(project)
        for banner in (self.approval_banner, self.resume_banner, self.completion_banner):
            banner.dark = self._dark
        self._build_layout()

        self.tracker.phase_state_changed.connect(self._show_progress)
        self.tracker.run_started.connect(self.completion_banner.hide)
        self.tracker.run_started.connect(self._show_progress)
        self.tracker.run_finished.connect(self._show_progress)
        self.tracker.gate_waiting.connect(self.approval_banner.show_waiting)
        self.tracker.gate_decided.connect(self.approval_banner.gate_decided)
        self.scene.phase_clicked.connect(self._open_phase)

        self._bind_workflow()
        self._show_last_recorded_run()
        self.metrics.refresh()
        self.update_buttons()

    # --- building ------------------------------------------------------------------------

    def _connect_controls(self) -> None:
        controls = self.controls
        controls.run_button.clicked.connect(lambda: self.start_run(mode=RunMode.PARALLEL))
        controls.sequential_button.clicked.connect(lambda: self.start_run(mode=RunMode.SEQUENTIAL))
        controls.cancel_button.clicked.connect(self.cancel_run)
        # Retrying is resuming: the failed phases run again, then what they blocked.
        controls.retry_button.clicked.connect(lambda: self.start_run(resume=True))
        controls.resume_button.clicked.connect(self.resume_run)
        controls.concurrency.valueChanged.connect(self._show_plan)
        controls.zoom_out.clicked.connect(lambda: self.view.zoom_by(1 / 1.2))
        controls.zoom_in.clicked.connect(lambda: self.view.zoom_by(1.2))
        controls.fit_button.clicked.connect(self.view.fit)

    def _build_layout(self) -> None:
        timeline_scroll = QScrollArea()
        timeline_scroll.setWidget(self.timeline)
        timeline_scroll.setWidgetResizable(True)
        timeline_scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The metrics scroll too, so that they never hold the graph above them small.
        self.metrics_page = QScrollArea()
        self.metrics_page.setWidget(self.metrics)
        self.metrics_page.setWidgetResizable(True)
        self.metrics_page.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs = QTabWidget()
        self.tabs.addTab(timeline_scroll, "Timeline")
        self.tabs.addTab(self.metrics_page, "Metrics")
        splitter = QSplitter(Qt.Orientation.Vertical)
        # Room for a row of nodes with the waves' labels and for the timeline's tabs with a
        # row or two, however short the dock is (the dock scrolls beyond that).
        splitter.setMinimumHeight(_SPLITTER_MIN_HEIGHT)
        splitter.addWidget(self.view)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter

        layout = _FillingLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.controls)
        layout.addWidget(self.plan_label)
        layout.addWidget(self.resume_banner)
        layout.addWidget(self.approval_banner)
        layout.addWidget(self.completion_banner)
        layout.addWidget(splitter, 1)

    def share_room(self) -> None:
        """Give the graph three fifths of the height and the timeline the rest (after the
        view moved between the Run dock and the page)."""
        total = sum(self.splitter.sizes())
        if total > 0:
            self.splitter.setSizes([total * 3 // 5, total - total * 3 // 5])
        self.view.fit()

    def _bind_workflow(self) -> None:
        plan = self.project.plan(self.controls.concurrency.value())
        self.tracker.reset(self.project.graph.waves)
        self.scene.set_workflow(self.project.graph, plan, self.tracker)
        self.view.keep_critical_path_in_sight()
        self.timeline.set_workflow(self.project.graph, self.tracker)
        self._show_plan()

    def _show_last_recorded_run(self) -> None:
        """Opening a project shows how its last run left each phase."""
        try:
            status = self.project.status()
            needed = self.project.preview_run(self.options()).phases
        except ProjectError:
            return
        if status.last_run_phases:
            self.tracker.state.load(status.last_run_phases)
            for name, view in self.tracker.state.phases.items():
                self.tracker.phase_state_changed.emit(name, str(view.state))
            self.tracker.flush()
            # Phases the last run did not need, and a run would not need now, are up to date.
            order = self.project.graph.topological_order
            self.set_dimmed(
                [p for p in order if p not in needed and p not in status.last_run_phases],
                UP_TO_DATE,
            )

    # --- the plan ------------------------------------------------------------------------

    @property
    def plan(self) -> PlanReport:
        """The plan at the chosen concurrency."""
        return self.project.plan(self.controls.concurrency.value())

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
        return self.driver.busy

    @property
    def run_task(self) -> asyncio.Task[Any] | None:
        """The task of the last run or regeneration started here."""
        return self.driver.task

    def options(
        self, mode: RunMode = RunMode.PARALLEL, *, resume: bool = False, auto_approve: bool = False
    ) -> RunOptions:
        """Run options from the user's settings and the concurrency box."""
        return RunOptions.from_settings(
            self.settings,
            mode=mode,
            concurrency=self.controls.concurrency.value(),
            auto_approve=auto_approve,
            resume=resume,
            gate_poll_interval_s=_GATE_POLL_S,
            # The budget is the one Settings shows now, for a resumed run too: raising it
            # there is how a run the budget stopped goes on.
            explicit=frozenset({"budget_usd"}),
        )

    def apply_settings(self, settings: AppSettings) -> None:
        """Use new settings from the next run on (provider, model, concurrency, ...)."""
        self.settings = settings
        if not self.running:
            self.controls.concurrency.setValue(settings.concurrency)

    def start_run(
        self,
        *,
        mode: RunMode = RunMode.PARALLEL,
        resume: bool = False,
        auto_approve: bool = False,
        everything: bool = False,
    ) -> asyncio.Task[RunReport | None] | None:
        """Start a run (or resume the last unfinished one); ``None`` if one is going.

        Only what is out of date runs (``everything``: every phase); the banner says which
        phases and why, and the phases left alone are drawn dimmed. If the run would rewrite
        artifacts carrying the user's edits, ``decide_edits`` asks first.
        """
        if self.running:
            return None
        options = dataclasses.replace(
            self.options(mode, resume=resume, auto_approve=auto_approve), everything=everything
        )
        return self.driver.launch(self.driver.planned_run(options), planned=True)

    def resume_run(self) -> asyncio.Task[RunReport | None] | None:
        """Resume the last unfinished run (offered when the project is opened)."""
        self.resume_banner.hide()
        return self.start_run(resume=True)

    def cancel_run(self) -> None:
        """Cancel the run: in-flight phases stop, the run is recorded as cancelled."""
        task = self.driver.task
        if self.running and task is not None:
            self.controls.cancel_button.setEnabled(False)
            task.cancel()

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
        return self.driver.regenerate(call, phases)

    def set_dimmed(self, phases: list[str], label: str = NOT_REGENERATED) -> None:
        self._dimmed, self.dimmed_as = phases, label
        self.scene.set_dimmed(phases, label)
        self._show_progress()

    # --- gates ---------------------------------------------------------------------------

    @property
    def waiting_gate(self) -> GateWaiting | None:
        """The gate the run waits on (or, outside a run, one left pending), if any."""
        return self.approval_banner.waiting_gate

    def show_pending_gates(self) -> GateWaiting | None:
        """Outside a run, offer the first gate left pending (a regeneration re-opened it, or
        a run stopped before it was decided) in the banner, with Approve and Reject."""
        if self.running or self._closed:
            return None
        try:
            status = self.project.status()
        except ProjectError:
            return None
        pending = [g for g in status.gates if g.status == "pending"]
        if not pending:
            return None
        gate = pending[0]
        waiting = self.project.graph.dependents(gate.phase)
        event = GateWaiting(
            run_id=0, elapsed_s=0.0, gate=gate.gate, phase=gate.phase, waiting=waiting
        )
        self.approval_banner.show_waiting(event)
        return event

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
        self.resume_banner.say(
            f"<b>Run #{status.resumable_run_id} is {how}</b>: {done}/{total} phases done. "
            "Resume it? Done phases are not run again.",
            NodeState.QUEUED,
        )
        self.driver.resumable = True
        self.update_buttons()
        return True

    # --- reacting ------------------------------------------------------------------------

    def _show_progress(self, *_: object) -> None:
        state = self.tracker.state
        done, total = state.progress()
        if self._dimmed:  # count only the phases the run or regeneration runs
            active = [v for name, v in state.phases.items() if name not in self._dimmed]
            done, total = sum(1 for v in active if v.state.finished), len(active)
        running = len(state.in_state(NodeState.RUNNING))
        text = f"{done}/{total} phases"
        if running:
            text += f" · {running} running"
        waiting = state.in_state(NodeState.WAITING)
        if waiting:
            text += " · waiting for approval"
        self.controls.show_progress(text, done, total)
        self.update_buttons()

    def update_buttons(self) -> None:
        failed = bool(self.tracker.state.in_state(NodeState.FAILED))
        self.controls.enable(running=self.running, failed=failed, resumable=self.driver.resumable)

    def _open_phase(self, phase: str) -> None:
        artifacts = self.project.graph.phase(phase).produces
        if self.open_artifact is None:
            self.controls.progress_label.setText(f"{phase} writes {', '.join(artifacts)}")
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
                self.scene.set_dimmed(self._dimmed, self.dimmed_as)
                for banner in (self.approval_banner, self.resume_banner, self.completion_banner):
                    banner.set_dark(dark)
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
        self.completion_banner.close_tray()


#: The least height (px) of the graph and the timeline together: at three fifths, a row of
#: nodes with the waves' labels above it.
_SPLITTER_MIN_HEIGHT = 280


class _FillingLayout(QVBoxLayout):
    """The workspace's layout, which says its height does not follow its width: a scroll
    area (the Run dock's) then gives the workspace the room it has, down to its minimum,
    instead of the whole height its wrapped plan line would ask for at that width, which put
    the graph and the timeline below the dock's fold. Its own items are laid out as before."""

    def hasHeightForWidth(self) -> bool:
        return False
