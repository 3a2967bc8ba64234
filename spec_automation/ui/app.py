"""Starting the desktop app: the Qt application, the qasync loop, error reporting, the window.

``spec-automation`` with no arguments calls :func:`run_gui`, which opens the project given, or
the most recent one that still exists, or the welcome screen.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from spec_automation.settings import load_settings
from spec_automation.ui import collector
from spec_automation.ui.about import app_icon
from spec_automation.ui.errors import ErrorReporter
from spec_automation.ui.event_loop import EventLoop

__all__ = ["after_first_paint", "application", "last_project", "run_gui"]


def application() -> QApplication:
    """The one QApplication (created on first use), with Python's cycle collection moved to
    its thread (see :mod:`spec_automation.ui.collector`)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        collector.install(app)
        return app
    app = QApplication(sys.argv[:1])
    collector.install(app)
    app.setApplicationName("spec_automation")
    app.setApplicationDisplayName("spec_automation")
    app.setOrganizationName("spec_automation")
    app.setWindowIcon(app_icon())
    # Wayland compositors find the icon and the name through the installed desktop entry.
    app.setDesktopFileName("spec-automation")
    # The qasync loop ends when the main window says it closed; closing a dialog last must
    # not quit the application under it.
    app.setQuitOnLastWindowClosed(False)
    return app


class _FirstPaint(QObject):
    """Calls ``then`` once, from the event loop, after ``widget`` is first painted (or after
    ``fallback_ms`` if it is not painted by then: a window that starts minimized)."""

    def __init__(self, widget: QWidget, then: Callable[[], object], fallback_ms: int) -> None:
        super().__init__(widget)
        self._then: Callable[[], object] | None = then
        widget.installEventFilter(self)
        QTimer.singleShot(fallback_ms, self, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self._run)
        return False

    def _run(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            then()


def after_first_paint(
    widget: QWidget, then: Callable[[], object], *, fallback_ms: int = 1000
) -> None:
    """Run ``then`` once ``widget`` has been painted for the first time."""
    _FirstPaint(widget, then, fallback_ms)


def last_project(recent: tuple[str, ...]) -> Path | None:
    """The most recent project folder that still holds a project."""
    for folder in recent:
        path = Path(folder)
        if (path / ".spec_automation" / "state.db").is_file():
            return path
    return None


def run_gui(project: Path | None = None) -> int:
    """Open the main window on a qasync loop and run until it is closed; the exit status."""
    from spec_automation.ui.mainwindow import MainWindow  # the window's modules load with it

    app = application()
    loaded = load_settings()
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(loaded.settings)
    reporter = ErrorReporter(window.report_unexpected)
    window.reporter = reporter
    reporter.install(loop)
    finished: asyncio.Future[int] = loop.create_future()
    window.closed.connect(lambda: finished.done() or finished.set_result(0))
    window.show()
    if loaded.problem:
        window.notify(f"Settings could not be read: {loaded.problem}", error=True)
    target = project or last_project(loaded.settings.recent_projects)
    if target is not None:
        # The window shows at once; the project opens once it has been painted.
        after_first_paint(
            window, lambda: window.start(window.open_project(target), "Opening project…")
        )
    try:
        with loop:
            return loop.run_until_complete(finished)
    finally:
        reporter.uninstall()
