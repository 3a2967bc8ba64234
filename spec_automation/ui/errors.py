"""Errors in the desktop app: plain words for the user, details in a log file.

Errors a user can cause (a bad folder, a locked project, a refused key) arrive as the services'
own exceptions, whose messages are written for people; :func:`user_message` recognises them.
Anything else is a bug: :class:`ErrorReporter` writes its traceback to
``log_dir()/gui.log`` and tells the user once per kind of failure, never with a
traceback on screen.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from spec_automation.core.spec import SpecError
from spec_automation.llm.keys import KeyStoreError
from spec_automation.services import ProjectError
from spec_automation.settings import SettingsError, log_dir, prepare_private_log

__all__ = ["ErrorReporter", "gui_log_path", "or_said", "user_message"]

_T = TypeVar("_T")


def gui_log_path() -> Path:
    """The desktop app's log file."""
    return log_dir() / "gui.log"


def user_message(error: BaseException) -> str | None:
    """The sentence to show for an error a user can cause; None for a bug."""
    if isinstance(error, ProjectError | SpecError | SettingsError | KeyStoreError):
        return str(error)
    if isinstance(error, PermissionError):
        return f"Permission denied: {error.filename or 'a file'} cannot be written or read."
    if isinstance(error, FileNotFoundError):
        return f"{error.filename or 'A file'} was not found."
    if isinstance(error, UnicodeDecodeError):
        return "The file is not UTF-8 text, so it cannot be opened here."
    if isinstance(error, OSError):
        return f"The disk refused: {error.strerror or error}."
    return None


async def or_said(call: Awaitable[_T], say: Callable[[str], object]) -> _T | None:
    """Await ``call``; an error a user can cause is handed to ``say`` as its sentence and
    None comes back instead. A bug is raised as it is."""
    try:
        return await call
    except Exception as exc:
        message = user_message(exc)
        if message is None:
            raise
        say(message)
        return None


class ErrorReporter:
    """Logs unexpected exceptions and tells the user once per kind of failure."""

    def __init__(self, tell_user: Callable[[str], None], *, log_path: Path | None = None) -> None:
        self.tell_user = tell_user
        self.log_path = log_path or gui_log_path()
        self.reported: set[str] = set()
        self.logger = logging.getLogger("spec_automation.gui")
        self._handler: logging.Handler | None = None
        self._previous_hook: Callable[..., Any] | None = None

    def _ensure_log(self) -> None:
        if self._handler is not None:
            return
        prepare_private_log(self.log_path)
        handler = logging.FileHandler(self.log_path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self.logger.addHandler(handler)
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self._handler = handler

    def install(self, loop: Any) -> None:
        """Catch exceptions from Qt slots (``sys.excepthook``) and from the asyncio loop."""
        self._previous_hook = sys.excepthook
        sys.excepthook = self.excepthook
        loop.set_exception_handler(self.loop_handler)

    def uninstall(self) -> None:
        """Give the hooks back and close the log file."""
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
            self._previous_hook = None
        if self._handler is not None:
            self.logger.removeHandler(self._handler)
            self._handler.close()
            self._handler = None

    def excepthook(
        self,
        kind: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
    ) -> None:
        """``sys.excepthook``: an exception escaped a Qt slot."""
        del kind, trace
        self.report(error)

    def loop_handler(self, loop: Any, context: dict[str, Any]) -> None:
        """The asyncio exception handler."""
        del loop
        error = context.get("exception")
        if isinstance(error, BaseException):
            self.report(error)
        else:
            self._ensure_log()
            self.logger.error("event loop: %s", context.get("message", context))

    def report(self, error: BaseException) -> None:
        """Log the traceback; tell the user the first time this kind of failure happens."""
        self._ensure_log()
        details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.logger.error("unexpected error\n%s", details)
        signature = f"{type(error).__name__}:{error}"
        if signature in self.reported:
            return
        self.reported.add(signature)
        self.tell_user(
            f"Something went wrong inside the app ({type(error).__name__}: {error}). "
            f"Your work is kept. The details were written to {self.log_path}; "
            "please include them when you report it."
        )
