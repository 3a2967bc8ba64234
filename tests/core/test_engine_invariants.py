"""Invariants that hold for any workflow: seeded random DAGs, latencies and failures."""

from __future__ import annotations

import random

import pytest

from spec_automation.core.engine import EngineSettings, OrchestratorEngine
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.ports import PhaseStatus, RunStatus
from tests.helpers.fakes import AutoApprove, FakeRunner, MemoryRecorder, spec_of


@pytest.mark.parametrize("seed", range(25))
async def test_random_workflows_keep_every_invariant(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.randint(3, 18)
    names = [f"P{i}" for i in range(size)]
    deps = {n: rng.sample(names[:i], k=min(i, rng.randint(0, 3))) for i, n in enumerate(names)}
    spec = spec_of(deps, durations={n: rng.uniform(1, 10) for n in names})
    graph = WorkflowGraph(spec)
    fail = {n for n in names if rng.random() < 0.15}
    runner = FakeRunner(latency={n: rng.uniform(0, 0.01) for n in names}, fail=fail)
    concurrency = rng.randint(1, 5)
    recorder = MemoryRecorder()
    engine = OrchestratorEngine(
        graph,
        runner=runner,
        recorder=recorder,
        gatekeeper=AutoApprove(),
        project_name="p",
        brief="b",
        settings=EngineSettings(concurrency=concurrency),
    )
    result = await engine.run()

    # Every phase ends in exactly one end state.
    assert set(result.phase_status) == set(names)
    assert set(result.phase_status.values()) <= {
        PhaseStatus.SUCCEEDED,
        PhaseStatus.FAILED,
        PhaseStatus.BLOCKED,
    }
    # Exactly the phases made to fail that could run have failed ...
    ran = {n for n, _ in runner.starts}
    assert set(result.failed) == fail & ran
    # ... and exactly the phases downstream of a failure are blocked, and never ran.
    downstream_of_failures = (
        set().union(*(graph.downstream(f) for f in result.failed)) if result.failed else set()
    )
    assert set(result.blocked) == downstream_of_failures
    assert not ran & set(result.blocked)
    # No phase starts before every one of its dependencies has finished.
    for name in ran:
        for dep in graph.dependencies(name):
            assert runner.start_of(name) >= runner.end_of(dep)
    # The concurrency limit holds.
    assert runner.peak <= concurrency
    # Files exist for exactly the phases that succeeded; each wave is recorded once.
    assert set(recorder.files) == {f"{n.lower()}.md" for n in result.succeeded}
    assert sorted(w.wave for w in recorder.waves) == list(range(1, len(graph.waves) + 1))
    expected = (
        RunStatus.COMPLETED
        if not fail & ran
        else (RunStatus.PARTIAL if result.succeeded else RunStatus.FAILED)
    )
    assert result.status == expected
