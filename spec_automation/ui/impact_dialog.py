"""The impact-analysis dialog: what an edit touches downstream, and how to regenerate.

It shows the trigger (the artifact, the change's impact level, the sections added, modified
and deleted; selecting one shows its before/after diff), the affected artifacts with their level
as a coloured chip that also says the level in words, the reason, the dependency path and a mark
on artifacts carrying the user's own edits, the counts per level, and the estimated duration
(plus tokens and cost when an LLM provider is used). The user picks one of four strategies, the
recommended one preselected; manual review lets them tick artifacts. Ignoring a change while an
affected artifact is HIGH needs a second confirmation. Regenerate (Enter) emits the choice;
Cancel (Escape) leaves everything as it is, the change still recorded.

The dialog is only a view of the service's ``ImpactReport``: it checks nothing the planner
checks, and it never blocks the loop (it is shown with ``open()``, never ``exec()``). What it
calls the change and its buttons come from :class:`DialogWords`: a hand edit by default; a
sprint change proposal brings its own (see ``proposal_review``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from spec_automation.core.changes import ImpactLevel
from spec_automation.services import ImpactReport, Strategy, UsageEstimate
from spec_automation.ui.diffviewer import DiffViewer
from spec_automation.ui.impact_table import (
    ARTIFACT_COLUMN,
    LEVEL_COLUMN,
    AffectedTable,
    chip_colours,
    level_words,
)
from spec_automation.ui.tasks import spawn
from spec_automation.ui.theme import Theme, current_theme
from spec_automation.ui.visualizer.run_state import format_duration

__all__ = [
    "DialogWords",
    "ImpactChoice",
    "ImpactDialog",
    "chip_colours",
    "edit_words",
    "level_words",
    "strategy_label",
]


_STRATEGY_WORDS = {
    Strategy.REGENERATE_ALL: ("Regenerate &all", "every affected artifact"),
    Strategy.HIGH_IMPACT_ONLY: ("&High impact only", "the most affected tier"),
    Strategy.MANUAL_REVIEW: ("&Manual review", "the artifacts you tick in the table"),
    Strategy.IGNORE: ("&Ignore", "regenerate nothing; the change stays recorded"),
}


@dataclass(frozen=True, slots=True)
class DialogWords:
    """How the dialog speaks of the change it shows, and what its buttons say."""

    window_title: str
    title: str  # rich text, the heading
    cancel_note: str  # beside Cancel: what cancelling leaves
    action: str = "&Regenerate"  # the button, followed by "N artifacts"
    ignore_action: str = "Ig&nore the change"
    ignore_what: str = _STRATEGY_WORDS[Strategy.IGNORE][1]  # the Ignore strategy's note
    ignore_leaves: str = "Ignoring the change leaves them as they are, out of date with your edit."
    ignore_kept: str = "Your edit stays recorded either way."
    note: str = ""  # a warning under the recommendation ("" for none)
    parts: tuple[str, str] = ("section", "changed")  # "5 sections changed"; "5 edits written"


def strategy_label(strategy: Strategy | str) -> str:
    """A strategy as the dialog names it: "High impact only" for ``high_impact_only``."""
    return _STRATEGY_WORDS[Strategy(strategy)][0].replace("&", "")


def edit_words(report: ImpactReport) -> DialogWords:
    """The words for an edit of an artifact (the user's, in the app or on disk)."""
    return DialogWords(
        window_title=f"Impact of your change to {report.trigger_artifact}",
        title=f"You changed <b>{escape(report.trigger_artifact)}</b>",
        cancel_note="Cancel keeps your edit recorded; nothing is regenerated.",
    )


@dataclass(frozen=True, slots=True)
class ImpactChoice:
    """What the user chose: a strategy, the artifacts it regenerates, and whether an ignore
    of HIGH artifacts was confirmed."""

    strategy: Strategy
    artifacts: tuple[str, ...]  # manual review: the pick; otherwise the strategy's selection
    confirm: bool = False

    @property
    def manual_pick(self) -> tuple[str, ...]:
        """The artifact list the service takes (only manual review passes one)."""
        return self.artifacts if self.strategy == Strategy.MANUAL_REVIEW else ()


class ImpactDialog(QDialog):
    """The impact-analysis dialog (objectName ``impactDialog``, modal).

    Args:
        report: the service's analysis of the change.
        theme: colours for the chips (the app's theme).
        usage: tokens and cost per strategy, when an LLM provider is used (else None).
        parent: the main window.
        words: what the dialog calls the change (default: :func:`edit_words`).

    Signals:
        choiceMade(ImpactChoice): Regenerate was pressed (and, for Ignore on HIGH, confirmed);
            the dialog closes accepted right after.
    """

    choiceMade = Signal(object)

    def __init__(
        self,
        report: ImpactReport,
        *,
        theme: Theme | None = None,
        usage: Mapping[str, UsageEstimate] | None = None,
        parent: QWidget | None = None,
        words: DialogWords | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("impactDialog")
        self.setModal(True)
        self.words = words or edit_words(report)
        self.setWindowTitle(self.words.window_title)
        self.report = report
        self.theme = theme or current_theme()
        self.usage = dict(usage or {})
        self.choice: ImpactChoice | None = None
        self.ignore_confirmation: QMessageBox | None = None
        self._manual_pick: set[str] = set()
        self.resize(1180, 820)

        self._build_trigger()
        self._build_table()
        self._build_strategies()
        self._build_buttons()
        self._build_layout()

        recommended = self.strategy_buttons[report.recommended_strategy]
        recommended.setChecked(True)
        self._strategy_changed()
        if report.change.sections:
            self.sections.setCurrentRow(0)
        recommended.setFocus()

    # --- building ------------------------------------------------------------------------

    def _chip(self, level: str, text: str = "") -> QLabel:
        fill, colour = chip_colours(self.theme, level)
        chip = QLabel(text or level)
        chip.setObjectName(f"levelChip{level.capitalize()}")
        chip.setStyleSheet(
            f"QLabel {{ background: {fill}; color: {colour}; border-radius: 10px; "
            "padding: 2px 10px; font-weight: bold; }"
        )
        chip.setAccessibleName(f"{text or level} impact")
        return chip

    def _build_trigger(self) -> None:
        report = self.report
        change = report.change
        self.title = QLabel(self.words.title)
        self.title.setObjectName("impactTitle")
        self.title.setProperty("role", "title")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.trigger_chip = self._chip(str(report.trigger_level))
        kinds = [s.kind for s in change.sections]
        counted = ", ".join(
            f"{kinds.count(kind)} {kind}"
            for kind in ("added", "modified", "deleted")
            if kind in kinds
        )
        plural = "s" if len(kinds) != 1 else ""
        noun, verb = self.words.parts
        self.trigger_text = QLabel(
            f"{level_words(report.trigger_level)} · {len(kinds)} {noun}{plural} {verb}"
            + (f" ({counted})" if counted else "")
        )
        self.trigger_text.setProperty("role", "muted")
        self.recommendation = QLabel(f"Recommended: {report.recommendation}.")
        self.recommendation.setWordWrap(True)
        self.note = QLabel(self.words.note)
        self.note.setObjectName("impactNote")
        self.note.setProperty("role", "warning")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setVisible(bool(self.words.note))

        self.sections = QListWidget()
        self.sections.setObjectName("changedSectionsList")
        self.sections.setAccessibleName("Changed sections")
        for section in change.sections:
            item = QListWidgetItem(f"{section.kind}: {section.name}")
            item.setData(Qt.ItemDataRole.UserRole, section.name)
            item.setToolTip(f"{section.name} ({section.kind})")
            self.sections.addItem(item)
        self.sections.currentRowChanged.connect(self._section_selected)
        self.sections_label = QLabel("Changed &sections")
        self.sections_label.setProperty("role", "caption")
        self.sections_label.setBuddy(self.sections)
        self.section_diff = DiffViewer(report.trigger_artifact)
        self.section_diff.setObjectName("sectionDiff")
        self.section_diff.set_theme(self.theme)
        self.section_diff.setMinimumHeight(150)

    def _build_table(self) -> None:
        report = self.report
        table = AffectedTable(report, self.theme)
        table.itemChanged.connect(self._item_changed)
        self.table = table
        self.table_label = QLabel("Affected artifac&ts")
        self.table_label.setProperty("role", "caption")
        self.table_label.setBuddy(table)

        counts = QHBoxLayout()
        counts.setSpacing(8)
        total = len(report.affected)
        summary = QLabel(f"{total} affected artifact{'s' if total != 1 else ''}:")
        counts.addWidget(summary)
        self.count_chips: dict[str, QLabel] = {}
        for level in ImpactLevel:
            chip = self._chip(level.value, f"{report.counts.get(level.value, 0)} {level.value}")
            self.count_chips[level.value] = chip
            counts.addWidget(chip)
        counts.addStretch(1)
        self.edited_note = QLabel()
        if report.user_edited:
            self.edited_note.setText(
                f"✎ {len(report.user_edited)} carry your edits, which regenerating replaces"
            )
            self.edited_note.setProperty("role", "warning")
        counts.addWidget(self.edited_note)
        self.counts_row = counts

    def _build_strategies(self) -> None:
        report = self.report
        self.strategy_buttons: dict[Strategy, QRadioButton] = {}
        self.strategy_notes: dict[Strategy, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        for row, strategy in enumerate(Strategy):
            words, what = _STRATEGY_WORDS[strategy]
            if strategy == report.recommended_strategy:
                words += " (recommended)"
            button = QRadioButton(words)
            button.setObjectName(_object_name(strategy))
            button.toggled.connect(self._strategy_changed)
            note = QLabel(self._strategy_note(strategy, what))
            note.setProperty("role", "muted")
            note.setWordWrap(True)
            self.strategy_buttons[strategy] = button
            self.strategy_notes[strategy] = note
            grid.addWidget(button, row, 0)
            grid.addWidget(note, row, 1)
        grid.setColumnStretch(1, 1)
        self.strategy_grid = grid
        self.estimate = QLabel()
        self.estimate.setObjectName("impactEstimate")
        self.estimate.setWordWrap(True)

    def _strategy_note(self, strategy: Strategy, what: str) -> str:
        if strategy == Strategy.MANUAL_REVIEW:
            return what
        if strategy == Strategy.IGNORE:
            high = self.report.counts.get(ImpactLevel.HIGH.value, 0)
            what = self.words.ignore_what
            return what + (f"; {high} HIGH artifact(s) would stay stale" if high else "")
        chosen = self.report.selections.get(strategy.value, ())
        seconds = self.report.strategy_estimates_s.get(strategy.value, 0.0)
        count = len(chosen)
        return f"{what}: {count} artifact{'s' if count != 1 else ''} · ≈ {format_duration(seconds)}"

    def _build_buttons(self) -> None:
        self.buttons = QDialogButtonBox()
        self.regenerate_button = QPushButton(self.words.action)
        self.regenerate_button.setObjectName("regenerateButton")
        self.regenerate_button.setDefault(True)
        self.regenerate_button.setAutoDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelImpactButton")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.setToolTip("Decide later: nothing is regenerated (Escape)")
        self.buttons.addButton(self.regenerate_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.regenerate_button.clicked.connect(self.regenerate)
        self.cancel_button.clicked.connect(self.reject)
        self.cancel_note = QLabel(self.words.cancel_note)
        self.cancel_note.setObjectName("impactCancelNote")
        self.cancel_note.setWordWrap(True)
        self.cancel_note.setProperty("role", "muted")

    def _build_layout(self) -> None:
        # The title has a row of its own: a proposal's names every artifact it edits.
        level = QHBoxLayout()
        level.setSpacing(12)
        level.addWidget(self.trigger_chip)
        level.addWidget(self.trigger_text, 1)
        heading = QVBoxLayout()
        heading.setSpacing(6)
        heading.addWidget(self.title)
        heading.addLayout(level)

        trigger = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(4)
        left_layout.addWidget(self.sections_label)
        left_layout.addWidget(self.sections, 1)
        trigger.addWidget(left)
        trigger.addWidget(self.section_diff)
        trigger.setStretchFactor(0, 1)
        trigger.setStretchFactor(1, 3)
        # Wide enough for the longest section name (a proposal's name the artifact too).
        names = self.sections.sizeHintForColumn(0) + 2 * self.sections.frameWidth() + 8
        sections_width = min(max(300, names), 440)
        trigger.setSizes([sections_width, 1160 - sections_width])
        trigger.setChildrenCollapsible(False)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.setSpacing(8)
        middle_layout.addWidget(self.table_label)
        middle_layout.addLayout(self.counts_row)
        self.common_reason = QLabel(f"Why, for every one: {self.table.common_reason}")
        self.common_reason.setObjectName("commonReason")
        self.common_reason.setProperty("role", "muted")
        self.common_reason.setWordWrap(True)
        self.common_reason.setVisible(bool(self.table.common_reason))
        middle_layout.addWidget(self.common_reason)
        middle_layout.addWidget(self.table, 1)

        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(trigger)
        body.addWidget(middle)
        body.setStretchFactor(0, 2)
        body.setStretchFactor(1, 3)
        body.setChildrenCollapsible(False)

        choose = QFrame()
        choose.setObjectName("strategyChoice")
        choose_layout = QVBoxLayout(choose)
        choose_layout.setContentsMargins(0, 0, 0, 0)
        choose_layout.setSpacing(8)
        caption = QLabel("How to regenerate")
        caption.setProperty("role", "caption")
        choose_layout.addWidget(caption)
        choose_layout.addLayout(self.strategy_grid)
        choose_layout.addWidget(self.estimate)

        bottom = QHBoxLayout()
        bottom.addWidget(self.cancel_note, 1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addLayout(heading)
        layout.addWidget(self.recommendation)
        layout.addWidget(self.note)
        layout.addWidget(body, 1)
        layout.addWidget(choose)
        layout.addLayout(bottom)

        # Top to bottom, as the dialog reads; the recommended strategy has the focus at first.
        order: list[QWidget] = [
            self.sections,
            self.section_diff.old_pane,
            self.section_diff.new_pane,
            self.table,
            *self.strategy_buttons.values(),
            self.regenerate_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    # --- reading and setting the choice --------------------------------------------------

    def strategy(self) -> Strategy:
        """The strategy selected."""
        for strategy, button in self.strategy_buttons.items():
            if button.isChecked():
                return strategy
        return self.report.recommended_strategy

    def set_strategy(self, strategy: Strategy | str) -> None:
        """Select a strategy (as clicking its radio button does)."""
        self.strategy_buttons[Strategy(strategy)].setChecked(True)

    def rows(self) -> list[str]:
        """The affected artifacts as the table lists them."""
        return [self._name_item(row).text() for row in range(self.table.rowCount())]

    def checked_artifacts(self) -> tuple[str, ...]:
        """The artifacts ticked in the table (what the selected strategy regenerates)."""
        return tuple(
            self._name_item(row).text()
            for row in range(self.table.rowCount())
            if self._name_item(row).checkState() == Qt.CheckState.Checked
        )

    def set_checked(self, *artifacts: str) -> None:
        """Tick exactly these artifacts (manual review)."""
        for row in range(self.table.rowCount()):
            item = self._name_item(row)
            wanted = item.text() in artifacts
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def is_checkable(self, artifact: str) -> bool:
        """Whether the user can tick the artifact's box now (manual review only)."""
        for row in range(self.table.rowCount()):
            item = self._name_item(row)
            if item.text() == artifact:
                return bool(item.flags() & Qt.ItemFlag.ItemIsUserCheckable)
        return False

    def level_shown(self, artifact: str) -> str:
        """The level the table shows for an artifact."""
        for row in range(self.table.rowCount()):
            if self._name_item(row).text() == artifact:
                level = self.table.item(row, LEVEL_COLUMN)
                return level.text() if level is not None else ""
        return ""

    def _name_item(self, row: int) -> QTableWidgetItem:
        item = self.table.item(row, ARTIFACT_COLUMN)
        assert item is not None  # every row is filled in _build_table
        return item

    # --- reacting ------------------------------------------------------------------------

    def _strategy_changed(self, *_: object) -> None:
        strategy = self.strategy()
        manual = strategy == Strategy.MANUAL_REVIEW
        selection = set(self.report.selections.get(strategy.value, ()))
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            item = self._name_item(row)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if manual:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
                wanted = item.text() in self._manual_pick
            else:
                wanted = item.text() in selection
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._update_summary()

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != ARTIFACT_COLUMN or self.strategy() != Strategy.MANUAL_REVIEW:
            return
        if item.checkState() == Qt.CheckState.Checked:
            self._manual_pick.add(item.text())
        else:
            self._manual_pick.discard(item.text())
        self._update_summary()

    def _update_summary(self) -> None:
        strategy = self.strategy()
        chosen = self.checked_artifacts()
        count = len(chosen)
        plural = "s" if count != 1 else ""
        action = self.words.action
        if strategy == Strategy.IGNORE:
            self.regenerate_button.setText(self.words.ignore_action)
            self.regenerate_button.setEnabled(True)
        elif strategy == Strategy.MANUAL_REVIEW and not chosen:
            self.regenerate_button.setText(action)
            self.regenerate_button.setEnabled(False)
        else:
            self.regenerate_button.setText(f"{action} {count} artifact{plural}")
            self.regenerate_button.setEnabled(bool(count))
        self.strategy_notes[Strategy.MANUAL_REVIEW].setText(
            _STRATEGY_WORDS[Strategy.MANUAL_REVIEW][1]
            + (f": {count} ticked" if strategy == Strategy.MANUAL_REVIEW else "")
        )
        self.estimate.setText(self._estimate_text(strategy, chosen))

    def _estimate_text(self, strategy: Strategy, chosen: tuple[str, ...]) -> str:
        report = self.report
        if strategy == Strategy.IGNORE or not chosen:
            return "Nothing will be regenerated."
        if strategy == Strategy.MANUAL_REVIEW:
            # The service estimates every affected artifact; a pick takes at most that long.
            seconds = report.strategy_estimates_s.get(Strategy.MANUAL_REVIEW.value, 0.0)
            when = f"at most ≈ {format_duration(seconds)}"
        else:
            when = f"≈ {format_duration(report.strategy_estimates_s.get(strategy.value, 0.0))}"
        measured = len(report.measured_phases)
        source = (
            f"from the measured history of {measured} phase(s)" if measured else "spec estimates"
        )
        text = f"<b>Estimated duration</b>: {when} with enough phases at once ({source})."
        usage = self.usage.get(strategy.value)
        if usage is not None:
            tokens = usage.input_tokens + usage.output_tokens
            cost = f"≈ ${usage.cost_usd:.2f}" if usage.cost_usd else "cost unknown for this model"
            text += (
                f" <b>Tokens</b>: ≈ {tokens:,} ({usage.input_tokens:,} in, "
                f"{usage.output_tokens:,} out) · <b>Cost</b>: {cost} with {usage.model}"
            )
            if strategy == Strategy.MANUAL_REVIEW:
                text += " (for every affected artifact; your pick costs less)"
        return text

    def _section_selected(self, row: int) -> None:
        if row < 0 or row >= len(self.report.change.sections):
            return
        section = self.report.change.sections[row]
        spawn(
            self.section_diff.compare(
                section.old_text,
                section.new_text,
                f"{section.name}: before",
                f"{section.name}: after",
            ),
            name="section diff",
        )

    # --- deciding ------------------------------------------------------------------------

    def regenerate(self) -> None:
        """Regenerate (Enter): emit the choice, after a confirmation for Ignore on HIGH."""
        strategy = self.strategy()
        chosen = self.checked_artifacts()
        if strategy == Strategy.MANUAL_REVIEW and not chosen:
            return
        high = [a.artifact for a in self.report.affected if a.level == ImpactLevel.HIGH]
        if strategy == Strategy.IGNORE and high:
            self._confirm_ignore(high)
            return
        self._decide(ImpactChoice(strategy, chosen if strategy != Strategy.IGNORE else ()))

    def _confirm_ignore(self, high: list[str]) -> None:
        box = QMessageBox(self)
        box.setObjectName("ignoreConfirmDialog")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Ignore a HIGH-impact change?")
        box.setText(
            f"{len(high)} affected artifact{'s are' if len(high) != 1 else ' is'} HIGH. "
            + self.words.ignore_leaves
        )
        box.setInformativeText(
            ", ".join(high) + f".\n\n{self.words.ignore_kept} Go back to choose another strategy."
        )
        ignore = box.addButton("&Ignore anyway", QMessageBox.ButtonRole.DestructiveRole)
        ignore.setObjectName("confirmIgnoreButton")
        back = box.addButton("&Go back", QMessageBox.ButtonRole.RejectRole)
        back.setObjectName("goBackButton")
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        self.ignore_confirmation = box

        def finished() -> None:
            self.ignore_confirmation = None
            box.deleteLater()
            if box.clickedButton() is ignore:
                self._decide(ImpactChoice(Strategy.IGNORE, (), confirm=True))
            else:
                self.strategy_buttons[Strategy.IGNORE].setFocus()

        box.finished.connect(finished)
        box.open()

    def _decide(self, choice: ImpactChoice) -> None:
        self.choice = choice
        self.choiceMade.emit(choice)
        self.accept()


def _object_name(strategy: Strategy) -> str:
    words = strategy.value.split("_")
    return "strategy" + "".join(word.capitalize() for word in words)
