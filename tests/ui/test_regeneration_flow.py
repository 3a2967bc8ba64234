"""From an edit to regenerated artifacts, driven as a user would: save an edit, answer the
impact dialog with the mouse or the keyboard, watch the run, review it, roll it back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QPushButton

from spec_automation.core.changes import ImpactLevel
from spec_automation.services import Strategy
from spec_automation.settings import AppSettings
from spec_automation.ui.change_review import ChangeReview
from spec_automation.ui.explorer import ArtifactState
from spec_automation.ui.impact_dialog import ImpactDialog
from spec_automation.ui.visualizer import RunWorkspace
from spec_automation.workspace import write_atomic
from tests.helpers.gui import ScriptedPrompter, run, until

pytestmark = pytest.mark.gui

PRD = "prd.md"
#: The offline provider's simulated latency: the sample's critical path takes about a second.
LATENCY = 0.004


def add_requirement(text: str) -> str:
    """A new functional requirement: a HIGH change."""
    new = (
        "### FR-9: Night shift premiums\n\n"
        "- Statement: The product shall pay a premium for night shifts.\n"
        "- Priority: Must\n\n"
        "### FR-2: Skill-mix rules"
    )
    return text.replace("### FR-2: Skill-mix rules", new, 1)


def reword_requirement(text: str) -> str:
    """A requirement's text reworded: a MEDIUM change."""
    return text.replace("drag clinicians onto shifts", "drag clinicians and locums onto shifts", 1)


def reformat(text: str) -> str:
    """Emphasis and blank lines only: a cosmetic (LOW) change."""
    return text.replace("**Clinic manager**", "*Clinic manager*", 1).replace(
        "## Personas\n", "## Personas\n\n", 1
    )


@pytest.fixture
def window(make_window, loop, sample_project: Path) -> Any:
    """The main window on a private copy of the sample, offline at a small latency."""
    built = make_window(AppSettings(autosave_interval_s=0.2, latency_scale=LATENCY))
    run(loop, built.open_project(sample_project))
    return built


def inside(loop: asyncio.AbstractEventLoop, action: Callable[[], object]) -> None:
    """Do a user action while the qasync loop runs, so the tasks it wakes (a save, the flow
    awaiting the dialog) step on the running loop, never from Qt's event processing."""

    async def act() -> None:
        action()
        await asyncio.sleep(0)

    run(loop, act())


def act_and_finish(
    window: Any, loop: asyncio.AbstractEventLoop, click: Callable[[], object]
) -> None:
    """Click a button of the regeneration notice and keep the loop running until the task it
    starts (review, roll back) has finished: a task left half-way when the loop stops could be
    stepped by Qt's event processing with no running loop."""
    flow = window.regeneration

    async def act() -> None:
        before = flow.last_action
        click()
        await until(lambda: flow.last_action is not before)
        assert flow.last_action is not None
        await asyncio.wait_for(asyncio.shield(flow.last_action), 30)

    run(loop, act(), timeout=40)


def settle(window: Any, loop: asyncio.AbstractEventLoop, action: Callable[[], object]) -> None:
    """Do ``action`` (which hands one change to the flow) and keep the loop running until the
    flow has opened its dialog or finished with the change."""
    flow = window.regeneration
    expected = flow.handled + 1

    async def act() -> None:
        action()
        await until(lambda: flow.handled >= expected)
        await until(lambda: flow.dialog is not None or flow.pending == 0)

    run(loop, act())


def save_edit(window: Any, loop: asyncio.AbstractEventLoop, edit: Callable[[str], str]) -> None:
    """Open prd.md, edit it, save it (Ctrl+S)."""
    tab = run(loop, window.editors.open_artifact(PRD))
    text = tab.text()
    tab.editor.selectAll()
    tab.editor.insertPlainText(edit(text))  # typed over, as a user would: the tab is dirty
    assert tab.dirty
    assert tab.text() != text
    settle(window, loop, lambda: QTest.keySequence(window, "Ctrl+S"))
    assert not tab.dirty


