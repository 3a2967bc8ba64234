"""The impact dialog on its own: readable chips in both themes, the keyboard, the choice it
returns, and the estimate it shows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QRadioButton

from spec_automation.core.changes import ImpactLevel
from spec_automation.core.colour import contrast_ratio, hex_to_srgb
from spec_automation.services import ImpactReport, ProjectService, Strategy, open_project
from spec_automation.ui.impact_dialog import ImpactChoice, ImpactDialog, chip_colours
from spec_automation.ui.theme import apply_theme, load_theme
from tests.helpers.gui import run, until

pytestmark = pytest.mark.gui


@pytest.fixture
def service(app_dirs: Path, sample_project: Path) -> Iterator[ProjectService]:
    """The sample project, opened."""
    opened = open_project(sample_project, git_enabled=False)
    yield opened
    opened.close()


@pytest.fixture
def medium(service: ProjectService) -> ImpactReport:
    """The analysis of a reworded requirement in prd.md (levels from sensitivity)."""
    text = service.read_artifact("prd.md")
    service.save_artifact("prd.md", text.replace("onto shifts", "and locums onto shifts", 1))
    return service.analyze_impact()


@pytest.fixture
def make_dialog(qtbot: Any, loop: asyncio.AbstractEventLoop) -> Any:
    async def opened(report: ImpactReport, **kwargs: Any) -> ImpactDialog:
        dialog = ImpactDialog(report, **kwargs)
        qtbot.addWidget(dialog)
        dialog.open()
        dialog.activateWindow()
        # the first changed section's diff is computed at once: let it finish on the loop
        await until(lambda: dialog.section_diff.result is not None)
        return dialog

    def build(report: ImpactReport, **kwargs: Any) -> ImpactDialog:
        return run(loop, opened(report, **kwargs))

    return build


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_level_chips_are_coloured_say_their_level_and_are_readable(
    theme: str, make_dialog, medium: ImpactReport
) -> None:
    palette = load_theme(theme)
    for level in ImpactLevel:
        fill, text = chip_colours(palette, level)
        assert contrast_ratio(hex_to_srgb(fill), hex_to_srgb(text)) >= 4.5, (theme, level)
    fills = {chip_colours(palette, level)[0] for level in ImpactLevel}
    assert len(fills) == 3  # each level its own colour, and its name as well

    apply_theme(theme)
    dialog = make_dialog(medium, theme=palette)
    assert dialog.count_chips["HIGH"].text() == "3 HIGH"
    assert dialog.count_chips["MEDIUM"].text() == "9 MEDIUM"  # the code's two among them
    assert dialog.count_chips["LOW"].text() == "1 LOW"
    assert dialog.level_shown("architecture.md") == "HIGH"
    assert dialog.level_shown("journey-maps.md") == "LOW"
    chip = dialog.findChild(QLabel, "levelChipMedium")
    assert chip is dialog.trigger_chip
    assert palette.colours["warning"] in chip.styleSheet()


def test_the_recommended_strategy_is_preselected_labelled_and_focused(
    make_dialog, medium: ImpactReport
) -> None:
    dialog = make_dialog(medium)
    recommended = dialog.strategy_buttons[medium.recommended_strategy]
    assert medium.recommended_strategy == Strategy.REGENERATE_ALL  # 3 HIGH artifacts
    assert recommended.isChecked()
    assert recommended.text().endswith("(recommended)")
    others = [b for s, b in dialog.strategy_buttons.items() if s != medium.recommended_strategy]
    assert not any("recommended" in b.text() for b in others)
    assert dialog.focusWidget() is recommended
    names = {b.objectName() for b in dialog.findChildren(QRadioButton)}
    assert names == {
        "strategyRegenerateAll",
        "strategyHighImpactOnly",
        "strategyManualReview",
        "strategyIgnore",
    }


def test_every_control_has_a_mnemonic_and_tab_walks_the_dialog_in_reading_order(
    make_dialog, loop, medium: ImpactReport
) -> None:
    dialog = make_dialog(medium)
    keys = [b.text().split("&")[1][0].lower() for b in dialog.strategy_buttons.values()]
    keys.append(dialog.regenerate_button.text().split("&")[1][0].lower())
    keys += [dialog.table_label.text().split("&")[1][0].lower()]
    keys += [dialog.sections_label.text().split("&")[1][0].lower()]
    assert len(keys) == len(set(keys)), keys  # no two share a key
    assert dialog.table_label.buddy() is dialog.table
    assert dialog.sections_label.buddy() is dialog.sections

    # Alt+H picks "High impact only"; Alt+T jumps to the table
    QTest.keyClick(dialog, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    # a mnemonic "animates" the click: the button is pressed for a moment first
    run(loop, until(lambda: dialog.strategy() == Strategy.HIGH_IMPACT_ONLY))
    QTest.keyClick(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert dialog.focusWidget() is dialog.table
    # Tab from the table goes to the strategies, then the buttons
    QTest.keyClick(dialog.table, Qt.Key.Key_Tab)
    assert isinstance(dialog.focusWidget(), QRadioButton)
    dialog.regenerate_button.setFocus()
    QTest.keyClick(dialog.regenerate_button, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.cancel_button


def test_enter_returns_the_choice_and_escape_returns_none(
    make_dialog, medium: ImpactReport
) -> None:
    dialog = make_dialog(medium)
    choices: list[ImpactChoice] = []
    dialog.choiceMade.connect(choices.append)
    dialog.set_strategy(Strategy.HIGH_IMPACT_ONLY)
    QTest.keyClick(dialog, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert choices == [
        ImpactChoice(Strategy.HIGH_IMPACT_ONLY, ("architecture.md", "data-model.md", "api-spec.md"))
    ]
    assert choices[0].manual_pick == ()

    again = make_dialog(medium)
    QTest.keyClick(again, Qt.Key.Key_Escape)
    assert again.result() == again.DialogCode.Rejected
    assert again.choice is None


def test_manual_review_keeps_the_pick_across_strategy_changes(
    make_dialog, medium: ImpactReport
) -> None:
    dialog = make_dialog(medium)
    dialog.set_strategy(Strategy.MANUAL_REVIEW)
    dialog.set_checked("epics.md", "tasks.md")
    assert dialog.checked_artifacts() == ("epics.md", "tasks.md")
    dialog.set_strategy(Strategy.REGENERATE_ALL)
    assert len(dialog.checked_artifacts()) == 13
    assert not dialog.is_checkable("epics.md")
    dialog.set_strategy(Strategy.MANUAL_REVIEW)
    assert dialog.checked_artifacts() == ("epics.md", "tasks.md")
    dialog.regenerate()
    assert dialog.choice == ImpactChoice(Strategy.MANUAL_REVIEW, ("epics.md", "tasks.md"))
    assert dialog.choice.manual_pick == ("epics.md", "tasks.md")


def test_a_medium_change_without_high_artifacts_can_be_ignored_without_confirmation(
    make_dialog, service: ProjectService, medium: ImpactReport
) -> None:
    dialog = make_dialog(medium)
    dialog.set_strategy(Strategy.IGNORE)
    assert "3 HIGH artifact(s) would stay stale" in dialog.strategy_notes[Strategy.IGNORE].text()
    dialog.regenerate()
    assert dialog.ignore_confirmation is not None  # 3 HIGH: asks
    dialog.ignore_confirmation.reject()

    text = service.read_artifact("epics.md")
    reworded = text.replace("Deliver rota builder end to end", "Ship the rota builder", 1)
    service.save_artifact("epics.md", reworded)
    low = service.analyze_impact()
    assert not any(a.level == ImpactLevel.HIGH for a in low.affected)
    quiet = make_dialog(low)
    quiet.set_strategy(Strategy.IGNORE)
    quiet.regenerate()
    assert quiet.ignore_confirmation is None
    assert quiet.choice == ImpactChoice(Strategy.IGNORE, ())


def test_the_estimate_shows_duration_and_with_an_llm_tokens_and_cost(
    make_dialog, service: ProjectService, medium: ImpactReport
) -> None:
    offline = make_dialog(medium)
    assert "Estimated duration" in offline.estimate.text()
    assert "Tokens" not in offline.estimate.text()

    usage = {
        strategy: service.estimate_usage(chosen, "claude-sonnet-4-6")
        for strategy, chosen in medium.selections.items()
        if chosen
    }
    dialog = make_dialog(medium, usage=usage)
    dialog.set_strategy(Strategy.HIGH_IMPACT_ONLY)
    estimate = usage[Strategy.HIGH_IMPACT_ONLY.value]
    assert estimate.input_tokens > 0
    assert estimate.cost_usd > 0
    text = dialog.estimate.text()
    assert f"{estimate.input_tokens + estimate.output_tokens:,}" in text
    assert f"${estimate.cost_usd:.2f}" in text
    assert "claude-sonnet-4-6" in text


def test_selecting_a_changed_section_shows_its_diff(
    make_dialog, loop, medium: ImpactReport
) -> None:
    dialog = make_dialog(medium)
    assert dialog.sections.item(0).text() == "modified: FR-1: Rota builder"
    assert "locums" in dialog.section_diff.new_pane.toPlainText()
    assert "locums" not in dialog.section_diff.old_pane.toPlainText()
    assert dialog.section_diff.summary.text() == "Change 1 of 1"
    assert QApplication.instance() is not None


def _mnemonics(dialog: ImpactDialog) -> list[str]:
    import re

    from PySide6.QtWidgets import QAbstractButton

    texts = [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    texts += [label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    return [m.group(1).lower() for t in texts if (m := re.search(r"&([^&\s])", t))]


def test_no_mnemonic_is_taken_twice_whichever_strategy_or_change(
    make_dialog: Any, medium: ImpactReport, service: ProjectService
) -> None:
    from spec_automation.ui.regeneration_sources import proposal_words

    samples = Path(__file__).resolve().parents[2] / "resources/samples/clinic-scheduling/documents"
    service.documents.import_files([samples / "sprint-change-proposal.md"])
    preview = service.documents.preview_proposal("sprint-change-proposal.md")
    for dialog in (
        make_dialog(medium),
        make_dialog(preview.impact, words=proposal_words(preview)),
    ):
        for button in dialog.strategy_buttons.values():
            button.setChecked(True)
            letters = _mnemonics(dialog)
            assert len(letters) == len(set(letters)), (button.text(), sorted(letters))


def test_a_reason_every_row_shares_is_said_once_above_the_table(
    make_dialog: Any, medium: ImpactReport, service: ProjectService
) -> None:
    from spec_automation.ui.impact_table import AffectedTable
    from spec_automation.ui.regeneration_sources import proposal_words

    reasons = {a.reason for a in medium.affected}
    assert len(reasons) > 1  # levels from sensitivity: the reasons differ
    dialog = make_dialog(medium)
    assert not dialog.table.isColumnHidden(2)
    assert not dialog.common_reason.isVisible()
    samples = Path(__file__).resolve().parents[2] / "resources/samples/clinic-scheduling/documents"
    service.documents.import_files([samples / "sprint-change-proposal.md"])
    preview = service.documents.preview_proposal("sprint-change-proposal.md")
    assert len({a.reason for a in preview.impact.affected}) == 1
    dialog = make_dialog(preview.impact, words=proposal_words(preview))
    assert isinstance(dialog.table, AffectedTable)
    assert dialog.table.isColumnHidden(2)
    assert dialog.common_reason.isVisible()
    assert dialog.common_reason.text().endswith(preview.impact.affected[0].reason)
