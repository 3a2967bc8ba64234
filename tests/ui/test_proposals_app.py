"""Documents that change the project, in the desktop app: a sprint change proposal reviewed in
the impact dialog and applied (on import, or from Review and apply… in its inspector), and a PRD
imported on its own used as the project's prd.md when the user says so."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QPushButton

from spec_automation.resources import sample_brief_path
from spec_automation.services import Strategy, create_project, open_project
from spec_automation.settings import AppSettings
from spec_automation.ui.explorer import ArtifactState
from spec_automation.ui.impact_dialog import ImpactDialog
from spec_automation.ui.start_from_dialog import StartFromDialog
from tests.helpers.gui import run, until
from tests.ui.prompting import ImportPrompter

pytestmark = pytest.mark.gui

SAMPLES = Path(__file__).resolve().parents[2] / "resources/samples/clinic-scheduling/documents"
PROPOSAL = SAMPLES / "sprint-change-proposal.md"
PRD = SAMPLES / "prd.md"
NOTE = "Change from inputs/sprint-change-proposal.md"
TARGETS = ("prd.md", "user-flows.md", "data-model.md", "api-spec.md", "epics.md")
#: The offline provider's simulated latency: the regeneration takes about a second.
LATENCY = 0.004


def hashes(folder: Path) -> dict[str, str]:
    """Every file of the project (but its store and git data) by path, with its hash."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not {".git", ".spec_automation"} & set(path.parts)
    }


@pytest.fixture
def window_on(make_window, loop) -> Callable[..., Any]:
    """A main window on ``folder``, offline at a small latency."""

    def build(folder: Path, **kwargs: Any) -> Any:
        window = make_window(AppSettings(autosave_interval_s=0.2, latency_scale=LATENCY), **kwargs)
        run(loop, window.open_project(folder))
        return window

    return build


def inside(loop: asyncio.AbstractEventLoop, action: Callable[[], object]) -> None:
    """Do a user action while the loop runs, so the tasks it wakes step on the running loop."""

    async def act() -> None:
        action()
        await asyncio.sleep(0)

    run(loop, act())


def dialog_of(window: Any, loop: asyncio.AbstractEventLoop) -> ImpactDialog:
    """Wait for the impact dialog to open."""
    run(loop, until(lambda: window.regeneration.dialog is not None))
    dialog = window.regeneration.dialog
    run(loop, until(dialog.isVisible))
    return dialog


def import_proposal(window: Any, loop: asyncio.AbstractEventLoop) -> ImpactDialog:
    """Import the sample proposal as the menu does; the impact dialog it opens."""
    window.documents.start_import([PROPOSAL])
    return dialog_of(window, loop)


def finished(window: Any, loop: asyncio.AbstractEventLoop) -> Any:
    """Wait for the regeneration to end (approving a gate it re-opens in the Run dock, as a
    person would) and its notification to show; the report."""
    workspace = window.runs.workspace
    summary = window.regeneration.summary

    def waiting() -> bool:
        return workspace.approval_banner.isVisible() and workspace.waiting_gate is not None

    while True:
        run(loop, until(lambda: summary.isVisible() or waiting(), timeout=60))
        if summary.isVisible():
            return window.regeneration.last_report
        inside(loop, workspace.approval_banner.approve_button.click)
        run(loop, until(lambda: summary.isVisible() or not waiting(), timeout=60))


def section_rows(dialog: ImpactDialog) -> list[str]:
    return [dialog.sections.item(i).text() for i in range(dialog.sections.count())]


# --- a sprint change proposal ------------------------------------------------------------------


