"""The app's event loop: work woken by qasync's last event pass still sees a running loop."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import qasync

from spec_automation.ui.event_loop import EventLoop

pytestmark = pytest.mark.gui


def _callback_woken_after_the_loop_stops(loop_class: type[Any], qapp: Any) -> list[object]:
    """What ``asyncio.get_running_loop()`` says in a callback that the completion of the
    awaited task schedules: it runs in the pass qasync makes after stopping."""
    loop = loop_class(qapp)
    seen: list[object] = []

    def check() -> None:
        try:
            seen.append(asyncio.get_running_loop() is loop)
        except RuntimeError as exc:
            seen.append(str(exc))

    async def work() -> int:
        return 1

    try:
        task = loop.create_task(work())
        task.add_done_callback(lambda _task: loop.call_soon(check))
        assert loop.run_until_complete(task) == 1
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return seen


def test_plain_qasync_runs_that_callback_with_no_running_loop(qapp: Any) -> None:
    # The quirk itself, so this test notices when a qasync release fixes it.
    assert _callback_woken_after_the_loop_stops(qasync.QEventLoop, qapp) == [
        "no running event loop"
    ]


def test_the_apps_loop_runs_it_with_the_loop_running(qapp: Any) -> None:
    assert _callback_woken_after_the_loop_stops(EventLoop, qapp) == [True]
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()  # and nothing is left marked as running afterwards
