"""The editor area of the main window: artifact tabs, saving, and unsaved-text backups.

Every save goes through the service facade in a worker thread; the tab only shows what the
service stored. Unsaved buffers are backed up while the user types and offered back after a
crash.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabBar, QTabWidget, QToolButton, QWidget

from spec_automation.ui.dialogs import ask_later
from spec_automation.ui.diffviewer import DiffViewer
from spec_automation.ui.editor import EditorTab
from spec_automation.ui.errors import user_message
from spec_automation.ui.theme import Theme

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["EditorArea"]


class EditorArea(QObject):
    """The tabs of open artifacts (and diffs), with the actions that act on them."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
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
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_hint)
        self.stack.addWidget(self.tabs)
        self._register_actions()

    def _register_actions(self) -> None:
        actions, start = self.window.commands, self.window.start
        std = QKeySequence.StandardKey
        actions.add("save", "Save", lambda: start(self.save_current()), std.Save)
        actions.add("save_all", "Save all", lambda: start(self.save_all()), "Ctrl+Shift+S")
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
        """Open an artifact in a tab (or bring its tab to the front)."""
        existing = self.tab_for(name)
        if existing is not None:
            self.tabs.setCurrentWidget(existing)
            return existing
        window = self.window
        service = window.service
        if service is None:
            return None
        path = service.paths.artifact(name)
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
        tab.backupDue.connect(lambda t=tab: window.start(self.back_up(t)))
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
            if isinstance(widget, EditorTab | DiffViewer):
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
                window.start(self._save_and_close(widget))
                return
            if window.backups is not None:
                window.backups.discard(widget.artifact)
        self.remove_tab(index)

    async def _save_and_close(self, tab: EditorTab) -> None:
        if await self.save_tab(tab):
            index = self.tabs.indexOf(tab)
            if index >= 0:
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

    def _editor_call(self, name: str) -> None:
        tab = self.current_editor()
        if tab is not None:
            getattr(tab.editor, name)()

    def _find(self, *, replace: bool) -> None:
        tab = self.current_editor()
        if tab is not None:
            tab.show_find(replace=replace)

    # --- saving and backups ----------------------------------------------------------------

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
        window = self.window
        service = window.service
        if service is None:
            return False
        text = tab.text()
        try:
            result = await asyncio.to_thread(service.save_artifact, tab.artifact, text)
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            window.notify(f"{tab.artifact} was not saved: {message}", error=True)
            return False
        tab.mark_saved(text)
        if window.backups is not None:
            await asyncio.to_thread(window.backups.discard, tab.artifact)
        change = result.change
        if change is None:
            summary = "no change from the stored version"
        else:
            sections = ", ".join(s.name for s in change.sections) or "formatting only"
            summary = f"change recorded: {sections}; impact {change.impact_level}"
        window.notify(f"Saved {tab.artifact} as version {result.version.version} ({summary}).")
        await window.refresh_explorer()
        if self.current_editor() is tab:
            await window.history_area.load_history(tab.artifact)
        if change is not None:
            window.regeneration.handle(change)
        return True

    async def back_up(self, tab: EditorTab) -> None:
        """Write the tab's unsaved buffer to the backups folder."""
        backups = self.window.backups
        if backups is None or self.tab_for(tab.artifact) is not tab or not tab.dirty:
            return  # closed (or saved) before the backup's turn came
        await asyncio.to_thread(backups.write, tab.artifact, tab.text(), tab.base_hash)

    async def restore_backups(self) -> int:
        """Reopen unsaved buffers left by a crash as unsaved tabs; returns how many."""
        window = self.window
        backups, service = window.backups, window.service
        if backups is None or service is None:
            return 0
        pending = await asyncio.to_thread(backups.pending)
        restored: list[str] = []
        for backup in pending:
            if backup.artifact not in service.spec.artifacts:
                continue
            tab = await self.open_artifact(backup.artifact)
            if tab is None or backup.text == tab.base_text:
                await asyncio.to_thread(backups.discard, backup.artifact)
                continue
            tab.restore_unsaved(backup.text)
            restored.append(backup.artifact)
        if restored:
            names = ", ".join(restored)
            window.notify(
                f"Restored unsaved edits to {names} from a session that did not end cleanly. "
                "Review and save them (Ctrl+S), or close the tab to discard them."
            )
        return len(restored)

    async def settle_unsaved(self, what: str) -> bool:
        """Ask what to do with unsaved edits; False when the user cancels."""
        dirty = [tab for tab in self.editor_tabs() if tab.dirty]
        if not dirty:
            return True
        window = self.window
        names = ", ".join(tab.artifact for tab in dirty)
        answer = await ask_later(
            lambda: window.prompter.question(
                window, what, f"Unsaved changes to {names}.", ("Save all", "Discard", "Cancel")
            )
        )
        if answer == "Cancel":
            return False
        if answer == "Save all":
            return await self.save_all()
        if window.backups is not None:
            for tab in dirty:
                await asyncio.to_thread(window.backups.discard, tab.artifact)
            for tab in dirty:
                tab.editor.document().setModified(False)
        return True
