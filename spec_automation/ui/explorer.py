"""The project explorer: the spec's artifacts grouped by phase, each with its state.

The states are worked out from the service (in a worker thread, see :func:`artifact_states`):
missing (never generated), generated, edited by you (the latest version is a user edit, or the
file was changed outside the app), stale (something it was made from changed after it, and no
regeneration since brought it up to date, even unchanged), and
failed (its phase failed or was blocked in the last run).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from spec_automation.services import ProjectService
from spec_automation.ui.theme import Theme, current_theme

__all__ = ["ArtifactEntry", "ArtifactState", "ProjectExplorer", "artifact_states"]


class ArtifactState(enum.StrEnum):
    """What the explorer says about one artifact."""

    MISSING = "missing"
    GENERATED = "generated"
    EDITED = "edited by you"
    STALE = "stale"
    FAILED = "failed"


_STATE_COLOUR = {
    ArtifactState.MISSING: "text-muted",
    ArtifactState.GENERATED: "success",
    ArtifactState.EDITED: "link",
    ArtifactState.STALE: "warning",
    ArtifactState.FAILED: "error",
}


@dataclass(frozen=True, slots=True)
class ArtifactEntry:
    """One row of the explorer."""

    name: str
    phase: str
    wave: int
    state: ArtifactState
    version: int | None
    detail: str = ""


def artifact_states(service: ProjectService) -> list[ArtifactEntry]:
    """Each artifact of the project's spec with its state (touches the store: run in a thread)."""
    status = service.status()
    graph = service.graph
    kinds: dict[str, str] = {}  # artifact -> who made its latest version
    for artifact in status.artifacts:
        if artifact.version is None:
            continue
        page = service.artifact_versions(artifact.name, limit=1)
        if page.items:
            kinds[artifact.name] = page.items[0].kind
    stale = service.stale_artifacts()
    entries: list[ArtifactEntry] = []
    for artifact in status.artifacts:
        phase_status = status.last_run_phases.get(artifact.phase, "")
        detail = ""
        if artifact.version is None and not artifact.on_disk:
            state = (
                ArtifactState.FAILED
                if phase_status in ("failed", "blocked")
                else ArtifactState.MISSING
            )
            detail = f"phase {artifact.phase} {phase_status}" if phase_status else ""
        elif phase_status in ("failed", "blocked"):
            state = ArtifactState.FAILED
            detail = f"phase {artifact.phase} {phase_status} in the last run"
        elif not artifact.matches_store:
            state = ArtifactState.EDITED
            detail = "changed outside the app since it was stored"
        else:
            if artifact.name in stale:
                state = ArtifactState.STALE
                detail = stale[artifact.name]
            elif kinds.get(artifact.name) == "user_edit":
                state = ArtifactState.EDITED
            else:
                state = ArtifactState.GENERATED
        entries.append(
            ArtifactEntry(
                artifact.name,
                artifact.phase,
                graph.wave_of[artifact.phase],
                state,
                artifact.version,
                detail,
            )
        )
    return entries


class ProjectExplorer(QTreeWidget):
    """Artifacts grouped by phase (objectName ``projectExplorer``); activating one opens it."""

    artifactActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectExplorer")
        self.setColumnCount(2)
        self.setHeaderLabels(["Artifact", "State"])
        self.setRootIsDecorated(True)
        self.setIndentation(16)
        self.setUniformRowHeights(True)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.itemActivated.connect(self._activated)
        self.itemDoubleClicked.connect(self._activated)
        self.entries: list[ArtifactEntry] = []
        self._theme = current_theme()

    def set_theme(self, theme: Theme) -> None:
        """Recolour the states."""
        self._theme = theme
        self.show_entries(self.entries)

    def show_entries(self, entries: list[ArtifactEntry]) -> None:
        """Show these artifacts (grouped by phase, in wave order), keeping the selection."""
        selected = self.selected_artifact()
        self.entries = list(entries)
        self.clear()
        phases: dict[str, QTreeWidgetItem] = {}
        for entry in sorted(entries, key=lambda e: (e.wave, e.phase)):
            group = phases.get(entry.phase)
            if group is None:
                group = QTreeWidgetItem([entry.phase, f"wave {entry.wave}"])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                group.setForeground(1, QBrush(self._theme.colour("text-muted")))
                self.addTopLevelItem(group)
                phases[entry.phase] = group
            version = f" · v{entry.version}" if entry.version else ""
            item = QTreeWidgetItem([entry.name, f"{entry.state}{version}"])
            item.setData(0, Qt.ItemDataRole.UserRole, entry.name)
            item.setForeground(1, QBrush(self._theme.colour(_STATE_COLOUR[entry.state])))
            tip = f"{entry.name}: {entry.state}" + (f" ({entry.detail})" if entry.detail else "")
            item.setToolTip(0, tip)
            item.setToolTip(1, tip)
            group.addChild(item)
            if entry.name == selected:
                item.setSelected(True)
        self.expandAll()

    def state_of(self, artifact: str) -> ArtifactState | None:
        """The state shown for an artifact."""
        for entry in self.entries:
            if entry.name == artifact:
                return entry.state
        return None

    def selected_artifact(self) -> str | None:
        """The artifact selected, if any."""
        for item in self.selectedItems():
            name = item.data(0, Qt.ItemDataRole.UserRole)
            if isinstance(name, str):
                return name
        return None

    def _activated(self, item: QTreeWidgetItem) -> None:
        name = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(name, str):
            self.artifactActivated.emit(name)
