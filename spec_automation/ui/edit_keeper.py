"""Keeping what the user wrote: saving tabs through the service, backing up unsaved text
while they type, offering it back after a crash, and settling unsaved edits before closing.

Every save goes through the service facade in a worker thread; the tab only shows what the
service stored.
"""

from __future__ import annotations

import asyncio

from spec_automation.ui.dialogs import ask_later
from spec_automation.ui.editor import EditorTab
from spec_automation.ui.errors import or_said
from spec_automation.ui.window_part import WindowPart

__all__ = ["EditKeeper"]


class EditKeeper(WindowPart):
    """Saves, backs up and restores the text of the editor area's tabs."""

    async def save_current(self) -> bool:
        """Save the artifact in front (Ctrl+S)."""
        tab = self.window.editors.current_editor()
        return await self.save_tab(tab) if tab is not None else False

    async def save_all(self) -> bool:
        """Save every modified artifact; False if one could not be saved."""
        ok = True
        for tab in self.window.editors.editor_tabs():
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
        result = await or_said(
            asyncio.to_thread(service.save_artifact, tab.artifact, text),
            lambda message: window.notify(f"{tab.artifact} was not saved: {message}", error=True),
        )
        if result is None:
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
        if self.window.editors.current_editor() is tab:
            await window.history_area.load_history(tab.artifact)
        if change is not None:
            window.regeneration.handle(change)
        return True

    async def back_up(self, tab: EditorTab) -> None:
        """Write the tab's unsaved buffer to the backups folder."""
        backups = self.window.backups
        if backups is None or self.window.editors.tab_for(tab.artifact) is not tab or not tab.dirty:
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
            tab = await self.window.editors.open_artifact(backup.artifact)
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
        dirty = [tab for tab in self.window.editors.editor_tabs() if tab.dirty]
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

    async def save_and_close(self, tab: EditorTab) -> None:
        """Save a tab, then close it if the save worked."""
        if await self.save_tab(tab):
            index = self.window.editors.tabs.indexOf(tab)
            if index >= 0:
                self.window.editors.remove_tab(index)
