"""A small window hosting ``RunWorkspace`` on a qasync loop, for development and screenshots.

``python -m spec_automation.ui.visualizer PROJECT_DIR`` opens a project (``--sample`` creates
it from the bundled sample brief first). The desktop app hosts the workspace in its own main
window; this one only exists so the visualizer can be used and checked on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QStyleFactory

from spec_automation.resources import sample_brief_path
from spec_automation.services import (
    ProjectError,
    ProjectService,
    SpecError,
    create_project,
    open_project,
)
from spec_automation.settings import AppSettings, load_settings
from spec_automation.ui import collector
from spec_automation.ui.event_loop import EventLoop
from spec_automation.ui.visualizer.palette import theme_palette
from spec_automation.ui.visualizer.run_workspace import RunWorkspace

__all__ = ["VisualizerWindow", "application", "main", "open_or_create", "run_on_qt_loop"]

_T = TypeVar("_T")


class VisualizerWindow(QMainWindow):
    """A main window around one ``RunWorkspace``."""

    def __init__(self, project: ProjectService, settings: AppSettings) -> None:
        super().__init__()
        self.setWindowTitle(f"{project.info.name} — wave visualizer")
        self.workspace = RunWorkspace(project, settings, parent=self)
        self.setCentralWidget(self.workspace)
        self.resize(1440, 920)
        # The window owns the keys: inside the desktop app, the main window's actions do.
        keys = (("F5", self.workspace.start_run), ("Shift+F5", self.workspace.cancel_run))
        for key, slot in keys:
            action = QAction(self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _checked=False, run=slot: run())
            self.addAction(action)

    def closeEvent(self, event: Any) -> None:
        """Cancel a run in progress and let go of the views."""
        self.workspace.close_workspace()
        super().closeEvent(event)


def application(theme: str = "dark") -> QApplication:
    """The running QApplication (made if needed) in the Fusion style and the chosen theme."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    collector.install(app)
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(theme_palette(dark=theme == "dark"))
    return app


def run_on_qt_loop(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion on a fresh qasync loop (nothing else may be running)."""
    app = application()
    with asyncio.Runner(loop_factory=lambda: EventLoop(app)) as runner:
        return runner.run(coroutine)


def open_or_create(folder: Path, *, sample: bool) -> ProjectService:
    """Open the project in ``folder``, creating it from the bundled sample if asked."""
    if sample and not (folder / ".spec_automation").exists():
        brief = sample_brief_path().read_text(encoding="utf-8")
        return create_project(folder, brief_text=brief)
    return open_project(folder)


def main(argv: list[str] | None = None) -> int:
    """Open the visualizer window on a project until it is closed."""
    parser = argparse.ArgumentParser(
        prog="python -m spec_automation.ui.visualizer", description=__doc__
    )
    parser.add_argument("project", type=Path, help="the project folder")
    parser.add_argument("--sample", action="store_true", help="create it from the sample brief")
    parser.add_argument("--theme", choices=("dark", "light"), default=None)
    args = parser.parse_args(argv)
    loaded = load_settings()
    settings = loaded.settings
    try:
        project = open_or_create(args.project, sample=args.sample)
    except (ProjectError, SpecError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    app = application(args.theme or settings.theme)

    async def show() -> None:
        window = VisualizerWindow(project, settings)
        closed = asyncio.Event()
        app.lastWindowClosed.connect(closed.set)
        window.show()
        window.workspace.view.fit()
        window.workspace.offer_resume()
        await closed.wait()

    try:
        run_on_qt_loop(show())
    finally:
        project.close()
    return 0
