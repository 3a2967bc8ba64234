"""Keeping the window true to the disk: files edited outside the app while they are open,
or while the app was in the background."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, Qt
from PySide6.QtWidgets import QApplication

from spec_automation.core.artifacts import content_hash
from spec_automation.ui.dialogs import ask_later
from spec_automation.ui.editor import EditorTab
from spec_automation.ui.window_part import WindowPart

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["DiskSync"]


class DiskSync(WindowPart):
    """Watches open artifacts' files, and looks at every file when the app comes back to the
    front: an untouched tab reloads, a tab with unsaved edits asks, and an edit made outside
    is recorded as a change and handed to the regeneration flow."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._file_changed)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.applicationStateChanged.connect(self._application_state_changed)

    def watch(self, path: Path) -> None:
        """Watch a file shown in a tab."""
        self.watcher.addPath(str(path))

    def unwatch(self, path: Path) -> None:
        """Stop watching a file."""
        self.watcher.removePath(str(path))

    def stop(self) -> None:
        """Stop watching everything (the window is closing)."""
        if self.watcher.files():
            self.watcher.removePaths(self.watcher.files())

    def _file_changed(self, path: str) -> None:
        for tab in self.window.editors.editor_tabs():
            if str(tab.path) == path:
                self.window.start(self.check_on_disk(tab))

    def _application_state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive and not self.window.closing:
            self.window.start(self.check_files_on_disk())

    async def check_files_on_disk(self) -> None:
        """Look for edits made outside the app to every open artifact, then record every
        artifact file that differs from the store as a change."""
        for tab in self.window.editors.editor_tabs():
            await self.check_on_disk(tab, record=False)
        await self.record_outside_changes()

    async def record_outside_changes(self) -> None:
        """Record artifact files edited outside the app as changes and hand each one to the
        regeneration flow (which asks what to regenerate)."""
        window = self.window
        service = window.service
        if service is None:
            return
        report = await asyncio.to_thread(service.scan)
        if window.service is not service:
            return
        for change in report.changes:
            window.regeneration.handle(change)
        if report.changes:
            await window.refresh_explorer()

    async def check_on_disk(self, tab: EditorTab, *, record: bool = True) -> None:
        """If the file changed on disk: reload an unmodified tab, ask about a modified one;
        a reloaded edit is recorded as a change (``record``)."""
        window = self.window
        path = tab.path
        # An atomic rename replaces the watched file: watch the new one.
        if path.is_file() and str(path) not in self.watcher.files():
            self.watcher.addPath(str(path))
        base, dirty = tab.base_hash, tab.dirty
        try:
            disk = await asyncio.to_thread(path.read_text, encoding="utf-8")
        except FileNotFoundError:
            window.notify(f"{tab.artifact} was removed from disk; your text is still open here.")
            return
        if content_hash(disk) == tab.base_hash or window.editors.tab_for(tab.artifact) is not tab:
            return
        if (tab.base_hash, tab.dirty) != (base, dirty) or disk == tab.text():
            # Saved (or edited) while the file was read, or the file holds the very text of
            # the tab (a save of it is finishing): nothing to reload, nothing to ask about.
            return
        if not tab.dirty:
            tab.reload(disk)
            window.notify(f"{tab.artifact} changed on disk and was reloaded.")
            # While a run or regeneration goes, the files it writes are its own: it records
            # them, so they are not taken for edits made outside the app.
            record = record and not window.runs.running
            if record:
                await self.record_outside_changes()
            await window.refresh_explorer()
            await window.history_area.refresh_history()  # the edit is a version now
            return
        answer = await ask_later(
            lambda: window.prompter.question(
                window,
                "Changed on disk",
                f"{tab.artifact} was changed outside the app while you have unsaved edits.",
                ("Reload from disk", "Keep my edits"),
            )
        )
        if answer == "Reload from disk":
            tab.reload(disk)
            if window.backups is not None:
                await asyncio.to_thread(window.backups.discard, tab.artifact)
            window.notify(f"{tab.artifact} reloaded from disk; your unsaved edits were dropped.")
            if record:
                await self.record_outside_changes()
            await window.history_area.refresh_history()
        else:
            # The disk version becomes the base, so the same change is not asked about twice.
            tab.base_text = disk
            tab.base_hash = content_hash(disk)
            window.notify(
                f"Kept your edits to {tab.artifact}; saving will replace the disk version."
            )
