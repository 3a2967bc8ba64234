"""The run side of the main window: the Run dock holding the live wave visualizer, running
and cancelling the workflow, and what the window says as phases finish."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QScrollArea, QWidget

from spec_automation.core import events as ev
from spec_automation.core.ports import RunMode
from spec_automation.services import ProjectService
from spec_automation.ui.narrow_docks import NARROW_WINDOW_PX
from spec_automation.ui.visualizer import RunWorkspace
from spec_automation.ui.visualizer.run_plan import decide_with
from spec_automation.ui.window_part import WindowPart

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["RunArea"]

#: The actions that start a run, and what each does.
_RUN_ACTIONS = {
    "run": "Run what is out of date, independent phases in parallel",
    "run_sequential": "Run what is out of date, one phase at a time",
    "run_all": "Run every phase again",
}


class _SidewaysPage(QScrollArea):
    """The run page: its widget always as tall as the page (the graph scrolls in its own
    view), and as wide as the page unless the run controls need more, then it scrolls
    sideways instead of widening the window."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("runPage")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:
        """Small: the page never holds the window open."""
        return QSize(200, 200)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Fit the widget to the page's height, and its width where it can."""
        super().resizeEvent(event)
        widget = self.widget()
        if widget is not None:
            viewport = self.viewport().size()
            width = max(viewport.width(), widget.minimumSizeHint().width())
            widget.resize(width, viewport.height())