def dialog_of(window: Any, loop: asyncio.AbstractEventLoop) -> ImpactDialog:
    """Wait for the impact dialog to open."""
    try:
        run(loop, until(lambda: window.regeneration.dialog is not None))
    except AssertionError:
        log = window.log_view.toPlainText()
        raise AssertionError(
            f"no impact dialog; errors {window.unexpected_errors}; {log}"
        ) from None
    dialog = window.regeneration.dialog
    run(loop, until(dialog.isVisible))
    return dialog


def finished(window: Any, loop: asyncio.AbstractEventLoop, *, approve: bool = True) -> Any:
    """Wait for the regeneration to end and its notification to show; the report.

    A gate the regeneration re-opens is approved with the Run dock's banner (``approve``)."""
    workspace = window.runs.workspace

    def waiting() -> bool:
        return workspace.approval_banner.isVisible() and workspace.waiting_gate is not None

    summary = window.regeneration.summary
    while True:
        run(loop, until(lambda: summary.isVisible() or (approve and waiting()), timeout=60))
        if summary.isVisible():
            return window.regeneration.last_report
        inside(loop, workspace.approval_banner.approve_button.click)
        # the decision lands, then the regeneration goes on to its end (or another gate)
        run(loop, until(lambda: summary.isVisible() or not waiting(), timeout=60))


def test_adding_a_requirement_opens_the_dialog_with_the_services_analysis(
    window, loop, sample_project: Path
) -> None:
    save_edit(window, loop, add_requirement)
    dialog = dialog_of(window, loop)
    analysis = window.service.analyze_impact()

    assert dialog.objectName() == "impactDialog"
    assert dialog.isModal()
    assert dialog.trigger_chip.text() == "HIGH"
    assert analysis.trigger_level == ImpactLevel.HIGH
    assert dialog.rows() == [a.artifact for a in analysis.affected]
    assert len(dialog.rows()) == 13  # the specification's 11 and the code's 2
    assert {dialog.level_shown(name) for name in dialog.rows()} == {"HIGH"}
    assert dialog.count_chips["HIGH"].text() == "13 HIGH"
    assert [dialog.sections.item(i).text() for i in range(dialog.sections.count())] == [
        "added: FR-9: Night shift premiums"
    ]
    recommended = dialog.findChild(QPushButton, "regenerateButton")
    assert recommended is dialog.regenerate_button
    all_button = dialog.strategy_buttons[Strategy.REGENERATE_ALL]
    assert all_button.objectName() == "strategyRegenerateAll"
    assert all_button.isChecked()
    assert "(recommended)" in all_button.text()
    assert analysis.recommended_strategy == Strategy.REGENERATE_ALL
    assert dialog.checked_artifacts() == tuple(dialog.rows())  # what regenerate_all takes
    # selecting the changed section shows its before/after diff
    run(loop, until(lambda: dialog.section_diff.result is not None))
    assert "FR-9: Night shift premiums" in dialog.section_diff.new_pane.toPlainText()

    # Escape: nothing regenerated, the change stays recorded
    inside(loop, lambda: QTest.keyClick(dialog, Qt.Key.Key_Escape))
    run(loop, until(lambda: window.regeneration.dialog is None))
    assert "stays recorded" in window.notice_message()
    assert window.service.regeneration_runs().total == 0
    assert window.service.change_history(PRD).total == 1
    assert window.explorer.state_of("architecture.md") == ArtifactState.STALE
    # every downstream phase is given prd.md, so each says it was made from an older one
    assert window.explorer.state_of("tasks.md") == ArtifactState.STALE
    tasks = next(e for e in window.explorer.entries if e.name == "tasks.md")
    assert tasks.detail == "prd.md changed since it was made"
    assert window.explorer.state_of("analysis.md") == ArtifactState.GENERATED  # upstream


