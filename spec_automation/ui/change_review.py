"""Review changes: what one regeneration changed, artifact by artifact, in one tab.

On the left, the artifacts the run regenerated, each with the number of changes it made
outside the front matter (the front matter's hashes change on every regeneration, so they
are not counted); on the right, the selected artifact's diff, the version before the run
against the one it made, with the front matter folded away and "change k of n". Up and Down in
the list pick an artifact; Alt+Down and Alt+Up step through its changes wherever the focus is
in the window while the review is in front.

The diffs are computed together in a worker thread when the review opens (:func:`reviewed`),
so picking an artifact only lays out its text.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from spec_automation.services import ProjectService, RegenerationReport
from spec_automation.ui.diffviewer import DiffViewer
from spec_automation.ui.tasks import spawn
from spec_automation.ui.textdiff import SideBySide, side_by_side
from spec_automation.ui.theme import Theme

__all__ = ["ChangeReview", "ReviewedArtifact", "before_and_after", "reviewed"]


@dataclass(frozen=True, slots=True)
class ReviewedArtifact:
    """One regenerated artifact: its versions' names and their diff."""

    artifact: str
    old_title: str
    new_title: str
    diff: SideBySide

    @property
    def changes(self) -> int:
        """The changes made outside the front matter."""
        return len(self.diff.body_hunks)


def before_and_after(
    service: ProjectService, artifact: str, run_id: int
) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """((label, text) before the run, (label, text) the run made) for one artifact."""
    versions = service.artifact_versions(artifact, limit=50).items  # newest first
    for index, version in enumerate(versions):
        if version.regeneration_run_id == run_id and index + 1 < len(versions):
            before = versions[index + 1]
            return (
                (f"v{before.version} (before)", service.version_content(before.id)),
                (f"v{version.version} (regenerated)", service.version_content(version.id)),
            )
    return None


def reviewed(service: ProjectService, report: RegenerationReport) -> list[ReviewedArtifact]:
    """The diff of every artifact the regeneration made a new version of (run in a worker
    thread: it reads the store and compares texts)."""
    found: list[ReviewedArtifact] = []
    for artifact in report.artifacts_regenerated:
        pair = before_and_after(service, artifact, report.run_id)
        if pair is None:
            continue
        (old_label, old), (new_label, new) = pair
        found.append(
            ReviewedArtifact(
                artifact,
                f"{artifact} {old_label}",
                f"{artifact} {new_label}",
                side_by_side(old, new),
            )
        )
    return found


def _count_tip(item: ReviewedArtifact) -> str:
    if item.changes:
        return (
            f"{item.artifact}: {item.changes} change{'' if item.changes == 1 else 's'} "
            "outside the front matter"
        )
    if item.diff.changed:
        return f"{item.artifact}: only the front matter changed"
    return f"{item.artifact}: the text is the same as before"


class ChangeReview(QWidget):
    """The review of one regeneration (objectName ``changeReview``): the regenerated
    artifacts with their change counts, and one diff at a time."""

    def __init__(
        self, report: RegenerationReport, items: list[ReviewedArtifact], theme: Theme
    ) -> None:
        super().__init__()
        self.setObjectName("changeReview")
        self.report = report
        self.items = items
        self.artifacts = QTreeWidget()
        self.artifacts.setObjectName("reviewArtifacts")
        # Names and counts need no header (which would take the names' room); each row's
        # tooltip says what its number counts.
        self.artifacts.setColumnCount(2)
        self.artifacts.setHeaderHidden(True)
        self.artifacts.setRootIsDecorated(False)
        self.artifacts.setUniformRowHeights(True)
        self.artifacts.setAccessibleName("Regenerated artifacts")
        counted = sum(1 for item in items if item.changes)
        self.artifacts.setToolTip(_summary(report, len(items), counted))
        header = self.artifacts.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.artifacts.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._muted = theme.colour("text-muted")
        for item in items:
            row = QTreeWidgetItem([item.artifact, str(item.changes)])
            for column in (0, 1):
                row.setToolTip(column, _count_tip(item))
            row.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not item.changes:
                row.setForeground(1, self._muted)
            self.artifacts.addTopLevelItem(row)
        self.artifacts.setMinimumWidth(150)
        self.viewer = DiffViewer(
            items[0].artifact if items else "", keys=False, toolbar_inside=False
        )
        self.viewer.set_theme(theme)
        self.viewer.bind_keys(self)  # from the list as well as the diff, and the rest of the window
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.artifacts)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.viewer)
        # A quarter of the room for the list, the rest for the diff, however wide the tab is.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([220, 660])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        # The diff's bar spans the list too: in a narrow window it keeps its buttons whole.
        layout.addWidget(self.viewer.toolbar)
        layout.addWidget(self.splitter, 1)
        self.artifacts.currentItemChanged.connect(self._picked)
        self.setFocusProxy(self.artifacts)

    def set_theme(self, theme: Theme) -> None:
        """Use the theme's colours."""
        self.viewer.set_theme(theme)
        self._muted = theme.colour("text-muted")
        for index, item in enumerate(self.items):
            if not item.changes:
                self.artifacts.topLevelItem(index).setForeground(1, self._muted)

    def start(self) -> None:
        """Show the first artifact with changes outside its front matter (or the first)."""
        if not self.items:
            return
        first = next((i for i, item in enumerate(self.items) if item.changes), 0)
        self.artifacts.setCurrentItem(self.artifacts.topLevelItem(first))

    def select(self, artifact: str) -> bool:
        """Show one artifact's diff."""
        for index, item in enumerate(self.items):
            if item.artifact == artifact:
                self.artifacts.setCurrentItem(self.artifacts.topLevelItem(index))
                return True
        return False

    def current(self) -> ReviewedArtifact | None:
        """The artifact whose diff is shown."""
        index = self.artifacts.indexOfTopLevelItem(self.artifacts.currentItem())
        return self.items[index] if 0 <= index < len(self.items) else None

    def _picked(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        if current is None:
            return
        item = self.items[self.artifacts.indexOfTopLevelItem(current)]
        self.viewer.artifact = item.artifact
        spawn(
            self.viewer.show_diff(item.diff, item.old_title, item.new_title),
            name="review an artifact's diff",
        )


def _summary(report: RegenerationReport, regenerated: int, counted: int) -> str:
    """What the list holds, for its tooltip."""
    if counted == regenerated:
        counted_text = "all of them" if regenerated > 1 else "it"
    else:
        counted_text = f"{counted} of them" if counted else "none of them"
    artifacts = f"{regenerated} artifact{'' if regenerated == 1 else 's'}"
    return (
        f"Regeneration #{report.run_id} made new versions of {artifacts}; {counted_text} "
        "changed outside the front matter. Pick one to see its diff; Alt+Down and Alt+Up "
        "step through its changes."
    )
