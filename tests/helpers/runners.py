"""Phase runners around the real offline runner: one that fails chosen phases, and records."""

from __future__ import annotations

from dataclasses import dataclass, field

from spec_automation.agents.runner import OfflinePhaseRunner
from spec_automation.core.ports import PhaseError, PhaseOutput, PhaseRequest, ProgressCallback
from spec_automation.llm.offline import OfflineProvider


@dataclass
class ScriptedOfflineRunner:
    """The offline runner, except that phases in ``fail`` raise after streaming a little.

    Every request it receives is kept in ``requests`` (a test reads the feedback a redone
    phase was given from there).
    """

    latency_scale: float
    fail: dict[str, str] = field(default_factory=dict)  # phase -> error message
    requests: list[PhaseRequest] = field(default_factory=list)

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        self.requests.append(request)
        if request.phase.name in self.fail:
            progress(10, "writing")
            raise PhaseError(self.fail[request.phase.name])
        inner = OfflinePhaseRunner(OfflineProvider(latency_scale=self.latency_scale))
        return await inner.run(request, progress)

    async def aclose(self) -> None:
        """Nothing to release (the service closes its runner after every run)."""
