"""Fixtures for the visualizer's GUI tests: a qasync loop, the sample project, a workspace.

Async tests here run on a qasync loop given to pytest-asyncio through its
``pytest_asyncio_loop_factories`` hook (the working pattern of NOTES-TOOLCHAIN.md). They wait
with ``asyncio.sleep`` and awaited tasks only: never ``qtbot.wait*`` (which breaks qasync and
hangs teardown).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from spec_automation.resources import sample_brief_path
from spec_automation.services import ProjectService, create_project
from spec_automation.settings import AppSettings
from spec_automation.ui.visualizer import RunWorkspace
from tests.helpers.gui import stepped_loop
from tests.helpers.runners import ScriptedOfflineRunner

#: The sample's critical path (250 s of estimates) runs in about a second.
LATENCY_SCALE = 0.004


def _qasync_loop() -> asyncio.AbstractEventLoop:
    from spec_automation.ui.app import application

    return stepped_loop(application())


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Every async test in this folder runs on a qasync loop over the one QApplication."""
    return {"qasync": _qasync_loop}


@pytest.fixture(autouse=True)
def _own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPEC_AUTOMATION_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SPEC_AUTOMATION_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def settings() -> AppSettings:
    """Offline provider at a small latency scale, four phases at once."""
    return AppSettings(latency_scale=LATENCY_SCALE, concurrency=4)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[ProjectService]:
    """A new project from the bundled sample brief, without the implementation stage (as
    ``init --sample --no-code`` makes it): the run view's tests need no gates to run."""
    brief = sample_brief_path().read_text(encoding="utf-8")
    service = create_project(tmp_path / "sample", brief_text=brief, code=False)
    yield service
    service.close()


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> ScriptedOfflineRunner:
    """The runner every run of the test goes through; set ``runner.fail`` to fail phases."""
    scripted = ScriptedOfflineRunner(latency_scale=LATENCY_SCALE)
    monkeypatch.setattr(ProjectService, "_phase_runner", lambda self, options: scripted)
    return scripted


@pytest.fixture
def feedback() -> list[str]:
    """What the reject dialog answers (first item), replacing the dialog."""
    return ["Use PostgreSQL for the appointment store"]


@pytest.fixture
def workspace(
    qtbot: Any, project: ProjectService, settings: AppSettings, feedback: list[str]
) -> RunWorkspace:
    """The visualizer on the sample project, shown offscreen (qtbot closes it)."""
    opened: list[str] = []
    widget = RunWorkspace(
        project,
        settings,
        open_artifact=opened.append,
        ask_feedback=lambda gate, phase: feedback[0] if feedback else None,
    )
    widget.opened = opened  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    return widget


async def until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Wait on the running loop until ``condition()`` holds (fail after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the visualizer")
        await asyncio.sleep(0.01)


async def approve_when_asked(workspace: RunWorkspace) -> None:
    """Click Approve on the banner as soon as the gate waits."""
    await until(
        lambda: workspace.approval_banner.isVisible() and workspace.waiting_gate is not None
    )
    workspace.approval_banner.approve_button.click()
