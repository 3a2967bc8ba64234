"""The app's event loop: work woken by qasync's last event pass still sees a running loop, and
closing it leaves no Qt timer behind."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
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


# A loop closed with a Qt timer still registered (a cancelled ``call_later``), then freed by
# Python's cycle collector on a worker thread, as happens when a worker thread's allocation
# triggers the collection; then Qt delivers the timer. It runs in a child process because the
# failure is a segfault, not an exception.
_CLOSED_LOOP_FREED_ON_A_WORKER = """
import asyncio, gc, os, sys, threading, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
import qasync
from spec_automation.ui.event_loop import EventLoop

app = QApplication([])
gc.disable()
loop = {loop_class}(app)

async def main():
    loop.call_later(0.2, print).cancel()

loop.run_until_complete(main())
loop.close()
del loop
collection = threading.Thread(target=gc.collect)
collection.start()
collection.join()
time.sleep(0.3)
app.processEvents()
print("alive")
"""


def _close_then_collect_on_a_worker(loop_class: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _CLOSED_LOOP_FREED_ON_A_WORKER.format(loop_class=loop_class)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_plain_qasync_closed_and_freed_on_a_worker_thread_crashes_the_process() -> None:
    # The root cause of the suite's segfaults, so this test notices when qasync fixes it.
    done = _close_then_collect_on_a_worker("qasync.QEventLoop")
    assert "Timers cannot be stopped from another thread" in done.stderr
    assert done.returncode == -signal.SIGSEGV


def test_the_apps_loop_closed_and_freed_on_a_worker_thread_leaves_no_timer_behind() -> None:
    done = _close_then_collect_on_a_worker("EventLoop")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "alive"
    assert "Timers cannot be stopped" not in done.stderr


def test_a_closed_loop_says_so_when_asked_to_schedule(qapp: Any) -> None:
    loop = EventLoop(qapp)
    loop.close()
    with pytest.raises(RuntimeError, match="Event loop is closed"):
        loop.call_later(1.0, print)
