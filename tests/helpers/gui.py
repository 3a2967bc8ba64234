"""Helpers for GUI tests on a qasync loop: drive the loop, wait for a condition, answer
the app's questions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def stepped_loop(app: Any) -> asyncio.AbstractEventLoop:
    """A qasync loop that a test may drive in steps (``run``), one call after another.

    qasync's ``run_until_complete`` handles Qt's pending events once more after the loop has
    stopped, with no asyncio loop marked as running: a task woken then (a worker-thread call
    that just finished, a timer that came due) fails with "no running event loop". The app
    runs its loop until it quits, so only tests meet this; here that last pass sees the loop
    as running, as every other step does.
    """
    import qasync

    class SteppedLoop(qasync.QEventLoop):  # type: ignore[misc]
        def _after_run_forever(self) -> None:
            super()._after_run_forever()
            asyncio.events._set_running_loop(self)

        def run_until_complete(self, future: Any) -> Any:
            try:
                return super().run_until_complete(future)
            finally:
                asyncio.events._set_running_loop(None)

    return SteppedLoop(app)


def run(loop: asyncio.AbstractEventLoop, coro: Awaitable[T], timeout: float = 30.0) -> T:
    """Drive the qasync loop until ``coro`` is done (failing after ``timeout`` seconds)."""
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))


async def until(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the loop run until ``predicate()`` is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


class ScriptedPrompter:
    """Answers the app's questions from a script and remembers what was asked."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, str, tuple[str, ...]]] = []
        self.informed: list[str] = []
        self.links: list[str] = []
        self.open_links = False

    def question(self, parent: object, title: str, text: str, choices: Sequence[str]) -> str:
        self.asked.append((title, text, tuple(choices)))
        if self.answers:
            answer = self.answers.pop(0)
            assert answer in choices, f"scripted answer {answer!r} not among {choices}"
            return answer
        return choices[-1]

    def inform(self, parent: object, title: str, text: str, *, error: bool = False) -> None:
        self.informed.append(text)

    def confirm_link(self, parent: object, url: Any) -> bool:
        self.links.append(url.toString())
        return self.open_links
