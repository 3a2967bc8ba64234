"""File ▸ New project (Ctrl+N) and File ▸ Open recent: starting or reopening a project from any
screen, not only from the welcome page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu

from spec_automation.ui.window_part import WindowPart

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["ProjectMenu"]


class ProjectMenu(WindowPart):
    """Owns New project and the Open recent submenu (filled each time it opens)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        window.commands.add("new_project", "New project…", self.new_project, "Ctrl+N")
        self.recent = QMenu("Open &recent", window)
        self.recent.setObjectName("recentMenu")
        self.recent.aboutToShow.connect(self.fill_recent)

    def new_project(self) -> None:
        """Close the project (asking about unsaved edits) and start a new one on the welcome
        page, its name field ready for typing."""
        window = self.window

        async def go() -> None:
            if await window.close_project():
                window.welcome.name.setFocus()

        window.start(go())

    def fill_recent(self) -> list[str]:
        """List the recent projects, newest first (the folders still there); their paths."""
        window = self.window
        self.recent.clear()
        folders = [f for f in window.settings.recent_projects if Path(f).is_dir()]
        for folder in folders:
            action = self.recent.addAction(folder)
            action.triggered.connect(
                lambda _checked=False, f=folder: window.start(
                    window.open_project(Path(f)), "Opening the project…"
                )
            )
        if not folders:
            self.recent.addAction("No recent projects").setEnabled(False)
        return folders
