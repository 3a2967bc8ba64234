"""The engine's one thread for the recorder: every store call of a run goes through it, in
the order the run makes them, so SQLite work never blocks the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["StoreThread"]

_T = TypeVar("_T")


class StoreThread:
    """Runs recorder calls on one worker thread, in submission order."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self._executor = executor
        self._pending: list[asyncio.Future[Any]] = []

    async def call(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run ``fn(*args)`` on the store thread and wait for its result."""
        return await self.start(fn, *args)

    def start(self, fn: Callable[..., _T], *args: Any) -> asyncio.Future[_T]:
        """Start ``fn(*args)`` on the store thread; its future."""
        return asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def submit(self, fn: Callable[..., object], *args: Any) -> None:
        """Queue a bookkeeping call without waiting for it.

        A later call (a phase's commit, a gate read) always sees earlier ones. Scheduling never
        waits on bookkeeping; ``drain`` surfaces any error before the run records its end.
        """
        self._pending.append(self.start(fn, *args))

    async def drain(self) -> None:
        """Wait for every queued call; raise the first error any of them raised."""
        pending, self._pending = self._pending, []
        results = await asyncio.gather(*pending, return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise errors[0]
