"""The project explorer: the spec's artifacts grouped by phase, each with its state.

The states are the service's (in a worker thread, see :func:`artifact_states`), decided by
content in ``core.staleness`` exactly as ``status`` shows them: missing (never generated),
generated, edited by you (it carries your edits, or the file was changed outside the app),
stale (something it was made from changed since, with the reason), and failed (its phase
failed or was blocked). An artifact whose gate waits for a decision is marked "approve?".
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
    gate_pending: str = ""  # the gate of its phase that waits for a decision, if any


def artifact_states(service: ProjectService) -> list[ArtifactEntry]:
    """Each artifact of the project's spec with its state (touches the store: run in a thread).

    The state is the service's (``status``, decided in ``core.staleness``, the same as the
    CLI's ``status``); a file changed on disk and not yet scanned shows as edited, and an
    artifact whose phase's gate waits for a decision says so.
    """
    status = service.status()
    graph = service.graph
    pending = {g.phase: g.gate for g in status.gates if g.status == "pending"}
    entries: list[ArtifactEntry] = []
    for artifact in status.artifacts:
        state = _STATE_OF[artifact.state]
        detail = artifact.reason
        if artifact.on_disk and not artifact.matches_store:
            state, detail = ArtifactState.EDITED, "changed outside the app since it was stored"
        elif artifact.state == "edited" and artifact.edit_kept:
            detail = "your edit, kept as the artifact"
        entries.append(
            ArtifactEntry(
                artifact.name,
                artifact.phase,
                graph.wave_of[artifact.phase],
                state,
                artifact.version,
                detail,
                pending.get(artifact.phase, ""),
            )
        )
    return entries


_STATE_OF = {
    "missing": ArtifactState.MISSING,
    "generated": ArtifactState.GENERATED,
    "edited": ArtifactState.EDITED,
    "stale": ArtifactState.STALE,
    "failed": ArtifactState.FAILED,
}


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
            gate = " · approve?" if entry.gate_pending else ""
            item = QTreeWidgetItem([entry.name, f"{entry.state}{version}{gate}"])
            item.setData(0, Qt.ItemDataRole.UserRole, entry.name)
            colour = "warning" if entry.gate_pending else _STATE_COLOUR[entry.state]
            item.setForeground(1, QBrush(self._theme.colour(colour)))
            tip = f"{entry.name}: {entry.state}" + (f" ({entry.detail})" if entry.detail else "")
            if entry.gate_pending:
                tip += f"; gate {entry.gate_pending} waits for your approval in the Run view"
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
