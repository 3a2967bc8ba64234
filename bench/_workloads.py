"""Workloads shared by the benchmarks: seeded random DAGs, a sleeping phase runner, and the
desktop app on a real qasync loop in a throwaway user folder."""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spec_automation.core.ports import PhaseOutput, PhaseRequest, ProgressCallback
from spec_automation.core.spec import PhaseSpec, WorkflowSpec

T = TypeVar("T")


def in_app(prefix: str, work: Callable[[Path], Awaitable[T]]) -> T:
    """Run ``work(folder)`` on the desktop app's qasync loop (offscreen), with the user's
    settings and data in a temporary folder that ``work`` may use too."""
    import qasync

    import spec_automation.ui  # noqa: F401 - the PySide6 refcount guard, before any Qt call
    from spec_automation.ui.app import application

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        os.environ["SPEC_AUTOMATION_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["SPEC_AUTOMATION_DATA_DIR"] = str(Path(tmp) / "data")
        app = application()
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            return loop.run_until_complete(work(Path(tmp)))


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
