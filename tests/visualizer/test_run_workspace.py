"""The visualizer driving real runs of the sample with the offline provider."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import update

from spec_automation.core import events as ev
from spec_automation.services import ProjectService, RunOptions, open_project
from spec_automation.settings import AppSettings
from spec_automation.store.models import WorkflowRun
from spec_automation.ui.visualizer import RunWorkspace
from spec_automation.ui.visualizer.metrics_view import format_saved
from spec_automation.ui.visualizer.run_state import NodeState, format_duration
from tests.helpers.runners import ScriptedOfflineRunner
from tests.visualizer.conftest import LATENCY_SCALE, approve_when_asked, until

pytestmark = pytest.mark.gui

ORDER = [
    NodeState.PENDING,
    NodeState.QUEUED,
    NodeState.RUNNING,
    NodeState.SUCCEEDED,
    NodeState.WAITING,
    NodeState.SUCCEEDED,
]


def record_states(workspace: RunWorkspace) -> dict[str, list[str]]:
    """Every state each node shows from now on, in order (repeats collapsed)."""
    seen: dict[str, list[str]] = {name: [] for name in workspace.scene.nodes}

    def note(phase: str, state: str) -> None:
        if not seen[phase] or seen[phase][-1] != state:
            seen[phase].append(state)

    workspace.scene.node_state_changed.connect(note)
    return seen


def shown(workspace: RunWorkspace, phase: str) -> NodeState:
    return workspace.scene.nodes[phase].state


async def test_the_plan_is_shown_before_running(
    workspace: RunWorkspace, project: ProjectService
) -> None:
    plan = project.plan(4)
    text = workspace.plan_label.text()
    assert " → ".join(plan.critical_path) in text
    assert format_duration(plan.sequential_estimate_s) in text
    assert format_duration(plan.parallel_estimate_s) in text
    assert len(workspace.scene.nodes) == 14
    # Columns by wave, left to right; the critical path is marked.
    for number, wave in enumerate(plan.waves[1:], start=2):
        previous = workspace.scene.nodes[plan.waves[number - 2][0]].pos().x()
        assert all(workspace.scene.nodes[p].pos().x() > previous for p in wave)
    critical = {name for name, node in workspace.scene.nodes.items() if node.critical}
    assert critical == set(plan.critical_path)
    assert all(node.state == NodeState.PENDING for node in workspace.scene.nodes.values())
    assert "est." in workspace.scene.nodes["ANALYSIS"].detail
    assert workspace.controls.progress_label.text() == "0/14 phases"


async def test_nodes_move_through_their_states_in_order(
    workspace: RunWorkspace, project: ProjectService
) -> None:
    seen = record_states(workspace)
    outcomes: list[tuple[str, dict[str, str]]] = []
    workspace.run_completed.connect(lambda outcome, failed: outcomes.append((outcome, failed)))
    mid_run: list[int] = []
    workspace.tracker.refreshed.connect(
        lambda _: mid_run.append(len(workspace.tracker.state.in_state(NodeState.RUNNING)))
    )

    task = workspace.start_run()
    assert task is not None
    await approve_when_asked(workspace)
    report = await task

    assert report is not None
    assert str(report.status) == "completed"
    for phase, states in seen.items():
        # The gated phase shows its gate after it succeeds, and succeeded again once approved.
        expected = ORDER if phase == "SPEC_ARCHITECT" else ORDER[:4]
        assert states == expected, phase
    assert max(mid_run) >= 2  # phases of one wave really ran side by side
    assert workspace.controls.progress_label.text() == "14/14 phases"
    assert workspace.completion_banner.isVisible()
    assert "Run completed" in workspace.completion_banner.message.text()
    assert outcomes == [("completed", {})]
    # What the run has to say besides (a model without a known price, a commit that failed)
    # is in the banner too.
    noted = dataclasses.replace(report, notices=("claude-x has no known price: shown as $0.",))
    workspace.completion_banner.announce_run("completed", {}, {}, noted, redoing=None)
    assert "Note: claude-x has no known price: shown as $0." in (
        workspace.completion_banner.message.text()
    )
    node = workspace.scene.nodes["SPEC_PM"]
    assert "done in" in node.detail
    assert "tok" in node.detail
    assert "Ran for" in node.toolTip()
    # The timeline kept one bar per phase, each starting no earlier than its inputs ended.
    state = workspace.tracker.state
    for name in project.graph.topological_order:
        view = state.phases[name]
        assert view.started_at is not None
        assert view.finished_at is not None
        for dep in project.graph.dependencies(name):
            dep_end = state.phases[dep].finished_at
            assert dep_end is not None
            assert view.started_at >= dep_end
    assert set(state.wave_ends) == set(range(1, 9))


async def test_a_failed_phase_blocks_its_dependents_while_independent_phases_finish(
    workspace: RunWorkspace, runner: ScriptedOfflineRunner, project: ProjectService
) -> None:
    runner.fail["SPEC_DESIGN_TOKENS"] = "the design model refused the palette"
    outcomes: list[tuple[str, dict[str, str]]] = []
    workspace.run_completed.connect(lambda outcome, failed: outcomes.append((outcome, failed)))

    task = workspace.start_run()
    assert task is not None
    await approve_when_asked(workspace)
    report = await task

    assert report is not None
    assert str(report.status) == "partial"
    assert shown(workspace, "SPEC_DESIGN_TOKENS") == NodeState.FAILED
    failed_node = workspace.scene.nodes["SPEC_DESIGN_TOKENS"]
    assert "the design model refused the palette" in failed_node.detail
    assert "the design model refused the palette" in failed_node.toolTip()
    downstream = project.graph.downstream("SPEC_DESIGN_TOKENS")
    assert downstream == {"SPEC_DESIGN_COMPONENTS", "SOLUTIONING_TASKS", "VALIDATE", "DONE"}
    for phase in downstream:
        assert shown(workspace, phase) == NodeState.BLOCKED
    assert workspace.scene.nodes["SPEC_DESIGN_COMPONENTS"].detail == "blocked by SPEC_DESIGN_TOKENS"
    for phase in (
        "ANALYSIS",
        "STACK_SELECTION",
        "SPEC_PM",
        "SPEC_ARCHITECT",
        "DEPENDENCIES",
        "SOLUTIONING_EPICS",
    ):
        assert shown(workspace, phase) == NodeState.SUCCEEDED
    banner = workspace.completion_banner.message.text()
    assert "SPEC_DESIGN_TOKENS" in banner
    assert "refused the palette" in banner
    assert outcomes == [("partial", {"SPEC_DESIGN_TOKENS": "the design model refused the palette"})]
    assert workspace.controls.progress_label.text() == "14/14 phases"

    # Retry: the failed phase runs again (it works now), then what it blocked; done stays done.
    assert workspace.controls.retry_button.isEnabled()
    runner.fail.clear()
    runner.requests.clear()
    seen = record_states(workspace)
    workspace.controls.retry_button.click()
    retried = workspace.run_task
    assert retried is not None
    report = await retried
    assert report is not None
    assert str(report.status) == "completed"
    assert {r.phase.name for r in runner.requests} == {"SPEC_DESIGN_TOKENS"} | downstream
    assert seen["ANALYSIS"] == [NodeState.DONE_EARLIER]
    assert all(node.state.finished for node in workspace.scene.nodes.values())
    assert not workspace.controls.retry_button.isEnabled()


async def test_cancel_stops_the_run_and_records_it_cancelled(
    workspace: RunWorkspace, project: ProjectService
) -> None:
    task = workspace.start_run()
    assert task is not None
    await until(lambda: shown(workspace, "STACK_SELECTION") == NodeState.RUNNING)
    assert workspace.controls.cancel_button.isEnabled()
    workspace.controls.cancel_button.click()
    await task

    assert shown(workspace, "STACK_SELECTION") == NodeState.CANCELLED
    assert shown(workspace, "ANALYSIS") == NodeState.SUCCEEDED
    assert shown(workspace, "DONE") == NodeState.PENDING
    assert "Run cancelled" in workspace.completion_banner.message.text()
    assert not workspace.controls.cancel_button.isEnabled()
    assert workspace.controls.run_button.isEnabled()
    status = project.status()
    assert status.last_run_status == "cancelled"
    assert status.resumable_run_id == status.last_run_id


async def test_approve_and_reject_with_feedback_from_the_banner(
    workspace: RunWorkspace, runner: ScriptedOfflineRunner, project: ProjectService
) -> None:
    task = workspace.start_run()
    assert task is not None
    await until(lambda: workspace.approval_banner.isVisible())
    assert shown(workspace, "SPEC_ARCHITECT") == NodeState.WAITING
    assert "architecture_approved" in workspace.approval_banner.message.text()
    assert "waiting for approval" in workspace.scene.nodes["SPEC_ARCHITECT"].detail
    # DEPENDENCIES and SOLUTIONING_EPICS wait on the gate: they have not started.
    assert shown(workspace, "DEPENDENCIES") == NodeState.PENDING

    workspace.approval_banner.reject_button.click()
    first = await task
    assert first is not None
    assert str(first.status) == "partial"
    assert first.blocked["DEPENDENCIES"] == "gate architecture_approved rejected"

    # The workspace regenerates the phase with the feedback; its gate asks again.
    redo = workspace.run_task
    assert redo is not None
    assert redo is not task
    await until(
        lambda: workspace.approval_banner.isVisible() and workspace.waiting_gate is not None
    )
    assert [r.feedback for r in runner.requests if r.phase.name == "SPEC_ARCHITECT"] == [
        "",
        "Use PostgreSQL for the appointment store",
    ]
    workspace.approval_banner.approve_button.click()
    final = await redo
    assert final is not None
    assert str(final.status) == "completed"
    assert final.run_id == first.run_id  # the same run, resumed
    architecture = (project.paths.artifacts / "architecture.md").read_text(encoding="utf-8")
    assert "Use PostgreSQL for the appointment store" in architecture
    assert all(
        node.state in (NodeState.SUCCEEDED, NodeState.DONE_EARLIER)
        for node in workspace.scene.nodes.values()
    )
    assert [g.status for g in project.status().gates] == ["approved"]


async def test_an_interrupted_run_is_offered_and_resumed(
    qtbot: object, project: ProjectService, settings: AppSettings
) -> None:
    # A run dies after a few phases: cancel it mid-way, then leave it as a crash would
    # (recorded as running, nobody holding it). Opening the project finds it interrupted.
    finished: list[str] = []

    def on_event(event: ev.EngineEvent) -> None:
        if isinstance(event, ev.PhaseSucceeded):
            finished.append(event.phase)

    options = RunOptions(latency_scale=LATENCY_SCALE, gate_poll_interval_s=0.05)
    run = asyncio.ensure_future(project.run_workflow(options, on_event))
    await until(lambda: "SPEC_PM" in finished)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    with project.db.session() as session:
        session.execute(update(WorkflowRun).values(status="running"))
    project.close()
    reopened = open_project(project.paths.root)
    try:
        assert reopened.status().last_run_status == "interrupted"
        workspace = RunWorkspace(reopened, settings)
        qtbot.addWidget(workspace)  # type: ignore[attr-defined]
        workspace.show()
        done_before = {p for p, s in reopened.status().last_run_phases.items() if s == "succeeded"}
        assert {"ANALYSIS", "STACK_SELECTION", "SPEC_PM"} <= done_before
        for phase in done_before:
            assert shown(workspace, phase) == NodeState.SUCCEEDED  # as the last run left it

        assert workspace.offer_resume()
        assert workspace.resume_banner.isVisible()
        assert "interrupted" in workspace.resume_banner.message.text()
        assert workspace.controls.resume_button.isEnabled()
        seen = record_states(workspace)
        workspace.controls.resume_button.click()
        resumed = workspace.run_task
        assert resumed is not None
        await approve_when_asked(workspace)
        report = await resumed
        assert report is not None
        assert report.resumed
        assert str(report.status) == "completed"
        for phase in done_before:
            assert NodeState.RUNNING not in seen[phase], phase
            assert shown(workspace, phase) == NodeState.DONE_EARLIER
        assert workspace.controls.progress_label.text() == "14/14 phases"
        assert not workspace.offer_resume()  # nothing left to resume
        workspace.close_workspace()
    finally:
        reopened.close()


async def test_metrics_view_shows_the_services_metrics(
    workspace: RunWorkspace, project: ProjectService
) -> None:
    for everything in (False, True):  # the second run reruns every phase: nothing is stale
        task = workspace.start_run(everything=everything)
        assert task is not None
        await approve_when_asked(workspace)
        await task
    service = project.metrics()
    view = workspace.metrics
    assert view.values["all.runs"] == "2"
    assert view.values["all.parallel"] == format_duration(service.parallel_duration_s)
    assert view.values["all.sequential"] == format_duration(service.sequential_duration_s)
    assert view.values["all.saved"] == format_saved(service.time_saved_s, service.time_saved_pct)
    last = service.runs[-1]
    # the time the gate waited for a person is shown apart, not counted as parallel time
    assert last.person_wait_s > 0
    assert view.values["last.parallel"] == format_duration(last.wall_time_s - last.person_wait_s)
    assert view.values["last.wait"] == format_duration(last.person_wait_s)
    assert view.values["all.wait"] == format_duration(service.person_wait_s)
    assert view.values["last.saved"] == format_saved(last.time_saved_s, last.time_saved_pct)
    assert view.last_waves.rowCount() == 8
    assert view.last_waves.item(1, 1).text() == "STACK_SELECTION, SPEC_DESIGN_TOKENS"
    # The chart plots each run: wall time and sequential time.
    series = view.chart.series()
    assert sorted(len(s.points()) for s in series) == [2, 2]
    # Live figures were filled in during the run.
    assert view.values["live.tokens"].endswith("tok")
    assert view.values["live.memory"].endswith("MiB")
    # A date range with no runs in it.
    view.since.setDate(view.since.date().addYears(-3))
    view.until.setDate(view.since.date().addDays(1))
    view.use_range.setChecked(True)
    since, until_ = view.date_range()
    assert view.values["all.runs"] == str(project.metrics(since, until_).runs_analysed) == "0"


async def test_clicking_a_node_opens_its_artifacts_and_the_view_zooms(
    workspace: RunWorkspace, qtbot: object
) -> None:
    view = workspace.view
    view.fit()
    node = workspace.scene.nodes["SPEC_ARCHITECT"]
    point = view.mapFromScene(node.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)  # type: ignore[attr-defined]
    assert workspace.opened == ["architecture.md"]  # type: ignore[attr-defined]
    before = view.zoom
    qtbot.keyClick(view, Qt.Key.Key_Plus)  # type: ignore[attr-defined]
    assert view.zoom > before
    qtbot.keyClick(view, Qt.Key.Key_Minus)  # type: ignore[attr-defined]
    qtbot.keyClick(view, Qt.Key.Key_Minus)  # type: ignore[attr-defined]
    assert view.zoom < before
    view.fit()
    assert view.zoom == pytest.approx(before)


async def test_a_run_on_claude_says_what_it_may_cost_and_its_budget_before_it_goes(
    workspace: RunWorkspace, project: ProjectService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers.fake_claude import FakeClaude

    key = "sk-ant-api03-FAKE-KEY-never-to-be-written-0123456789"
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    project.providers.http_client = FakeClaude(api_key=key).client()
    workspace.apply_settings(AppSettings(provider="anthropic", budget_usd=5.0))
    said: list[str] = []

    task = workspace.start_run()
    assert task is not None
    await until(lambda: workspace.waiting_gate is not None)
    said.append(workspace.completion_banner.message.text())
    workspace.approval_banner.approve_button.click()
    report = await task

    assert report is not None
    assert str(report.status) == "completed"
    assert "No estimate yet: the 14 phases to run have never run." in said[0]
    assert "Budget $5.00: the run stops before a call that could take it past that." in said[0]


async def test_a_run_the_budget_stopped_goes_on_after_the_budget_is_raised_in_settings(
    workspace: RunWorkspace, project: ProjectService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers.fake_claude import FakeClaude

    key = "sk-ant-api03-FAKE-KEY-never-to-be-written-0123456789"
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    fake = FakeClaude(api_key=key)
    project.providers.http_client = fake.client()
    workspace.apply_settings(AppSettings(provider="anthropic", budget_usd=0.40))

    task = workspace.start_run(auto_approve=True)
    assert task is not None
    stopped = await task
    assert stopped is not None
    assert str(stopped.status) == "partial"
    why = " ".join(stopped.failed.values())
    assert "stopped before" in why
    assert "Budget per run in Settings" in why  # what to do, in the app's words too
    calls = len(fake.calls)

    workspace.apply_settings(AppSettings(provider="anthropic", budget_usd=100.0))
    task = workspace.start_run(resume=True, auto_approve=True)
    assert task is not None
    resumed = await task
    assert resumed is not None
    assert str(resumed.status) == "completed", resumed.failed
    assert resumed.run_id == stopped.run_id
    assert len(fake.calls) > calls
