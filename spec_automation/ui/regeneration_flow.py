"""From an edit to regenerated artifacts: the impact dialog, the live run, the review.

After the user saves an artifact whose content changed, or the app records an edit made outside
it, the main window hands the change to a :class:`RegenerationFlow`. The flow analyses the
impact in a worker thread, then either tells the user quietly that a formatting-only edit
affects nothing (unless the settings ask for the dialog every time) or opens the
:class:`ImpactDialog`. The chosen regeneration runs as a task, live in the run workspace's wave
visualizer (the phases it runs active, the rest dimmed). When it ends, a notification lists what
was regenerated, what came out unchanged and what failed, with Review changes (one tab listing
the regenerated artifacts with their change counts, and the diff of the one picked, before and
after: see ``change_review``) and Roll back (after a confirmation, the snapshot taken
before the run is restored).

A sprint change proposal takes the same way (:meth:`RegenerationFlow.review_proposal`): the
dialog shows the combined impact of its edits, and the choice applies them through the
service's ``apply_proposal`` (which writes the edits, then regenerates) instead of
``regenerate`` (``regeneration_sources`` says which call a run makes and how the flow speaks
of it).

Changes are handled one at a time, in the order they came: a second save while the dialog is
open or a regeneration runs is analysed when the first is done.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from spec_automation.core.changes import ImpactLevel
from spec_automation.core.project_texts import INPUTS_PREFIX
from spec_automation.services import (
    ChangeInfo,
    EditsAtRisk,
    ImpactReport,
    ProjectService,
    RegenerationReport,
    RunOptions,
    Strategy,
    UsageEstimate,
)
from spec_automation.settings import AppSettings
from spec_automation.ui.change_review import ChangeReview, reviewed
from spec_automation.ui.dialogs import Prompter, ask_later
from spec_automation.ui.errors import or_said, user_message
from spec_automation.ui.impact_dialog import DialogWords, ImpactChoice, ImpactDialog, strategy_label
from spec_automation.ui.regeneration_sources import (
    Regeneration,
    applied_already,
    edit_regeneration,
    proposal_regeneration,
    proposal_words,
)
from spec_automation.ui.tasks import spawn
from spec_automation.ui.theme import Theme
from spec_automation.ui.visualizer.run_plan import decide_with
from spec_automation.ui.visualizer.run_state import format_duration

if TYPE_CHECKING:
    from spec_automation.ui.disk_sync import DiskSync
    from spec_automation.ui.history_area import HistoryArea
    from spec_automation.ui.run_area import RunArea

__all__ = ["FlowHost", "RegenerationFlow", "RegenerationSummary"]


class FlowHost(Protocol):
    """What the flow needs from the main window."""

    service: ProjectService | None
    settings: AppSettings
    theme: Theme
    prompter: Prompter

    history_area: HistoryArea  # refresh_history, show_diff
    disk: DiskSync  # check_files_on_disk
    runs: RunArea  # show

    def notify(self, message: str, *, error: bool = False) -> None:
        """Show a one-line notification."""

    async def refresh_explorer(self) -> None:
        """Re-read every artifact's state."""


