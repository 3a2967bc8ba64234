"""Workloads shared by the benchmarks: seeded random DAGs and a sleeping phase runner."""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spec_automation.core.ports import PhaseOutput, PhaseRequest, ProgressCallback
from spec_automation.core.spec import PhaseSpec, WorkflowSpec


def random_dag(phases: int, seed: int, *, min_s: float, max_s: float) -> WorkflowSpec:
    """A layered random DAG: each phase depends on 1-3 of the phases a little before it.

    Durations are drawn uniformly from [min_s, max_s] and stored as the estimates.
    """
    rng = random.Random(seed)
    specs: dict[str, PhaseSpec] = {}
    names = [f"P{i:03d}" for i in range(phases)]
    for i, name in enumerate(names):
        window = names[max(0, i - 12) : i]
        roots = max(2, phases // 25)
        deps = (
            []
            if i < roots or not window
            else rng.sample(window, k=min(len(window), rng.randint(1, 3)))
        )
        specs[name] = PhaseSpec(
            name=name,
            description=f"synthetic phase {name}",
            agent="generic",
            produces=(f"{name.lower()}.md",),
            depends_on=tuple(sorted(deps)),
            estimated_duration_s=round(rng.uniform(min_s, max_s), 4),
        )
    return WorkflowSpec(name=f"random-{phases}-{seed}", phases=specs)


class SleepingRunner:
    """Sleeps each phase's estimated duration (times a scale) and returns a tiny body."""

    def __init__(self, scale: float = 1.0, progress_hz: float = 0.0) -> None:
        self.scale = scale
        self.progress_hz = progress_hz

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        duration = request.phase.estimated_duration_s * self.scale
        if self.progress_hz > 0 and duration > 0:
            loop = asyncio.get_running_loop()
            start, steps = loop.time(), max(1, int(duration * self.progress_hz))
            for step in range(1, steps + 1):
                await asyncio.sleep(max(0.0, start + duration * step / steps - loop.time()))
                progress(step * 10, "writing")
        elif duration > 0:
            await asyncio.sleep(duration)
        body = f"# {request.phase.name}\n\nSynthetic output.\n"
        return PhaseOutput(dict.fromkeys(request.phase.produces, body), provider="bench")

    async def aclose(self) -> None:
        """Nothing to release (the service closes the runner it built after every run)."""


def durations_of(spec: WorkflowSpec, scale: float = 1.0) -> Mapping[str, float]:
    """Phase -> simulated seconds."""
    return {n: p.estimated_duration_s * scale for n, p in spec.phases.items()}
