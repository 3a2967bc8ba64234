"""The app's icon and Help ▸ About: what a user sees there, and what Copy puts on the clipboard."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication, QImage

from spec_automation import __version__
from spec_automation.ui.about import AboutDialog, app_icon
from tests.helpers.gui import run, until

pytestmark = pytest.mark.gui


def _colours(image: QImage) -> set[int]:
    return {
        image.pixel(x, y) for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
    }


def test_the_icon_draws_from_its_svg(qapp) -> None:
    pixmap = app_icon().pixmap(64, 64)
    assert not pixmap.isNull()
    assert pixmap.width() == 64
    assert len(_colours(pixmap.toImage())) > 4  # drawn, not one flat colour


def test_the_main_window_carries_the_icon(make_window) -> None:
    window = make_window()
    assert not window.windowIcon().isNull()
    assert window.windowIcon().cacheKey() != 0


def test_the_about_box_shows_version_qt_python_and_the_folders(qtbot, app_dirs: Path) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    shown = {label: value.text() for label, value in dialog.values.items()}
    assert shown["Version"] == __version__
    assert shown["Qt"].startswith(qVersion())
    assert shown["Python"].startswith(platform.python_version())
    assert shown["Settings"] == str(app_dirs / "config")
    assert shown["Data"] == str(app_dirs / "data")
    assert shown["Logs"] == str(app_dirs / "data" / "logs")
    assert (Path(shown["Installed in"]) / "__init__.py").is_file()  # the package, from source
    assert not dialog.icon_label.pixmap().isNull()
    assert dialog.windowTitle() == "About spec_automation"


def test_copy_puts_the_details_on_the_clipboard(qtbot, app_dirs: Path) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[0] == "spec_automation: "
    assert f"Version: {__version__}" in copied
    assert f"Data: {app_dirs / 'data'}" in copied


def test_help_about_opens_the_about_box(make_window, loop) -> None:
    window = make_window()
    help_menu = next(
        action.menu() for action in window.menuBar().actions() if action.text() == "&Help"
    )
    about = next(action for action in help_menu.actions() if action.objectName() == "action_about")
    about.trigger()
    run(loop, until(lambda: window.findChild(AboutDialog, "aboutDialog") is not None))
    dialog = window.findChild(AboutDialog, "aboutDialog")
    assert dialog.isVisible()
    assert dialog.values["Version"].text() == __version__
    dialog.reject()