def test_high_impact_only_regenerates_only_the_high_artifacts_live_in_the_visualizer(
    window, loop
) -> None:
    workspace = RunWorkspace(window.service, window.settings)
    window.runs.workspace = workspace  # the lead's integration does this when a project opens
    window.runs.set_run_view(workspace)
    save_edit(window, loop, reword_requirement)
    dialog = dialog_of(window, loop)
    analysis = window.service.analyze_impact()
    high = tuple(a.artifact for a in analysis.affected if a.level == ImpactLevel.HIGH)
    assert high == ("architecture.md", "data-model.md", "api-spec.md")
    assert dialog.trigger_chip.text() == "MEDIUM"
    assert dialog.level_shown("epics.md") == "MEDIUM"

    high_only = dialog.strategy_buttons[Strategy.HIGH_IMPACT_ONLY]
    inside(loop, lambda: QTest.mouseClick(high_only, Qt.MouseButton.LeftButton))
    assert dialog.checked_artifacts() == high
    inside(loop, lambda: QTest.mouseClick(dialog.regenerate_button, Qt.MouseButton.LeftButton))
    # while it runs, the visualizer shows the three phases writing them active, every other
    # phase dimmed
    run(loop, until(lambda: workspace.running))
    dimmed = workspace.scene.dimmed_phases()
    writers = {"SPEC_ARCHITECT", "SPEC_DATA_MODEL", "SPEC_API"}
    assert set(window.service.graph.topological_order) - set(dimmed) == writers
    report = finished(window, loop)

    assert report.strategy == Strategy.HIGH_IMPACT_ONLY
    assert report.artifacts_to_regenerate == high
    assert set(report.artifacts_regenerated) | set(report.artifacts_unchanged) == set(high)
    assert workspace.completion_banner.isVisible()
    assert "Regeneration completed" in workspace.completion_banner.message.text()
    # progress counts the three phases the regeneration reran (or found it need not),
    # not the whole workflow
    assert workspace.controls.progress_label.text() == "3/3 phases"
    recorded = window.service.regeneration_runs().items[0]
    assert (recorded.strategy, recorded.status) == ("high_impact_only", "completed")
    # the history panel lists the run with its strategy and outcome
    runs = window.history.runs.topLevelItem(0)
    assert runs.text(2) == "high_impact_only"
    assert runs.text(3).startswith("completed")
    # stale marks clear for what was regenerated and stay for what was not
    for name in high:
        assert window.explorer.state_of(name) != ArtifactState.STALE, name
    for name in ("epics.md", "component-mapping.md", "journey-maps.md"):
        assert window.explorer.state_of(name) == ArtifactState.STALE, name


def test_manual_review_with_two_artifacts_checked_regenerates_exactly_those(window, loop) -> None:
    save_edit(window, loop, add_requirement)
    dialog = dialog_of(window, loop)
    assert not dialog.is_checkable("epics.md")  # only manual review takes a pick

    dialog.strategy_buttons[Strategy.MANUAL_REVIEW].click()
    assert dialog.is_checkable("epics.md")
    assert dialog.checked_artifacts() == ()
    assert not dialog.regenerate_button.isEnabled()  # nothing picked yet
    # tick two rows with the keyboard: move to the row, Space
    table = dialog.table
    table.setFocus()
    for name in ("epics.md", "journey-maps.md"):
        if name in dialog.rows():
            table.setCurrentCell(dialog.rows().index(name), 2)
            QTest.keyClick(table, Qt.Key.Key_Space)
    picked = ("journey-maps.md", "epics.md")
    assert set(dialog.checked_artifacts()) == set(picked)
    assert dialog.regenerate_button.text() == "&Regenerate 2 artifacts"
    inside(loop, lambda: QTest.keyClick(dialog, Qt.Key.Key_Return))  # Enter = Regenerate
    report = finished(window, loop)

    assert report.strategy == Strategy.MANUAL_REVIEW
    assert set(report.artifacts_to_regenerate) == set(picked)
    assert set(report.artifacts_regenerated) <= set(picked)
    assert set(report.artifacts_regenerated) | set(report.artifacts_unchanged) == set(picked)
    versions = {
        name: window.service.artifact_versions(name, limit=1).items[0]
        for name in window.service.spec.artifacts
        if name != PRD
    }
    touched = {name for name, v in versions.items() if v.regeneration_run_id == report.run_id}
    assert touched == set(report.artifacts_regenerated)
    assert window.explorer.state_of("architecture.md") == ArtifactState.STALE


