"""The history side of the main window: the panel of an artifact's versions and changes,
and the diffs opened from it (or the review of a regeneration's changes)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtWidgets import QWidget

from spec_automation.services import RegenerationReport
from spec_automation.ui.change_review import ChangeReview, ReviewedArtifact
from spec_automation.ui.diffviewer import DiffViewer
from spec_automation.ui.history import HistoryPanel, history_data
from spec_automation.ui.tasks import LatestReading
from spec_automation.ui.window_part import WindowPart

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["HistoryArea"]


class HistoryArea(WindowPart):
    """Owns the history panel (``panel``) and opens diff tabs in the editor area."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.panel = HistoryPanel()
        self._reading = LatestReading()
        self.panel.compareVersions.connect(
            lambda old, new: window.start(self.compare_versions(old, new), "Comparing…")
        )
        self.panel.compareWithEditor.connect(
            lambda version: window.start(self.compare_with_editor(version), "Comparing…")
        )

    async def load_history(self, artifact: str) -> None:
        """Show an artifact's versions and changes in the history panel."""
        service = self.window.service
        if service is None:
            return
        ticket = self._reading.start()
        data = await asyncio.to_thread(history_data, service, artifact)
        current = self.window.editors.current_editor()
        if (current is None or current.artifact == artifact) and self._reading.is_latest(ticket):
            self.panel.show_history(data)

    async def refresh_history(self) -> None:
        """Re-read the history of the artifact in front (after a regeneration or rollback)."""
        tab = self.window.editors.current_editor()
        if tab is not None:
            await self.load_history(tab.artifact)

    async def compare_versions(self, old_id: int, new_id: int) -> DiffViewer | None:
        """Open a diff of two stored versions."""
        service, data = self.window.service, self.panel.data
        if service is None or data is None:
            return None
        old = await asyncio.to_thread(service.version_content, old_id)
        new = await asyncio.to_thread(service.version_content, new_id)
        labels = {v.id: f"v{v.version}" for v in data.versions}
        old_label, new_label = labels.get(old_id, "older"), labels.get(new_id, "newer")
        return await self.show_diff(data.artifact, old, new, old_label, new_label)

    async def compare_with_editor(self, version_id: int) -> DiffViewer | None:
        """Open a diff of a stored version against the editor's buffer."""
        service, data = self.window.service, self.panel.data
        if service is None or data is None:
            return None
        artifact = data.artifact
        tab = self.window.editors.tab_for(artifact)
        old = await asyncio.to_thread(service.version_content, version_id)
        labels = {v.id: f"v{v.version}" for v in data.versions}
        buffer = (
            tab.text()
            if tab is not None
            else await asyncio.to_thread(service.read_artifact, artifact)
        )
        return await self.show_diff(
            artifact, old, buffer, labels.get(version_id, "stored"), "editor"
        )

    async def show_diff(
        self, artifact: str, old: str, new: str, old_label: str, new_label: str
    ) -> DiffViewer:
        """Open a diff viewer tab comparing two texts (computed in a worker thread)."""
        editors = self.window.editors
        viewer = DiffViewer(artifact)
        viewer.set_theme(self.window.theme)
        editors.add_tab(viewer, f"{artifact}: {old_label} ↔ {new_label}")
        editors.update_page()
        await viewer.compare(old, new, f"{artifact} {old_label}", f"{artifact} {new_label}")
        return viewer

    def show_review(
        self, report: RegenerationReport, items: list[ReviewedArtifact]
    ) -> ChangeReview:
        """Open the review of a regeneration's changes in a tab, on its first changed
        artifact, with the focus in its list of artifacts."""
        editors = self.window.editors
        review = ChangeReview(report, items, self.window.theme)
        editors.add_tab(review, f"Changes of regeneration #{report.run_id}")
        editors.update_page()
        review.start()
        review.setFocus()
        return review

    def focus(self, widget: QWidget) -> bool:
        """Bring a tab opened here to the front (False when it has been closed)."""
        tabs = self.window.editors.tabs
        if not shiboken6.isValid(widget) or tabs.indexOf(widget) < 0:
            return False
        tabs.setCurrentWidget(widget)
        widget.setFocus()
        return True
