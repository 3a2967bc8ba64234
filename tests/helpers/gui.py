"""Helpers for GUI tests on a qasync loop: drive the loop, wait for a condition, answer
the app's questions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import shiboken6

T = TypeVar("T")


def close_top_level_widgets() -> list[str]:
    """Close and delete every top-level widget and drain Qt's pending deletes, on this (the
    GUI) thread; the widgets that were still there once what was already scheduled for
    deletion had gone (the ones a test left behind), described for a message."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return []
    _drain_deletes()
    left: list[str] = []
    for widget in QApplication.topLevelWidgets():
        if not shiboken6.isValid(widget) or widget.parent() is not None:
            continue  # a popup or dialog goes with the window that owns it
        name = widget.objectName() or widget.windowTitle()
        left.append(f"{type(widget).__name__}({name!r})" if name else type(widget).__name__)
        widget.close()
        widget.deleteLater()
    _drain_deletes()
    return left


def _drain_deletes() -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def stepped_loop(app: Any) -> asyncio.AbstractEventLoop:
    """The app's qasync loop (``ui.event_loop.EventLoop``), which a test may drive in steps."""
    from spec_automation.ui.event_loop import EventLoop

    return EventLoop(app)


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
        self.edits_asked: list[list[tuple[str, str, str]]] = []
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

    def decide_edits(self, parent: object, edits: Sequence[Any], what: str) -> str:
        from spec_automation.ui.edits_dialog import CANCEL, EDIT_CHOICES

        self.edits_asked.append([(e.artifact, e.written, e.now) for e in edits])
        if self.answers:
            answer = self.answers.pop(0)
            assert answer in EDIT_CHOICES, f"scripted answer {answer!r} not among {EDIT_CHOICES}"
            return answer
        return CANCEL

    def confirm_link(self, parent: object, url: Any) -> bool:
        self.links.append(url.toString())
        return self.open_links
