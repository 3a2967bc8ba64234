"""Rendering the main views to PNG offscreen (``spec-automation screenshots DIR``).

A throwaway sample project is created and run with the offline provider, one artifact is edited
and saved (so there are two versions to compare), and the welcome screen, the main window with
the artifact and its preview, the diff viewer and the settings dialog are captured in both
themes, and so is the impact journey (see ``impact_screenshots``). On a copy of the sample with
the four sample documents imported (the PRD with one acceptance criterion left out, so there
is a finding to show), the explorer's Inputs group with the document inspector's overview
(``inputs``) and the inspector's extracted requirements (``document``) are captured too, and
on a copy with a small code folder checked twice by the quality gates (clean, then with a lint
error, a type error and a failing test) the quality gates panel with the type error open in
its code view (``quality``). The user's own settings, backups and window layout are never
touched: everything lives in a temporary folder for the duration.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spec_automation.services import ProjectService

__all__ = ["SHOTS", "render_screenshots"]

SHOTS = (
    "welcome",
    "main",
    "small",
    "small-run",
    "diff",
    "settings",
    "inputs",
    "document",
    "quality",
)
#: The default window size (a first start opens at it).
_SIZE = (1440, 900)
#: The smallest window size the app is laid out for.
_SMALL = (1024, 700)
_ARTIFACT = "prd.md"


@contextmanager
def _private_folders(root: Path) -> Iterator[None]:
    names = ("SPEC_AUTOMATION_CONFIG_DIR", "SPEC_AUTOMATION_DATA_DIR")
    saved = {name: os.environ.get(name) for name in names}
    os.environ["SPEC_AUTOMATION_CONFIG_DIR"] = str(root / "config")
    os.environ["SPEC_AUTOMATION_DATA_DIR"] = str(root / "data")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def render_screenshots(folder: Path) -> list[Path]:
    """Write ``app-<view>-<theme>.png`` for every view and theme into ``folder``, then the
    wave visualizer's ``visualizer-*.png``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before the QApplication exists
    # Qt is loaded only once the platform is chosen.
    from spec_automation.ui.app import application
    from spec_automation.ui.event_loop import EventLoop

    folder.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="spec-automation-shots-") as tmp,
        _private_folders(Path(tmp)),
    ):
        app = application()
        loop = EventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            with loop:
                return loop.run_until_complete(_render(folder.resolve(), Path(tmp)))
        finally:
            asyncio.set_event_loop(None)


async def _prepare_project(root: Path) -> Path:
    from spec_automation.ui.impact_screenshots import generate_sample

    return await generate_sample(root / "shiftcare", _edit_personas)


def _edit_personas(service: ProjectService) -> None:
    """A user's edit of the shown artifact, so its history has a change to show."""
    text = service.read_artifact(_ARTIFACT)
    edited = text.replace(
        "## Personas",
        "## Personas\n\nEvery persona below was confirmed in the clinic interviews.",
        1,
    ).replace("in minutes", "in under ten minutes", 1)
    service.save_artifact(_ARTIFACT, edited)


def _import_documents(folder: Path, root: Path) -> None:
    """Import the sample documents into the project in ``folder`` (run in a thread)."""
    from spec_automation.resources import sample_brief_path
    from spec_automation.services import open_project

    documents = sample_brief_path().parent / "documents"
    prd = (documents / "prd.md").read_text(encoding="utf-8")
    with_finding = root / "prd.md"
    with_finding.write_text(
        prd.replace(
            "  - Balances update as soon as a leave request is approved or cancelled.\n", "", 1
        ),
        encoding="utf-8",
    )
    others = [documents / f"{n}.md" for n in ("functional-spec", "technical-spec")]
    service = open_project(folder)
    try:
        service.documents.import_files(others)
        service.documents.import_files([with_finding])
        service.documents.import_files([documents / "sprint-change-proposal.md"])
    finally:
        service.close()


_HOURS = '''\
"""Hours worked per shift."""

from __future__ import annotations


def shift_hours(start: int, end: int) -> int:
    """Hours between two whole-hour marks on a 24-hour clock."""
    return (end - start) % 24


def label(hours: int) -> str:
    """How a number of hours is shown."""
    return f"{hours} h"
'''
_HOURS_TESTS = '''\
"""Tests of the hours worked."""

from shiftcare_hours.hours import shift_hours


def test_a_day_shift() -> None:
    assert shift_hours(8, 16) == 8


def test_a_night_shift_crosses_midnight() -> None:
    assert shift_hours(22, 6) == 8
'''


def _write_code(code: Path, *, broken: bool) -> None:
    """A small package and its tests; ``broken``: an unused import, a str returned as an int
    and a test that expects the wrong hours."""
    (code / "shiftcare_hours").mkdir(parents=True, exist_ok=True)
    (code / "tests").mkdir(exist_ok=True)
    (code / "shiftcare_hours" / "__init__.py").write_text('"""Hours."""\n', encoding="utf-8")
    hours, tests = _HOURS, _HOURS_TESTS
    if broken:
        hours = hours.replace("annotations\n", "annotations\n\nimport os\n", 1)
        hours = hours.replace("def label(hours: int) -> str:", "def label(hours: int) -> int:")
        tests = tests.replace("shift_hours(22, 6) == 8", "shift_hours(22, 6) == 9")
    (code / "shiftcare_hours" / "hours.py").write_text(hours, encoding="utf-8")
    (code / "tests" / "test_hours.py").write_text(tests, encoding="utf-8")


