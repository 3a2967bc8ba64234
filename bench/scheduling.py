"""How close the engine's schedule comes to the best possible, and what it beats.

For the default spec and seeded random DAGs of 50 and 200 phases with varied simulated
latencies, run the real OrchestratorEngine (in-memory recorder, sleeping runner) and print:

* wall / max(critical path, total work / concurrency)  — the lower bound of any schedule
  (target <= 1.05);
* wall / a wave-by-wave barrier schedule, really run with the same runner and concurrency
  (target < 1.0 when durations vary);
* parallel / sequential wall time, both really run.

Then the split (issue 19): the sample project run offline with simulated latency, really
through the service, on the spec before the split (bench/specs/before-split.yml) and on the
bundled one (one artifact per call, the tasks one epic at a time), each in parallel and one
phase at a time. Printed: wall times, time saved against one at a time (target >= 45 % for
the new graph, with the same total work), and the new wall time against the new graph's
critical path at the run's concurrency, with the epics the run really wrote (target <= 1.05).

Run: .venv/bin/python bench/scheduling.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workloads import SleepingRunner, durations_of, random_dag

from spec_automation.core.engine import EngineSettings, OrchestratorEngine
from spec_automation.core.fan_out import split_items
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.ports import PhaseRequest, RunMode
from spec_automation.core.spec import WorkflowSpec, load_spec
from tests.helpers.fakes import AutoApprove, MemoryRecorder

CONCURRENCY = 4


async def engine_wall(spec: WorkflowSpec, runner: SleepingRunner, mode: RunMode) -> float:
    engine = OrchestratorEngine(
        WorkflowGraph(spec),
        runner=runner,
        recorder=MemoryRecorder(),
        gatekeeper=AutoApprove(),
        project_name="bench",
        brief="bench",
        settings=EngineSettings(concurrency=CONCURRENCY, phase_timeout_s=None),
    )
    start = time.perf_counter()
    result = await engine.run(mode)
    assert not result.failed, result.failed
    return time.perf_counter() - start


async def barrier_wall(spec: WorkflowSpec, runner: SleepingRunner) -> float:
    """Wave by wave: a wave starts only when the whole previous wave has finished."""
    graph = WorkflowGraph(spec)
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(name: str) -> None:
        async with slots:
            request = PhaseRequest(
                phase=spec.phases[name], project_name="b", brief="b", inputs={}, run_id=0
            )
            await runner.run(request, lambda _t, _m: None)

    start = time.perf_counter()
    for wave in graph.waves:
        # Longest first inside a wave: the barrier baseline gets its best shot.
        ordered = sorted(wave, key=lambda n: -spec.phases[n].estimated_duration_s)
        await asyncio.gather(*(one(n) for n in ordered))
    return time.perf_counter() - start


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    default = load_spec(root / "orchestrator_spec.yml")
    # Scheduling is measured here, not content: the synthetic bodies skip the validators.
    default = WorkflowSpec(
        name=default.name,
        phases={n: replace(p, validators=()) for n, p in default.phases.items()},
    )
    workloads = [
        ("default spec (estimates x 0.01 s)", default, 0.01),
        ("random DAG, 50 phases (50-400 ms)", random_dag(50, seed=7, min_s=0.05, max_s=0.4), 1.0),
        (
            "random DAG, 200 phases (20-200 ms)",
            random_dag(200, seed=11, min_s=0.02, max_s=0.2),
            1.0,
        ),
    ]
    print(f"concurrency {CONCURRENCY}; every figure measured in this run\n")
    header = f"{'workload':38} {'wall s':>7} {'bound s':>7} {'wall/bound':>10} {'barrier s':>9} {'wall/barrier':>12} {'seq s':>7} {'par/seq':>7}"
    print(header)
    print("-" * len(header))
    for label, spec, scale in workloads:
        runner = SleepingRunner(scale)
        graph = WorkflowGraph(spec)
        durations = durations_of(spec, scale)
        critical = sum(durations[p] for p in graph.critical_path.phases)
        bound = max(critical, sum(durations.values()) / CONCURRENCY)
        wall = asyncio.run(engine_wall(spec, runner, RunMode.PARALLEL))
        barrier = asyncio.run(barrier_wall(spec, runner))
        sequential = asyncio.run(engine_wall(spec, runner, RunMode.SEQUENTIAL))
        print(
            f"{label:38} {wall:7.3f} {bound:7.3f} {wall / bound:10.3f} {barrier:9.3f} "
            f"{wall / barrier:12.3f} {sequential:7.3f} {wall / sequential:7.3f}"
        )
    print("\ntargets: wall/bound <= 1.05; wall/barrier < 1.0; par/seq as low as the graph allows")
    split(root)


LATENCY = 0.05  # seconds of simulated latency per estimated second (a real call takes ~20x more)


async def sample_run(
    folder: Path, spec_text: str | None, mode: RunMode
) -> tuple[float, float, int]:
    """(wall s, sum of the phases' durations s, epics written) of a fresh offline sample run."""
    from spec_automation.resources import sample_brief_path
    from spec_automation.services import RunOptions, create_project

    folder.mkdir(parents=True)
    if spec_text is not None:
        (folder / "orchestrator_spec.yml").write_text(spec_text, encoding="utf-8")
    brief = sample_brief_path(None).read_text(encoding="utf-8")
    with create_project(folder, brief_text=brief, git_enabled=False) as project:
        options = RunOptions(
            mode=mode,
            concurrency=CONCURRENCY,
            latency_scale=LATENCY,
            auto_approve=True,
            use_cache=False,
        )
        report = await project.run_workflow(options)
        assert report.status.value == "completed", report.failed
        rule = project.spec.phases["SOLUTIONING_TASKS"].fan_out
        epics = project.read_artifact("epics.md")
        parts = len(split_items(rule, epics)) if rule is not None else 0
        return report.wall_time_s, report.sequential_estimate_s, parts


def split(root: Path) -> None:
    import tempfile

    from spec_automation.services.project import spec_text_without_code

    old_text = (root / "bench" / "specs" / "before-split.yml").read_text(encoding="utf-8")
    new = load_spec(root / "orchestrator_spec.yml")
    specification = spec_text_without_code()
    print(
        f"\nthe split: the sample offline, {LATENCY} s per estimated second, concurrency "
        f"{CONCURRENCY}; every figure measured in this run\n"
    )
    header = f"{'graph':34} {'wall s':>7} {'one at a time s':>16} {'saved':>7} {'work s':>7}"
    print(header)
    print("-" * len(header))
    rows = {}
    workloads = (
        ("before the split", old_text),
        ("one artifact per call", specification),
        ("default, with the code stage", None),
    )
    with tempfile.TemporaryDirectory(prefix="bench-split-") as tmp:
        for label, text in workloads:
            wall, _, parts = asyncio.run(
                sample_run(Path(tmp) / f"{len(rows)}p", text, RunMode.PARALLEL)
            )
            seq_wall, work, _ = asyncio.run(
                sample_run(Path(tmp) / f"{len(rows)}s", text, RunMode.SEQUENTIAL)
            )
            rows[label] = (wall, seq_wall, parts)
            print(f"{label:34} {wall:7.2f} {seq_wall:16.2f} {1 - wall / seq_wall:7.1%} {work:7.2f}")
    wall, seq_wall, parts = rows["default, with the code stage"]
    items = {"SOLUTIONING_TASKS": parts, "IMPLEMENTATION": parts}
    graph = WorkflowGraph(new, items=items, concurrency=CONCURRENCY)
    critical = graph.critical_path.length_s * LATENCY
    print(
        f"\ndefault graph: the tasks and the code in {parts} parts each; critical path at "
        f"concurrency {CONCURRENCY} {critical:.2f} s ({' -> '.join(graph.critical_path.phases)})"
    )
    print(f"default wall / its critical path: {wall / critical:.3f}")
    stage = sum(
        p.estimated_duration_s
        for p in new.phases.values()
        if p.phase_type in ("implementation", "quality")
    )
    total = sum(p.estimated_duration_s for p in new.phases.values())
    print(
        f"total work: {total - stage:.0f} s estimated for the specification in the first two, "
        f"{total:.0f} s with the code stage (its gates really run: their time is on top)"
    )
    print("targets: the default graph saves >= 45 % against one at a time; wall / critical <= 1.05")


if __name__ == "__main__":
    main()
