"""The engine's behaviour as a user would notice it: what runs when, what is recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace

import pytest

from spec_automation.core import events as ev
from spec_automation.core.engine import EngineSettings, OrchestratorEngine, RunResult, RunScope
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.ports import (
    GateStatus,
    PhaseOutput,
    PhaseRequest,
    PhaseStatus,
    ProgressCallback,
    RunMode,
    RunStatus,
)
from spec_automation.core.ratelimit import RateLimiter
from spec_automation.core.spec import WorkflowSpec
from tests.helpers.fakes import AutoApprove, FakeRunner, ManualGate, MemoryRecorder, spec_of


def engine_for(
    spec: WorkflowSpec,
    runner: object,
    recorder: MemoryRecorder | None = None,
    gatekeeper: object | None = None,
    events: list[ev.EngineEvent] | None = None,
    **settings: object,
) -> tuple[OrchestratorEngine, MemoryRecorder]:
    recorder = recorder or MemoryRecorder()
    engine = OrchestratorEngine(
        WorkflowGraph(spec),
        runner=runner,  # type: ignore[arg-type]
        recorder=recorder,
        gatekeeper=gatekeeper or AutoApprove(),  # type: ignore[arg-type]
        project_name="test",
        brief="a brief",
        settings=EngineSettings(**settings),  # type: ignore[arg-type]
        on_event=events.append if events is not None else None,
    )
    return engine, recorder


async def run(
    spec: WorkflowSpec, runner: FakeRunner, **kw: object
) -> tuple[RunResult, MemoryRecorder]:
    engine, recorder = engine_for(spec, runner, **kw)  # type: ignore[arg-type]
    return await engine.run(), recorder


async def test_a_phase_starts_when_its_own_dependencies_finish_not_its_wave() -> None:
    # Waves: {FAST, SLOW} then {AFTER_FAST, AFTER_SLOW}. AFTER_FAST needs only FAST.
    spec = spec_of({"FAST": [], "SLOW": [], "AFTER_FAST": ["FAST"], "AFTER_SLOW": ["SLOW"]})
    runner = FakeRunner(latency={"FAST": 0.02, "SLOW": 0.4, "AFTER_FAST": 0.02, "AFTER_SLOW": 0.02})
    result, _ = await run(spec, runner)
    assert result.status == RunStatus.COMPLETED
    assert runner.start_of("AFTER_FAST") < runner.end_of("SLOW") - 0.2
    assert runner.end_of("AFTER_FAST") < runner.end_of("SLOW")


async def test_every_phase_gets_the_artifacts_of_its_own_dependencies_and_what_it_reads() -> None:
    spec = spec_of({"A": [], "B": ["A"], "C": ["B"], "D": []})
    spec = replace(
        spec,
        phases={**spec.phases, "D": replace(spec.phases["D"], depends_on=("C",), reads=("a.md",))},
    )
    runner = FakeRunner()
    _result, recorder = await run(spec, runner)
    # C depends on B only: B's artifact, not A's (direct inputs keep contexts bounded).
    assert runner.seen_inputs == {"A": (), "B": ("a.md",), "C": ("b.md",), "D": ("a.md", "c.md")}
    assert "Made from: b.md." in recorder.files["c.md"]
    assert "Made from: a.md, c.md." in recorder.files["d.md"]
    assert recorder.files["c.md"].startswith("---\nartifact: c.md\nphase: C\n")


async def test_a_failed_phase_blocks_only_its_dependents() -> None:
    spec = spec_of({"A": [], "B": ["A"], "C": ["B"], "X": [], "Y": ["X"]})
    runner = FakeRunner(fail={"A"})
    events: list[ev.EngineEvent] = []
    result, recorder = await run(spec, runner, events=events)
    assert result.status == RunStatus.PARTIAL
    assert result.failed == {"A": "A was made to fail"}
    assert result.blocked == {"B": "A", "C": "A"}
    assert set(result.succeeded) == {"X", "Y"}
    assert {"x.md", "y.md"} == set(recorder.files)
    assert [e.phase for e in events if isinstance(e, ev.PhaseBlocked)] == ["B", "C"]
    assert recorder.summaries[-1].status == RunStatus.PARTIAL
    assert {r["phase"]: r["status"] for r in recorder.phase_rows}["C"] == "blocked"


async def test_a_run_where_nothing_succeeds_is_failed() -> None:
    result, _ = await run(spec_of({"A": [], "B": ["A"]}), FakeRunner(fail={"A"}))
    assert result.status == RunStatus.FAILED


async def test_in_flight_phases_never_exceed_the_concurrency_limit() -> None:
    spec = spec_of({f"P{i}": [] for i in range(10)})
    runner = FakeRunner(default_latency=0.03)
    result, _ = await run(spec, runner, concurrency=3)
    assert runner.peak == 3
    assert result.peak_in_flight == 3
    assert len(result.succeeded) == 10


async def test_sequential_mode_runs_one_phase_at_a_time_in_topological_order() -> None:
    spec = spec_of({"A": [], "B": ["A"], "C": [], "D": ["B", "C"]})
    runner = FakeRunner(default_latency=0.005)
    engine, _ = engine_for(spec, runner, concurrency=4)
    result = await engine.run(RunMode.SEQUENTIAL)
    assert runner.peak == 1
    assert [n for n, _ in runner.starts] == list(WorkflowGraph(spec).topological_order)
    assert result.mode == RunMode.SEQUENTIAL


async def test_ready_phases_start_longest_remaining_path_first() -> None:
    spec = spec_of(
        {"SHORT": [], "LONG": [], "TAIL": ["LONG"]}, durations={"SHORT": 1, "LONG": 5, "TAIL": 5}
    )
    runner = FakeRunner()
    await run(spec, runner, concurrency=1)
    assert next(n for n, _ in runner.starts) == "LONG"


async def test_cancelling_a_run_cancels_in_flight_phases_and_records_it() -> None:
    spec = spec_of({"A": [], "HANG": [], "AFTER": ["HANG"]})
    runner = FakeRunner(hang={"HANG"})
    events: list[ev.EngineEvent] = []
    engine, recorder = engine_for(spec, runner, events=events)
    task = asyncio.create_task(engine.run())
    while not any(isinstance(e, ev.PhaseSucceeded) and e.phase == "A" for e in events):
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert recorder.summaries[-1].status == RunStatus.CANCELLED
    statuses = {r["phase"]: r["status"] for r in recorder.phase_rows}
    assert statuses == {"A": "succeeded", "HANG": "cancelled"}
    assert set(recorder.files) == {"a.md"}
    assert isinstance(events[-1], ev.RunFinished)
    assert events[-1].status == RunStatus.CANCELLED


async def test_a_gate_pauses_only_the_gated_phases_dependents() -> None:
    spec = spec_of(
        {"ARCH": [], "OTHER": [], "OTHER2": ["OTHER"], "EPICS": ["ARCH"]},
        gates={"ARCH": ["architecture_approved"]},
    )
    gate = ManualGate()
    runner = FakeRunner(default_latency=0.01)
    engine, recorder = engine_for(spec, runner, gatekeeper=gate)
    task = asyncio.create_task(engine.run())
    await gate.waiting.wait()
    await asyncio.sleep(0.1)  # the independent branch goes on meanwhile
    started = {n for n, _ in runner.starts}
    assert "OTHER2" in started
    assert "EPICS" not in started
    assert recorder.gate_state("architecture_approved").status == GateStatus.PENDING
    gate.decide(approved=True)
    result = await task
    assert result.status == RunStatus.COMPLETED
    assert runner.start_of("EPICS") > runner.end_of("OTHER2")


async def test_a_rejected_gate_blocks_the_gated_phases_dependents() -> None:
    spec = spec_of(
        {"ARCH": [], "EPICS": ["ARCH"], "TASKS": ["EPICS"], "X": []}, gates={"ARCH": ["g"]}
    )
    gate = ManualGate()
    engine, _ = engine_for(spec, FakeRunner(), gatekeeper=gate)
    task = asyncio.create_task(engine.run())
    await gate.waiting.wait()
    gate.decide(approved=False, note="split the API")
    result = await task
    assert result.blocked == {"EPICS": "gate g rejected", "TASKS": "gate g rejected"}
    assert result.status == RunStatus.PARTIAL


async def test_metrics_time_saved_is_sequential_estimate_minus_wall_time() -> None:
    spec = spec_of({"A": [], "B": ["A"], "C": ["A"], "D": ["B", "C"]})
    runner = FakeRunner(latency={"A": 0.02, "B": 0.1, "C": 0.1, "D": 0.02})
    result, recorder = await run(spec, runner)
    assert result.sequential_estimate_s == pytest.approx(sum(result.phase_durations.values()))
    assert result.time_saved_s == pytest.approx(result.sequential_estimate_s - result.wall_time_s)
    assert result.time_saved_s > 0.05  # B and C overlapped
    assert [w.wave for w in recorder.waves] == [1, 2, 3]
    wave2 = recorder.waves[1]
    assert wave2.phases == ("B", "C")
    assert wave2.phases_completed == ("B", "C")
    assert wave2.sequential_estimate_s == pytest.approx(
        result.phase_durations["B"] + result.phase_durations["C"]
    )
    assert wave2.time_saved_s == pytest.approx(wave2.sequential_estimate_s - wave2.duration_s)
    assert wave2.duration_s < wave2.sequential_estimate_s
    assert [label for _, label, _ in recorder.snapshots] == [f"run 1 wave {n}" for n in (1, 2, 3)]


async def test_wave_rows_name_failed_and_blocked_phases() -> None:
    spec = spec_of({"A": [], "B": [], "C": ["A"]})
    _, recorder = await run(spec, FakeRunner(latency={"B": 0.05}, fail={"A"}))
    waves = {w.wave: w for w in recorder.waves}
    assert waves[1].phases_failed == {"A": "A was made to fail"}
    assert waves[1].phases_completed == ("B",)
    assert waves[2].phases_failed == {"C": "blocked by A"}
    # Waves are recorded as they end: wave 2 (blocked at once) ends before slow B ends wave 1.
    assert [w.wave for w in recorder.waves] == [2, 1]


async def test_resume_never_reruns_completed_phases() -> None:
    spec = spec_of({"A": [], "B": ["A"], "C": ["B"]})
    first = FakeRunner(fail={"B"})
    engine, recorder = engine_for(spec, first)
    result = await engine.run()
    assert result.status == RunStatus.PARTIAL
    second = FakeRunner()
    engine, _ = engine_for(spec, second, recorder=recorder)
    resumed = await engine.run(resume_run_id=result.run_id)
    assert [n for n, _ in second.starts] == ["B", "C"]
    assert resumed.status == RunStatus.COMPLETED
    assert resumed.run_id == result.run_id
    assert second.seen_inputs["B"] == ("a.md",)
    assert resumed.wall_time_s > result.wall_time_s  # both segments count


async def test_a_phase_that_overruns_its_timeout_fails_with_a_clear_message() -> None:
    spec = spec_of({"SLOW": [], "AFTER": ["SLOW"]})
    result, _ = await run(spec, FakeRunner(hang={"SLOW"}), phase_timeout_s=0.05)
    assert result.failed == {"SLOW": "timed out after 0.05 s"}
    assert result.blocked == {"AFTER": "SLOW"}


class ForeignRunner:
    def __init__(self, artifacts: Mapping[str, str]) -> None:
        self.artifacts = artifacts

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        return PhaseOutput(self.artifacts, provider="fake")


async def test_output_naming_a_file_the_phase_does_not_produce_is_rejected() -> None:
    engine, recorder = engine_for(
        spec_of({"A": []}), ForeignRunner({"a.md": "# A", "../evil.md": "x"})
    )
    result = await engine.run()
    assert result.failed == {"A": "produced ../evil.md, which the phase does not declare"}
    assert recorder.files == {}


async def test_output_missing_an_artifact_is_rejected() -> None:
    engine, _ = engine_for(spec_of({"A": []}), ForeignRunner({}))
    assert (await engine.run()).failed == {"A": "did not produce a.md"}


async def test_unexpected_runner_errors_become_one_line_phase_errors() -> None:
    class Broken:
        async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
            raise KeyError("stack.md")

    engine, _ = engine_for(spec_of({"A": []}), Broken())
    assert (await engine.run()).failed == {"A": "KeyError: 'stack.md'"}


async def test_events_follow_each_phase_through_its_states_in_order() -> None:
    events: list[ev.EngineEvent] = []
    await run(spec_of({"A": [], "B": ["A"]}), FakeRunner(), events=events)
    b_events = [type(e).__name__ for e in events if getattr(e, "phase", None) == "B"]
    assert b_events == ["PhaseQueued", "PhaseStarted", "PhaseProgress", "PhaseSucceeded"]
    assert isinstance(events[0], ev.RunStarted)
    assert isinstance(events[-1], ev.RunFinished)


class _Revising(FakeRunner):
    """Writes a new text every time it runs."""

    calls: int = 0

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        self.calls += 1
        out = await super().run(request, progress)
        return PhaseOutput(
            {a: f"{b}\nRevision {self.calls}.\n" for a, b in out.artifacts.items()}, provider="fake"
        )


async def test_versions_increase_across_runs() -> None:
    spec = spec_of({"A": []})
    engine, recorder = engine_for(spec, _Revising())
    await engine.run()
    await engine.run()
    assert [v for v, _ in recorder.versions["a.md"]] == [1, 2]
    assert "version: 2" in recorder.files["a.md"]


async def test_a_phase_that_writes_its_artifact_again_exactly_stores_nothing_new() -> None:
    spec = spec_of({"A": [], "B": ["A"]})
    engine, recorder = engine_for(spec, FakeRunner())
    await engine.run()
    first = dict(recorder.files)
    result = await engine.run()
    assert [v for v, _ in recorder.versions["a.md"]] == [1]
    assert recorder.files == first  # no file written again
    assert result.unchanged == ("A", "B")


async def test_rate_limiter_spaces_requests_beyond_the_burst() -> None:
    now = [0.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(60, burst=2, monotonic=lambda: now[0], sleep=fake_sleep)
    waits = [await limiter.acquire() for _ in range(4)]
    assert waits[:2] == [0.0, 0.0]
    assert waits[2] == pytest.approx(1.0)
    assert waits[3] == pytest.approx(1.0)
    assert sum(slept) == pytest.approx(2.0)


async def test_rate_limit_spaces_phase_starts() -> None:
    # 600 a minute: a burst of 10 at once, then one every 0.1 s.
    spec = spec_of({f"P{i}": [] for i in range(14)})
    runner = FakeRunner()
    events: list[ev.EngineEvent] = []
    result, _ = await run(spec, runner, events=events, concurrency=20, rate_limit_per_minute=600.0)
    starts = sorted(t for _, t in runner.starts)
    assert starts[9] - starts[0] < 0.05
    assert starts[13] - starts[0] >= 0.39
    queued = [e.phase for e in events if isinstance(e, ev.PhaseQueued)]
    assert len(queued) == 14
    assert all(s == PhaseStatus.SUCCEEDED for s in result.phase_status.values())


@pytest.mark.parametrize(("reads", "runs"), [((), False), (("a.md",), True)])
async def test_early_cutoff_never_skips_a_phase_reading_the_changed_artifact_itself(
    reads: tuple[str, ...], runs: bool
) -> None:
    # A was edited; B (made from A) comes out the same. C depends on B only; when it also
    # reads a.md itself, what it reads has changed: it must run, not be cut off.
    base = spec_of({"A": [], "B": ["A"], "C": ["B"]})
    spec = WorkflowSpec(
        name=base.name,
        phases={**base.phases, "C": replace(base.phases["C"], reads=reads)},
    )
    runner = FakeRunner()
    engine, recorder = engine_for(spec, runner)
    assert (await engine.run()).status == RunStatus.COMPLETED
    events: list[ev.EngineEvent] = []
    engine, _ = engine_for(spec, runner, recorder=recorder, events=events)
    scope = RunScope(
        phases=frozenset({"B", "C"}),
        artifacts=frozenset({"b.md", "c.md"}),
        changed=frozenset({"A"}),
    )
    result = await engine.run(scope=scope)
    assert result.unchanged[0] == "B"
    skipped = [e.phase for e in events if isinstance(e, ev.PhaseSkipped)]
    assert skipped == ([] if runs else ["C"])
    assert ("C" in [e.phase for e in events if isinstance(e, ev.PhaseStarted)]) == runs
