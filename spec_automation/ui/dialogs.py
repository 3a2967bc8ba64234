"""Questions the app asks the user, in one replaceable object.

Every modal question goes through a :class:`Prompter`, so tests hand the window a scripted one
instead of clicking message boxes. Code running inside an asyncio task must not open a modal
dialog directly (its nested event loop would re-enter the task); :func:`ask_later` runs the
question from a fresh call stack and returns the answer to the awaiting coroutine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from spec_automation.ui.edits_dialog import EditToDecide

__all__ = ["Prompter", "ask_later"]

_T = TypeVar("_T")


class Prompter:
    """Asks with real message boxes."""

    def question(
        self, parent: QWidget | None, title: str, text: str, choices: Sequence[str]
    ) -> str:
        """Ask and return the label of the button pressed (the last choice on Escape)."""
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(text)
        buttons = [box.addButton(label, QMessageBox.ButtonRole.ActionRole) for label in choices]
        box.setDefaultButton(buttons[0])
        box.setEscapeButton(buttons[-1])
        box.exec()
        clicked = box.clickedButton()
        for label, button in zip(choices, buttons, strict=True):
            if button is clicked:
                return label
        return choices[-1]

    def inform(self, parent: QWidget | None, title: str, text: str, *, error: bool = False) -> None:
        """Tell the user something that needs acknowledging."""
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information)
        box.setWindowTitle(title)
        box.setText(text)
        box.exec()

    def decide_edits(self, parent: QWidget | None, edits: Sequence[EditToDecide], what: str) -> str:
        """Ask what to do with artifacts carrying the user's edits that ``what`` would
        rewrite: one of ``edits_dialog.EDIT_CHOICES`` (Cancel on Escape)."""
        from spec_automation.ui.edits_dialog import EditsDialog

        dialog = EditsDialog(edits, what, parent)
        dialog.exec()
        return dialog.choice

    def choose_document_type(self, parent: QWidget | None, path: Path) -> str:
        """Ask which type a document is whose type the app could not tell: a
        ``DocumentType`` value, or '' when the user cancels."""
        from spec_automation.ui.document_type_dialog import DocumentTypeDialog

        dialog = DocumentTypeDialog(path, parent)
        dialog.exec()
        return dialog.choice

    def choose_use_as(
        self, parent: QWidget | None, path: Path, kind: str, artifact: str, replaces: bool
    ) -> str | None:
        """Ask whether the document at ``path`` (a ``kind``: "PRD", "technical spec") being
        imported on its own should become the project's ``artifact`` (``replaces``: the
        project has one already): ``artifact`` if so, '' to import it only, None when the
        user cancels the import."""
        from spec_automation.ui.start_from_dialog import StartFromDialog

        dialog = StartFromDialog(path, kind, artifact, replaces=replaces, parent=parent)
        dialog.exec()
        return dialog.choice

    def confirm_link(self, parent: QWidget | None, url: QUrl) -> bool:
        """Ask before a link from a document is opened in the browser."""
        answer = self.question(
            parent,
            "Open link",
            f"Open this link in your browser?\n\n{url.toString()}",
            ("Open", "Cancel"),
        )
        return answer == "Open"


async def ask_later(ask: Callable[[], _T]) -> _T:
    """Run ``ask`` outside the current task and await its answer."""
    future: asyncio.Future[_T] = asyncio.get_running_loop().create_future()

    def run() -> None:
        try:
            answer = ask()
        except Exception as exc:  # handed to the awaiting coroutine, which reports it
            if not future.done():
                future.set_exception(exc)
            return
        if not future.done():
            future.set_result(answer)

    QTimer.singleShot(0, run)
    return await future
