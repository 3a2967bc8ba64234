"""The app's icon and Help ▸ About: the version, the Qt and Python it runs on, its folders.

The facts are what a bug report needs, so the dialog can copy them as plain text. The icon is
``resources/icons/spec-automation.svg``, found through :mod:`spec_automation.resources` in a
source checkout, an installed wheel and the PyInstaller bundle alike.
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from spec_automation import __version__
from spec_automation.resources import resource_path
from spec_automation.settings import config_dir, data_dir, log_dir

__all__ = ["AboutDialog", "about_facts", "app_icon", "show_about"]

_ICON_SIZE = 64


def app_icon() -> QIcon:
    """The application's icon (scalable, drawn from its SVG)."""
    return QIcon(str(resource_path("icons", "spec-automation.svg")))


def installed_at() -> str:
    """Where the running app lives: the bundle's folder, or the ``spec_automation`` package's."""
    if getattr(sys, "frozen", False):
        return str(Path(sys.executable).resolve().parent)
    return str(Path(__file__).resolve().parent.parent)


def about_facts() -> list[tuple[str, str]]:
    """What the About box shows, as (label, value) pairs in order."""
    return [
        ("Version", __version__),
        ("Qt", f"{qVersion()} (PySide6 {PySide6.__version__})"),
        ("Python", f"{platform.python_version()} ({platform.system()} {platform.machine()})"),
        ("Installed in", installed_at()),
        ("Settings", str(config_dir())),
        ("Data", str(data_dir())),
        ("Logs", str(log_dir())),
    ]


def facts_text(facts: list[tuple[str, str]]) -> str:
    """The facts as plain text, one ``label: value`` a line (for a bug report)."""
    return "\n".join(f"{label}: {value}" for label, value in [("spec_automation", ""), *facts])


class AboutDialog(QDialog):
    """Help ▸ About (objectName ``aboutDialog``): the icon, the version and the facts, each
    value selectable; *Copy* puts them all on the clipboard as text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About spec_automation")
        self.facts = about_facts()
        self.icon_label = QLabel()
        self.icon_label.setObjectName("aboutIcon")
        self.icon_label.setPixmap(app_icon().pixmap(_ICON_SIZE, _ICON_SIZE))
        title = QLabel(f"spec_automation {__version__}")
        title.setObjectName("aboutTitle")
        title.setProperty("role", "title")
        summary = QLabel(
            "Spec-driven development: from a project brief to an implementation-ready spec."
        )
        summary.setWordWrap(True)
        heading = QVBoxLayout()
        heading.addWidget(title)
        heading.addWidget(summary)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(heading, 1)

        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(8)
        self.values: dict[str, QLabel] = {}
        for label, value in self.facts:
            shown = QLabel(value)
            shown.setTextFormat(Qt.TextFormat.PlainText)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setWordWrap(True)
            self.values[label] = shown
            form.addRow(f"{label}:", shown)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy these details, for a bug report")
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 16)
        layout.setSpacing(16)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def copy(self) -> None:
        """Put the facts on the clipboard as plain text."""
        QGuiApplication.clipboard().setText(facts_text(self.facts))


def show_about(parent: QWidget) -> AboutDialog:
    """Open the About box over ``parent`` (window-modal, without blocking the event loop)."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
