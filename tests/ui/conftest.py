"""Fixtures for the desktop app's tests: a qasync loop, private folders, a sample project.

The pattern (see NOTES-TOOLCHAIN, "pytest-qt with qasync"): tests are plain sync functions;
anything that needs the event loop runs through ``run(loop, coro)``, which drives the qasync
loop until the coroutine finishes. Waiting is done with ``until`` (asyncio sleeps inside the
loop), never with ``qtbot.wait*``, which hangs under qasync.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from spec_automation.resources import sample_brief_path
from spec_automation.services import RunOptions, create_project
from spec_automation.settings import AppSettings
from tests.helpers.gui import ScriptedPrompter, stepped_loop
from tests.ui.prompting import ImportPrompter

SAMPLE_ARTIFACT = "prd.md"


@pytest.fixture
def app_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings, logs and backups in a temporary folder, never the user's home."""
    monkeypatch.setenv("SPEC_AUTOMATION_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SPEC_AUTOMATION_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


@pytest.fixture
def loop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the test's QApplication, closed (with its tasks) afterwards."""

    qapp.setQuitOnLastWindowClosed(False)  # as the app does: a closing dialog must not quit
    event_loop = stepped_loop(qapp)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    pending = [task for task in asyncio.all_tasks(event_loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        event_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    event_loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample, created and run once (offline, no delay) for the whole session."""
    folder = tmp_path_factory.mktemp("template") / "shiftcare"
    brief = sample_brief_path().read_text(encoding="utf-8")
    service = create_project(folder, brief_text=brief, name="ShiftCare")
    try:
        report = asyncio.run(service.run_workflow(RunOptions(latency_scale=0.0, auto_approve=True)))
        assert str(report.status) == "completed"
    finally:
        service.close()
    return folder


@pytest.fixture
def sample_project(sample_template: Path, tmp_path: Path) -> Path:
    """A private copy of the generated sample project."""
    target = tmp_path / "projects" / "shiftcare"
    shutil.copytree(sample_template, target)
    return target


@pytest.fixture
def prompter() -> ScriptedPrompter:
    """A prompter with no scripted answers (each question gets its last choice; a document
    imported on its own is imported only)."""
    return ImportPrompter()


@pytest.fixture
def make_window(
    app_dirs: Path, loop: asyncio.AbstractEventLoop, qtbot: Any, prompter: ScriptedPrompter
) -> Iterator[Callable[..., Any]]:
    """Build main windows with private settings and the scripted prompter."""
    from spec_automation.ui.mainwindow import MainWindow

    windows: list[MainWindow] = []

    def build(settings: AppSettings | None = None, **kwargs: Any) -> MainWindow:
        window = MainWindow(
            settings or AppSettings(autosave_interval_s=0.2),
            prompter=kwargs.pop("prompter", prompter),
            layout_file=app_dirs / "config" / "window.ini",
            **kwargs,
        )
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        windows.append(window)
        return window

    yield build
    for window in windows:
        window.shutdown()
