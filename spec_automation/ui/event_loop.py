"""The asyncio event loop of the desktop app: qasync's, with two quirks fixed."""

from __future__ import annotations

import asyncio
from typing import Any

import qasync
import shiboken6

__all__ = ["EventLoop"]


class EventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """The qasync loop, with two quirks fixed.

    1. qasync's ``run_until_complete`` handles Qt's pending events once more after the loop
       has stopped, with no asyncio loop marked as running: a task woken then (a worker-thread
       call that just finished, a timer that came due) fails with "no running event loop".
       That pass happens when the app quits, and after every step of a test that drives the
       loop in steps; here it sees the loop as running, as every other pass does.
    2. qasync schedules every callback as a Qt timer on one helper object and, when the loop
       closes, only marks that object stopped: a timer still pending (a cancelled
       ``call_later``, the deadline of an ``asyncio.wait_for`` that finished early) stays
       registered with Qt. The helper is part of a reference cycle, so Python's cycle
       collector frees it later, on whichever thread happens to allocate: freed on a worker
       thread, Qt cannot unregister the timers ("Timers cannot be stopped from another
       thread") and the next one to come due is delivered to freed memory, a segfault.
       Closing this loop destroys its Qt helpers at once, on the thread that closes it.
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

    def close(self) -> None:
        """Release the loop and destroy its Qt objects now, on this thread (see the class)."""
        if self.is_closed():
            return
        super().close()
        for helper in (self._timer, getattr(self, "_QEventLoop__call_soon_signaller", None)):
            if helper is not None and shiboken6.isValid(helper):
                shiboken6.delete(helper)  # unregisters its pending Qt timers

    def _add_callback(self, handle: asyncio.Handle, delay: float = 0) -> asyncio.Handle:
        # qasync schedules on a closed loop without a word; asyncio says it is closed.
        self._check_closed()
        return super()._add_callback(handle, delay)