class RunArea(WindowPart):
    """Owns the Run dock (``dock``) and the open project's run workspace (``workspace``)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.dock: QDockWidget | None = None
        #: The live wave visualizer and run controls of the open project.
        self.workspace: RunWorkspace | None = None
        actions, start = window.commands, window.start
        actions.add(
            "run",
            "Run workflow",
            lambda: start(self.run_workflow(), "Running the workflow…", cancellable=True),
            "F5",
        )
        actions.add(
            "run_sequential",
            "Run sequentially",
            lambda: start(
                self.run_workflow(mode=RunMode.SEQUENTIAL),
                "Running the workflow one phase at a time…",
                cancellable=True,
            ),
            "Ctrl+F5",
        )
        actions.add(
            "run_all",
            "Run every phase",
            lambda: start(
                self.run_workflow(everything=True),
                "Running every phase of the workflow…",
                cancellable=True,
            ),
            "Ctrl+Shift+F5",
        )
        actions.add("cancel_run", "Cancel run", self.cancel_run, "Shift+F5")
        actions.add(
            "run_page",
            "Run view as a page",
            lambda: self.set_page(actions["run_page"].isChecked()),
            "Ctrl+Shift+R",
            tip="Show the run view in the whole central area instead of the Run dock",
            checkable=True,
        )
        self._scroller: QScrollArea | None = None
        self._stepped_aside: list[QDockWidget] = []
        self._page: _SidewaysPage | None = None
        # While a run goes, the explorer follows it: one refresh for a burst of phase ends.
        self._follow = QTimer(window)
        self._follow.setSingleShot(True)
        self._follow.setInterval(150)
        self._follow.timeout.connect(lambda: window.start(window.refresh_explorer()))

    @property
    def running(self) -> bool:
        """True while a run or regeneration is going."""
        return self.workspace is not None and self.workspace.running

    def update_actions(self) -> None:
        """Run when a project is open and nothing runs; cancel while something does."""
        actions, has_project = self.window.commands, self.window.service is not None
        why = (
            "Open or create a project first (File menu)"
            if not has_project
            else "A run is going: cancel it first (Shift+F5)"
            if self.running
            else ""
        )
        for name, what in _RUN_ACTIONS.items():
            actions[name].setEnabled(not why)
            key = actions[name].shortcut().toString()
            actions[name].setToolTip(why or f"{what} ({key})")
        actions["cancel_run"].setEnabled(self.running)
        actions["run_page"].setEnabled(self.workspace is not None)
        actions["cancel_run"].setToolTip(
            "Cancel the run (Shift+F5)" if self.running else "Nothing is running"
        )

    def set_run_view(self, widget: QWidget, title: str = "Run") -> QDockWidget:
        """Show ``widget`` (the live run visualizer) in a dock along the bottom of the window,
        with a View-menu entry (Ctrl+4). Calling it again replaces the widget.

        The view scrolls inside the dock rather than forcing the window to its own minimum
        size, so a small screen still fits the editor beside it.
        """
        window = self.window
        scroller = QScrollArea()
        scroller.setObjectName("runViewScroller")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(widget)
        self._scroller = scroller
        if self.dock is None:
            self.dock = window.make_dock(title, "runViewDock", scroller)
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
            window.resizeDocks([self.dock], [window.height() * 11 // 20], Qt.Orientation.Vertical)
            toggle = window.commands.adopt("show_run", self.dock.toggleViewAction(), "Ctrl+4")
            window.view_menu.addAction(toggle)
            window.view_menu.addAction(window.commands["run_page"])
            # Opening an artifact (or switching tabs) while the run fills the page shows it.
            window.editors.tabs.currentChanged.connect(lambda _index: self.set_page(False))
            window.saved_layout.restore_dock(self.dock)
        else:
            self.dock.setWindowTitle(title)
            old = self.dock.widget()
            self.dock.setWidget(scroller)
            if old is not None:
                old.deleteLater()
        self.dock.show()
        self.dock.raise_()
        return self.dock

    def open(self, service: ProjectService) -> None:
        """Build the run workspace of a project that just opened."""
        window = self.window
        workspace = RunWorkspace(
            service,
            window.settings,
            open_artifact=lambda name: window.start(window.editors.open_artifact(name)),
            decide_edits=decide_with(window.prompter, window),
        )
        workspace.bridge.event.connect(self._on_engine_event)
        workspace.run_completed.connect(self._run_completed)
        self.workspace = workspace
        self.set_run_view(workspace)
        if workspace.offer_resume():
            window.notify("The last run did not finish: resume it from the Run panel (Ctrl+4).")
        elif workspace.show_pending_gates() is not None:
            window.notify("A gate waits for your decision: Approve or Reject in the Run panel.")
        else:
            window.history_dock.raise_()

    @property
    def as_page(self) -> bool:
        """Whether the run view fills the central area (instead of the Run dock)."""
        return (
            self.workspace is not None
            and self._page is not None
            and self.window.pages.currentWidget() is self._page
        )

    def set_page(self, on: bool) -> None:
        """Show the run view as a page filling the central area, or back in its dock.

        As a page it has the window's whole middle: the graph scrolls in its own view only,
        and the banners take their room above it rather than covering it.
        """
        window, workspace, scroller = self.window, self.workspace, self._scroller
        action = window.commands["run_page"]
        if workspace is None or scroller is None or self.dock is None or on == self.as_page:
            action.setChecked(self.as_page)
            return
        if on:
            # The docks sharing the Run dock's place step aside too, so the page has room.
            self._stepped_aside = [
                d for d in window.tabifiedDockWidgets(self.dock) if d.isVisible()
            ]
            if window.width() < NARROW_WINDOW_PX:  # the docks at the right too (History, Log)
                right = Qt.DockWidgetArea.RightDockWidgetArea
                self._stepped_aside += [
                    d
                    for d in window.findChildren(QDockWidget)
                    if d.isVisible() and not d.isFloating() and window.dockWidgetArea(d) == right
                ]
            for dock in self._stepped_aside:
                dock.hide()
            scroller.takeWidget()
            # A page that scrolls only when the window is narrower than the run controls: at
            # any usual size the workspace fits it and the graph scrolls in its view alone.
            page = self._page = _SidewaysPage()
            page.setWidget(workspace)
            window.pages.addWidget(page)
            window.pages.setCurrentWidget(page)
            self.dock.hide()
        else:
            page, self._page = self._page, None
            if page is not None:
                page.takeWidget()
                window.pages.removeWidget(page)
                page.deleteLater()
            scroller.setWidget(workspace)
            window.pages.setCurrentWidget(window.editors.stack)
            for dock in self._stepped_aside:
                dock.show()
            self._stepped_aside = []
            self.dock.show()
            self.dock.raise_()
        action.setChecked(on)
        workspace.show()
        QTimer.singleShot(0, workspace.share_room)  # once the new place has laid it out

    def close(self) -> None:
        """Let go of the project's run workspace (cancelling a run in progress)."""
        self.set_page(False)
        workspace, self.workspace = self.workspace, None
        if workspace is None:
            return
        workspace.close_workspace()
        if self.dock is not None:
            placeholder = QLabel("Open a project to run its workflow.")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            old = self.dock.widget()
            self.dock.setWidget(placeholder)
            self.dock.hide()
            if old is not None:
                old.deleteLater()
        else:
            workspace.deleteLater()

    def show(self) -> None:
        """Bring the Run dock to the front (or the run page, when it is one)."""
        if self.as_page:
            return
        if self.dock is not None:
            self.dock.show()
            self.dock.raise_()

    async def run_workflow(
        self,
        *,
        auto_approve: bool = False,
        mode: RunMode = RunMode.PARALLEL,
        everything: bool = False,
    ) -> None:
        """Run what is out of date (``everything``: every phase) with the settings' options,
        live in the Run panel; cancellable."""
        workspace = self.workspace
        if workspace is None:
            return
        task = workspace.start_run(mode=mode, auto_approve=auto_approve, everything=everything)
        if task is None:
            self.window.notify("A run is already going; cancel it first (Shift+F5).")
            return
        self.show()
        self.window.update_actions()
        try:
            await task
        finally:
            self.window.update_actions()

    def cancel_run(self) -> None:
        """Cancel the running workflow (it can be resumed later)."""
        if self.workspace is not None:
            self.workspace.cancel_run()

    def _run_completed(self, outcome: str, failures: dict[str, str]) -> None:
        window = self.window
        label = {
            "completed": "The run completed",
            "partial": "The run finished with failures",
            "failed": "The run failed",
            "cancelled": "The run was cancelled; resume it from the Run panel",
        }.get(outcome, f"The run ended: {outcome}")
        details = "; ".join(f"{phase}: {error}" for phase, error in failures.items())
        window.notify(f"{label}." + (f" {details}" if details else ""), error=bool(failures))
        window.update_actions()
        window.start(window.refresh_explorer())
        window.start(window.history_area.refresh_history())

    def _on_engine_event(self, event: ev.EngineEvent) -> None:
        line = ""
        match event:
            case ev.PhaseStarted(phase=phase, wave=wave):
                line = f"{phase} started (wave {wave})"
            case ev.PhaseProgress(phase=phase, message=message) if event.notable:
                line = f"{phase}: {message}"  # a retry or a repair
            case ev.PhaseSucceeded(phase=phase, duration_s=duration, cached=cached):
                line = f"{phase} {'reused from the cache' if cached else 'done'} in {duration:.1f}s"
                self._phase_finished(phase)
            case ev.PhaseFailed(phase=phase, error=error):
                line = f"{phase} failed: {error}"
                self._phase_finished(phase)
            case ev.GateWaiting(gate=gate, phase=phase):
                line = f"gate {gate} waits for your approval of {phase}"
                self._follow.start()
                self.show()
                self.window.notify(
                    f"{phase} is done and waits for your approval ({gate}): "
                    "Approve or Reject in the Run panel."
                )
        if line:
            self.window.log_view.appendPlainText(f"{datetime.now():%H:%M:%S}  {line}")


    def _phase_finished(self, phase: str) -> None:
        """A phase ended: its artifacts' states change in the explorer, and an open tab of one
        that has no unsaved edits shows what the phase wrote."""
        window = self.window
        self._follow.start()
        service = window.service
        if service is None:
            return
        for artifact in service.graph.phase(phase).produces:
            tab = window.editors.tab_for(artifact)
            if tab is not None and not tab.dirty:
                window.start(window.disk.check_on_disk(tab, record=False))
