"""Event-loop responsiveness of the live visualizer under a heavy stream of progress events.

A 60-phase synthetic spec runs through the real service and store into the real RunWorkspace
(offscreen, on a qasync loop), 8 phases at a time, each streaming 50 progress events a second
(about 400 events a second in all). A Qt timer beats every 5 ms; the gap between two beats
beyond those 5 ms is how long the loop could not react. Prints the longest stall (target
<= 50 ms) and the 99th percentile of the gaps (target <= 16 ms, one 60 Hz frame), with the
events and repaints counted in the same run.

Run: .venv/bin/python bench/visualizer.py [--phases 60] [--concurrency 8] [--hz 50]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

import yaml
from _workloads import SleepingRunner, random_dag
from PySide6.QtCore import QTimer

from spec_automation.core.spec import WorkflowSpec
from spec_automation.services import ProjectService, create_project
from spec_automation.settings import AppSettings
from spec_automation.ui.visualizer.run_workspace import RunWorkspace
from spec_automation.ui.visualizer.standalone import application, run_on_qt_loop

HEARTBEAT_MS = 5


def layered_dag(phases: int, width: int, seed: int) -> WorkflowSpec:
    """``random_dag``'s phases re-wired in layers ``width`` wide, each phase needing one or two
    of the layer before, so ``width`` phases can really stream at once."""
    rng = random.Random(seed)
    base = random_dag(phases, seed, min_s=1.0, max_s=2.5)
    names = list(base.phases)
    rewired = {}
    for i, name in enumerate(names):
        layer = i // width
        previous = names[(layer - 1) * width : layer * width] if layer else []
        deps = sorted(rng.sample(previous, k=min(len(previous), rng.randint(1, 2))))
        rewired[name] = dataclasses.replace(base.phases[name], depends_on=tuple(deps))
    return WorkflowSpec(name=f"layered-{phases}-{width}", phases=rewired)


def spec_yaml(spec: WorkflowSpec) -> str:
    """The synthetic spec as an ``orchestrator_spec.yml`` a project can load."""
    phases = {
        name: {
            "description": phase.description,
            "agent": phase.agent,
            "produces": list(phase.produces),
            "depends_on": list(phase.depends_on),
            "estimated_duration_s": phase.estimated_duration_s,
            "validators": ["presence"],
        }
        for name, phase in spec.phases.items()
    }
    return yaml.safe_dump({"version": 1, "name": spec.name, "phases": phases}, sort_keys=False)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(folder: Path, phases: int, concurrency: int, hz: float) -> None:
    spec = layered_dag(phases, concurrency, seed=11)
    folder.mkdir(parents=True)
    (folder / "orchestrator_spec.yml").write_text(spec_yaml(spec), encoding="utf-8")
    project = create_project(folder, brief_text="# Bench\n\nA synthetic workload.\n")
    runner = SleepingRunner(1.0, progress_hz=hz)
    ProjectService._phase_runner = lambda self, options: runner  # type: ignore[method-assign]  # noqa: ARG005
    settings = AppSettings(concurrency=concurrency, latency_scale=1.0)
    workspace = RunWorkspace(project, settings)
    workspace.resize(1600, 1000)
    workspace.show()
    await asyncio.sleep(0.2)

    events = 0
    repaints = 0

    def count_event(_: object) -> None:
        nonlocal events
        events += 1

    def count_repaint(_: object) -> None:
        nonlocal repaints
        repaints += 1

    workspace.bridge.event.connect(count_event)
    workspace.tracker.refreshed.connect(count_repaint)
    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    peak_running = 0

    def note_running(*_: object) -> None:
        nonlocal peak_running
        from spec_automation.ui.visualizer.run_state import NodeState

        peak_running = max(peak_running, len(workspace.tracker.state.in_state(NodeState.RUNNING)))

    workspace.tracker.phase_state_changed.connect(note_running)
    heartbeat.start()
    start = time.perf_counter()
    task = workspace.start_run()
    assert task is not None
    report = await task
    wall = time.perf_counter() - start
    heartbeat.stop()
    project.close()
    assert report is not None, "the run did not finish"
    gaps_ms = [(b - a) * 1000 for a, b in itertools.pairwise(beats)]
    stalls = [max(0.0, g - HEARTBEAT_MS) for g in gaps_ms]
    print(
        f"phases {phases}, concurrency {concurrency} (peak running {peak_running}), "
        f"{hz:g} progress events/s per running phase"
    )
    print(
        f"run: {report.status}, wall {wall:.1f} s, {events} engine events "
        f"({events / wall:.0f}/s), {repaints} coalesced repaints ({repaints / wall:.0f}/s)"
    )
    print(f"heartbeat every {HEARTBEAT_MS} ms: {len(gaps_ms)} beats")
    print(f"longest stall: {max(stalls):.1f} ms (target <= 50 ms)")
    worst = sorted(range(len(stalls)), key=stalls.__getitem__)[-3:]
    print(
        "worst stalls at: "
        + ", ".join(f"{stalls[i]:.1f} ms at {beats[i] - start:+.2f} s" for i in reversed(worst))
    )
    print(
        f"p99 gap: {percentile(gaps_ms, 0.99):.1f} ms (target <= 16 ms); "
        f"p50 gap {percentile(gaps_ms, 0.50):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phases", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--hz", type=float, default=50.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SPEC_AUTOMATION_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["SPEC_AUTOMATION_DATA_DIR"] = str(Path(tmp) / "data")
        application("dark")
        run_on_qt_loop(measure(Path(tmp) / "bench", args.phases, args.concurrency, args.hz))


if __name__ == "__main__":
    main()