async def _prepare_quality(project: Path, root: Path) -> Path:
    """A copy of the sample whose code folder the gates checked twice: clean, then broken."""
    from spec_automation.services import open_project

    target = root / "shiftcare-quality"
    await asyncio.to_thread(shutil.copytree, project, target)
    service = await asyncio.to_thread(open_project, target)
    try:
        for broken in (False, True):
            await asyncio.to_thread(_write_code, target / "code", broken=broken)
            await service.quality.run()
    finally:
        await asyncio.to_thread(service.close)
    return target


async def _show_quality(window: object, project: Path) -> None:
    """The quality gates panel in front, tall, with the type error open in the code view."""
    from PySide6.QtCore import Qt

    from spec_automation.ui.mainwindow import MainWindow

    assert isinstance(window, MainWindow)
    await window.open_project(project)
    area = window.quality
    area.show()
    window.resizeDocks([area.dock], [window.height() * 3 // 5], Qt.Orientation.Vertical)
    await area.refresh()
    panel = area.panel
    target = next(
        (item for item in panel.finding_items() if item.text(1) == "reportReturnType"), None
    )
    if target is not None:
        panel.results.setCurrentItem(target)
        panel.results.scrollToItem(target)
    await area.open_finding("shiftcare_hours/hours.py", 15)
    await asyncio.sleep(0.3)


async def _render(folder: Path, root: Path) -> list[Path]:
    from spec_automation.settings import AppSettings
    from spec_automation.ui.impact_screenshots import prepare_impact_project, render_impact_shots
    from spec_automation.ui.mainwindow import MainWindow

    project = await _prepare_project(root)
    impact_template = await prepare_impact_project(root)
    documents_project = root / "shiftcare-documents"
    await asyncio.to_thread(shutil.copytree, project, documents_project)
    await asyncio.to_thread(_import_documents, documents_project, root)
    quality_project = await _prepare_quality(project, root)
    written: list[Path] = []

    def save(widget: object, name: str) -> None:
        target = folder / name
        widget.grab().save(str(target))  # type: ignore[attr-defined]
        written.append(target)

    for theme in ("dark", "light"):
        settings = AppSettings(theme=theme, recent_projects=(str(project),))
        window = MainWindow(settings, layout_file=root / f"layout-{theme}.ini")
        window.resize(*_SIZE)
        window.show()
        await asyncio.sleep(0.2)
        save(window, f"app-welcome-{theme}.png")

        await window.open_project(project)
        tab = await window.editors.open_artifact(_ARTIFACT)
        await asyncio.sleep(0.8)  # preview and outline render after a short debounce
        if tab is not None:
            tab.go_to_heading("Personas")
            tab.editor.verticalScrollBar().setValue(14)  # the title, past the front matter
        await window.history_area.load_history(_ARTIFACT)
        await asyncio.sleep(0.2)
        save(window, f"app-main-{theme}.png")

        # The smallest window the app is made for: 1024 x 700, the editor and the run page.
        window.resize(*_SMALL)
        await asyncio.sleep(0.4)
        save(window, f"app-small-{theme}.png")
        window.commands["run_page"].trigger()
        await asyncio.sleep(0.4)
        save(window, f"app-small-run-{theme}.png")
        window.commands["run_page"].trigger()
        window.resize(*_SIZE)
        await asyncio.sleep(0.3)

        ids = window.history.version_ids()
        if len(ids) >= 2:
            # The diff opens on its first change below the front matter: the added paragraph.
            await window.history_area.compare_versions(ids[1], ids[0])
            await asyncio.sleep(0.3)
            save(window, f"app-diff-{theme}.png")

        dialog = window.appearance.open_settings()
        await asyncio.sleep(0.2)
        save(dialog, f"app-settings-{theme}.png")
        dialog.reject()

        await window.open_project(documents_project)
        await window.editors.open_artifact(_ARTIFACT)
        inspector = await window.documents.show_document(_ARTIFACT)
        await asyncio.sleep(0.3)
        save(window, f"app-inputs-{theme}.png")
        if inspector is not None:
            inspector.tabs.setCurrentWidget(inspector.extracted_page)
        await asyncio.sleep(0.2)
        save(window, f"app-document-{theme}.png")

        await _show_quality(window, quality_project)
        save(window, f"app-quality-{theme}.png")
        window.close()
        window.deleteLater()
        await asyncio.sleep(0.05)
        written += await render_impact_shots(folder, root, impact_template, theme, _SIZE)

    from spec_automation.ui.visualizer.screenshots import capture_screenshots

    written += await capture_screenshots(folder)
    return written
