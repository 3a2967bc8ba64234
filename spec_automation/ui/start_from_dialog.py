"""The question asked when one PRD or technical spec is imported on its own: import it only,
or start from it, making it the project's ``prd.md`` (or ``architecture.md``) as the user's
kept version, so the next run builds everything after it from it. Starting from it is off
until the user ticks it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

__all__ = ["StartFromDialog"]


class StartFromDialog(QDialog):
    """Import ``path`` only, or as the project's ``artifact`` (objectName
    ``startFromDialog``); ``choice`` is ``artifact`` when the box is ticked and Import
    pressed, '' when it is not ticked, None when cancelled."""

    def __init__(
        self,
        path: Path,
        kind: str,
        artifact: str,
        *,
        replaces: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("startFromDialog")
        self.setWindowTitle("Start from this document?")
        self.artifact = artifact
        self.choice: str | None = None
        question = QLabel(
            f"{path.name} is a {kind}. It is imported into the project's inputs either way; "
            f"it can also become the project's {artifact}."
        )
        question.setWordWrap(True)
        self.use_box = QCheckBox(
            f"Use it as the project's {artifact}: the next run builds everything after it from it"
        )
        self.use_box.setObjectName("useAsBox")
        self.use_box.setChecked(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(8)
        layout.addWidget(question)
        layout.addWidget(self.use_box)
        if replaces:
            note = QLabel(
                f"The {artifact} the project has now stays in its history; what was made "
                "from it becomes stale."
            )
            note.setProperty("role", "muted")
            note.setWordWrap(True)
            note.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(note)
        self.box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.import_button = self.box.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        self.box.accepted.connect(self.accept)
        self.box.rejected.connect(self.reject)
        layout.addWidget(self.box)
        self.setMinimumWidth(640)  # the choice is one line: it reads as a sentence

    def accept(self) -> None:
        """Import, as the artifact when the box is ticked."""
        self.choice = self.artifact if self.use_box.isChecked() else ""
        super().accept()

    def reject(self) -> None:
        """Import nothing."""
        self.choice = None
        super().reject()
