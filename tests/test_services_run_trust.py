"""A run's provider is part of the run, and waiting for a person is not work."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from spec_automation import services
from spec_automation.core import events as ev
from spec_automation.core.ports import RunStatus
from spec_automation.resources import sample_brief_path
from spec_automation.store import queries
from tests.helpers.fake_claude import FakeClaude

KEY = "sk-ant-api03-FAKE-KEY-for-the-resume-test-0123456789"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    service = services.create_project(
        tmp_path / "clinic", brief_text=sample_brief_path().read_text(encoding="utf-8")
    )
    yield service
    service.close()


async def test_resuming_an_anthropic_run_goes_on_with_anthropic(project) -> None:
    fake = FakeClaude(api_key=KEY)
    project.providers.http_client = fake.client()
    started = services.RunOptions(provider="anthropic", model="claude-haiku-4-5", auto_approve=True)
    done: list[str] = []
    first: asyncio.Task[services.RunReport] | None = None

    def stop_after_two(event: ev.EngineEvent) -> None:
        if isinstance(event, ev.PhaseSucceeded):
            done.append(event.phase)
            if len(done) == 2 and first is not None:
                first.cancel()

    first = asyncio.ensure_future(project.run_workflow(started, stop_after_two))
    with contextlib.suppress(asyncio.CancelledError):
        await first
    calls = len(fake.calls)
    status = project.status()
    assert status.resumable_run_id is not None
    assert status.resumable_provider == "anthropic"  # the CLI's hint names it

    # What the CLI's hint runs: `run --resume`, with the default (offline) provider unset.
    resumed = await project.run_workflow(services.RunOptions(resume=True, auto_approve=True))

    assert resumed.status == RunStatus.COMPLETED, resumed.failed
    assert resumed.resumed
    assert (resumed.provider, resumed.model) == ("anthropic", "claude-haiku-4-5")
    assert len(fake.calls) > calls  # the remaining phases asked the fake Claude
    gates = project.paths.artifact("quality-report.md").read_text(encoding="utf-8")
    assert 'provider: "quality gates"' in gates  # the gates wrote it: no model was asked
    for name in set(project.spec.artifacts) - {"quality-report.md"}:
        text = project.paths.artifact(name).read_text(encoding="utf-8")
        assert "provider: anthropic" in text, name
        assert "provider: offline" not in text, name
    run = queries.get_run(project.db, resumed.run_id).run
    assert (run.provider, run.model) == ("anthropic", "claude-haiku-4-5")


async def test_an_explicit_provider_on_resume_wins_and_is_recorded(project) -> None:
    fake = FakeClaude(api_key=KEY)
    project.providers.http_client = fake.client()
    first: asyncio.Task[services.RunReport] | None = None

    def stop_at_once(event: ev.EngineEvent) -> None:
        if isinstance(event, ev.PhaseSucceeded) and first is not None:
            first.cancel()

    started = services.RunOptions(provider="anthropic", auto_approve=True)
    first = asyncio.ensure_future(project.run_workflow(started, stop_at_once))
    with contextlib.suppress(asyncio.CancelledError):
        await first
    calls = len(fake.calls)

    resumed = await project.run_workflow(
        services.RunOptions(
            resume=True, auto_approve=True, provider="offline", explicit=frozenset({"provider"})
        )
    )

    assert resumed.status == RunStatus.COMPLETED
    assert resumed.provider == "offline"
    assert len(fake.calls) == calls
    assert queries.get_run(project.db, resumed.run_id).run.provider == "offline"


async def test_a_five_second_gate_wait_is_reported_apart_and_saves_no_negative_time(
    project,
) -> None:
    options = services.RunOptions(latency_scale=0.01, gate_poll_interval_s=0.05)
    deciding: list[asyncio.Task[object]] = []

    async def approve_later(gate: str) -> object:
        await asyncio.sleep(5.0)
        return await asyncio.to_thread(project.decide_gate, gate, approved=True)

    def on_event(event: ev.EngineEvent) -> None:
        if isinstance(event, ev.GateWaiting):
            deciding.append(asyncio.ensure_future(approve_later(event.gate)))

    report = await project.run_workflow(options, on_event)

    assert report.status == RunStatus.COMPLETED
    assert len(deciding) == 1
    assert report.gate_waits["architecture_approved"] >= 5.0
    # The user flows and the components do not wait for the gate: while they ran (well under
    # a second at this latency) nobody was waiting for a person alone.
    waited = report.gate_waits["architecture_approved"]
    assert waited - 1.0 <= report.person_wait_s <= waited + 0.05
    assert report.wall_time_s >= 5.0
    assert report.time_saved_s >= 0.0
    assert report.time_saved_s == pytest.approx(
        report.sequential_estimate_s - (report.wall_time_s - report.person_wait_s), abs=1e-6
    )
    metrics = project.metrics()
    assert metrics.person_wait_s == pytest.approx(report.person_wait_s)
    assert metrics.parallel_duration_s == pytest.approx(report.wall_time_s - report.person_wait_s)
    assert metrics.parallel_duration_s < 5.0
    assert metrics.time_saved_s >= 0.0
    assert metrics.runs[-1].parallel_time_s == pytest.approx(metrics.parallel_duration_s)


async def test_an_edit_saved_while_its_phase_runs_is_kept_and_the_phase_says_why(
    project,
) -> None:
    fast = services.RunOptions(latency_scale=0, auto_approve=True)
    await project.run_workflow(fast)
    mine = project.read_artifact("prd.md") + "\n### FR-12: Typed while the run was going\n"
    saved: list[int] = []

    def save_during_spec_pm(event: ev.EngineEvent) -> None:
        if isinstance(event, ev.PhaseStarted) and event.phase == "SPEC_PM" and not saved:
            saved.append(project.save_artifact("prd.md", mine).version.version)

    # A reviewer's note has SPEC_PM write a new PRD; the user saves their own meanwhile.
    report = await project.redo_phase(
        "SPEC_PM",
        "Add a waiting list",
        services.RunOptions(latency_scale=0.01, auto_approve=True),
        save_during_spec_pm,
    )

    assert saved
    assert report.status == RunStatus.PARTIAL
    assert "prd.md changed while SPEC_PM was writing it" in report.failed["SPEC_PM"]
    assert "IntegrityError" not in report.failed["SPEC_PM"]
    assert project.read_artifact("prd.md") == mine  # the user's text, on disk and stored
    latest = project.artifact_versions("prd.md").items[0]
    assert (latest.version, latest.kind) == (saved[0], "user_edit")
    # The next run asks about the edit, and keeping it finishes the workflow from it.
    with pytest.raises(services.EditsAtRisk):
        await project.run_workflow(fast)
    done = await project.run_workflow(
        services.RunOptions(latency_scale=0, auto_approve=True, edits="keep")
    )
    assert done.status == RunStatus.COMPLETED, done.failed
    assert "Typed while the run" in project.read_artifact("architecture.md")


async def test_a_model_with_no_known_price_is_said_not_taken_as_free(project) -> None:
    fake = FakeClaude(api_key=KEY)
    project.providers.http_client = fake.client()
    known = await project.run_workflow(
        services.RunOptions(provider="anthropic", model="claude-haiku-4-5", auto_approve=True)
    )
    assert not any("price" in n for n in known.notices)
    unknown = await project.run_workflow(
        services.RunOptions(
            provider="anthropic", model="mystery-model-1", auto_approve=True, everything=True
        )
    )
    assert any("The price of mystery-model-1 is not known" in n for n in unknown.notices)
