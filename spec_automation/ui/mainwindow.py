"""The main window: welcome screen or project workspace (explorer, editor tabs, history,
log), menus, toolbar, notifications, progress of long actions, and the slot for the run view.

Everything that touches the store or the disk goes through the service facade in a worker
thread (``asyncio.to_thread``); the window only awaits the results on the qasync loop, so it
never freezes. Layout, open tabs and dock positions are kept in an ini file in the user's
configuration folder and restored at the next start.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from spec_automation.core import events as ev
from spec_automation.core.artifacts import content_hash
from spec_automation.core.ports import RunMode
from spec_automation.resources import sample_brief_path
from spec_automation.services import (
    ProjectService,
    create_project,
    open_project,
)
from spec_automation.settings import AppSettings, config_dir, data_dir, save_settings
from spec_automation.ui.backups import BackupStore
from spec_automation.ui.dialogs import Prompter, ask_later
from spec_automation.ui.diffviewer import DiffViewer
from spec_automation.ui.editor import EditorTab
from spec_automation.ui.errors import ErrorReporter, user_message
from spec_automation.ui.explorer import ProjectExplorer, artifact_states
from spec_automation.ui.history import HistoryPanel, history_data
from spec_automation.ui.regeneration_flow import RegenerationFlow
from spec_automation.ui.settings_dialog import SettingsDialog
from spec_automation.ui.tasks import set_error_sink, spawn
from spec_automation.ui.theme import Theme, apply_theme
from spec_automation.ui.visualizer import RunWorkspace
from spec_automation.ui.welcome import WelcomePage

__all__ = ["MainWindow"]

BUSY_DELAY_MS = 300  # long actions show progress once they take longer than this


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
        self.settings = settings
        self.prompter = prompter or Prompter()
        self.layout_store = QSettings(
            str(layout_file or config_dir() / "window.ini"), QSettings.Format.IniFormat
        )
        self.service: ProjectService | None = None
        self.backups: BackupStore | None = None
        self.theme: Theme = apply_theme(settings.theme)
        self.unexpected_errors: list[str] = []
        self.reporter: ErrorReporter | None = None  # set by the app; tests leave it out
        #: The live wave visualizer and run controls of the open project (the Run dock).
        self.run_workspace: RunWorkspace | None = None
        self._closing = False
        self._dock_state_restored = False

        self.welcome = WelcomePage()
        self.welcome.createRequested.connect(self._create_requested)
        self.welcome.openRequested.connect(
            lambda folder: self.start(self.open_project(Path(folder)), "Opening the project…")
        )
        self.welcome.sampleRequested.connect(
            lambda: self.start(self.open_sample(), "Opening the sample…", cancellable=True)
        )
        self.welcome.set_recent(settings.recent_projects)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("editorTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(self._close_tab_requested)
        self.tabs.currentChanged.connect(self._current_tab_changed)
        self.empty_hint = QLabel("Open an artifact from the explorer (double-click) to edit it.")
        self.empty_hint.setProperty("role", "muted")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        workspace = QStackedWidget()
        workspace.addWidget(self.empty_hint)
        workspace.addWidget(self.tabs)
        self.workspace = workspace

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

        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(workspace)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.notice)
        central_layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        # After an edit: the impact dialog, the regeneration and its notification.
        self.regeneration = RegenerationFlow(self, self, workspace=lambda: self.run_workspace)
        self.regeneration.attach_summary(central_layout, 1)

        self.explorer = ProjectExplorer()
        self.explorer.artifactActivated.connect(lambda name: self.start(self.open_artifact(name)))
        self.history = HistoryPanel()
        self.history.compareVersions.connect(
            lambda old, new: self.start(self.compare_versions(old, new), "Comparing…")
        )
        self.history.compareWithEditor.connect(
            lambda version: self.start(self.compare_with_editor(version), "Comparing…")
        )
        self.log_view = QPlainTextEdit()
        self.log_view.setObjectName("logView")
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(2000)
        self.explorer_dock = self._dock("Project", "projectExplorerDock", self.explorer)
        self.history_dock = self._dock("History", "historyDock", self.history)
        self.log_dock = self._dock("Log and notifications", "logDock", self.log_view)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.explorer_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.log_dock)
        self.tabifyDockWidget(self.history_dock, self.log_dock)
        self.history_dock.raise_()
        self.resizeDocks(
            [self.explorer_dock, self.history_dock], [320, 380], Qt.Orientation.Horizontal
        )
        self.run_dock: QDockWidget | None = None

        self.busy_label = QLabel()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(160)
        self.busy_cancel = QPushButton("Cancel")
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.busy_bar)
        self.statusBar().addPermanentWidget(self.busy_cancel)
        self._busy_tasks: list[tuple[asyncio.Task[Any], str, bool]] = []
        self._hide_busy()
        self._busy_timer = QTimer(self)
        self._busy_timer.setInterval(100)
        self._busy_timer.timeout.connect(self._update_busy)
        self.busy_cancel.clicked.connect(self._cancel_busy)

        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._file_changed)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.applicationStateChanged.connect(self._application_state_changed)

        self._build_actions()
        set_error_sink(self.handle_error)
        self.show_welcome()
        self._restore_layout()

    # --- construction ------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _action(
        self,
        text: str,
        slot: Any,
        shortcut: QKeySequence | str | list[Any] | None = None,
        *,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if isinstance(shortcut, list):
            action.setShortcuts([QKeySequence(s) for s in shortcut])
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text.replace("…", ""))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        std = QKeySequence.StandardKey
        self.act_open = self._action("Open project…", self._open_dialog, std.Open)
        self.act_welcome = self._action("Welcome screen", lambda: self.start(self.close_project()))
        self.act_sample = self._action(
            "Open the sample",
            lambda: self.start(self.open_sample(), "Opening the sample…", cancellable=True),
        )
        self.act_save = self._action("Save", lambda: self.start(self.save_current()), std.Save)
        self.act_save_all = self._action(
            "Save all", lambda: self.start(self.save_all()), "Ctrl+Shift+S"
        )
        self.act_close_tab = self._action("Close tab", self._close_current_tab, std.Close)
        self.act_settings = self._action("Settings…", self.open_settings, "Ctrl+,")
        self.act_quit = self._action("Quit", self.close, std.Quit)
        self.act_undo = self._action("Undo", lambda: self._editor_call("undo"), std.Undo)
        self.act_redo = self._action("Redo", lambda: self._editor_call("redo"), std.Redo)
        self.act_find = self._action("Find…", lambda: self._tab_call("find"), std.Find)
        self.act_replace = self._action("Replace…", lambda: self._tab_call("replace"), "Ctrl+H")
        self.act_next_tab = self._action(
            "Next tab", lambda: self._step_tab(1), ["Ctrl+Tab", "Ctrl+PgDown"]
        )
        self.act_prev_tab = self._action(
            "Previous tab", lambda: self._step_tab(-1), ["Ctrl+Shift+Tab", "Ctrl+PgUp"]
        )
        self.act_preview = self._action("Preview", self.toggle_preview, "Ctrl+Shift+V")
        self.act_preview.setCheckable(True)
        self.act_preview.setChecked(True)
        self.act_theme = self._action("Toggle theme", self.toggle_theme, "Ctrl+Shift+T")
        self.act_run = self._action(
            "Run workflow",
            lambda: self.start(self.run_workflow(), "Running the workflow…", cancellable=True),
            "F5",
        )
        self.act_run_sequential = self._action(
            "Run sequentially",
            lambda: self.start(
                self.run_workflow(mode=RunMode.SEQUENTIAL),
                "Running the workflow one phase at a time…",
                cancellable=True,
            ),
            "Ctrl+F5",
        )
        self.act_cancel_run = self._action("Cancel run", self.cancel_run, "Shift+F5")
        self.act_impact = self._action(
            "Impact of the latest change…",
            lambda: self.regeneration.handle(None, always_ask=True),
            "Ctrl+Shift+I",
            tip="Analyse what your latest edit affects and choose how to regenerate",
        )

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        for action in (self.act_open, self.act_sample, self.act_welcome):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.act_save, self.act_save_all, self.act_close_tab):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.act_settings)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = menus.addMenu("&Edit")
        for action in (self.act_undo, self.act_redo):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        for action in (self.act_find, self.act_replace):
            edit_menu.addAction(action)
        self.view_menu = menus.addMenu("&View")
        for action in (self.act_preview, self.act_theme):
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        for action in (self.act_next_tab, self.act_prev_tab):
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        for dock, key in (
            (self.explorer_dock, "Ctrl+1"),
            (self.history_dock, "Ctrl+2"),
            (self.log_dock, "Ctrl+3"),
        ):
            toggle = dock.toggleViewAction()
            toggle.setShortcut(QKeySequence(key))
            self.view_menu.addAction(toggle)
        run_menu = menus.addMenu("&Run")
        run_menu.addAction(self.act_run)
        run_menu.addAction(self.act_run_sequential)
        run_menu.addAction(self.act_cancel_run)
        run_menu.addSeparator()
        run_menu.addAction(self.act_impact)

        toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        for action in (self.act_open, self.act_save):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for action in (self.act_undo, self.act_redo, self.act_find):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for action in (self.act_preview, self.act_theme, self.act_run, self.act_settings):
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def set_run_view(self, widget: QWidget, title: str = "Run") -> QDockWidget:
        """Show ``widget`` (the live run visualizer) in a dock along the bottom of the window,
        with a View-menu entry (Ctrl+4). Calling it again replaces the widget.

        The view scrolls inside the dock rather than forcing the window to its own minimum
        size, so a small screen still fits the editor beside it.
        """
        scroller = QScrollArea()
        scroller.setObjectName("runViewScroller")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(widget)
        if self.run_dock is None:
            self.run_dock = self._dock(title, "runViewDock", scroller)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.run_dock)
            self.resizeDocks([self.run_dock], [self.height() * 11 // 20], Qt.Orientation.Vertical)
            toggle = self.run_dock.toggleViewAction()
            toggle.setShortcut(QKeySequence("Ctrl+4"))
            self.view_menu.addAction(toggle)
            self.layout_store.sync()
            state = self.layout_store.value("window/state")
            if state is not None:
                self.restoreDockWidget(self.run_dock)
        else:
            self.run_dock.setWindowTitle(title)
            old = self.run_dock.widget()
            self.run_dock.setWidget(scroller)
            if old is not None:
                old.deleteLater()
        self.run_dock.show()
        self.run_dock.raise_()
        return self.run_dock

    # --- pages ----------------------------------------------------------------------------

    def show_welcome(self) -> None:
        """Show the welcome screen (no project open)."""
        self.welcome.set_recent(self.settings.recent_projects)
        self.pages.setCurrentWidget(self.welcome)
        for dock in (self.explorer_dock, self.history_dock, self.log_dock):
            dock.hide()
        self._update_actions()

    def _show_workspace(self) -> None:
        self.pages.setCurrentWidget(self.workspace)
        for dock in (self.explorer_dock, self.history_dock, self.log_dock):
            dock.show()
        self._update_workspace()

    def _update_workspace(self) -> None:
        self.workspace.setCurrentWidget(self.tabs if self.tabs.count() else self.empty_hint)
        self._update_actions()

    def _update_actions(self) -> None:
        has_project = self.service is not None
        tab = self.current_editor()
        for action in (self.act_undo, self.act_redo, self.act_find, self.act_replace):
            action.setEnabled(tab is not None)
        self.act_save.setEnabled(tab is not None)
        self.act_save_all.setEnabled(has_project)
        running = self.run_workspace is not None and self.run_workspace.running
        self.act_run.setEnabled(has_project and not running)
        self.act_run_sequential.setEnabled(has_project and not running)
        self.act_cancel_run.setEnabled(running)
        self.act_impact.setEnabled(has_project)
        self.act_close_tab.setEnabled(self.tabs.count() > 0)

    # --- tasks, progress and errors ---------------------------------------------------------

    def start(
        self,
        coro: Coroutine[Any, Any, Any],
        label: str = "",
        *,
        cancellable: bool = False,
    ) -> asyncio.Task[Any]:
        """Run ``coro`` as a task; if it takes over 300 ms, show ``label`` with progress."""
        task = spawn(coro)
        if label:
            self.track(task, label, cancellable=cancellable)
        return task

    def track(self, task: asyncio.Task[Any], label: str, *, cancellable: bool = False) -> None:
        """Show progress for ``task`` once it has run for 300 ms (with Cancel if allowed)."""
        self._busy_tasks.append((task, label, cancellable))
        QTimer.singleShot(BUSY_DELAY_MS, self, self._update_busy)
        self._busy_timer.start()

    def _update_busy(self) -> None:
        if self._closing:
            return
        self._busy_tasks = [entry for entry in self._busy_tasks if not entry[0].done()]
        if not self._busy_tasks:
            self._hide_busy()
            self._busy_timer.stop()
            return
        _task, label, cancellable = self._busy_tasks[-1]
        self.busy_label.setText(label)
        self.busy_label.show()
        self.busy_bar.show()
        self.busy_cancel.setVisible(cancellable)

    def busy_text(self) -> str:
        """The label of the long action shown in the status bar ('' when idle)."""
        return self.busy_label.text() if self.busy_label.isVisible() else ""

    def _hide_busy(self) -> None:
        self.busy_label.hide()
        self.busy_label.setText("")
        self.busy_bar.hide()
        self.busy_cancel.hide()

    def _cancel_busy(self) -> None:
        for task, _label, cancellable in self._busy_tasks:
            if cancellable and not task.done():
                task.cancel()
        self.notify("Cancelled.")

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
        if not self._closing:
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

    def _create_requested(self, name: str, folder: str, brief: str) -> None:
        if not folder:
            self.welcome.show_problem("Choose a folder for the project.")
            return
        self.start(self.create_project(Path(folder), brief, name), "Creating project…")

    async def create_project(self, folder: Path, brief: str, name: str = "") -> None:
        """Create a project from a brief and open it."""
        try:
            service = await asyncio.to_thread(
                create_project, folder, brief_text=brief, name=name or None
            )
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.welcome.show_problem(message)
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
            await self.run_workflow(auto_approve=True)

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
        self._restore_dock_state()
        await self.refresh_explorer()
        for name in self._saved_tabs():
            if name in service.spec.artifacts and service.paths.artifact(name).is_file():
                await self.open_artifact(name)
        await self.restore_backups()
        current = self.layout_store.value(self._project_key("current"))
        if isinstance(current, str):
            self.focus_tab(current)
        self._open_run_workspace(service)
        self.projectOpened.emit(str(service.paths.root))
        self._update_actions()

    async def close_project(self, *, keep_welcome_hidden: bool = False) -> bool:
        """Close the project (asking about unsaved edits); False when the user cancels."""
        if self.service is None:
            self.show_welcome()
            return True
        if not await self._settle_unsaved("Close the project"):
            return False
        self._save_layout()
        for index in reversed(range(self.tabs.count())):
            self._remove_tab(index)
        self._close_run_workspace()
        service, self.service = self.service, None
        self.backups = None
        await asyncio.to_thread(service.close)
        self.explorer.show_entries([])
        self.history.clear_history()
        self.setWindowTitle("spec_automation")
        if not keep_welcome_hidden:
            self.show_welcome()
        return True

    async def refresh_explorer(self) -> None:
        """Re-read every artifact's state."""
        if self.service is None:
            return
        entries = await asyncio.to_thread(artifact_states, self.service)
        self.explorer.show_entries(entries)

    async def restore_backups(self) -> int:
        """Reopen unsaved buffers left by a crash as unsaved tabs; returns how many."""
        if self.backups is None or self.service is None:
            return 0
        pending = await asyncio.to_thread(self.backups.pending)
        restored: list[str] = []
        for backup in pending:
            if backup.artifact not in self.service.spec.artifacts:
                continue
            tab = await self.open_artifact(backup.artifact)
            if tab is None or backup.text == tab.base_text:
                await asyncio.to_thread(self.backups.discard, backup.artifact)
                continue
            tab.restore_unsaved(backup.text)
            restored.append(backup.artifact)
        if restored:
            names = ", ".join(restored)
            self.notify(
                f"Restored unsaved edits to {names} from a session that did not end cleanly. "
                "Review and save them (Ctrl+S), or close the tab to discard them."
            )
        return len(restored)

    # --- tabs ------------------------------------------------------------------------------

    def editor_tabs(self) -> list[EditorTab]:
        """The open artifact tabs, left to right."""
        return [
            w for i in range(self.tabs.count()) if isinstance(w := self.tabs.widget(i), EditorTab)
        ]

    def tab_for(self, artifact: str) -> EditorTab | None:
        """The tab of an artifact, if open."""
        for tab in self.editor_tabs():
            if tab.artifact == artifact:
                return tab
        return None

    def current_editor(self) -> EditorTab | None:
        """The artifact tab in front, if the front tab is one."""
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, EditorTab) else None

    def focus_tab(self, artifact: str) -> bool:
        """Bring an artifact's tab to the front."""
        tab = self.tab_for(artifact)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)
        return tab is not None

    async def open_artifact(self, name: str) -> EditorTab | None:
        """Open an artifact in a tab (or bring its tab to the front)."""
        existing = self.tab_for(name)
        if existing is not None:
            self.tabs.setCurrentWidget(existing)
            return existing
        service = self.service
        if service is None:
            return None
        path = service.paths.artifact(name)
        if not path.is_file():
            self.notify(f"{name} has not been generated yet: run the workflow first (F5).")
            return None
        text = await asyncio.to_thread(service.read_artifact, name)
        if self.service is not service:
            return None
        again = self.tab_for(name)  # opened by another task while the file was read
        if again is not None:
            return again
        tab = EditorTab(
            name,
            path,
            text,
            autosave_interval_s=self.settings.autosave_interval_s,
            confirm_link=lambda url: self.prompter.confirm_link(self, url),
        )
        tab.set_theme(self.theme)
        tab.set_preview_visible(self.act_preview.isChecked())
        tab.dirtyChanged.connect(lambda _dirty, t=tab: self._update_tab_title(t))
        tab.backupDue.connect(lambda t=tab: self.start(self.back_up(t)))
        index = self._add_tab(tab, name)
        self.tabs.setTabToolTip(index, str(path))
        self.watcher.addPath(str(path))
        self._update_workspace()
        return tab

    def _add_tab(self, widget: QWidget, title: str) -> int:
        """Add a tab in front, with a themed close button."""
        index = self.tabs.addTab(widget, title)
        close = QToolButton()
        close.setObjectName("tabClose")
        close.setText("×")
        close.setToolTip("Close tab (Ctrl+W)")
        close.setAutoRaise(True)
        close.clicked.connect(lambda: self._close_tab_requested(self.tabs.indexOf(widget)))
        self.tabs.tabBar().setTabButton(index, QTabBar.ButtonPosition.RightSide, close)
        self.tabs.setCurrentIndex(index)
        return index

    def _update_tab_title(self, tab: EditorTab) -> None:
        index = self.tabs.indexOf(tab)
        if index >= 0:
            self.tabs.setTabText(index, f"● {tab.artifact}" if tab.dirty else tab.artifact)
        self._update_actions()

    def _close_current_tab(self) -> None:
        if self.tabs.currentIndex() >= 0:
            self._close_tab_requested(self.tabs.currentIndex())

    def _close_tab_requested(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if isinstance(widget, EditorTab) and widget.dirty:
            answer = self.prompter.question(
                self,
                "Unsaved changes",
                f"{widget.artifact} has unsaved changes.",
                ("Save", "Discard", "Cancel"),
            )
            if answer == "Cancel":
                return
            if answer == "Save":
                self.start(self._save_and_close(widget))
                return
            if self.backups is not None:
                self.backups.discard(widget.artifact)
        self._remove_tab(index)

    async def _save_and_close(self, tab: EditorTab) -> None:
        if await self.save_tab(tab):
            index = self.tabs.indexOf(tab)
            if index >= 0:
                self._remove_tab(index)

    def _remove_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        self.tabs.removeTab(index)
        if isinstance(widget, EditorTab):
            widget.shutdown()
            self.watcher.removePath(str(widget.path))
        if widget is not None:
            widget.deleteLater()
        self._update_workspace()

    def _step_tab(self, step: int) -> None:
        count = self.tabs.count()
        if count:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def _current_tab_changed(self, _index: int) -> None:
        self._update_actions()
        tab = self.current_editor()
        if tab is not None:
            self.start(self.load_history(tab.artifact))

    def _editor_call(self, name: str) -> None:
        tab = self.current_editor()
        if tab is not None:
            getattr(tab.editor, name)()

    def _tab_call(self, what: str) -> None:
        tab = self.current_editor()
        if tab is not None:
            tab.show_find(replace=what == "replace")

    # --- saving, backups and the disk ------------------------------------------------------

    async def save_current(self) -> bool:
        """Save the artifact in front (Ctrl+S)."""
        tab = self.current_editor()
        return await self.save_tab(tab) if tab is not None else False

    async def save_all(self) -> bool:
        """Save every modified artifact; False if one could not be saved."""
        ok = True
        for tab in self.editor_tabs():
            if tab.dirty:
                ok = await self.save_tab(tab) and ok
        return ok

    async def save_tab(self, tab: EditorTab) -> bool:
        """Save through the service, which writes the file atomically and records the
        version and the change; the history and the explorer show them."""
        service = self.service
        if service is None:
            return False
        text = tab.text()
        try:
            result = await asyncio.to_thread(service.save_artifact, tab.artifact, text)
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.notify(f"{tab.artifact} was not saved: {message}", error=True)
            return False
        tab.mark_saved(text)
        if self.backups is not None:
            await asyncio.to_thread(self.backups.discard, tab.artifact)
        change = result.change
        if change is None:
            summary = "no change from the stored version"
        else:
            sections = ", ".join(s.name for s in change.sections) or "formatting only"
            summary = f"change recorded: {sections}; impact {change.impact_level}"
        self.notify(f"Saved {tab.artifact} as version {result.version.version} ({summary}).")
        await self.refresh_explorer()
        if self.current_editor() is tab:
            await self.load_history(tab.artifact)
        if change is not None:
            self.regeneration.handle(change)
        return True

    async def back_up(self, tab: EditorTab) -> None:
        """Write the tab's unsaved buffer to the backups folder."""
        if self.backups is None or self.tab_for(tab.artifact) is not tab or not tab.dirty:
            return  # closed (or saved) before the backup's turn came
        await asyncio.to_thread(self.backups.write, tab.artifact, tab.text(), tab.base_hash)

    def _file_changed(self, path: str) -> None:
        for tab in self.editor_tabs():
            if str(tab.path) == path:
                self.start(self.check_on_disk(tab))

    def _application_state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.start(self.check_files_on_disk())

    async def check_files_on_disk(self) -> None:
        """Look for edits made outside the app to every open artifact, then record every
        artifact file that differs from the store as a change."""
        for tab in self.editor_tabs():
            await self.check_on_disk(tab, record=False)
        await self.record_outside_changes()

    async def record_outside_changes(self) -> None:
        """Record artifact files edited outside the app as changes and hand each one to the
        regeneration flow (which asks what to regenerate)."""
        service = self.service
        if service is None:
            return
        report = await asyncio.to_thread(service.scan)
        if self.service is not service:
            return
        for change in report.changes:
            self.regeneration.handle(change)
        if report.changes:
            await self.refresh_explorer()

    async def check_on_disk(self, tab: EditorTab, *, record: bool = True) -> None:
        """If the file changed on disk: reload an unmodified tab, ask about a modified one;
        a reloaded edit is recorded as a change (``record``)."""
        path = tab.path
        # An atomic rename replaces the watched file: watch the new one.
        if path.is_file() and str(path) not in self.watcher.files():
            self.watcher.addPath(str(path))
        base, dirty = tab.base_hash, tab.dirty
        try:
            disk = await asyncio.to_thread(path.read_text, encoding="utf-8")
        except FileNotFoundError:
            self.notify(f"{tab.artifact} was removed from disk; your text is still open here.")
            return
        if content_hash(disk) == tab.base_hash or self.tab_for(tab.artifact) is not tab:
            return
        if (tab.base_hash, tab.dirty) != (base, dirty) or disk == tab.text():
            # Saved (or edited) while the file was read, or the file holds the very text of
            # the tab (a save of it is finishing): nothing to reload, nothing to ask about.
            return
        if not tab.dirty:
            tab.reload(disk)
            self.notify(f"{tab.artifact} changed on disk and was reloaded.")
            if record:
                await self.record_outside_changes()
            await self.refresh_explorer()
            return
        answer = await ask_later(
            lambda: self.prompter.question(
                self,
                "Changed on disk",
                f"{tab.artifact} was changed outside the app while you have unsaved edits.",
                ("Reload from disk", "Keep my edits"),
            )
        )
        if answer == "Reload from disk":
            tab.reload(disk)
            if self.backups is not None:
                await asyncio.to_thread(self.backups.discard, tab.artifact)
            self.notify(f"{tab.artifact} reloaded from disk; your unsaved edits were dropped.")
            if record:
                await self.record_outside_changes()
        else:
            # The disk version becomes the base, so the same change is not asked about twice.
            tab.base_text = disk
            tab.base_hash = content_hash(disk)
            self.notify(f"Kept your edits to {tab.artifact}; saving will replace the disk version.")

    # --- history and diffs -----------------------------------------------------------------

    async def load_history(self, artifact: str) -> None:
        """Show an artifact's versions and changes in the history panel."""
        if self.service is None:
            return
        data = await asyncio.to_thread(history_data, self.service, artifact)
        current = self.current_editor()
        if current is None or current.artifact == artifact:
            self.history.show_history(data)

    async def refresh_history(self) -> None:
        """Re-read the history of the artifact in front (after a regeneration or rollback)."""
        tab = self.current_editor()
        if tab is not None:
            await self.load_history(tab.artifact)

    async def compare_versions(self, old_id: int, new_id: int) -> DiffViewer | None:
        """Open a diff of two stored versions."""
        if self.service is None or self.history.data is None:
            return None
        artifact = self.history.data.artifact
        old = await asyncio.to_thread(self.service.version_content, old_id)
        new = await asyncio.to_thread(self.service.version_content, new_id)
        labels = {v.id: f"v{v.version}" for v in self.history.data.versions}
        old_label, new_label = labels.get(old_id, "older"), labels.get(new_id, "newer")
        return await self.show_diff(artifact, old, new, old_label, new_label)

    async def compare_with_editor(self, version_id: int) -> DiffViewer | None:
        """Open a diff of a stored version against the editor's buffer."""
        if self.service is None or self.history.data is None:
            return None
        artifact = self.history.data.artifact
        tab = self.tab_for(artifact)
        old = await asyncio.to_thread(self.service.version_content, version_id)
        labels = {v.id: f"v{v.version}" for v in self.history.data.versions}
        buffer = (
            tab.text()
            if tab is not None
            else await asyncio.to_thread(self.service.read_artifact, artifact)
        )
        return await self.show_diff(
            artifact, old, buffer, labels.get(version_id, "stored"), "editor"
        )

    async def show_diff(
        self, artifact: str, old: str, new: str, old_label: str, new_label: str
    ) -> DiffViewer:
        """Open a diff viewer tab comparing two texts (computed in a worker thread)."""
        viewer = DiffViewer(artifact)
        viewer.set_theme(self.theme)
        self._add_tab(viewer, f"{artifact}: {old_label} ↔ {new_label}")
        self._update_workspace()
        await viewer.compare(old, new, f"{artifact} {old_label}", f"{artifact} {new_label}")
        return viewer

    # --- running the workflow --------------------------------------------------------------

    def _open_run_workspace(self, service: ProjectService) -> None:
        workspace = RunWorkspace(
            service,
            self.settings,
            open_artifact=lambda name: self.start(self.open_artifact(name)),
        )
        workspace.bridge.event.connect(self._on_engine_event)
        workspace.run_completed.connect(self._run_completed)
        self.run_workspace = workspace
        self.set_run_view(workspace)
        if workspace.offer_resume():
            self.notify("The last run did not finish: resume it from the Run panel (Ctrl+4).")
        else:
            self.history_dock.raise_()

    def _close_run_workspace(self) -> None:
        workspace, self.run_workspace = self.run_workspace, None
        if workspace is None:
            return
        workspace.close_workspace()
        if self.run_dock is not None:
            placeholder = QLabel("Open a project to run its workflow.")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            old = self.run_dock.widget()
            self.run_dock.setWidget(placeholder)
            self.run_dock.hide()
            if old is not None:
                old.deleteLater()
        else:
            workspace.deleteLater()

    def _show_run_view(self) -> None:
        if self.run_dock is not None:
            self.run_dock.show()
            self.run_dock.raise_()

    async def run_workflow(
        self, *, auto_approve: bool = False, mode: RunMode = RunMode.PARALLEL
    ) -> None:
        """Run the workflow with the settings' options, live in the Run panel; cancellable."""
        workspace = self.run_workspace
        if workspace is None:
            return
        task = workspace.start_run(mode=mode, auto_approve=auto_approve)
        if task is None:
            self.notify("A run is already going; cancel it first (Shift+F5).")
            return
        self._show_run_view()
        self._update_actions()
        try:
            await task
        finally:
            self._update_actions()

    def cancel_run(self) -> None:
        """Cancel the running workflow (it can be resumed later)."""
        if self.run_workspace is not None:
            self.run_workspace.cancel_run()

    def _run_completed(self, outcome: str, failures: dict[str, str]) -> None:
        label = {
            "completed": "The run completed",
            "partial": "The run finished with failures",
            "failed": "The run failed",
            "cancelled": "The run was cancelled; resume it from the Run panel",
        }.get(outcome, f"The run ended: {outcome}")
        details = "; ".join(f"{phase}: {error}" for phase, error in failures.items())
        self.notify(f"{label}." + (f" {details}" if details else ""), error=bool(failures))
        self._update_actions()
        self.start(self.refresh_explorer())
        tab = self.current_editor()
        if tab is not None:
            self.start(self.load_history(tab.artifact))

    def _on_engine_event(self, event: ev.EngineEvent) -> None:
        line = ""
        match event:
            case ev.PhaseStarted(phase=phase, wave=wave):
                line = f"{phase} started (wave {wave})"
            case ev.PhaseSucceeded(phase=phase, duration_s=duration, cached=cached):
                line = f"{phase} {'reused from the cache' if cached else 'done'} in {duration:.1f}s"
            case ev.PhaseFailed(phase=phase, error=error):
                line = f"{phase} failed: {error}"
            case ev.GateWaiting(gate=gate, phase=phase):
                line = f"gate {gate} waits for your approval of {phase}"
                self._show_run_view()
                self.notify(
                    f"{phase} is done and waits for your approval ({gate}): "
                    "Approve or Reject in the Run panel."
                )
        if line:
            self.log_view.appendPlainText(f"{datetime.now():%H:%M:%S}  {line}")

    # --- settings and themes ---------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        """Open the settings dialog (window-modal, non-blocking)."""
        dialog = SettingsDialog(self.settings, self)
        dialog.settingsSaved.connect(self.apply_settings)
        dialog.open()
        return dialog

    def apply_settings(self, settings: AppSettings) -> None:
        """Use new settings at once: theme, autosave interval, run options."""
        theme_changed = settings.theme != self.theme.name
        self.settings = settings
        for tab in self.editor_tabs():
            tab.set_autosave_interval(settings.autosave_interval_s)
        if self.run_workspace is not None:
            self.run_workspace.apply_settings(settings)
        if theme_changed:
            self.set_theme(settings.theme)
        self.notify("Settings saved.")

    def set_theme(self, name: str) -> None:
        """Switch the theme live."""
        self.theme = apply_theme(name)
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if isinstance(widget, EditorTab | DiffViewer):
                widget.set_theme(self.theme)
        self.explorer.set_theme(self.theme)

    def toggle_theme(self) -> None:
        """Dark to light and back; remembered in the settings."""
        name = "light" if self.theme.name == "dark" else "dark"
        self.set_theme(name)
        self.settings = dataclasses.replace(self.settings, theme=name)
        self.start(asyncio.to_thread(save_settings, self.settings))

    def toggle_preview(self) -> None:
        """Show or hide the preview pane of every tab."""
        visible = self.act_preview.isChecked()
        for tab in self.editor_tabs():
            tab.set_preview_visible(visible)

    def _open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, "Open a spec_automation project")
        if folder:
            self.start(self.open_project(Path(folder)), "Opening the project…")

    # --- layout and quitting ---------------------------------------------------------------

    def _project_key(self, name: str) -> str:
        root = str(self.service.paths.root) if self.service is not None else ""
        digest = hashlib.sha256(root.encode("utf-8")).hexdigest()[:16]
        return f"projects/{digest}/{name}"

    def _saved_tabs(self) -> list[str]:
        value = self.layout_store.value(self._project_key("tabs"))
        if isinstance(value, str):
            return [value] if value else []
        return [str(v) for v in value] if isinstance(value, list) else []

    def _save_layout(self) -> None:
        self.layout_store.setValue("window/geometry", self.saveGeometry())
        if self.service is not None:
            self.layout_store.setValue("window/state", self.saveState())
            tabs = [tab.artifact for tab in self.editor_tabs()]
            self.layout_store.setValue(self._project_key("tabs"), tabs)
            current = self.current_editor()
            self.layout_store.setValue(
                self._project_key("current"), current.artifact if current else ""
            )
        self.layout_store.sync()

    def _restore_layout(self) -> None:
        geometry = self.layout_store.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)

    def _restore_dock_state(self) -> None:
        """Put the docks back where they were (once per window, when a project opens)."""
        if self._dock_state_restored:
            return
        self._dock_state_restored = True
        state = self.layout_store.value("window/state")
        if state is not None:
            self.restoreState(state)

    async def _settle_unsaved(self, what: str) -> bool:
        """Ask what to do with unsaved edits; False when the user cancels."""
        dirty = [tab for tab in self.editor_tabs() if tab.dirty]
        if not dirty:
            return True
        names = ", ".join(tab.artifact for tab in dirty)
        answer = await ask_later(
            lambda: self.prompter.question(
                self, what, f"Unsaved changes to {names}.", ("Save all", "Discard", "Cancel")
            )
        )
        if answer == "Cancel":
            return False
        if answer == "Save all":
            return await self.save_all()
        if self.backups is not None:
            for tab in dirty:
                await asyncio.to_thread(self.backups.discard, tab.artifact)
            for tab in dirty:
                tab.editor.document().setModified(False)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask about unsaved changes, keep the layout, close the project."""
        if self._closing:
            event.accept()
            return
        dirty = [tab for tab in self.editor_tabs() if tab.dirty]
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
        if await self.save_all():
            self._finish_close()
            self.close()

    def shutdown(self) -> None:
        """Close without asking (unsaved buffers keep their backups): for embedding code and
        tests that need the window gone."""
        self._finish_close()
        self.close()

    def _finish_close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if self.regeneration.dialog is not None:
            self.regeneration.dialog.reject()  # the change stays recorded
        self._save_layout()
        for tab in self.editor_tabs():
            tab.shutdown()
        if self.watcher.files():
            self.watcher.removePaths(self.watcher.files())
        self._close_run_workspace()
        if self.service is not None:
            self.service.close()
            self.service = None
        self._busy_timer.stop()
        set_error_sink(None)
        self.closed.emit()
