"""The quality side of the main window: the Quality gates dock, running and cancelling the
gates on the open project's code folder, and opening a finding's file at its line.

The gates run through ``ProjectService.quality.run`` on the qasync loop (each gate is a
subprocess the loop waits on), so the window stays responsive and the panel shows each gate
start and end as it happens. Files are read in a worker thread, only from inside the code
folder and never through a link.
"""

from __future__ import annotations

import asyncio
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QScrollArea

from spec_automation.services import ProjectError
from spec_automation.ui.errors import user_message
from spec_automation.ui.quality_panel import QualityPanel
from spec_automation.ui.window_part import WindowPart
from spec_automation.workspace import UnsafeFileError, read_text_inside

if TYPE_CHECKING:
    from spec_automation.services import ProjectService
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["QualityArea", "read_code_file"]

#: The most of a file the code view shows (a finding in a generated file can be in a big one).
MAX_CODE_BYTES = 4 * 1024 * 1024
#: How many recorded runs the list and the chart hold.
RUNS_SHOWN = 30


def sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def read_code_file(project_root: Path, code_dir: Path, file: str) -> str:
    """The text of ``file`` (a path relative to the code folder, as a finding names it).

    Only a regular file inside the code folder is read, and never through a link (the code
    folder itself may be a folder the user linked, outside the project). Raises
    ``UnsafeFileError`` for a path that leaves the folder or goes through a link, and what
    ``read_text_inside`` raises otherwise.
    """
    relative = PurePosixPath(file.replace("\\", "/"))
    if not file or relative.is_absolute() or ".." in relative.parts or ":" in relative.anchor:
        raise UnsafeFileError(code_dir / file, f"is outside the code folder {code_dir}")
    path = code_dir.joinpath(*relative.parts)
    root = project_root if code_dir.is_relative_to(project_root) else code_dir
    return read_text_inside(root, path, limit=MAX_CODE_BYTES)


