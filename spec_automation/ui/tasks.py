"""Starting coroutines from Qt slots without losing them or their errors.

A slot cannot ``await``; it calls :func:`spawn`, which keeps a reference to the task (so it is
not garbage-collected half way) and hands any exception to the one error sink the main window
installs, which turns it into a dialog, a notification or a log entry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

__all__ = ["LatestReading", "running_tasks", "set_error_sink", "spawn"]

_running: set[asyncio.Task[Any]] = set()
_sink: list[Callable[[BaseException], None]] = []


def set_error_sink(sink: Callable[[BaseException], None] | None) -> None:
    """Send the exceptions of spawned tasks to ``sink`` (None: back to the loop's handler)."""
    _sink.clear()
    if sink is not None:
        _sink.append(sink)


def spawn(coro: Coroutine[Any, Any, Any], *, name: str | None = None) -> asyncio.Task[Any]:
    """Run ``coro`` on the running loop as a task that reports its own failure."""
    task = asyncio.ensure_future(coro)
    if name:
        task.set_name(name)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def running_tasks() -> set[asyncio.Task[Any]]:
    """Tasks started with :func:`spawn` that have not finished."""
    return {task for task in _running if not task.done()}


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if task.cancelled():
        return
    error = task.exception()
    if error is None:
        return
    if _sink:
        _sink[0](error)
    else:
        task.get_loop().call_exception_handler(
            {"message": f"task {task.get_name()} failed", "exception": error, "task": task}
        )


class LatestReading:
    """Tickets for readings done in a worker thread that may overlap: only the answer of the
    last one started is shown, so an older reading that comes back late never puts back what
    has since changed."""

    def __init__(self) -> None:
        self._started = 0

    def start(self) -> int:
        """A new reading starts: its ticket."""
        self._started += 1
        return self._started

    def is_latest(self, ticket: int) -> bool:
        """Whether no reading has started since the one with this ticket."""
        return ticket == self._started
