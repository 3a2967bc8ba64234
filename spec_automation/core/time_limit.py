"""The time limit of one phase call, and the waits that do not count against it.

A phase may wait for something that is not its own work: another phase warming the prompt
cache with the prefix both send. That wait is excluded from the phase's time limit, so a hung
phase cannot make an independent one waiting on it time out. The engine applies the limit
around the call; the phase runner marks the wait, and reads what is left for the provider's
own deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

__all__ = ["TimeLimit"]


class TimeLimit:
    """``seconds`` of a phase's own work (None: no limit), started when it is made.

    Make it inside the running event loop. ``applied()`` raises ``TimeoutError`` in the
    block once the limit is spent; ``excluded()`` marks a wait the limit does not count.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._loop = asyncio.get_running_loop()
        self._started = self._loop.time()
        self._excluded_s = 0.0
        self._pausing = 0  # excluded waits in progress (nested ones count once)
        self._paused_at = 0.0
        self._timeout: asyncio.Timeout | None = None

    @property
    def excluded_s(self) -> float:
        """The seconds of waiting not counted so far."""
        return self._excluded_s

    def remaining(self) -> float | None:
        """Seconds of the limit left (None without a limit)."""
        if self.seconds is None:
            return None
        now = self._paused_at if self._pausing else self._loop.time()
        return self.seconds - (now - self._started - self._excluded_s)

    @contextlib.asynccontextmanager
    async def applied(self) -> AsyncIterator[None]:
        """Run the block within the limit (``TimeoutError`` when it is spent)."""
        remaining = self.remaining()
        deadline = None if remaining is None else self._loop.time() + remaining
        async with asyncio.timeout_at(deadline) as timeout:
            self._timeout = timeout
            try:
                yield
            finally:
                self._timeout = None

    @contextlib.asynccontextmanager
    async def excluded(self) -> AsyncIterator[None]:
        """A wait that is not the phase's own work: the limit stops while it lasts."""
        if self._pausing == 0:
            self._paused_at = self._loop.time()
            if self._timeout is not None and not self._timeout.expired():
                self._timeout.reschedule(None)
        self._pausing += 1
        try:
            yield
        finally:
            self._pausing -= 1
            if self._pausing == 0:
                self._excluded_s += self._loop.time() - self._paused_at
                remaining = self.remaining()
                if self._timeout is not None and not self._timeout.expired():
                    self._timeout.reschedule(
                        None if remaining is None else self._loop.time() + remaining
                    )
