"""Where the window and its docks were, and which tabs each project had open: kept in an ini
file in the user's configuration folder and restored at the next start."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDockWidget

from spec_automation.ui.window_part import WindowPart

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["WindowLayout"]


class WindowLayout(WindowPart):
    """Saves and restores the window's geometry, dock state and each project's tabs."""

    def __init__(self, window: MainWindow, file: Path) -> None:
        super().__init__(window)
        self.store = QSettings(str(file), QSettings.Format.IniFormat)
        self._dock_state_restored = False

    def _project_key(self, name: str) -> str:
        service = self.window.service
        root = str(service.paths.root) if service is not None else ""
        digest = hashlib.sha256(root.encode("utf-8")).hexdigest()[:16]
        return f"projects/{digest}/{name}"

    def saved_tabs(self) -> list[str]:
        """The artifacts the open project had in tabs last time, left to right."""
        return _names(self.store.value(self._project_key("tabs")))

    def saved_current(self) -> str | None:
        """The artifact that was in front last time."""
        current = self.store.value(self._project_key("current"))
        return current if isinstance(current, str) and current else None

    def save(self) -> None:
        """Keep the geometry, the docks and the open project's tabs."""
        window = self.window
        self.store.setValue("window/geometry", window.saveGeometry())
        if window.service is not None:
            self.store.setValue("window/state", window.saveState())
            # The docks a narrow window moved into the left column, to move back when wider.
            self.store.setValue("window/moved_left", window.narrow_docks.moved)
            tabs = [tab.artifact for tab in window.editors.editor_tabs()]
            self.store.setValue(self._project_key("tabs"), tabs)
            current = window.editors.current_editor()
            self.store.setValue(self._project_key("current"), current.artifact if current else "")
        self.store.sync()

    def restore_geometry(self) -> None:
        """Put the window back where it was (1440×900 the first time)."""
        geometry = self.store.value("window/geometry")
        if geometry is not None:
            self.window.restoreGeometry(geometry)
        else:
            self.window.resize(1440, 900)

    def restore_dock_state(self) -> None:
        """Put the docks back where they were (once per window, when a project opens)."""
        if self._dock_state_restored:
            return
        self._dock_state_restored = True
        state = self.store.value("window/state")
        if state is not None:
            self.window.restoreState(state)
            self.window.narrow_docks.resume(_names(self.store.value("window/moved_left")))
        else:
            self.window.narrow_docks.fit()

    def restore_dock(self, dock: QDockWidget) -> None:
        """Put a dock made after the others (the Run dock) back where it was."""
        self.store.sync()
        if self.store.value("window/state") is not None:
            self.window.restoreDockWidget(dock)


def _names(value: object) -> list[str]:
    """A list of names as QSettings gives it back (one name comes back as a string)."""
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value] if isinstance(value, list) else []
