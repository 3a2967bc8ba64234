"""Documentation screenshots of the visualizer: before, during and after a run of the sample.

"During" is the moment the tasks are written one epic at a time (the fan-out), several of
their parts running side by side.

``render_screenshots(directory)`` runs the bundled sample with the offline provider in a
temporary project and saves ``visualizer-*.png`` (dark theme, plus the light theme's run and
metrics). The app's ``screenshots`` command can call it; so can a developer.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QSplitter

from spec_automation.settings import AppSettings
from spec_automation.ui.visualizer.palette import theme_palette
from spec_automation.ui.visualizer.run_state import NodeState, PhaseView
from spec_automation.ui.visualizer.standalone import (
    VisualizerWindow,
    application,
    open_or_create,
    run_on_qt_loop,
)

__all__ = ["capture_screenshots", "render_screenshots"]

_SCALE = 0.03  # the sample's critical path (176 s of estimates) runs in about 5.3 s
_SIZE = (1440, 1160)
_SPLIT = (560, 480)  # graph, timeline


def render_screenshots(directory: Path) -> list[Path]:
    """Write the screenshots into ``directory`` and return their paths (needs no running loop)."""
    application()
    return run_on_qt_loop(capture_screenshots(directory))


async def capture_screenshots(directory: Path) -> list[Path]:
    """Write the screenshots on the running qasync loop and return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # The desktop app's screenshots leave its last theme's style sheet on the application,
    # which would paint the dark pictures light: these follow the palette alone, as the
    # visualizer's own window does.
    style_sheet = app.styleSheet()
    app.setStyleSheet("")
    try:
        saved = await _capture(directory, dark=True, suffix="")
        saved += await _capture(directory, dark=False, suffix="-light", short=True)
    finally:
        app.setStyleSheet(style_sheet)
        app.setPalette(theme_palette(dark=True))
    return saved


async def _capture(directory: Path, *, dark: bool, suffix: str, short: bool = False) -> list[Path]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setPalette(theme_palette(dark=dark))
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="visualizer-shots-") as tmp:
        project = open_or_create(Path(tmp) / "clinic-scheduling", sample=True)
        settings = AppSettings(
            latency_scale=_SCALE, concurrency=4, theme="dark" if dark else "light"
        )
        window = VisualizerWindow(project, settings)
        window.resize(*_SIZE)
        workspace = window.workspace
        try:
            window.show()
            # Room for the graph at a readable scale and for every row of the timeline.
            splitter = workspace.findChild(QSplitter)
            if splitter is not None:
                splitter.setSizes(list(_SPLIT))
            await asyncio.sleep(0.2)
            workspace.view.fit()

            def shot(name: str) -> None:
                path = directory / f"visualizer-{name}{suffix}.png"
                window.grab().save(str(path))
                saved.append(path)

            if not short:
                shot("before")
            task = workspace.start_run()
            assert task is not None
            await _until(lambda: workspace.waiting_gate is not None)
            if not short:
                shot("approval")
            workspace.approval_banner.approve()
            # Mid-run: the tasks written one epic at a time, some parts done, some running.
            state = workspace.tracker.state
            await _until(lambda: _fanned_out_halfway(state.phases["SOLUTIONING_TASKS"]))
            workspace.tracker.flush()  # the nodes show what the state holds now
            shot("mid-run")
            await task
            await asyncio.sleep(0.1)
            shot("after")
            if not short:
                second = workspace.start_run(everything=True)
                assert second is not None
                await _until(lambda: workspace.waiting_gate is not None)
                workspace.approval_banner.approve()
                await second
            workspace.tabs.setCurrentWidget(workspace.metrics_page)
            await asyncio.sleep(0.2)
            shot("metrics")
        finally:
            window.close()
            project.close()
    return saved


def _fanned_out_halfway(view: PhaseView) -> bool:
    """Some parts of the phase done and several running: a moment that shows the fan-out."""
    return view.parts_done >= 6 and len(view.parts_in(NodeState.RUNNING)) >= 3


async def _until(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screenshot run did not reach the expected state")
        await asyncio.sleep(0.02)
