"""The history panel: an artifact's versions and change records, and the project's
regeneration runs.

Versions say when, by whom (generated, your edit, regeneration, rollback) and which run made
them; selecting two and pressing Compare (or one and With editor) opens the diff
viewer. Change records list the sections changed and the impact level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from spec_automation.services import ProjectService

__all__ = ["HistoryData", "HistoryPanel", "history_data"]

PAGE = 50
_KIND_WORDS = {
    "generated": "generated",
    "user_edit": "your edit",
    "regeneration": "regeneration",
    "rollback": "rollback",
}


@dataclass
class HistoryData:
    """What the panel shows for one artifact."""

    artifact: str
    versions: list[Any] = field(default_factory=list)
    versions_total: int = 0
    changes: list[Any] = field(default_factory=list)
    changes_total: int = 0
    regeneration_runs: list[Any] = field(default_factory=list)
    regeneration_total: int = 0


def history_data(service: ProjectService, artifact: str) -> HistoryData:
    """Load an artifact's history from the service (touches the store: run in a thread)."""
    versions = service.artifact_versions(artifact, limit=PAGE)
    changes = service.change_history(artifact, limit=PAGE)
    data = HistoryData(
        artifact, list(versions.items), versions.total, list(changes.items), changes.total
    )
    runs = service.regeneration_runs(limit=PAGE, offset=0)
    data.regeneration_runs = list(runs.items)
    data.regeneration_total = runs.total
    return data


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "strftime") else str(value)


def _run_text(version: Any) -> str:
    if getattr(version, "regeneration_run_id", None):
        return f"regeneration #{version.regeneration_run_id}"
    if getattr(version, "workflow_run_id", None):
        return f"run #{version.workflow_run_id}"
    return ""


