"""Running the workflow from the main window: F5 runs it live in the Run panel."""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_automation.resources import sample_brief_path
from spec_automation.services import create_project, open_project
from spec_automation.settings import AppSettings
from spec_automation.ui.explorer import ArtifactState
from spec_automation.ui.visualizer import RunWorkspace
from tests.helpers.gui import run, until

pytestmark = pytest.mark.gui

FAST = AppSettings(latency_scale=0.004, autosave_interval_s=0.2)


def _fresh_project(folder: Path) -> Path:
    brief = sample_brief_path().read_text(encoding="utf-8")
    create_project(folder, brief_text=brief, name="ShiftCare", git_enabled=False).close()
    return folder


def test_f5_runs_the_workflow_in_the_run_panel_and_the_gate_is_approved_there(
    make_window, loop, tmp_path: Path
) -> None:
    window = make_window(FAST)
    run(loop, window.open_project(_fresh_project(tmp_path / "shiftcare")))
    workspace = window.runs.workspace
    assert isinstance(workspace, RunWorkspace)
    assert window.runs.dock is not None
    assert window.runs.dock.widget().widget() is workspace  # inside its scroller
    assert window.explorer.state_of("prd.md") == ArtifactState.MISSING

    window.commands["run"].trigger()  # F5

    async def approve_when_asked() -> None:
        await until(lambda: workspace.waiting_gate is not None, timeout=30)
        assert "waits for your approval" in window.notice_message()
        assert window.commands["cancel_run"].isEnabled()
        assert not window.commands["run"].isEnabled()
        # The explorer follows the run: what finished shows, what has not stays missing.
        await until(lambda: window.explorer.state_of("architecture.md") == ArtifactState.GENERATED)
        assert window.explorer.state_of("analysis.md") == ArtifactState.GENERATED
        assert window.explorer.state_of("handoff.md") == ArtifactState.MISSING
        assert workspace.running
        workspace.approval_banner.approve()
        await until(lambda: not workspace.running, timeout=30)
        await until(lambda: window.explorer.state_of("handoff.md") == ArtifactState.GENERATED)
        # The last phase may be the gates' (QUALITY), finishing after the hand-off.
        await until(
            lambda: window.explorer.state_of("quality-report.md") == ArtifactState.GENERATED
        )

    run(loop, approve_when_asked(), timeout=60)
    assert window.notice_message().startswith("The run completed")
    assert window.commands["run"].isEnabled()
    log = window.log_view.toPlainText()
    assert "ANALYSIS started (wave 1)" in log
    assert "gate architecture_approved waits for your approval of SPEC_ARCHITECT" in log
    assert all(e.state == ArtifactState.GENERATED for e in window.explorer.entries), [
        (e.name, e.state) for e in window.explorer.entries
    ]


def test_an_unfinished_run_is_offered_for_resuming_when_the_project_opens(
    make_window, loop, tmp_path: Path
) -> None:
    folder = _fresh_project(tmp_path / "shiftcare")
    window = make_window(FAST)
    run(loop, window.open_project(folder))
    workspace = window.runs.workspace
    assert workspace is not None
    task = workspace.start_run()
    assert task is not None

    async def cancel_after_the_first_phase() -> None:
        await until(lambda: workspace.tracker.state.phases["ANALYSIS"].state.name == "SUCCEEDED")
        window.runs.cancel_run()
        await until(lambda: not workspace.running)

    run(loop, cancel_after_the_first_phase())
    assert "cancelled" in window.notice_message()
    run(loop, window.close_project())
    assert window.runs.workspace is None

    run(loop, window.open_project(folder))
    assert window.runs.workspace is not None
    assert window.runs.workspace.resume_banner.isVisible()
    # The graph shows how the run left each phase, from the store (no live timings).
    analysis = window.runs.workspace.scene.nodes["ANALYSIS"]
    assert analysis.detail == "✓ done in the last run"
    assert "resume it" in window.notice_message()
    with open_project(folder) as service:
        assert service.status().resumable_run_id is not None


def test_pressing_f5_in_the_window_starts_a_run_and_shift_f5_cancels_it(
    make_window, loop, tmp_path: Path
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window = make_window(AppSettings(latency_scale=0.2, autosave_interval_s=0.2))
    run(loop, window.open_project(_fresh_project(tmp_path / "shiftcare")))
    workspace = window.runs.workspace
    window.activateWindow()
    window.explorer.setFocus()
    QTest.keyClick(window.explorer, Qt.Key.Key_F5)  # the key, not the action: one owner of F5
    run(loop, until(lambda: workspace.running, timeout=10))
    QTest.keyClick(window.explorer, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    run(loop, until(lambda: not workspace.running, timeout=30))
    assert "cancel" in window.notice_message().lower()


def test_run_actions_say_why_they_cannot_run_and_look_disabled(
    make_window, loop, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QToolButton

    window = make_window(FAST)  # the welcome screen: no project
    run_action = window.commands["run"]
    assert not run_action.isEnabled()
    assert run_action.toolTip() == "Open or create a project first (File menu)"
    button = next(b for b in window.findChildren(QToolButton) if b.defaultAction() is run_action)
    enabled = next(
        b for b in window.findChildren(QToolButton) if b.defaultAction() is window.commands["open"]
    )
    text = window.theme.colour("text").name()

    def drawn(widget: QToolButton) -> set[str]:
        image = widget.grab().toImage()
        return {
            image.pixelColor(x, y).name()
            for x in range(image.width())
            for y in range(image.height())
        }

    assert text in drawn(enabled)  # an enabled button's label is in the text colour
    assert text not in drawn(button)  # a disabled one's is not: it looks disabled
    run(loop, window.open_project(_fresh_project(tmp_path / "shiftcare")))
    assert run_action.isEnabled()
    assert run_action.toolTip().endswith("(F5)")
