"""The question asked when the app cannot tell what kind of document a file is: which of the
four types it is (PRD, functional spec, technical spec, sprint change proposal)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from spec_automation.core.documents import DocumentType

__all__ = ["DocumentTypeDialog"]

_WHAT = {
    DocumentType.PRD: "goals, users, requirements with acceptance criteria",
    DocumentType.FUNCTIONAL_SPEC: "features and how the product behaves",
    DocumentType.TECHNICAL_SPEC: "components, data model, endpoints",
    DocumentType.SPRINT_CHANGE_PROPOSAL: "edits to existing artifacts, and why",
}


class DocumentTypeDialog(QDialog):
    """Which type ``path`` is (objectName ``documentTypeDialog``); ``choice`` is the type's
    value once accepted, '' when cancelled. Import stays disabled until a type is picked."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentTypeDialog")
        self.setWindowTitle("Which kind of document?")
        self.choice = ""
        question = QLabel(
            f"The app could not tell from its headings what kind of document {path.name} is. "
            "Which is it?"
        )
        question.setWordWrap(True)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(8)
        layout.addWidget(question)
        for document_type in DocumentType:
            label = document_type.label
            button = QRadioButton(f"{label[:1].upper()}{label[1:]}: {_WHAT[document_type]}")
            button.setObjectName(f"type_{document_type.value}")
            self.group.addButton(button)
            self.buttons[document_type.value] = button
            layout.addWidget(button)
        self.box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.import_button = self.box.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        self.import_button.setEnabled(False)
        self.box.accepted.connect(self.accept)
        self.box.rejected.connect(self.reject)
        self.group.buttonToggled.connect(lambda *_: self.import_button.setEnabled(True))
        layout.addWidget(self.box)
        self.setMinimumWidth(440)

    def accept(self) -> None:
        """Keep the type picked."""
        for value, button in self.buttons.items():
            if button.isChecked():
                self.choice = value
        super().accept()

    def reject(self) -> None:
        """Import nothing."""
        self.choice = ""
        super().reject()