class HistoryPanel(QWidget):
    """Versions, changes and regeneration runs (objectName ``historyPanel``)."""

    compareVersions = Signal(int, int)
    compareWithEditor = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.data: HistoryData | None = None
        self.title = QLabel("No artifact open")
        self.title.setProperty("role", "caption")

        self.versions = QTreeWidget()
        self.versions.setObjectName("historyVersions")
        self.versions.setHeaderLabels(["Version", "When", "By", "Run", "Reason"])
        self.versions.setRootIsDecorated(False)
        self.versions.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.versions.itemSelectionChanged.connect(self._selection_changed)
        self.versions.itemDoubleClicked.connect(self._compare_with_previous)

        self.changes = QTreeWidget()
        self.changes.setObjectName("historyChanges")
        self.changes.setHeaderLabels(["Detected", "Impact", "Sections changed"])
        self.changes.setRootIsDecorated(True)
        self.changes.itemDoubleClicked.connect(self._open_change)

        self.runs = QTreeWidget()
        self.runs.setObjectName("historyRegenerations")
        self.runs.setHeaderLabels(["Regeneration run", "Started", "Strategy", "Outcome"])
        self.runs.setRootIsDecorated(False)

        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip(
            "Compare the two selected versions (or one with the one before)"
        )
        self.editor_button = QPushButton("With editor")
        self.editor_button.setToolTip("Compare the selected version with the text in the editor")
        self.compare_button.clicked.connect(self.compare_selected)
        self.editor_button.clicked.connect(self._compare_with_editor)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.editor_button)
        buttons.addStretch(1)

        def section(label: str, widget: QWidget, extra: QHBoxLayout | None = None) -> QWidget:
            holder = QWidget()
            layout = QVBoxLayout(holder)
            layout.setContentsMargins(8, 8, 8, 0)
            layout.setSpacing(4)
            heading = QLabel(label)
            heading.setProperty("role", "caption")
            layout.addWidget(heading)
            layout.addWidget(widget, 1)
            if extra is not None:
                layout.addLayout(extra)
            return holder

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(section("Versions", self.versions, buttons))
        splitter.addWidget(section("Changes", self.changes))
        splitter.addWidget(section("Regeneration runs (project)", self.runs))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(0)
        self.title.setContentsMargins(8, 0, 8, 0)
        layout.addWidget(self.title)
        layout.addWidget(splitter, 1)
        self._selection_changed()

    def clear_history(self) -> None:
        """Show nothing (no artifact open)."""
        self.data = None
        self.title.setText("No artifact open")
        for tree in (self.versions, self.changes, self.runs):
            tree.clear()
        self._selection_changed()

    def show_history(self, data: HistoryData) -> None:
        """Show one artifact's history."""
        self.data = data
        shown = len(data.versions)
        more = f" (newest {shown} of {data.versions_total})" if data.versions_total > shown else ""
        plural = "" if data.versions_total == 1 else "s"
        self.title.setText(f"{data.artifact}: {data.versions_total} version{plural}{more}")
        self.versions.clear()
        for version in data.versions:
            item = QTreeWidgetItem(
                [
                    f"v{version.version}",
                    _when(version.created_at),
                    _KIND_WORDS.get(version.kind, version.kind),
                    _run_text(version),
                    version.reason or "",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, version.id)
            item.setToolTip(
                0, f"{version.artifact} version {version.version}, by {version.changed_by}"
            )
            self.versions.addTopLevelItem(item)
        self.changes.clear()
        for change in data.changes:
            names = ", ".join(f"{s.name} ({s.kind})" for s in change.sections) or "-"
            impact = str(change.impact_level) + (" · cosmetic" if change.cosmetic else "")
            item = QTreeWidgetItem([_when(change.detected_at), impact, names])
            item.setData(
                0, Qt.ItemDataRole.UserRole, (change.old_version_id, change.new_version_id)
            )
            item.setToolTip(2, names)
            for section_change in change.sections:
                child = QTreeWidgetItem(["", section_change.kind, section_change.name])
                child.setData(
                    0, Qt.ItemDataRole.UserRole, (change.old_version_id, change.new_version_id)
                )
                item.addChild(child)
            self.changes.addTopLevelItem(item)
        self.runs.clear()
        if not data.regeneration_runs:
            self.runs.addTopLevelItem(QTreeWidgetItem(["None yet", "", "", ""]))
        else:
            for run in data.regeneration_runs:
                done = len(run.artifacts_regenerated)
                item = QTreeWidgetItem(
                    [
                        f"#{run.id} after {run.trigger_artifact}",
                        _when(run.started_at),
                        str(run.strategy),
                        f"{run.status} ({done} regenerated)",
                    ]
                )
                item.setToolTip(0, ", ".join(run.artifacts_regenerated) or "nothing regenerated")
                self.runs.addTopLevelItem(item)
        for tree in (self.versions, self.changes, self.runs):
            for column in range(tree.columnCount() - 1):
                tree.resizeColumnToContents(column)
        self._selection_changed()

    def version_ids(self) -> list[int]:
        """Version ids shown, newest first."""
        return [
            self.versions.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
            for i in range(self.versions.topLevelItemCount())
        ]

    def select_versions(self, *version_ids: int) -> None:
        """Select these versions (and only these)."""
        self.versions.clearSelection()
        for index in range(self.versions.topLevelItemCount()):
            item = self.versions.topLevelItem(index)
            if item.data(0, Qt.ItemDataRole.UserRole) in version_ids:
                item.setSelected(True)

    def _selected_ids(self) -> list[int]:
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in self.versions.selectedItems()]

    def _selection_changed(self) -> None:
        count = len(self._selected_ids())
        self.compare_button.setEnabled(count in (1, 2))
        self.editor_button.setEnabled(count == 1)

    def compare_selected(self) -> None:
        """Compare the two selected versions, or the selected one with the one before it."""
        selected = self._selected_ids()
        ids = self.version_ids()
        if len(selected) == 2:
            older, newer = sorted(selected, key=ids.index, reverse=True)
            self.compareVersions.emit(older, newer)
        elif len(selected) == 1:
            position = ids.index(selected[0])
            if position + 1 < len(ids):
                self.compareVersions.emit(ids[position + 1], selected[0])

    def _compare_with_previous(self, item: QTreeWidgetItem) -> None:
        self.select_versions(item.data(0, Qt.ItemDataRole.UserRole))
        self.compare_selected()

    def _compare_with_editor(self) -> None:
        selected = self._selected_ids()
        if len(selected) == 1:
            self.compareWithEditor.emit(selected[0])

    def _open_change(self, item: QTreeWidgetItem) -> None:
        pair = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(pair, tuple) and pair[0] is not None and pair[1] is not None:
            self.compareVersions.emit(int(pair[0]), int(pair[1]))