def test_importing_a_proposal_opens_the_impact_dialog_and_regenerate_all_applies_it(
    window_on, loop, sample_project: Path
) -> None:
    window = window_on(sample_project)
    dialog = import_proposal(window, loop)

    assert dialog.windowTitle() == "Apply the change proposal sprint-change-proposal.md"
    assert dialog.title.text() == (
        "The change proposal <b>sprint-change-proposal.md</b> edits prd.md, user-flows.md, "
        "data-model.md, api-spec.md and epics.md"
    )
    assert section_rows(dialog) == [
        "modified: prd.md › Functional requirements",
        "added: user-flows.md › Proposed changes",
        "modified: data-model.md › Entities",
        "modified: api-spec.md › Endpoints",
        "modified: epics.md › E-4: Time off",
    ]
    assert dialog.trigger_text.text().endswith("5 sections edited (1 added, 4 modified)")
    # what the edits affect, never the edited artifacts themselves
    assert "tasks.md" in dialog.rows()
    assert not set(TARGETS) & set(dialog.rows())
    assert dialog.strategy_buttons[Strategy.REGENERATE_ALL].isChecked()  # recommended
    assert (
        dialog.regenerate_button.text() == f"A&pply and regenerate {len(dialog.rows())} artifacts"
    )
    assert "Cancel writes nothing" in dialog.cancel_note.text()
    assert not dialog.note.isVisibleTo(dialog)  # every edit applies
    # the first edit's diff: the note written into prd.md's section
    run(loop, until(lambda: dialog.section_diff.result is not None))
    assert NOTE in dialog.section_diff.new_pane.toPlainText()
    assert NOTE not in (sample_project / "artifacts" / "prd.md").read_text(encoding="utf-8")

    inside(loop, lambda: QTest.mouseClick(dialog.regenerate_button, Qt.MouseButton.LeftButton))
    report = finished(window, loop)

    artifacts = sample_project / "artifacts"
    assert report.status == "completed"
    assert report.strategy == Strategy.REGENERATE_ALL
    for name in TARGETS:
        assert NOTE in (artifacts / name).read_text(encoding="utf-8"), name
    assert "## Changes to carry out" in (artifacts / "tasks.md").read_text(encoding="utf-8")
    assert window.notice_message().startswith(f"Regeneration #{report.run_id} completed:")
    summary = window.regeneration.summary.title.text()
    assert summary.startswith(
        "Regeneration finished after applying the change proposal sprint-change-proposal.md"
    )
    assert "(Regenerate all, " in summary  # the strategy as the dialog names it
    # the edited artifacts are the user's versions, and what they affect is regenerated
    assert window.explorer.state_of("prd.md") == ArtifactState.EDITED
    assert window.explorer.state_of("tasks.md") == ArtifactState.GENERATED


def test_cancelling_the_proposal_dialog_writes_nothing(
    window_on, loop, sample_project: Path
) -> None:
    window = window_on(sample_project)
    service = window.service
    dialog = import_proposal(window, loop)
    before = hashes(sample_project)
    versions = {name: service.artifact_versions(name).total for name in TARGETS}

    inside(loop, lambda: QTest.keyClick(dialog, Qt.Key.Key_Escape))
    run(loop, until(lambda: window.regeneration.dialog is None))
    run(loop, until(lambda: window.regeneration.pending == 0))
    assert hashes(sample_project) == before
    assert {name: service.artifact_versions(name).total for name in TARGETS} == versions
    assert service.regeneration_runs().total == 0
    assert window.notice_message() == (
        "Nothing was applied: the change proposal inputs/sprint-change-proposal.md stays "
        "imported; apply it later with Review and apply… in its inspector."
    )


def test_review_and_apply_in_the_inspector_opens_the_dialog_and_says_when_applied_already(
    window_on, loop, sample_project: Path
) -> None:
    service = open_project(sample_project)
    try:
        service.documents.import_files([PROPOSAL])
    finally:
        service.close()
    window = window_on(sample_project)
    inspector = run(loop, window.documents.show_document("sprint-change-proposal.md"))
    button = inspector.apply_button
    assert button.objectName() == "reviewProposalButton"
    assert button.isVisible()
    assert button.text() == "Review and &apply…"

    inside(loop, button.click)
    dialog = dialog_of(window, loop)
    assert dialog.title.text().startswith(
        "The change proposal <b>sprint-change-proposal.md</b> edits prd.md"
    )
    assert len(section_rows(dialog)) == 5
    # Ignore (HIGH, confirmed) applies the edits only
    dialog.set_strategy(Strategy.IGNORE)
    assert dialog.regenerate_button.text() == "A&pply the edits only"
    inside(loop, dialog.regenerate_button.click)
    box = dialog.ignore_confirmation
    assert box is not None
    assert "out of date with the proposal" in box.text()
    inside(loop, box.findChild(QPushButton, "confirmIgnoreButton").click)
    run(loop, until(lambda: window.regeneration.pending == 0, timeout=30))
    assert NOTE in (sample_project / "artifacts" / "prd.md").read_text(encoding="utf-8")
    assert "## Changes to carry out" not in (sample_project / "artifacts" / "tasks.md").read_text(
        encoding="utf-8"
    )
    assert window.notice_message().startswith(
        "Applied the change proposal sprint-change-proposal.md: its edits are written into "
        "prd.md, user-flows.md, data-model.md, api-spec.md and epics.md; nothing was regenerated"
    )

    # applied already: a sentence, and no dialog
    opened: list[object] = []
    window.regeneration.dialogOpened.connect(opened.append)
    handled = window.regeneration.handled
    inside(loop, button.click)
    run(loop, until(lambda: window.regeneration.handled > handled))
    run(loop, until(lambda: window.regeneration.pending == 0))
    assert opened == []
    assert window.regeneration.dialog is None
    assert window.notice_message() == (
        "The change proposal inputs/sprint-change-proposal.md is applied already: its edits "
        "are in prd.md, user-flows.md, data-model.md, api-spec.md and epics.md; there is "
        "nothing left to apply."
    )


