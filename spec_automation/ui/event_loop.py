"""The asyncio event loop of the desktop app: qasync's, with one quirk fixed."""

from __future__ import annotations

import asyncio
from typing import Any

import qasync

__all__ = ["EventLoop"]


class EventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """The qasync loop, with one quirk fixed.

    qasync's ``run_until_complete`` handles Qt's pending events once more after the loop has
    stopped, with no asyncio loop marked as running: a task woken then (a worker-thread call
    that just finished, a timer that came due) fails with "no running event loop". That pass
    happens when the app quits, and after every step of a test that drives the loop in steps;
    here it sees the loop as running, as every other pass does.
    """

    def _after_run_forever(self) -> None:
        super()._after_run_forever()
        asyncio.events._set_running_loop(self)

    def run_until_complete(self, future: Any) -> Any:
        """Run until ``future`` is done (see the class)."""
        try:
            return super().run_until_complete(future)
        finally:
            asyncio.events._set_running_loop(None)
