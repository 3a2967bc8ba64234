"""The question a run asks before it would rewrite artifacts that carry the user's edits.

The dialog lists the artifacts, shows for the one selected what the user changed (a unified
diff from what the app last wrote to the text now), and offers the two ways on, "Keep my
edits" first: keep them (the phases that make them are skipped and what depends on them is
built from the user's text) or overwrite them (the user's versions stay in the history).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtGui import QFontDatabase, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from spec_automation.services import ProjectError, ProjectService
from spec_automation.ui.theme import current_theme

__all__ = [
    "CANCEL",
    "EDIT_CHOICES",
    "KEEP",
    "OVERWRITE",
    "EditToDecide",
    "EditsDialog",
    "diff_of",
    "edits_to_decide",
]

KEEP, OVERWRITE, CANCEL = "Keep my edits", "Overwrite my edits", "Cancel"
EDIT_CHOICES = (KEEP, OVERWRITE, CANCEL)


@dataclass(frozen=True, slots=True)
class EditToDecide:
    """An artifact with the user's edits: what the app last wrote and the text now."""

    artifact: str
    written: str  # the last version the app generated ('' if there is none)
    now: str


def diff_of(edit: EditToDecide) -> str:
    """The user's changes as a unified diff (from what the app wrote to the text now)."""
    lines = difflib.unified_diff(
        edit.written.splitlines(keepends=True),
        edit.now.splitlines(keepends=True),
        fromfile=f"{edit.artifact} (as generated)",
        tofile=f"{edit.artifact} (your text)",
    )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return text or "(no difference in the text)\n"


class _DiffColours(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        theme = current_theme()
        self._added, self._removed, self._header = (
            QTextCharFormat(),
            QTextCharFormat(),
            QTextCharFormat(),
        )
        self._added.setForeground(theme.colour("success"))
        self._removed.setForeground(theme.colour("error"))
        self._header.setForeground(theme.colour("text-muted"))

    def highlightBlock(self, text: str) -> None:
        if text.startswith(("+++", "---", "@@")):
            self.setFormat(0, len(text), self._header)
        elif text.startswith("+"):
            self.setFormat(0, len(text), self._added)
        elif text.startswith("-"):
            self.setFormat(0, len(text), self._removed)


class EditsDialog(QDialog):
    """Which artifacts carry the user's edits, each one's diff, and the choice
    (``choice`` after it closes: one of :data:`EDIT_CHOICES`)."""

    def __init__(
        self, edits: Sequence[EditToDecide], what: str = "This run", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("editsDialog")
        self.setWindowTitle("Your edits")
        self.edits = list(edits)
        self.choice = CANCEL
        count = len(self.edits)
        noun = "artifact that carries" if count == 1 else "artifacts that carry"
        intro = QLabel(
            f"{what} would rewrite {count} {noun} your edits. <b>Keep my edits</b>: the phases "
            "that make them are skipped and what depends on them is built from your text. "
            "<b>Overwrite my edits</b>: they are regenerated; your versions stay in the history."
        )
        intro.setWordWrap(True)
        self.names = QListWidget()
        self.names.setObjectName("editedArtifacts")
        self.names.addItems([edit.artifact for edit in self.edits])
        self.names.setMaximumWidth(220)
        self.diff = QPlainTextEdit()
        self.diff.setObjectName("editDiff")
        self.diff.setReadOnly(True)
        self.diff.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.diff.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._colours = _DiffColours(self.diff.document())
        self.names.currentRowChanged.connect(self._show)
        body = QHBoxLayout()
        body.addWidget(self.names)
        body.addWidget(self.diff, 1)
        buttons = QDialogButtonBox()
        self.buttons: dict[str, QPushButton] = {}
        roles = {
            KEEP: QDialogButtonBox.ButtonRole.AcceptRole,
            OVERWRITE: QDialogButtonBox.ButtonRole.DestructiveRole,
            CANCEL: QDialogButtonBox.ButtonRole.RejectRole,
        }
        for label in EDIT_CHOICES:
            button = buttons.addButton(label, roles[label])
            button.clicked.connect(lambda _=False, chosen=label: self._choose(chosen))
            self.buttons[label] = button
        self.buttons[KEEP].setDefault(True)
        self.buttons[KEEP].setFocus()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(body, 1)
        layout.addWidget(buttons)
        self.resize(900, 560)
        if self.edits:
            self.names.setCurrentRow(0)

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.edits):
            self.diff.setPlainText(diff_of(self.edits[row]))

    def _choose(self, label: str) -> None:
        self.choice = label
        if label == CANCEL:
            self.reject()
        else:
            self.accept()


def edits_to_decide(service: ProjectService, artifacts: Sequence[str]) -> list[EditToDecide]:
    """Each artifact with what the app last generated and its text now (touches the store and
    the disk: run in a worker thread)."""
    edits = []
    for name in artifacts:
        page = service.artifact_versions(name, limit=200)
        generated = next((v for v in page.items if v.changed_by != "user"), None)
        written = service.version_content(generated.id) if generated is not None else ""
        try:
            now = service.read_artifact(name)
        except ProjectError:
            now = ""
        edits.append(EditToDecide(name, written, now))
    return edits
