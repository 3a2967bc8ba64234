"""The project explorer: the project's inputs, then the spec's artifacts grouped by phase.

The Inputs group holds what the artifacts are made from: the brief, the constitution (when the
project has one) and every document imported into ``inputs/`` (its title, type and a mark when
its processor found warnings or errors); see :func:`input_entries`.

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
from PySide6.QtGui import QBrush, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from spec_automation.core.project_texts import BRIEF, CONSTITUTION
from spec_automation.services import ProjectService
from spec_automation.ui.theme import Theme, current_theme

__all__ = [
    "ArtifactEntry",
    "ArtifactState",
    "InputEntry",
    "InputKind",
    "ProjectExplorer",
    "artifact_states",
    "input_entries",
]


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


class InputKind(enum.StrEnum):
    """What an input of the project is."""

    BRIEF = "brief"
    CONSTITUTION = "constitution"
    DOCUMENT = "document"  # imported into inputs/


@dataclass(frozen=True, slots=True)
class InputEntry:
    """One row of the Inputs group."""

    kind: InputKind
    name: str  # the file name: brief.md, constitution.md, or the document's name in inputs/
    title: str = ""
    type_label: str = ""  # "PRD", "functional spec", ... ("" for the brief and constitution)
    status: str = "ok"  # ok, warnings or errors (the document processor's verdict)
    findings: int = 0


_STATUS_MARK = {"warnings": "⚠", "errors": "✖"}
# The State column is as wide as its widest text and the names share the rest: the longest
# type label is shortened there (the tooltip gives it in full).
_SHORT_TYPE = {"sprint change proposal": "change proposal"}
_STATUS_COLOUR = {"ok": "text-muted", "warnings": "warning", "errors": "error"}


def input_entries(service: ProjectService) -> list[InputEntry]:
    """The brief, the constitution if there is one, and every imported document (touches the
    store and the disk: run in a thread)."""
    from spec_automation.core.documents import DocumentType

    root = service.paths.root
    entries = [InputEntry(InputKind.BRIEF, BRIEF, "Brief")]
    if (root / CONSTITUTION).is_file():
        entries.append(InputEntry(InputKind.CONSTITUTION, CONSTITUTION, "Constitution"))
    for document in service.documents.imported():
        try:
            label = DocumentType(document.type).label
        except ValueError:  # a type this version does not know: say it as stored
            label = document.type
        entries.append(
            InputEntry(
                InputKind.DOCUMENT,
                document.name,
                document.title,
                label,
                document.status,
                len(document.findings),
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


#: The largest share of the explorer's width the state column takes.
STATE_SHARE = 0.45

#: The item data role holding an input row's (kind, name); artifacts use ``UserRole``.
_INPUT_ROLE = Qt.ItemDataRole.UserRole + 1


class ProjectExplorer(QTreeWidget):
    """The Inputs group, then artifacts grouped by phase (objectName ``projectExplorer``);
    activating an artifact opens it, activating an input shows it in the document inspector."""

    artifactActivated = Signal(str)
    #: An input was activated: its kind (an :class:`InputKind` value) and file name.
    inputActivated = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectExplorer")
        self.setColumnCount(2)
        self.setHeaderLabels(["Artifact", "State"])
        self.setRootIsDecorated(True)
        self.setIndentation(16)
        self.setUniformRowHeights(True)
        # The state column takes what it needs, but never more than STATE_SHARE of the width:
        # a long state ("edited by you · v2 · approve?") must not squeeze the names away.
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.itemActivated.connect(self._activated)
        self.itemDoubleClicked.connect(self._activated)
        self.entries: list[ArtifactEntry] = []
        self.inputs: list[InputEntry] = []
        self._theme = current_theme()

    def set_theme(self, theme: Theme) -> None:
        """Recolour the states."""
        self._theme = theme
        self._rebuild()

    def show_entries(self, entries: list[ArtifactEntry]) -> None:
        """Show these artifacts (grouped by phase, in wave order), keeping the selection."""
        self.entries = list(entries)
        self._rebuild()

    def show_inputs(self, inputs: list[InputEntry]) -> None:
        """Show these inputs in the Inputs group (none: no group), keeping the selection."""
        self.inputs = list(inputs)
        self._rebuild()

    def _rebuild(self) -> None:
        selected = self.selected_artifact()
        selected_input = self.selected_input()
        self.clear()
        if self.inputs:
            self._add_inputs(selected_input)
        entries = self.entries
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
        self._fit_state_column()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the names readable as the explorer is resized."""
        super().resizeEvent(event)
        self._fit_state_column()

    def _fit_state_column(self) -> None:
        wanted = max(self.sizeHintForColumn(1), self.header().sectionSizeHint(1))
        limit = int(self.viewport().width() * STATE_SHARE)
        self.header().resizeSection(1, max(48, min(wanted, limit)))

    def _add_inputs(self, selected: tuple[str, str] | None) -> None:
        documents = sum(1 for entry in self.inputs if entry.kind == InputKind.DOCUMENT)
        group = QTreeWidgetItem(["Inputs", f"{documents} imported" if documents else ""])
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        group.setForeground(1, QBrush(self._theme.colour("text-muted")))
        group.setToolTip(
            0, "What the artifacts are made from: the brief, the constitution, imported documents"
        )
        self.addTopLevelItem(group)
        for entry in self.inputs:
            if entry.kind == InputKind.DOCUMENT:
                mark = _STATUS_MARK.get(entry.status, "")
                label = _SHORT_TYPE.get(entry.type_label, entry.type_label)
                state = f"{label} {mark}".strip()
                plural = "s" if entry.findings != 1 else ""
                found = f"{entry.findings} finding{plural} ({entry.status})"
                tip = f"inputs/{entry.name}: {entry.title}, a {entry.type_label}; " + (
                    found if entry.findings else "no findings"
                )
                colour = _STATUS_COLOUR.get(entry.status, "text-muted")
            else:
                state = "your " + entry.kind.value
                tip = f"{entry.name}: the project's {entry.kind.value} (read-only here)"
                colour = "text-muted"
            # The file name, short and unique (the title is in the tooltip and the inspector).
            item = QTreeWidgetItem([entry.name, state])
            item.setData(0, _INPUT_ROLE, (entry.kind.value, entry.name))
            item.setForeground(1, QBrush(self._theme.colour(colour)))
            item.setToolTip(0, tip)
            item.setToolTip(1, tip)
            group.addChild(item)
            if selected == (entry.kind.value, entry.name):
                item.setSelected(True)

    def input_rows(self) -> list[tuple[str, str]]:
        """The Inputs group's rows as shown: (name column, state column)."""
        group = self.topLevelItem(0)
        if group is None or group.text(0) != "Inputs" or not self.inputs:
            return []
        return [(group.child(i).text(0), group.child(i).text(1)) for i in range(group.childCount())]

    def selected_input(self) -> tuple[str, str] | None:
        """The (kind, name) of the input selected, if any."""
        for item in self.selectedItems():
            key = item.data(0, _INPUT_ROLE)
            if isinstance(key, tuple | list) and len(key) == 2:
                return str(key[0]), str(key[1])
        return None

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
            return
        key = item.data(0, _INPUT_ROLE)
        if isinstance(key, tuple | list) and len(key) == 2:
            self.inputActivated.emit(str(key[0]), str(key[1]))
