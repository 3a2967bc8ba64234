"""The welcome screen: new project (name, folder, brief typed or from a file), open a
project, open the bundled sample, and recent projects."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

__all__ = ["WelcomePage"]


class WelcomePage(QWidget):
    """What the window shows when no project is open (objectName ``welcomePage``)."""

    #: name, folder, brief, and whether the workflow goes on to write and check code.
    createRequested = Signal(str, str, str, bool)
    openRequested = Signal(str)
    sampleRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        title = QLabel("spec_automation")
        title.setProperty("role", "display")
        subtitle = QLabel(
            "Turn a project brief into a PRD, architecture, design tokens, epics, tasks "
            "and checked code."
        )
        subtitle.setProperty("role", "muted")

        # --- new project card
        self.name = QLineEdit(placeholderText="ShiftCare")
        self.folder = QLineEdit(placeholderText="/home/you/specs/shiftcare")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.setSpacing(8)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.brief = QPlainTextEdit()
        self.brief.setPlaceholderText(
            "Describe the product: who it is for, what it must do, constraints…"
        )
        self.brief.setMinimumHeight(160)
        self.with_code = QCheckBox(
            "Write the code after the specification, and check it with ruff, basedpyright and "
            "pytest"
        )
        self.with_code.setObjectName("withCodeCheck")
        self.with_code.setChecked(True)
        self.with_code.setToolTip(
            "The workflow's implementation stage: a developer writes code/ one epic at a time, "
            "then the quality gates check it. Unchecked, the project's own spec ends at the "
            "hand-off (init --no-code)."
        )
        load_brief = QPushButton("Load brief from a file…")
        load_brief.clicked.connect(self._load_brief)
        self.create_button = QPushButton("Create project")
        self.create_button.setProperty("role", "primary")
        self.create_button.clicked.connect(self._create)
        self.problem = QLabel()
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        self.problem.hide()
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(8)
        form.addRow("Name", self.name)
        form.addRow("Folder", folder_row)
        form.addRow("Brief", self.brief)
        form.addRow("Code", self.with_code)
        actions = QHBoxLayout()
        actions.setSpacing(8)
        actions.addWidget(load_brief)
        actions.addStretch(1)
        actions.addWidget(self.create_button)
        new_card = _card("New project")
        new_card.layout().addLayout(form)
        new_card.layout().addWidget(self.problem)
        new_card.layout().addLayout(actions)

        # --- open card
        open_button = QPushButton("Open project…")
        open_button.clicked.connect(self._choose_project)
        sample_button = QPushButton("Open the sample")
        sample_button.setToolTip("A clinic shift-scheduling product, generated offline")
        sample_button.clicked.connect(self.sampleRequested)
        self.recent = QListWidget()
        self.recent.setObjectName("recentProjects")
        self.recent.itemActivated.connect(self._open_recent)
        self.recent.itemDoubleClicked.connect(self._open_recent)
        self.no_recent = QLabel("Projects you open appear here.")
        self.no_recent.setProperty("role", "muted")
        open_card = _card("Open")
        open_row = QHBoxLayout()
        open_row.setSpacing(8)
        open_row.addWidget(open_button)
        open_row.addWidget(sample_button)
        open_row.addStretch(1)
        open_card.layout().addLayout(open_row)
        recent_title = QLabel("Recent projects")
        recent_title.setProperty("role", "caption")
        open_card.layout().addWidget(recent_title)
        open_card.layout().addWidget(self.recent, 1)
        open_card.layout().addWidget(self.no_recent)

        columns = QHBoxLayout()
        columns.setSpacing(24)
        columns.addWidget(new_card, 3)
        columns.addWidget(open_card, 2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 32, 48, 32)
        outer.setSpacing(8)
        outer.addWidget(title)
        outer.addWidget(subtitle)
        outer.addSpacing(16)
        outer.addLayout(columns, 1)

    def set_recent(self, folders: tuple[str, ...] | list[str]) -> None:
        """List recent project folders, most recent first (missing ones are marked)."""
        self.recent.clear()
        for folder in folders:
            path = Path(folder)
            gone = not path.is_dir()
            label = f"{path.name}  —  {folder}" + ("  (not found)" if gone else "")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, folder)
            if gone:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(item)
        self.no_recent.setVisible(not folders)
        self.recent.setVisible(bool(folders))

    def show_problem(self, message: str) -> None:
        """Say why the project could not be created."""
        self.problem.setText(message)
        self.problem.setVisible(bool(message))

    def _create(self) -> None:
        self.show_problem("")
        self.createRequested.emit(
            self.name.text().strip(),
            self.folder.text().strip(),
            self.brief.toPlainText(),
            self.with_code.isChecked(),
        )

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the new project")
        if folder:
            self.folder.setText(folder)
            if not self.name.text().strip():
                self.name.setText(Path(folder).name)

    def _load_brief(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Brief", "", "Markdown or text (*.md *.markdown *.txt);;All files (*)"
        )
        if not path:
            return
        from spec_automation.services import ProjectError, read_brief_file

        try:
            self.brief.setPlainText(read_brief_file(Path(path)))
        except ProjectError as exc:
            self.show_problem(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")

    def _choose_project(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a spec_automation project")
        if folder:
            self.openRequested.emit(folder)

    def _open_recent(self, item: QListWidgetItem) -> None:
        folder = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(folder, str) and Path(folder).is_dir():
            self.openRequested.emit(folder)


def _card(title: str) -> QFrame:
    card = QFrame()
    card.setObjectName("card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(24, 16, 24, 24)
    layout.setSpacing(8)
    heading = QLabel(title)
    heading.setProperty("role", "title")
    layout.addWidget(heading)
    return card