class RegenerationSummary(QFrame):
    """The notification after a regeneration (objectName ``regenerationNotice``): what was
    regenerated, unchanged and failed, with Review changes, Roll back and Dismiss."""

    reviewRequested = Signal()
    rollbackRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("regenerationNotice")
        self.title = QLabel()
        self.title.setObjectName("regenerationTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.regenerated = QLabel()
        self.unchanged = QLabel()
        self.failed = QLabel()
        self.failed.setProperty("role", "error")
        for label in (self.regenerated, self.unchanged, self.failed):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.review_button = QPushButton("Review &changes")
        self.review_button.setObjectName("reviewChangesButton")
        self.review_button.setToolTip(
            "See what the run changed: each regenerated artifact, before and after"
        )
        self.rollback_button = QPushButton("Roll &back")
        self.rollback_button.setObjectName("rollbackButton")
        self.rollback_button.setToolTip("Restore every artifact as it was before this run")
        self.dismiss_button = QPushButton("Dismiss")
        self.review_button.clicked.connect(self.reviewRequested)
        self.rollback_button.clicked.connect(self.rollbackRequested)
        self.dismiss_button.clicked.connect(self.hide)
        # The title and the lists have the whole width, the buttons a row under them: in a
        # narrow window the notice stays a few lines tall (and no wrapped line is cut off),
        # leaving the review its room.
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        for button in (self.review_button, self.rollback_button, self.dismiss_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 8, 8)
        layout.setSpacing(4)
        for label in (self.title, self.regenerated, self.unchanged, self.failed):
            layout.addWidget(label)
        layout.addLayout(buttons)
        self.report: RegenerationReport | None = None
        self.hide()

    def show_report(self, report: RegenerationReport, cause: str = "") -> None:
        """Describe a finished regeneration (run after ``cause``, by default the change to
        its trigger) and show the notification."""
        self.report = report
        outcome = {
            "completed": "Regeneration finished",
            "partial": "Regeneration finished with failures",
            "failed": "Regeneration failed",
        }.get(report.status, f"Regeneration {report.status}")
        self.title.setText(
            f"{outcome} after {cause or f'your change to {report.trigger_artifact}'} "
            f"({strategy_label(report.strategy)}, {format_duration(report.duration_s)})"
        )
        self.regenerated.setText(
            "Regenerated: " + (", ".join(report.artifacts_regenerated) or "none")
        )
        self.unchanged.setText(
            "Skipped (came out unchanged): " + (", ".join(report.artifacts_unchanged) or "none")
        )
        failures = "; ".join(f"{phase}: {error}" for phase, error in report.failures.items())
        self.failed.setText(f"Failed: {failures}" if failures else "Failed: none")
        self.failed.setProperty("role", "error" if failures else "muted")
        self.failed.style().unpolish(self.failed)
        self.failed.style().polish(self.failed)
        self.review_button.setEnabled(bool(report.artifacts_regenerated))
        self.rollback_button.setEnabled(report.snapshot_id is not None)
        self.show()
        first = self.review_button if report.artifacts_regenerated else self.dismiss_button
        first.setFocus()


class RegenerationFlow(QObject):
    """Takes changes from the main window through analysis, the dialog and the run.

    Args:
        host: the main window (see :class:`FlowHost`).
        parent_widget: the dialogs' parent.
        workspace: returns the run workspace to show the run in (None: no live view).

    Signals:
        dialogOpened(ImpactDialog), regenerated(RegenerationReport), rolledBack(object report):
            for the window and for tests.
    """

    dialogOpened = Signal(object)
    regenerated = Signal(object)
    rolledBack = Signal(object)

    def __init__(
        self,
        host: FlowHost,
        parent_widget: QWidget,
        *,
        workspace: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self.host = host
        self.parent_widget = parent_widget
        self.workspace = workspace or (lambda: None)
        self.dialog: ImpactDialog | None = None
        self.last_report: RegenerationReport | None = None
        self.summary = RegenerationSummary()
        self.summary.reviewRequested.connect(lambda: self._spawn(self.review_changes()))
        self.summary.rollbackRequested.connect(lambda: self._spawn(self.roll_back()))
        self._lock = asyncio.Lock()
        self.handled = 0
        self.pending = 0
        #: The latest Review changes / Roll back task.
        self.last_action: asyncio.Task[Any] | None = None
        #: The tab Review changes opened last.
        self.review: ChangeReview | None = None

    def _spawn(self, coro: Any) -> None:
        # Kept so a caller (a test, or the window closing) can wait for it to finish.
        self.last_action = spawn(coro)

    def handle(self, change: ChangeInfo | None, *, always_ask: bool = False) -> asyncio.Task[Any]:
        """Take a change (None: the latest edit) through :meth:`after_change` as a task.

        ``handled`` counts the changes taken, ``pending`` those not finished yet (the window
        and tests see at once that one is on its way).
        """
        self.handled += 1
        self.pending += 1

        async def go() -> RegenerationReport | None:
            try:
                return await self.after_change(change, always_ask=always_ask)
            finally:
                self.pending -= 1

        return spawn(go(), name="impact of a change")

    def review_proposal(self, name: str, *, said_first: str = "") -> asyncio.Task[Any]:
        """Take the imported change proposal ``name`` through :meth:`after_proposal` as a
        task (counted in ``handled`` and ``pending`` as a change is)."""
        self.handled += 1
        self.pending += 1

        async def go() -> RegenerationReport | None:
            try:
                return await self.after_proposal(name, said_first=said_first)
            finally:
                self.pending -= 1

        return spawn(go(), name="review a change proposal")

    # --- from a change to a choice -------------------------------------------------------

    async def after_change(
        self, change: ChangeInfo | None, *, always_ask: bool = False
    ) -> RegenerationReport | None:
        """Handle a recorded change (None: the latest edit): a quiet note, or the dialog and
        then the regeneration chosen. ``always_ask`` opens the dialog even for a
        formatting-only edit (the user asked for it from the Run menu)."""
        async with self._lock:
            service = self.host.service
            if service is None:
                return None
            change_id = change.id if change is not None else None
            report = await or_said(
                asyncio.to_thread(service.analyze_impact, change_id),
                lambda message: self.host.notify(message, error=True),
            )
            if report is None:
                return None
            if self.host.service is not service:
                return None
            ask_anyway = always_ask or self.host.settings.impact_dialog_for_cosmetic
            quiet = not report.affected or (_cosmetic(report) and not ask_anyway)
            if quiet:
                self.host.notify(_quiet_message(report))
                return None
            choice = await self.ask(report)
            if choice is None:
                self.host.notify(
                    f"Nothing was regenerated; your change to {report.trigger_artifact} stays "
                    "recorded (Run ▸ Impact of the latest change to decide later)."
                )
                return None
            return await self.regenerate(report, choice)

    async def after_proposal(self, name: str, *, said_first: str = "") -> RegenerationReport | None:
        """Show the impact of applying the imported change proposal ``name`` in the dialog,
        then apply it as chosen (Cancel writes nothing). A proposal whose edits are all
        applied already is said so, with no dialog. ``said_first`` starts what the notice
        bar says when nothing opens (the import's own sentence)."""
        first = f"{said_first} " if said_first else ""
        async with self._lock:
            service = self.host.service
            if service is None:
                return None
            preview = await or_said(
                asyncio.to_thread(service.documents.preview_proposal, name),
                lambda message: self.host.notify(
                    f"{first}The change proposal cannot be applied: {message}.", error=True
                ),
            )
            if preview is None or self.host.service is not service:
                return None
            if not preview.targets:
                self.host.notify(first + applied_already(preview))
                return None
            choice = await self.ask(preview.impact, words=proposal_words(preview))
            if choice is None:
                self.host.notify(
                    f"Nothing was applied: the change proposal {preview.document} stays "
                    "imported; apply it later with Review and apply… in its inspector."
                )
                return None
            how = proposal_regeneration(service, name, preview.targets)
            return await self.regenerate(preview.impact, choice, how)

    async def ask(
        self, report: ImpactReport, *, words: DialogWords | None = None
    ) -> ImpactChoice | None:
        """Open the impact dialog (modal, not blocking the loop) and await the choice."""
        usage = await self._usage(report)
        dialog = ImpactDialog(
            report, theme=self.host.theme, usage=usage, parent=self.parent_widget, words=words
        )
        future: asyncio.Future[ImpactChoice | None] = asyncio.get_running_loop().create_future()

        def finished(_result: int) -> None:
            if not future.done():
                future.set_result(dialog.choice)

        dialog.finished.connect(finished)
        self.dialog = dialog
        dialog.open()
        self.dialogOpened.emit(dialog)
        try:
            return await future
        finally:
            self.dialog = None
            dialog.deleteLater()

    async def _usage(self, report: ImpactReport) -> dict[str, UsageEstimate] | None:
        settings = self.host.settings
        service = self.host.service
        if settings.provider == "offline" or service is None:
            return None
        model = self.options().model  # the chosen provider's (Claude's or the server's)

        def estimates() -> dict[str, UsageEstimate]:
            return {
                strategy: service.estimate_usage(chosen, model)
                for strategy, chosen in report.selections.items()
                if chosen
            }

        return await asyncio.to_thread(estimates)

    # --- the run -------------------------------------------------------------------------

    def options(self) -> RunOptions:
        """Run options from the app's settings."""
        return RunOptions.from_settings(self.host.settings)

    async def regenerate(
        self, report: ImpactReport, choice: ImpactChoice, how: Regeneration | None = None
    ) -> RegenerationReport | None:
        """Regenerate as chosen (by default after the recorded change ``report`` analyses;
        ``how`` says otherwise), live in the visualizer; then the notification."""
        service = self.host.service
        if service is None:
            return None
        how = how or edit_regeneration(service, report)
        options = self.options()

        def call(sink: Any) -> Any:
            return how.start(choice, options, sink)  # the options as last decided

        workspace = self.workspace()
        try:
            try:
                result = await self._run(call, choice, workspace, how)
            except EditsAtRisk as risk:
                # Chosen artifacts carry the user's edits: ask, then go on as they say.
                decided = await decide_with(self.host.prompter, self.host)(
                    service, risk.artifacts, how.what
                )
                if decided is None:
                    self.host.notify(how.declined)
                    return None
                options = dataclasses.replace(
                    options, edits=decided, explicit=options.explicit | {"edits"}
                )
                result = await self._run(call, choice, workspace, how)
            if result is None:
                return None
        except asyncio.CancelledError:
            self.host.notify("The regeneration was cancelled; what it finished is kept.")
            await self._refresh()
            raise
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.host.notify(f"{how.failure}: {message}", error=True)
            return None
        self.last_report = result
        await self._refresh()
        if result.strategy == Strategy.IGNORE:
            self.host.notify(how.ignored)
        else:
            self.summary.show_report(result, how.cause)
            self.host.notify(_one_line(result), error=bool(result.failures))
        self.regenerated.emit(result)
        return result

    async def _run(
        self, call: Any, choice: ImpactChoice, workspace: Any, how: Regeneration
    ) -> RegenerationReport | None:
        service = self.host.service
        if choice.strategy == Strategy.IGNORE or workspace is None or service is None:
            result: RegenerationReport = await call(None)
            return result
        phases = {service.spec.producer_of(a).name for a in choice.artifacts}
        task = workspace.run_regeneration(call, phases)
        if task is None:
            self.host.notify(f"A run is going: {how.later}", error=True)
            return None
        self.host.runs.show()
        report: RegenerationReport = await task
        return report

    async def _refresh(self) -> None:
        await self.host.disk.check_files_on_disk()
        await self.host.refresh_explorer()
        await self.host.history_area.refresh_history()

    # --- after the run -------------------------------------------------------------------

    async def review_changes(self) -> ChangeReview | None:
        """Open the review of the last regeneration in one tab (or bring it to the front):
        the regenerated artifacts with their change counts, and one diff at a time."""
        report = self.last_report
        service = self.host.service
        if report is None or service is None:
            return None
        review = self.review
        if review is not None and review.report is report and self.host.history_area.focus(review):
            return review
        items = await or_said(
            asyncio.to_thread(reviewed, service, report),
            lambda message: self.host.notify(
                f"Could not review the changes: {message}", error=True
            ),
        )
        if items is None or self.host.service is not service:
            return None
        self.review = self.host.history_area.show_review(report, items)
        return self.review

    async def roll_back(self) -> Any:
        """After a confirmation, restore the snapshot taken before the last regeneration."""
        report = self.last_report
        service = self.host.service
        if report is None or report.snapshot_id is None or service is None:
            return None
        names = ", ".join(report.artifacts_regenerated) or "nothing"
        answer = await ask_later(
            lambda: self.host.prompter.question(
                self.parent_widget,
                "Roll back the regeneration",
                f"Restore every artifact as it was before regeneration #{report.run_id}? "
                f"This undoes the new versions of {names}; they stay in history. "
                + _kept_on_rollback(report.trigger_artifact),
                ("Roll back", "Cancel"),
            )
        )
        if answer != "Roll back":
            return None
        snapshot = report.snapshot_id
        result = await or_said(
            asyncio.to_thread(service.rollback, snapshot),
            lambda message: self.host.notify(f"Could not roll back: {message}", error=True),
        )
        if result is None:
            return None
        restored = ", ".join(v.artifact for v in result.restored) or "nothing (already as before)"
        self.last_report = None
        await self._refresh()
        self.summary.hide()
        self.host.notify(f"Rolled back regeneration #{report.run_id}: restored {restored}.")
        self.rolledBack.emit(result)
        return result

    def attach_summary(self, layout: QBoxLayout, index: int) -> None:
        """Put the notification into the window's layout."""
        layout.insertWidget(index, self.summary)


def _kept_on_rollback(trigger: str) -> str:
    """What a rollback of the regeneration leaves: the change that set it off."""
    if trigger.startswith(INPUTS_PREFIX):  # an imported document, or a proposal's edits
        return f"{trigger}, and any edits it wrote into the artifacts, stay as they are now."
    return f"Your edit to {trigger} is kept."


def _cosmetic(report: ImpactReport) -> bool:
    """A formatting-only edit that leaves nothing downstream at HIGH or MEDIUM."""
    levels = {a.level for a in report.affected}
    formatting = report.change.cosmetic or report.trigger_level == ImpactLevel.LOW
    return formatting and not levels & {ImpactLevel.HIGH, ImpactLevel.MEDIUM}


def _quiet_message(report: ImpactReport) -> str:
    if not report.affected:
        return (
            f"Change to {report.trigger_artifact} recorded; nothing is made from it, so "
            "nothing needs regenerating."
        )
    return (
        f"Formatting-only change to {report.trigger_artifact} recorded; the "
        f"{len(report.affected)} artifacts made from it need no regenerating."
    )


def _one_line(report: RegenerationReport) -> str:
    text = (
        f"Regeneration #{report.run_id} {report.status}: "
        f"{len(report.artifacts_regenerated)} regenerated, "
        f"{len(report.artifacts_unchanged)} unchanged, {len(report.failures)} failed."
    )
    if report.gates_reopened:
        text += f" Gates to approve again: {', '.join(report.gates_reopened)}."
    return text
