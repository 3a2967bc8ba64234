"""Starting the desktop app: the Qt application, the qasync loop, error reporting, the window.

``spec-automation`` with no arguments calls :func:`run_gui`, which opens the project given, or
the most recent one that still exists, or the welcome screen.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from spec_automation.settings import load_settings
from spec_automation.ui import collector
from spec_automation.ui.errors import ErrorReporter
from spec_automation.ui.event_loop import EventLoop

__all__ = ["application", "last_project", "run_gui"]


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
    # The qasync loop ends when the main window says it closed; closing a dialog last must
    # not quit the application under it.
    app.setQuitOnLastWindowClosed(False)
    return app


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
        loop.call_soon(lambda: window.start(window.open_project(target), "Opening project…"))
    try:
        with loop:
            return loop.run_until_complete(finished)
    finally:
        reporter.uninstall()