def test_ignore_on_high_asks_and_cancelling_keeps_the_dialog(window, loop) -> None:
    save_edit(window, loop, add_requirement)
    dialog = dialog_of(window, loop)
    dialog.strategy_buttons[Strategy.IGNORE].click()
    assert dialog.regenerate_button.text() == "Ig&nore the change"
    inside(loop, dialog.regenerate_button.click)

    box = dialog.ignore_confirmation
    assert isinstance(box, QMessageBox)
    assert box.objectName() == "ignoreConfirmDialog"
    assert box.isVisible()
    assert "13 affected artifacts are HIGH" in box.text()
    inside(loop, box.findChild(QPushButton, "goBackButton").click)
    run(loop, until(lambda: dialog.ignore_confirmation is None))
    assert dialog.isVisible()  # back to the impact dialog, nothing decided
    assert window.regeneration.dialog is dialog
    assert window.service.regeneration_runs().total == 0

    inside(loop, dialog.regenerate_button.click)
    confirm = dialog.ignore_confirmation.findChild(QPushButton, "confirmIgnoreButton")
    inside(loop, confirm.click)
    run(loop, until(lambda: window.service.regeneration_runs().total == 1))
    recorded = window.service.regeneration_runs().items[0]
    assert (recorded.strategy, recorded.status) == ("ignore", "ignored")
    run(loop, until(lambda: "Ignored the change" in window.notice_message()))
    assert window.explorer.state_of("architecture.md") == ArtifactState.STALE


def test_a_cosmetic_edit_gives_no_dialog(window, loop) -> None:
    opened: list[object] = []
    window.regeneration.dialogOpened.connect(opened.append)
    save_edit(window, loop, reformat)
    run(loop, until(lambda: "Formatting-only change" in window.notice_message()))
    assert opened == []
    assert window.regeneration.dialog is None
    change = window.service.change_history(PRD).items[0]
    assert change.cosmetic

    # the Run menu (Ctrl+Shift+I) still opens it for that change, all LOW
    settle(window, loop, lambda: QTest.keySequence(window, "Ctrl+Shift+I"))
    dialog = dialog_of(window, loop)
    assert dialog.trigger_chip.text() == "LOW"
    assert dialog.strategy_buttons[Strategy.MANUAL_REVIEW].isChecked()
    inside(loop, dialog.reject)


