"""The editor area of the main window: the tabs of open artifacts and diffs, and the actions
that act on the tab in front (saving lives in ``edit_keeper``)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QTabBar, QTabWidget, QToolButton, QWidget

from spec_automation.ui.change_review import ChangeReview
from spec_automation.ui.diffviewer import DiffViewer
from spec_automation.ui.editor import EditorTab
from spec_automation.ui.page_stack import PageStack
from spec_automation.ui.theme import Theme
from spec_automation.ui.window_part import WindowPart

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["EditorArea"]


class EditorArea(WindowPart):
    """The tabs of open artifacts (and diffs), with the actions that act on them."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
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
        self.stack = PageStack()
        self.stack.addWidget(self.empty_hint)
        self.stack.addWidget(self.tabs)
        self._register_actions()

    def _register_actions(self) -> None:
        actions, start = self.window.commands, self.window.start
        std = QKeySequence.StandardKey
        edits = self.window.edits
        actions.add("save", "Save", lambda: start(edits.save_current()), std.Save)
        actions.add("save_all", "Save all", lambda: start(edits.save_all()), "Ctrl+Shift+S")
        actions.add("close_tab", "Close tab", self.close_current_tab, std.Close)
        actions.add("undo", "Undo", lambda: self._editor_call("undo"), std.Undo)
        actions.add("redo", "Redo", lambda: self._editor_call("redo"), std.Redo)
        actions.add("find", "Find…", lambda: self._find(replace=False), std.Find)
        actions.add("replace", "Replace…", lambda: self._find(replace=True), "Ctrl+H")
        actions.add("next_tab", "Next tab", lambda: self._step(1), ["Ctrl+Tab", "Ctrl+PgDown"])
        actions.add(
            "previous_tab", "Previous tab", lambda: self._step(-1), ["Ctrl+Shift+Tab", "Ctrl+PgUp"]
        )

    def update_actions(self) -> None:
        """Enable what acts on the tab in front."""
        actions, tab = self.window.commands, self.current_editor()
        for name in ("undo", "redo", "find", "replace", "save"):
            actions[name].setEnabled(tab is not None)
        actions["save_all"].setEnabled(self.window.service is not None)
        actions["close_tab"].setEnabled(self.tabs.count() > 0)

    def update_page(self) -> None:
        """Show the tabs, or the hint when none is open."""
        self.stack.setCurrentWidget(self.tabs if self.tabs.count() else self.empty_hint)
        self.window.update_actions()

    # --- tabs --------------------------------------------------------------------------

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
        """Open an artifact, the brief or the constitution in a tab (or bring its tab to the
        front): all are edited, saved and versioned alike."""
        existing = self.tab_for(name)
        if existing is not None:
            self.tabs.setCurrentWidget(existing)
            return existing
        window = self.window
        service = window.service
        if service is None:
            return None
        path = service.paths.tracked(name)
        if not path.is_file():
            window.notify(f"{name} has not been generated yet: run the workflow first (F5).")
            return None
        text = await asyncio.to_thread(service.read_artifact, name)
        if window.service is not service:
            return None
        again = self.tab_for(name)  # opened by another task while the file was read
        if again is not None:
            return again
        tab = EditorTab(
            name,
            path,
            text,
            autosave_interval_s=window.settings.autosave_interval_s,
            confirm_link=lambda url: window.prompter.confirm_link(window, url),
        )
        tab.set_theme(window.theme)
        tab.set_preview_visible(window.commands["preview"].isChecked())
        tab.dirtyChanged.connect(lambda _dirty, t=tab: self._update_tab_title(t))
        tab.backupDue.connect(lambda t=tab: window.start(window.edits.back_up(t)))
        index = self.add_tab(tab, name)
        self.tabs.setTabToolTip(index, str(path))
        window.disk.watch(path)
        self.update_page()
        return tab

    def add_tab(self, widget: QWidget, title: str) -> int:
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

    def close_current_tab(self) -> None:
        """Close the tab in front (asking about unsaved edits)."""
        if self.tabs.currentIndex() >= 0:
            self._close_tab_requested(self.tabs.currentIndex())

    def close_all(self) -> None:
        """Close every tab without asking (the caller settled unsaved edits)."""
        for index in reversed(range(self.tabs.count())):
            self.remove_tab(index)

    def remove_tab(self, index: int) -> None:
        """Remove a tab and let go of its file."""
        widget = self.tabs.widget(index)
        self.tabs.removeTab(index)
        if isinstance(widget, EditorTab):
            widget.shutdown()
            self.window.disk.unwatch(widget.path)
        if widget is not None:
            widget.deleteLater()
        self.update_page()

    def set_theme(self, theme: Theme) -> None:
        """Recolour every tab."""
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if isinstance(widget, EditorTab | DiffViewer | ChangeReview):
                widget.set_theme(theme)

    def set_preview_visible(self, visible: bool) -> None:
        """Show or hide the preview pane of every tab."""
        for tab in self.editor_tabs():
            tab.set_preview_visible(visible)

    def shutdown(self) -> None:
        """Stop every tab's timers (the window is closing)."""
        for tab in self.editor_tabs():
            tab.shutdown()

    def _update_tab_title(self, tab: EditorTab) -> None:
        index = self.tabs.indexOf(tab)
        if index >= 0:
            self.tabs.setTabText(index, f"● {tab.artifact}" if tab.dirty else tab.artifact)
        self.window.update_actions()

    def _close_tab_requested(self, index: int) -> None:
        widget = self.tabs.widget(index)
        window = self.window
        if isinstance(widget, EditorTab) and widget.dirty:
            answer = window.prompter.question(
                window,
                "Unsaved changes",
                f"{widget.artifact} has unsaved changes.",
                ("Save", "Discard", "Cancel"),
            )
            if answer == "Cancel":
                return
            if answer == "Save":
                window.start(window.edits.save_and_close(widget))
                return
            if window.backups is not None:
                window.backups.discard(widget.artifact)
        self.remove_tab(index)

    def _step(self, step: int) -> None:
        count = self.tabs.count()
        if count:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def _current_tab_changed(self, _index: int) -> None:
        self.window.update_actions()
        tab = self.current_editor()
        if tab is not None:
            self.window.start(self.window.history_area.load_history(tab.artifact))
        elif not any(isinstance(self.tabs.widget(i), EditorTab) for i in range(self.tabs.count())):
            self.window.history.clear_history()  # no artifact open any more

    def _editor_call(self, name: str) -> None:
        tab = self.current_editor()
        if tab is not None:
            getattr(tab.editor, name)()

    def _find(self, *, replace: bool) -> None:
        tab = self.current_editor()
        if tab is not None:
            tab.show_find(replace=replace)
