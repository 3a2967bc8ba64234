"""Runs from the main window keep what the user wrote, follow the run live, and put a gate
left pending where the user can decide it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from spec_automation.services import RunOptions, Strategy, open_project
from spec_automation.settings import AppSettings
from spec_automation.ui.edits_dialog import KEEP, EditsDialog, EditToDecide, diff_of
from spec_automation.ui.explorer import ArtifactState
from tests.helpers.gui import ScriptedPrompter, run, until

pytestmark = pytest.mark.gui

FAST = AppSettings(latency_scale=0.004, autosave_interval_s=0.2)
REQUIREMENT = "\n### FR-12: Export the rota as CSV\n\nManagers download the week's rota.\n"


def _edit_prd(project: Path) -> str:
    prd = project / "artifacts" / "prd.md"
    edited = prd.read_text(encoding="utf-8") + REQUIREMENT
    prd.write_text(edited, encoding="utf-8")
    return edited


def _approve_gates_until_done(loop, window) -> None:
    workspace = window.runs.workspace

    async def go() -> None:
        while True:
            await until(
                lambda: not workspace.running or workspace.waiting_gate is not None, timeout=30
            )
            if not workspace.running:
                return
            workspace.approval_banner.approve()
            await until(lambda: workspace.waiting_gate is None or not workspace.running, timeout=30)

    run(loop, go(), timeout=60)


def test_run_asks_about_an_edited_prd_with_its_diff_and_keeps_it(
    make_window, loop, sample_project: Path
) -> None:
    edited = _edit_prd(sample_project)
    prompter = ScriptedPrompter(KEEP)
    window = make_window(FAST, prompter=prompter)
    run(loop, window.open_project(sample_project))
    architecture = sample_project / "artifacts" / "architecture.md"
    assert "FR-12" not in architecture.read_text(encoding="utf-8")

    window.commands["run"].trigger()  # F5
    _approve_gates_until_done(loop, window)

    assert len(prompter.edits_asked) == 1
    [(name, written, now)] = prompter.edits_asked[0]
    assert name == "prd.md"
    assert "FR-12" in now
    assert "FR-12" not in written  # the diff is from what the app wrote to the user's text
    assert (sample_project / "artifacts" / "prd.md").read_text(encoding="utf-8") == edited
    assert "FR-12" in architecture.read_text(encoding="utf-8")
    # The explorer reads the states again in a worker thread once the run has ended.
    explorer = window.explorer
    run(loop, until(lambda: explorer.state_of("architecture.md") == ArtifactState.GENERATED))
    assert explorer.state_of("prd.md") == ArtifactState.EDITED
    # The banner tells what ran: the phases before the PRD were up to date, the PRD was kept.
    banner = window.runs.workspace.completion_banner.message.text()
    assert "16/16 phases done (12 run, 4 already up to date)" in banner
    fresh = ["ANALYSIS", "STACK_SELECTION", "SPEC_DESIGN_TOKENS", "SPEC_PM"]
    _assert_shown_up_to_date(window, fresh)

    # Opened again, the project shows the phases its last run did not need as up to date.
    window.shutdown()
    reopened = make_window(FAST, prompter=prompter)
    run(loop, reopened.open_project(sample_project))
    _assert_shown_up_to_date(reopened, fresh)


def _assert_shown_up_to_date(window, phases: list[str]) -> None:
    workspace = window.runs.workspace
    assert workspace.scene.dimmed_phases() == phases
    assert {workspace.scene.nodes[p].dimmed_as for p in phases} == {"up to date"}
    assert workspace.controls.progress_label.text() == "12/12 phases"


def test_cancelling_the_edits_question_runs_nothing(
    make_window, loop, sample_project: Path
) -> None:
    edited = _edit_prd(sample_project)
    prompter = ScriptedPrompter("Cancel")
    window = make_window(FAST, prompter=prompter)
    run(loop, window.open_project(sample_project))
    workspace = window.runs.workspace
    runs_before = window.service.status().last_run_id

    task = workspace.start_run()
    run(loop, until(lambda: task.done(), timeout=30))

    assert prompter.edits_asked
    assert "your edits are untouched" in workspace.completion_banner.message.text()
    assert window.service.status().last_run_id == runs_before
    assert (sample_project / "artifacts" / "prd.md").read_text(encoding="utf-8") == edited


def test_an_up_to_date_project_says_so_and_runs_nothing(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window(FAST)
    run(loop, window.open_project(sample_project))
    workspace = window.runs.workspace
    before = window.service.status().last_run_id

    task = workspace.start_run()
    run(loop, until(lambda: task.done(), timeout=30))

    assert "Everything is up to date" in workspace.completion_banner.message.text()
    assert window.service.status().last_run_id == before


def test_the_explorer_and_an_open_tab_follow_the_run_live(
    make_window, loop, sample_project: Path
) -> None:
    brief = sample_project / "brief.md"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("ShiftCare", "RotaCare"), encoding="utf-8"
    )
    window = make_window(FAST)
    run(loop, window.open_project(sample_project))
    workspace = window.runs.workspace
    assert window.explorer.state_of("prd.md") == ArtifactState.STALE
    tab = run(loop, window.editors.open_artifact("prd.md"))
    old_text = tab.text()

    window.commands["run"].trigger()

    async def at_the_gate() -> None:
        await until(lambda: workspace.waiting_gate is not None, timeout=30)
        # The run is still going: what it finished already shows as generated...
        await until(lambda: window.explorer.state_of("architecture.md") == ArtifactState.GENERATED)
        assert window.explorer.state_of("analysis.md") == ArtifactState.GENERATED
        assert workspace.running
        assert window.explorer.state_of("handoff.md") == ArtifactState.STALE
        # ...and the open, unmodified tab shows what SPEC_PM wrote.
        disk = (sample_project / "artifacts" / "prd.md").read_text(encoding="utf-8")
        assert disk != old_text
        await until(lambda: tab.text() == disk)
        assert not tab.dirty

    run(loop, at_the_gate(), timeout=60)
    _approve_gates_until_done(loop, window)
    run(
        loop, until(lambda: {e.state for e in window.explorer.entries} == {ArtifactState.GENERATED})
    )


def test_a_gate_left_pending_is_offered_in_the_run_dock_and_approved_there(
    make_window, loop, sample_project: Path
) -> None:
    # Regenerate only the architecture: its gate re-opens and nothing in that regeneration
    # waits on it, so it is left pending when the regeneration ends.
    _edit_prd(sample_project)
    with open_project(sample_project) as project:
        project.scan()
        report = asyncio.run(
            project.regenerate(
                None,
                Strategy.MANUAL_REVIEW,
                artifacts=["architecture.md"],
                options=RunOptions(latency_scale=0.0, edits="keep"),
            )
        )
        assert report.status == "completed"
        pending = {g.gate: g.status for g in project.status().gates}
    assert pending["architecture_approved"] == "pending"

    window = make_window(FAST)
    run(loop, window.open_project(sample_project))
    workspace = window.runs.workspace

    assert workspace.approval_banner.isVisible()
    assert workspace.waiting_gate is not None
    assert workspace.waiting_gate.gate == "architecture_approved"
    assert "waits for your decision" in window.notice_message()
    [item] = window.explorer.findItems(
        "architecture.md", Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchExactly
    )
    assert item.text(1).endswith("approve?")

    workspace.approval_banner.approve_button.click()

    gates = {g.gate: g.status for g in window.service.status().gates}
    assert gates["architecture_approved"] == "approved"
    run(loop, window.refresh_explorer())
    [item] = window.explorer.findItems(
        "architecture.md", Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchExactly
    )
    assert not item.text(1).endswith("approve?")


def test_the_edits_dialog_shows_each_diff_with_keep_first(qtbot) -> None:
    edits = [
        EditToDecide("prd.md", "# PRD\n\nold line\n", "# PRD\n\nnew line\n"),
        EditToDecide("epics.md", "# Epics\n", "# Epics\n\nE9\n"),
    ]
    dialog = EditsDialog(edits, "This run")
    qtbot.addWidget(dialog)

    assert [b.text() for b in dialog.buttons.values()] == [
        "Keep my edits",
        "Overwrite my edits",
        "Cancel",
    ]
    assert dialog.buttons[KEEP].isDefault()
    assert "-old line" in dialog.diff.toPlainText()
    assert "+new line" in dialog.diff.toPlainText()
    dialog.names.setCurrentRow(1)
    assert dialog.diff.toPlainText() == diff_of(edits[1])
    assert "+E9" in dialog.diff.toPlainText()
    dialog.buttons[KEEP].click()
    assert dialog.choice == KEEP
