"""Settings and themes: the settings dialog, applying saved settings at once, switching the
theme live and showing or hiding the preview."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

from spec_automation.settings import AppSettings, save_settings
from spec_automation.ui.settings_dialog import SettingsDialog
from spec_automation.ui.theme import apply_theme
from spec_automation.ui.window_part import WindowPart

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["Appearance"]


class Appearance(WindowPart):
    """Owns the settings dialog, the theme and the preview toggle."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        actions = window.commands
        actions.add("settings", "Settings…", self.open_settings, "Ctrl+,")
        preview = actions.add(
            "preview", "Preview", self.toggle_preview, "Ctrl+Shift+V", checkable=True
        )
        preview.setChecked(True)
        actions.add("theme", "Toggle theme", self.toggle_theme, "Ctrl+Shift+T")

    def open_settings(self) -> SettingsDialog:
        """Open the settings dialog (window-modal, non-blocking)."""
        dialog = SettingsDialog(self.window.settings, self.window)
        dialog.settingsSaved.connect(self.apply_settings)
        dialog.open()
        return dialog

    def apply_settings(self, settings: AppSettings) -> None:
        """Use new settings at once: theme, autosave interval, run options."""
        window = self.window
        theme_changed = settings.theme != window.theme.name
        window.settings = settings
        for tab in window.editors.editor_tabs():
            tab.set_autosave_interval(settings.autosave_interval_s)
        if window.runs.workspace is not None:
            window.runs.workspace.apply_settings(settings)
        if theme_changed:
            self.set_theme(settings.theme)
        window.notify("Settings saved.")

    def set_theme(self, name: str) -> None:
        """Switch the theme live."""
        window = self.window
        window.theme = apply_theme(name)
        window.editors.set_theme(window.theme)
        window.explorer.set_theme(window.theme)

    def toggle_theme(self) -> None:
        """Dark to light and back; remembered in the settings."""
        window = self.window
        name = "light" if window.theme.name == "dark" else "dark"
        self.set_theme(name)
        window.settings = dataclasses.replace(window.settings, theme=name)
        window.start(asyncio.to_thread(save_settings, window.settings))

    def toggle_preview(self) -> None:
        """Show or hide the preview pane of every tab."""
        self.window.editors.set_preview_visible(self.window.commands["preview"].isChecked())