class QualityArea(WindowPart):
    """Owns the quality gates panel (``panel``) in its dock (``dock``) and the running gates."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.panel = QualityPanel()
        # The panel scrolls inside its dock rather than holding the window to its own
        # minimum height (as the Run dock does), so a small screen still fits the editor.
        scroller = QScrollArea()
        scroller.setObjectName("qualityScroller")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(self.panel)
        self.dock: QDockWidget = window.make_dock("Quality gates", "qualityDock", scroller)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self._placed = False
        #: The task running the gates now (None when they are not running).
        self.task: asyncio.Task[Any] | None = None
        actions = window.commands
        actions.add(
            "run_gates",
            "Run quality gates",
            self.start_gates,
            "Ctrl+Shift+G",
            tip="Run ruff, basedpyright and pytest (or the spec's gates) on the code folder",
        )
        actions.add("cancel_gates", "Cancel quality gates", self.cancel_gates)
        actions.add(
            "code_folder",
            "Code folder…",
            self.ask_code_folder,
            tip="Choose where the implementation stage writes the code and the gates check it",
        )
        toggle = actions.adopt("show_quality", self.dock.toggleViewAction(), "Ctrl+5")
        toggle.triggered.connect(lambda shown: self.dock.raise_() if shown else None)
        self.panel.runRequested.connect(self.start_gates)
        self.panel.cancelRequested.connect(self.cancel_gates)
        self.panel.runChosen.connect(lambda run_id: window.start(self.show_run(run_id)))
        self.panel.findingActivated.connect(
            lambda file, line: window.start(self.open_finding(file, line))
        )
        window.projectOpened.connect(lambda _root: self._project_opened())

    @property
    def running(self) -> bool:
        """True while the gates run."""
        return self.task is not None and not self.task.done()

    def update_actions(self) -> None:
        """Run the gates when a project is open and they are not running; cancel while they are."""
        actions, has_project = self.window.commands, self.window.service is not None
        why = "" if has_project else "Open or create a project first (File menu)"
        actions["run_gates"].setEnabled(has_project and not self.running)
        actions["cancel_gates"].setEnabled(self.running)
        actions["code_folder"].setEnabled(has_project and not self.running)
        self.panel.set_can_run(has_project, why)

    # --- the project ----------------------------------------------------------------------

    def ask_code_folder(self) -> None:
        """Ask for the project's code folder (a folder of the project, or one of its own)."""
        from PySide6.QtWidgets import QFileDialog

        service = self.window.service
        if service is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self.window, "Choose the code folder", str(service.code_folder().parent)
        )
        if folder:
            self.window.start(self.choose_code_folder(Path(folder)))

    async def choose_code_folder(self, folder: Path | None) -> Path | None:
        """Make ``folder`` the code folder (None: ``code/``), say so, and show its runs; a
        folder that cannot be one is said in a sentence and nothing changes."""
        service = self.window.service
        if service is None:
            return None
        try:
            chosen = await asyncio.to_thread(service.choose_code_folder, folder)
        except ProjectError as exc:
            self.window.notify(f"The code folder was not changed: {exc}.", error=True)
            return None
        self.window.notify(
            f"Code folder: {chosen}. The implementation stage writes it; the gates check it."
        )
        await self.refresh()
        return chosen

    def _project_opened(self) -> None:
        window = self.window
        run_dock = window.runs.dock
        if not self._placed:
            self._placed = True
            bottom = Qt.DockWidgetArea.BottomDockWidgetArea
            alone = not window.tabifiedDockWidgets(self.dock)
            if run_dock is not None and alone and window.dockWidgetArea(self.dock) == bottom:
                window.tabifyDockWidget(run_dock, self.dock)
        self.dock.show()
        if run_dock is not None and run_dock.isVisible():
            run_dock.raise_()
        self.panel.say("Reading the recorded quality runs…")
        window.start(self.refresh())

    def close(self) -> asyncio.Task[Any] | None:
        """Let go of the project: stop its gates and show nothing. Returns the cancelled
        gates' task while it still records the run as cancelled (the project's store must
        stay open until it is done), else None."""
        task, self.task = self.task, None
        stopping = task if task is not None and not task.done() else None
        if stopping is not None:
            stopping.cancel()
        if self.window.closing:
            return stopping
        self.panel.set_running(False)
        self.panel.show_runs([], None)
        self.panel.show_nothing("Open a project to check its code.")
        self.panel.show_code_problem("", "")
        self.dock.hide()
        return stopping

    def show(self) -> None:
        """Bring the Quality gates dock to the front."""
        self.dock.show()
        self.dock.raise_()

    # --- the recorded runs ------------------------------------------------------------------

    async def refresh(self, select: int | None = None) -> None:
        """Re-read the recorded runs and show ``select`` (default: the newest)."""
        service = self.window.service
        if service is None:
            return
        try:
            page = await asyncio.to_thread(service.quality.list, RUNS_SHOWN)
        except ProjectError as exc:
            self.panel.show_nothing(sentence(str(exc)), error=True)
            return
        if self.window.service is not service:
            return
        runs = page.items
        chosen = select if select is not None else (runs[0].id if runs else None)
        self.panel.show_runs(runs, chosen)
        if chosen is not None:
            await self.show_run(chosen)
        elif not self.running:
            self.panel.show_nothing(self._no_runs_yet(service))

    def _no_runs_yet(self, service: ProjectService) -> str:
        folder = service.quality.folder
        if not folder.is_dir():
            return (
                f"This project has no code folder yet ({folder}). The workflow's implementation "
                "stage writes it when it runs, or create it and put the code to check in it."
            )
        return "The gates have not run on this project yet: press Run gates (Ctrl+Shift+G)."

    async def show_run(self, run_id: int) -> None:
        """Show the recorded run ``run_id`` in full."""
        service = self.window.service
        if service is None:
            return
        try:
            report = await asyncio.to_thread(service.quality.show, run_id)
        except ProjectError as exc:
            self.panel.say(sentence(str(exc)), error=True)
            return
        if self.window.service is service and not self.running:
            self.panel.show_report(report)

    # --- running ----------------------------------------------------------------------------

    def start_gates(self) -> None:
        """Run the gates (from the action, the button or the palette)."""
        if self.running:
            self.window.notify("The quality gates are already running.")
            return
        if self.window.service is None:
            return
        self.task = self.window.start(
            self.run_gates(), "Running the quality gates…", cancellable=True
        )
        self.panel.set_running(True)
        self.update_actions()

    def cancel_gates(self) -> None:
        """Stop the gates that are running (what finished is recorded)."""
        if self.task is not None and not self.task.done():
            self.panel.say("Cancelling the quality gates…")
            self.task.cancel()

    async def run_gates(self) -> None:
        """Run the project's gates on its code folder, live in the panel, and show the run."""
        window, service = self.window, self.window.service
        if service is None:
            return
        self.show()
        self.panel.start_progress([gate.name for gate in service.quality.gates()])
        self.update_actions()
        try:
            report = await service.quality.run(on_progress=self._progress)
        except asyncio.CancelledError:
            self._stopped()
            if window.service is service and not window.closing:
                self.panel.say("The quality gates were cancelled; the run is recorded as such.")
                window.start(self.refresh())
            raise
        except Exception as exc:
            self._stopped()
            message = user_message(exc)
            if message is None:
                raise
            if not window.closing:
                self.panel.say(sentence(message), error=True)
            return
        self._stopped()
        if window.service is service:
            await self.refresh(select=report.id)

    def _stopped(self) -> None:
        self.task = None
        if not self.window.closing:  # else the panel may be gone already
            self.panel.set_running(False)
            self.update_actions()

    def _progress(self, gate: str, state: str) -> None:
        if not self.window.closing:
            self.panel.gate_progress(gate, state)

    # --- findings -------------------------------------------------------------------------

    async def open_finding(self, file: str, line: int) -> None:
        """Show ``file`` of the code folder in the code view, at ``line``."""
        service = self.window.service
        if service is None:
            return
        root, folder = service.paths.root, service.quality.folder
        try:
            text = await asyncio.to_thread(read_code_file, root, folder, file)
        except UnsafeFileError as exc:
            self.panel.show_code_problem(file, f"{file} cannot be shown: {exc}.")
            return
        except FileNotFoundError:
            self.panel.show_code_problem(
                file, f"{file} is no longer in the code folder; run the gates again."
            )
            return
        except (OSError, UnicodeDecodeError) as exc:
            self.panel.show_code_problem(file, sentence(user_message(exc) or str(exc)))
            return
        if self.window.service is service:
            self.panel.show_code(file, text, line)
