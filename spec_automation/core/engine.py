"""The orchestrator engine: runs a workflow's phases, dependency-driven, and records them.

Execution is dependency-driven, not wave-by-wave: a phase starts the moment all of its own
dependencies have succeeded (and any gate on them is approved), subject to the concurrency
limit and the request rate limit. When more phases are ready than there are slots, the one with
the longest remaining path to the end starts first, so with enough slots a run takes as long as
its critical path. Waves exist for people and metrics: each is recorded (metrics row and a
snapshot) when its last phase reaches an end state.

Sequential mode runs one phase at a time in topological order: the baseline parallel runs are
measured against.

A failed phase blocks only its own dependents; independent branches go on. Each phase reads a
read-only snapshot of its inputs taken when it starts; its artifacts are accepted only after
they pass validation, and its completion is recorded in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from spec_automation.core import events as ev
from spec_automation.core.execution import Execution
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.ports import (
    Clock,
    Gatekeeper,
    PhaseRunner,
    RunMode,
    RunRecorder,
    SystemClock,
)
from spec_automation.core.run_types import EngineSettings, RunResult, RunScope

__all__ = ["EngineSettings", "OrchestratorEngine", "RunResult", "RunScope"]



class OrchestratorEngine:
    """Runs a workflow graph through a phase runner, recording everything.

    Dependencies are passed in: the ``runner`` (agents + provider), the ``recorder`` (store and
    files), the ``gatekeeper`` (how approval decisions arrive) and the ``clock``.
    """

    def __init__(
        self,
        graph: WorkflowGraph,
        *,
        runner: PhaseRunner,
        recorder: RunRecorder,
        gatekeeper: Gatekeeper,
        project_name: str,
        brief: str,
        settings: EngineSettings | None = None,
        clock: Clock | None = None,
        on_event: ev.EventSink | None = None,
        context_inputs: Mapping[str, Mapping[str, str]] | None = None,
        run_options: Mapping[str, object] | None = None,
    ) -> None:
        """``context_inputs`` gives, per phase, the hashes of its inputs that are not
        artifacts (brief, constitution, phase spec, prompt): each version records them with
        its input artifacts' hashes as what it was made from. ``run_options`` (provider,
        model and the rest) is recorded with the run."""
        self.context_inputs = context_inputs or {}
        self.run_options = dict(run_options or {})
        self.graph = graph
        self.runner = runner
        self.recorder = recorder
        self.gatekeeper = gatekeeper
        self.project_name = project_name
        self.brief = brief
        self.settings = settings or EngineSettings()
        self.clock = clock or SystemClock()
        self._on_event = on_event

    async def run(
        self,
        mode: RunMode = RunMode.PARALLEL,
        *,
        resume_run_id: int | None = None,
        scope: RunScope | None = None,
    ) -> RunResult:
        """Run (or resume) the workflow and return how it ended.

        With ``scope``, run only the scope's phases (a regeneration; not resumable).
        Cancelling the awaiting task cancels in-flight phases, records the run as cancelled and
        re-raises ``CancelledError``. No artifact file is ever left half-written.
        """
        if scope is not None:
            unknown = sorted(scope.phases - set(self.graph.spec.phases))
            if unknown:
                raise ValueError(f"unknown phases in the scope: {', '.join(unknown)}")
            if resume_run_id is not None and scope.purpose != "workflow":
                raise ValueError("a regeneration cannot be resumed")
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="spec-store") as io:
            execution = Execution(self, mode, io, scope)
            return await execution.run(resume_run_id)

    def publish(self, event: ev.EngineEvent) -> None:
        """Hand an event to the subscriber, if any."""
        if self._on_event is not None:
            self._on_event(event)