def test_the_setting_opens_the_dialog_for_cosmetic_edits_too(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window(
        AppSettings(autosave_interval_s=0.2, latency_scale=LATENCY, impact_dialog_for_cosmetic=True)
    )
    run(loop, window.open_project(sample_project))
    save_edit(window, loop, reformat)
    dialog = dialog_of(window, loop)
    assert dialog.trigger_chip.text() == "LOW"
    inside(loop, dialog.reject)


def test_review_changes_then_roll_back_restores_the_files(
    make_window, loop, sample_project: Path
) -> None:
    prompter = ScriptedPrompter("Cancel", "Roll back")
    window = make_window(
        AppSettings(autosave_interval_s=0.2, latency_scale=LATENCY), prompter=prompter
    )
    run(loop, window.open_project(sample_project))
    folder = sample_project / "artifacts"
    before = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.md")}
    save_edit(window, loop, add_requirement)
    edited_prd = (folder / PRD).read_text(encoding="utf-8")
    dialog = dialog_of(window, loop)
    inside(loop, lambda: QTest.keyClick(dialog, Qt.Key.Key_Return))  # Enter: regenerate_all
    report = finished(window, loop)
    assert report.strategy == Strategy.REGENERATE_ALL
    assert report.artifacts_regenerated
    changed = [n for n in report.artifacts_regenerated if (folder / n).read_text() != before[n]]
    assert changed == list(report.artifacts_regenerated)

    summary = window.regeneration.summary
    assert summary.objectName() == "regenerationNotice"
    assert summary.regenerated.text() == "Regenerated: " + ", ".join(report.artifacts_regenerated)
    assert "Skipped (came out unchanged)" in summary.unchanged.text()
    assert summary.failed.text() == "Failed: none"

    # Review changes: one tab listing every regenerated artifact, one diff at a time, the
    # version before against the new one
    tabs = window.editors.tabs
    opened = tabs.count()
    act_and_finish(window, loop, summary.review_button.click)
    assert tabs.count() == opened + 1
    review = tabs.currentWidget()
    assert isinstance(review, ChangeReview)
    assert [
        review.artifacts.topLevelItem(i).text(0) for i in range(len(report.artifacts_regenerated))
    ] == list(report.artifacts_regenerated)
    viewer = review.viewer
    run(loop, until(lambda: viewer.result is not None))
    assert "(before)" in viewer.old_title.text()
    assert "(regenerated)" in viewer.new_title.text()
    assert viewer.result.hunks
    # Review changes again brings the same tab to the front
    act_and_finish(window, loop, summary.review_button.click)
    assert tabs.count() == opened + 1
    assert tabs.currentWidget() is review

    # Roll back asks first: Cancel changes nothing
    act_and_finish(window, loop, summary.rollback_button.click)
    assert len(prompter.asked) == 1
    assert prompter.asked[0][0] == "Roll back the regeneration"
    assert (folder / report.artifacts_regenerated[0]).read_text() != before[
        report.artifacts_regenerated[0]
    ]
    act_and_finish(window, loop, summary.rollback_button.click)
    assert not summary.isVisible()
    for name, text in before.items():
        expected = edited_prd if name == PRD else text
        assert (folder / name).read_text(encoding="utf-8") == expected, name
    assert "Rolled back regeneration" in window.notice_message()


def test_an_edit_made_outside_the_app_opens_the_dialog(window, loop, sample_project: Path) -> None:
    path = sample_project / "artifacts" / PRD
    write_atomic(path, reword_requirement(path.read_text(encoding="utf-8")))
    # as when the window gets the focus back
    settle(window, loop, lambda: window.start(window.disk.check_files_on_disk()))
    dialog = dialog_of(window, loop)
    assert dialog.trigger_chip.text() == "MEDIUM"
    assert window.service.change_history(PRD).items[0].changed_by == "user"
    inside(loop, dialog.reject)
    run(loop, until(lambda: "stays recorded" in window.notice_message()))


def test_a_regeneration_asks_before_rewriting_an_edit_and_keeps_it(
    make_window, loop, sample_project: Path
) -> None:
    from spec_automation.services import open_project
    from spec_automation.ui.edits_dialog import KEEP

    service = open_project(sample_project)
    epics = service.read_artifact("epics.md")
    mine = epics + "\nMy own note on the epics.\n"
    service.save_artifact("epics.md", mine)
    service.close()
    prompter = ScriptedPrompter(KEEP)
    window = make_window(
        AppSettings(autosave_interval_s=0.2, latency_scale=LATENCY), prompter=prompter
    )
    run(loop, window.open_project(sample_project))
    save_edit(window, loop, add_requirement)
    dialog = dialog_of(window, loop)
    inside(loop, lambda: QTest.keyClick(dialog, Qt.Key.Key_Return))  # Enter: regenerate_all

    report = finished(window, loop)

    assert [[name for name, _, _ in asked] for asked in prompter.edits_asked] == [["epics.md"]]
    assert report is not None
    assert report.edits_kept == ("epics.md",)
    assert (sample_project / "artifacts" / "epics.md").read_text(encoding="utf-8") == mine
    assert "architecture.md" in report.artifacts_regenerated
    # Kept as written, the epics were made from the architecture before it was regenerated:
    # the explorer says so rather than calling them fresh.
    assert window.explorer.state_of("epics.md") == ArtifactState.STALE
    entry = next(e for e in window.explorer.entries if e.name == "epics.md")
    assert "architecture.md changed since it was made" in entry.detail
