"""The main window: a shell composing the parts of the desktop app.

The shell holds the pages (welcome screen or project workspace), the explorer, the docks,
notifications and the progress of long actions, and opens and closes projects. Each part owns
its widgets, state and actions: the editor area (tabs, saving, backups), disk sync (files
edited outside the app), the history area (versions, changes, diffs), the run area (the Run
dock and the wave visualizer), the regeneration flow (impact dialog and its runs), appearance
(settings and themes), the documents imported into the project (Import, drops and the
document inspector), the quality gates (their dock, running them, their findings) and the
saved layout. Actions are declared once, in ``actions``.

Everything that touches the store or the disk goes through the service facade in a worker
thread (``asyncio.to_thread``); the window only awaits the results on the qasync loop, so it
never freezes.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from spec_automation.resources import sample_brief_path
from spec_automation.services import ProjectService, create_project, open_project
from spec_automation.settings import AppSettings, config_dir, data_dir, save_settings
from spec_automation.ui.about import app_icon, show_about
from spec_automation.ui.actions import ActionRegistry
from spec_automation.ui.appearance import Appearance
from spec_automation.ui.backups import BackupStore
from spec_automation.ui.busy import BusyIndicator
from spec_automation.ui.command_palette import CommandPalette
from spec_automation.ui.dialogs import Prompter
from spec_automation.ui.disk_sync import DiskSync
from spec_automation.ui.document_area import DocumentArea
from spec_automation.ui.edit_keeper import EditKeeper
from spec_automation.ui.editor_area import EditorArea
from spec_automation.ui.errors import ErrorReporter, or_said, user_message
from spec_automation.ui.explorer import ProjectExplorer, artifact_states, input_entries
from spec_automation.ui.history_area import HistoryArea
from spec_automation.ui.narrow_docks import NarrowDocks
from spec_automation.ui.page_stack import PageStack
from spec_automation.ui.project_menu import ProjectMenu
from spec_automation.ui.quality_area import QualityArea
from spec_automation.ui.regeneration_flow import RegenerationFlow
from spec_automation.ui.run_area import RunArea
from spec_automation.ui.tasks import LatestReading, set_error_sink
from spec_automation.ui.theme import Theme, apply_theme
from spec_automation.ui.welcome import WelcomePage
from spec_automation.ui.window_layout import WindowLayout
from spec_automation.workspace import PROJECT_TEXTS

__all__ = ["MainWindow"]


class MainWindow(QMainWindow):
    """The application window (objectName ``mainWindow``)."""

    closed = Signal()
    projectOpened = Signal(str)

    def __init__(
        self,
        settings: AppSettings,
        *,
        prompter: Prompter | None = None,
        layout_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("spec_automation")
        self.setWindowIcon(app_icon())
        self.settings = settings
        self.prompter = prompter or Prompter()
        self.service: ProjectService | None = None
        self.backups: BackupStore | None = None
        self.theme: Theme = apply_theme(settings.theme)
        self.unexpected_errors: list[str] = []
        self.reporter: ErrorReporter | None = None  # set by the app; tests leave it out
        self.closing = False
        self.commands = ActionRegistry(self)
        self.busy = BusyIndicator(self)
        #: Run a coroutine as a task; a long one shows its label with progress (see busy.py).
        self.start = self.busy.start
        self.saved_layout = WindowLayout(self, layout_file or config_dir() / "window.ini")

        self.welcome = WelcomePage()
        self.welcome.createRequested.connect(self._create_requested)
        self.welcome.openRequested.connect(
            lambda folder: self.start(self.open_project(Path(folder)), "Opening the project…")
        )
        self.welcome.sampleRequested.connect(
            lambda: self.start(self.open_sample(), "Opening the sample…", cancellable=True)
        )
        self.welcome.set_recent(settings.recent_projects)

        self._build_notice_bar()
        self.appearance = Appearance(self)
        self.edits = EditKeeper(self)
        self.editors = EditorArea(self)
        self.disk = DiskSync(self)
        self.history_area = HistoryArea(self)
        self.runs = RunArea(self)
        self.quality = QualityArea(self)  # the Quality gates dock
        self.pages = PageStack()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(self.editors.stack)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.notice)
        central_layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        # After an edit: the impact dialog, the regeneration and its notification.
        self.regeneration = RegenerationFlow(self, self, workspace=lambda: self.runs.workspace)
        self.regeneration.attach_summary(central_layout, 1)

        self.explorer = ProjectExplorer()
        self._explorer_reading = LatestReading()
        self.explorer.setMinimumWidth(180)  # names stay readable however many tabs open
        self.explorer.artifactActivated.connect(
            lambda name: self.start(self.editors.open_artifact(name))
        )
        self.explorer.inputActivated.connect(
            lambda kind, name: self.start(self.documents.show_input(kind, name))
        )
        self.documents = DocumentArea(self)
        self.palette_part = CommandPalette(self)
        self.project_menu = ProjectMenu(self)
        self.setAcceptDrops(True)
        self.history = self.history_area.panel
        self.log_view = QPlainTextEdit()
        self.log_view.setObjectName("logView")
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(2000)
        self.explorer_dock = self.make_dock("Project", "projectExplorerDock", self.explorer)
        self.history_dock = self.make_dock("History", "historyDock", self.history)
        self.log_dock = self.make_dock("Log", "logDock", self.log_view)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.explorer_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.log_dock)
        self.tabifyDockWidget(self.history_dock, self.log_dock)
        self.history_dock.raise_()
        self.resizeDocks(
            [self.explorer_dock, self.history_dock], [320, 380], Qt.Orientation.Horizontal
        )
        # Under 1280 px wide, History and Log become tabs beside Project (one column of docks).
        self.narrow_docks = NarrowDocks(
            self, self.explorer_dock, [self.history_dock, self.log_dock]
        )

        self._build_actions()
        set_error_sink(self.handle_error)
        self.show_welcome()
        self.saved_layout.restore_geometry()

    # --- construction ------------------------------------------------------------------

    def make_dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        """A closable, movable, floatable dock holding ``widget``."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _build_notice_bar(self) -> None:
        self.notice = QFrame()
        self.notice.setObjectName("noticeBar")
        self.notice_text = QLabel()
        self.notice_text.setWordWrap(True)
        self.notice_text.setTextFormat(Qt.TextFormat.PlainText)
        notice_close = QPushButton("Dismiss")
        notice_close.clicked.connect(self.notice.hide)
        notice_layout = QHBoxLayout(self.notice)
        notice_layout.setContentsMargins(16, 8, 8, 8)
        notice_layout.setSpacing(8)
        notice_layout.addWidget(self.notice_text, 1)
        notice_layout.addWidget(notice_close)
        self.notice.hide()

    def _build_actions(self) -> None:
        actions, std = self.commands, QKeySequence.StandardKey
        actions.add("open", "Open project…", self._open_dialog, std.Open)
        actions.add("welcome", "Welcome screen", lambda: self.start(self.close_project()))
        actions.add(
            "sample",
            "Open the sample",
            lambda: self.start(self.open_sample(), "Opening the sample…", cancellable=True),
        )
        actions.add("quit", "Quit", self.close, std.Quit)
        actions.add("about", "&About spec_automation", lambda: show_about(self))
        actions.add(
            "impact",
            "Impact of the latest change…",
            lambda: self.regeneration.handle(None, always_ask=True),
            "Ctrl+Shift+I",
            tip="Analyse what your latest edit affects and choose how to regenerate",
        )
        for dock, name, key in (
            (self.explorer_dock, "show_explorer", "Ctrl+1"),
            (self.history_dock, "show_history", "Ctrl+2"),
            (self.log_dock, "show_log", "Ctrl+3"),
        ):
            actions.adopt(name, dock.toggleViewAction(), key)

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        actions.fill(file_menu, ["new_project", "open"])
        file_menu.addMenu(self.project_menu.recent)
        actions.fill(
            file_menu,
            [
                "sample",
                "welcome",
                None,
                "import_document",
                None,
                "save",
                "save_all",
                "close_tab",
                None,
                "settings",
                None,
                "quit",
            ],
        )
        actions.fill(menus.addMenu("&Edit"), ["undo", "redo", None, "find", "replace"])
        self.view_menu = menus.addMenu("&View")
        actions.fill(
            self.view_menu,
            [
                "command_palette",
                "quick_open",
                None,
                "preview",
                "theme",
                None,
                "next_tab",
                "previous_tab",
                None,
                "show_explorer",
                "show_history",
                "show_log",
                "show_quality",
            ],
        )
        actions.fill(
            menus.addMenu("&Run"),
            [
                "run",
                "run_all",
                "run_sequential",
                "cancel_run",
                None,
                "run_gates",
                "cancel_gates",
                "code_folder",
                None,
                "impact",
            ],
        )
        actions.fill(menus.addMenu("&Help"), ["about"])
        toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        actions.fill(
            toolbar,
            [
                "open",
                "save",
                None,
                "undo",
                "redo",
                "find",
                None,
                "preview",
                "theme",
                "run",
                "settings",
            ],
        )
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    # --- pages ----------------------------------------------------------------------------

    def show_welcome(self) -> None:
        """Show the welcome screen (no project open)."""
        self.welcome.set_recent(self.settings.recent_projects)
        self.pages.setCurrentWidget(self.welcome)
        for dock in (self.explorer_dock, self.history_dock, self.log_dock, self.quality.dock):
            dock.hide()
        self.update_actions()

    def _show_workspace(self) -> None:
        self.pages.setCurrentWidget(self.editors.stack)
        for dock in (self.explorer_dock, self.history_dock, self.log_dock):
            dock.show()
        self.editors.update_page()

    def update_actions(self) -> None:
        """Enable the actions that can run now."""
        self.editors.update_actions()
        self.runs.update_actions()
        self.quality.update_actions()
        self.documents.update_actions()
        self.commands["impact"].setEnabled(self.service is not None)

    # --- tasks, progress and errors ---------------------------------------------------------

    def handle_error(self, error: BaseException) -> None:
        """Show an error from a task: the service's own words, or report a bug once."""
        message = user_message(error)
        if message is not None:
            self.notify(message, error=True)
            return
        if self.reporter is not None:
            self.reporter.report(error)
        else:
            self.report_unexpected(f"{type(error).__name__}: {error}")

    def report_unexpected(self, message: str) -> None:
        """Tell the user about a bug (once per kind; the reporter decides)."""
        self.unexpected_errors.append(message)
        self.notify(message, error=True)
        if not self.closing:
            QTimer.singleShot(
                0, lambda: self.prompter.inform(self, "Unexpected error", message, error=True)
            )

    def notify(self, message: str, *, error: bool = False) -> None:
        """Show a notification at the top of the window and keep it in the log."""
        stamp = datetime.now().strftime("%H:%M:%S")
        self.log_view.appendPlainText(f"{stamp}  {'error: ' if error else ''}{message}")
        self.notice_text.setText(message)
        self.notice_text.setProperty("role", "error" if error else "")
        self.notice_text.style().unpolish(self.notice_text)
        self.notice_text.style().polish(self.notice_text)
        self.notice.show()
        self.statusBar().showMessage(message, 8000)

    def notice_message(self) -> str:
        """The notification shown now ('' when none)."""
        return self.notice_text.text() if self.notice.isVisible() else ""

    # --- projects --------------------------------------------------------------------------

    def _create_requested(self, name: str, folder: str, brief: str, code: bool) -> None:
        if not folder:
            self.welcome.show_problem("Choose a folder for the project.")
            return
        self.start(self.create_project(Path(folder), brief, name, code), "Creating project…")

    async def create_project(
        self, folder: Path, brief: str, name: str = "", code: bool = True
    ) -> None:
        """Create a project from a brief and open it (``code``: with the implementation
        stage, as the default spec has it)."""
        service = await or_said(
            asyncio.to_thread(
                create_project, folder, brief_text=brief, name=name or None, code=code
            ),
            self.welcome.show_problem,
        )
        if service is None:
            return
        await asyncio.to_thread(service.close)
        await self.open_project(folder)

    async def open_sample(self) -> None:
        """Open the bundled sample (created in the data folder the first time) and, when it
        has never run, run its workflow so there are artifacts to read."""
        folder = data_dir() / "sample-project"
        if not (folder / ".spec_automation").is_dir():
            brief = await asyncio.to_thread(sample_brief_path().read_text, encoding="utf-8")
            service = await asyncio.to_thread(create_project, folder, brief_text=brief)
            await asyncio.to_thread(service.close)
        await self.open_project(folder)
        if self.explorer.entries and all(e.version is None for e in self.explorer.entries):
            await self.runs.run_workflow(auto_approve=True)

    async def open_project(self, folder: Path) -> None:
        """Open a project: explorer, its tabs from last time, and unsaved edits left by a
        session that did not end cleanly."""
        if self.service is not None and not await self.close_project(keep_welcome_hidden=True):
            return
        service = await asyncio.to_thread(open_project, folder)
        self.service = service
        self.backups = BackupStore(service.paths.root)
        self.setWindowTitle(f"{service.info.name} — spec_automation")
        self.settings = self.settings.with_recent(service.paths.root)
        await asyncio.to_thread(save_settings, self.settings)
        self._show_workspace()
        self.saved_layout.restore_dock_state()
        await self.refresh_explorer()
        for name in self.saved_layout.saved_tabs():
            reopened = name in service.spec.artifacts or name in PROJECT_TEXTS
            if reopened and service.paths.tracked(name).is_file():
                await self.editors.open_artifact(name)
        await self.edits.restore_backups()
        current = self.saved_layout.saved_current()
        if current is not None:
            self.editors.focus_tab(current)
        self.runs.open(service)
        self.projectOpened.emit(str(service.paths.root))
        self.update_actions()
        if service.notices:  # what opening found and put right, or why git is not used
            self.notify(" ".join(service.notices))

    async def close_project(self, *, keep_welcome_hidden: bool = False) -> bool:
        """Close the project (asking about unsaved edits); False when the user cancels."""
        if self.service is None:
            self.show_welcome()
            return True
        if not await self.edits.settle_unsaved("Close the project"):
            return False
        self.saved_layout.save()
        self.editors.close_all()
        self.runs.close()
        stopping = self.quality.close()
        if stopping is not None:  # the cancelled gates record their run before the store closes
            await asyncio.gather(stopping, return_exceptions=True)
        service, self.service = self.service, None
        self.backups = None
        await asyncio.to_thread(service.close)
        self.explorer.show_entries([])
        self.explorer.show_inputs([])
        self.history.clear_history()
        self.setWindowTitle("spec_automation")
        if not keep_welcome_hidden:
            self.show_welcome()
        return True

    async def refresh_explorer(self) -> None:
        """Re-read every artifact's state and the project's inputs.

        Refreshes may overlap (one a run's progress asked for, one at its end); each reads in a
        worker thread, and only the last one started is shown, so an older reading that comes
        back late never puts back states the run has since changed."""
        service = self.service
        if service is None:
            return
        ticket = self._explorer_reading.start()
        entries, inputs = await asyncio.to_thread(
            lambda: (artifact_states(service), input_entries(service))
        )
        if self.service is service and self._explorer_reading.is_latest(ticket):
            self.explorer.show_entries(entries)
            self.explorer.show_inputs(inputs)

    def _open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, "Open a spec_automation project")
        if folder:
            self.start(self.open_project(Path(folder)), "Opening the project…")

    # --- dropping files -------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Take a drag of files: they are imported as documents when dropped."""
        if self.documents.accepts(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        """Keep taking the drag anywhere over the window."""
        if self.documents.accepts(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Import the dropped files (see ``document_area``)."""
        if not self.documents.accepts(event.mimeData()):
            event.ignore()
            return
        event.acceptProposedAction()
        self.documents.drop(event.mimeData())

    # --- quitting --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask about unsaved changes, keep the layout, close the project."""
        if self.closing:
            event.accept()
            return
        dirty = [tab for tab in self.editors.editor_tabs() if tab.dirty]
        if dirty:
            names = ", ".join(tab.artifact for tab in dirty)
            answer = self.prompter.question(
                self, "Quit", f"Unsaved changes to {names}.", ("Save all", "Discard", "Cancel")
            )
            if answer == "Cancel":
                event.ignore()
                return
            if answer == "Save all":
                event.ignore()
                self.start(self._save_then_close())
                return
            if self.backups is not None:
                for tab in dirty:
                    self.backups.discard(tab.artifact)
        self._finish_close()
        event.accept()

    async def _save_then_close(self) -> None:
        if await self.edits.save_all():
            self._finish_close()
            self.close()

    def shutdown(self) -> None:
        """Close without asking (unsaved buffers keep their backups): for embedding code and
        tests that need the window gone."""
        self._finish_close()
        self.close()

    def _finish_close(self) -> None:
        if self.closing:
            return
        self.closing = True
        if self.regeneration.dialog is not None:
            self.regeneration.dialog.reject()  # the change stays recorded
        self.saved_layout.save()
        self.editors.shutdown()
        self.disk.stop()
        self.runs.close()
        stopping = self.quality.close()
        if self.service is not None:
            service, self.service = self.service, None
            if stopping is None:
                service.close()
            else:  # closed once the cancelled gates have recorded their run
                stopping.add_done_callback(lambda _task: service.close())
        self.busy.stop()
        set_error_sink(None)
        self.closed.emit()