def test_a_proposal_imported_before_anything_is_generated_says_why_it_cannot_be_applied(
    window_on, loop, tmp_path: Path
) -> None:
    folder = tmp_path / "projects" / "new"
    create_project(folder, brief_text=sample_brief_path().read_text(encoding="utf-8")).close()
    window = window_on(folder)
    window.documents.start_import([PROPOSAL])
    run(loop, until(lambda: "cannot be applied" in window.notice_message()))
    run(loop, until(lambda: window.regeneration.pending == 0))
    message = window.notice_message()
    assert message.startswith("Imported inputs/sprint-change-proposal.md as a sprint change")
    assert "prd.md has not been generated yet" in message
    assert window.regeneration.dialog is None
    assert not (folder / "artifacts" / "prd.md").exists()
    # the other document types have no button
    inspector = window.documents.current_inspector()
    assert inspector.apply_button.isVisible()
    run(loop, window.documents.import_files([SAMPLES / "technical-spec.md"]))
    assert not window.documents.current_inspector().apply_button.isVisible()


# --- starting from a PRD -----------------------------------------------------------------------


@pytest.fixture
def new_project(tmp_path: Path) -> Path:
    """A project made from the sample brief, never run."""
    folder = tmp_path / "projects" / "shiftcare"
    create_project(folder, brief_text=sample_brief_path().read_text(encoding="utf-8")).close()
    return folder


def test_a_prd_imported_on_its_own_becomes_prd_md_when_the_user_says_so(
    window_on, loop, new_project: Path
) -> None:
    prompter = ImportPrompter(use_as=(True,))
    window = window_on(new_project, prompter=prompter)
    assert window.explorer.state_of("prd.md") == ArtifactState.MISSING
    window.documents.start_import([PRD])
    run(loop, until(lambda: "Imported" in window.notice_message()))

    assert prompter.use_as_asked == [("prd.md", "PRD", "prd.md", False)]
    artifact = new_project / "artifacts" / "prd.md"
    assert artifact.read_text(encoding="utf-8") == PRD.read_text(encoding="utf-8")
    assert window.explorer.state_of("prd.md") == ArtifactState.EDITED
    assert window.notice_message().endswith(
        "inputs/prd.md is now the project's prd.md, as your version: the next run builds "
        "everything after it from it."
    )


def test_a_prd_imported_on_its_own_is_only_imported_when_the_user_says_no(
    window_on, loop, new_project: Path
) -> None:
    prompter = ImportPrompter(use_as=(False,))
    window = window_on(new_project, prompter=prompter)
    window.documents.start_import([PRD])
    run(loop, until(lambda: "Imported" in window.notice_message()))

    assert prompter.use_as_asked == [("prd.md", "PRD", "prd.md", False)]
    assert (new_project / "inputs" / "prd.md").is_file()
    assert not (new_project / "artifacts" / "prd.md").exists()
    assert window.explorer.state_of("prd.md") == ArtifactState.MISSING
    assert "is now the project's" not in window.notice_message()


def test_the_question_is_asked_only_for_one_prd_or_technical_spec(
    window_on, loop, sample_project: Path
) -> None:
    prompter = ImportPrompter(use_as=(None,))
    window = window_on(sample_project, prompter=prompter)
    tech = SAMPLES / "technical-spec.md"
    # a generated project: the artifact would be replaced, and the question says so;
    # cancelling it imports nothing
    run(loop, window.documents.import_files([tech]))
    assert prompter.use_as_asked == [
        ("technical-spec.md", "technical spec", "architecture.md", True)
    ]
    assert window.notice_message() == "Nothing was imported."
    assert not (sample_project / "inputs" / "technical-spec.md").exists()
    # two documents at once, or a functional spec: no question
    run(loop, window.documents.import_files([PRD, tech]))
    run(loop, window.documents.import_files([SAMPLES / "functional-spec.md"]))
    assert len(prompter.use_as_asked) == 1
    assert (sample_project / "inputs" / "functional-spec.md").is_file()


def test_the_start_from_dialog_is_off_until_ticked(qtbot) -> None:
    dialog = StartFromDialog(Path("/somewhere/prd.md"), "PRD", "prd.md", replaces=True)
    qtbot.addWidget(dialog)
    box = dialog.findChild(QCheckBox, "useAsBox")
    assert box.text() == (
        "Use it as the project's prd.md: the next run builds everything after it from it"
    )
    assert not box.isChecked()
    dialog.box.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.choice == ""

    ticked = StartFromDialog(Path("prd.md"), "PRD", "prd.md")
    qtbot.addWidget(ticked)
    ticked.use_box.click()
    ticked.import_button.click()
    assert ticked.choice == "prd.md"

    cancelled = StartFromDialog(Path("prd.md"), "PRD", "prd.md")
    qtbot.addWidget(cancelled)
    cancelled.use_box.click()
    cancelled.box.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert cancelled.choice is None
