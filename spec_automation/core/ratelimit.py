"""A request rate limit for providers: at most N phase requests per minute.

A token bucket whose burst is one second's allowance (at least one request); ``acquire`` waits
(asynchronously) for a token. Time and sleeping are injected so tests need not wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """Token bucket allowing ``per_minute`` acquisitions per minute, bursting to ``burst``."""

    def __init__(
        self,
        per_minute: float,
        *,
        burst: int | None = None,
        monotonic: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("the rate limit must be more than zero requests per minute")
        self._rate = per_minute / 60.0
        self._capacity = float(burst if burst is not None else max(1, int(per_minute // 60)))
        self._tokens = self._capacity
        self._monotonic = monotonic
        self._sleep = sleep
        self._updated = monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> float:
        """Take one token, waiting if none is left. Returns the seconds waited."""
        waited = 0.0
        async with self._lock:  # first come, first served
            while True:
                now = self._monotonic()
                self._tokens = min(
                    self._capacity, self._tokens + (now - self._updated) * self._rate
                )
                self._updated = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return waited
                delay = (1.0 - self._tokens) / self._rate
                await self._sleep(delay)
                waited += delay
