"""Running the workflow: a run (or a resumed one), redoing a phase with feedback, and the
phase runner every phase goes through."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import datetime

from spec_automation.agents.runner import AgentPhaseRunner
from spec_automation.core.copying import copy_fields
from spec_automation.core.engine import EngineSettings, OrchestratorEngine
from spec_automation.core.events import EventSink
from spec_automation.core.ports import (
    PhaseOutput,
    PhaseRequest,
    PhaseRunner,
    ProgressCallback,
    ResumeState,
    RunStatus,
)
from spec_automation.llm.factory import ProviderSetupError
from spec_automation.services.artifacts import scan
from spec_automation.services.cache import StoreResponseCache
from spec_automation.services.commits import WaveCommitter
from spec_automation.services.context import ProjectState
from spec_automation.services.errors import ProjectError
from spec_automation.services.gates import AutoApprover, StoreGatekeeper
from spec_automation.services.metrics import percent
from spec_automation.services.options import RunOptions
from spec_automation.services.reports import RunReport
from spec_automation.store import queries
from spec_automation.store.database import Database
from spec_automation.store.errors import StoreError
from spec_automation.store.recorder import SqlRunRecorder, WriteFiles
from spec_automation.workspace import RunLockedError, run_lock

__all__ = [
    "PhaseRunnerFactory",
    "build_phase_runner",
    "engine_settings",
    "read_brief",
    "run_workflow",
]

#: Builds the runner a run's phases go through, from the run's options.
PhaseRunnerFactory = Callable[[RunOptions], AgentPhaseRunner]


async def run_workflow(
    project: ProjectState,
    options: RunOptions,
    on_event: EventSink | None,
    *,
    phase_runner: PhaseRunnerFactory,
    redo: dict[str, str],
) -> RunReport:
    """Run the workflow (or resume the last unfinished run), redoing the phases in ``redo``
    with their feedback, and report how it ended."""
    brief = read_brief(project)
    try:
        settings = engine_settings(options)
        runner = phase_runner(options)
    except ValueError as exc:
        raise ProjectError(str(exc)) from None
    runs_phases: PhaseRunner = _FeedbackRunner(runner, redo) if redo else runner
    committer = WaveCommitter(project, on_event)
    try:
        with run_lock(project.paths.lock):
            resume_id = await asyncio.to_thread(_prepare_run, project, options.resume)
            recorder = (
                _RedoRecorder(
                    project.db,
                    project.project_id,
                    project.paths.write_artifacts,
                    redo=frozenset(redo),
                )
                if redo
                else project.recorder()
            )
            gatekeeper = (
                AutoApprover(recorder, project.clock)
                if options.auto_approve
                else StoreGatekeeper(recorder, options.gate_poll_interval_s)
            )
            engine = OrchestratorEngine(
                project.graph,
                runner=runs_phases,
                recorder=recorder,
                gatekeeper=gatekeeper,
                project_name=project.info.name,
                brief=brief,
                settings=settings,
                clock=project.clock,
                on_event=committer.on_event,
            )
            try:
                result = await engine.run(options.mode, resume_run_id=resume_id)
            finally:
                # Whatever the outcome, commit only what the store holds.
                await asyncio.shield(committer.finish())
    except (RunLockedError, StoreError) as exc:
        raise ProjectError(str(exc)) from None
    finally:
        await runner.aclose()
    return copy_fields(
        RunReport,
        result,
        resumed=resume_id is not None,
        time_saved_pct=percent(result.time_saved_s, result.sequential_estimate_s),
        failed=dict(result.failed),
        blocked=dict(result.blocked),
        artifacts_dir=project.paths.artifacts,
        input_tokens=result.usage.input_tokens,
        output_tokens=result.usage.output_tokens,
        git_commits=tuple(committer.commits),
        notices=tuple(committer.notices),
    )


def engine_settings(options: RunOptions) -> EngineSettings:
    """The engine's settings from a run's options (``ValueError`` for bad values)."""
    return EngineSettings(
        concurrency=options.concurrency,
        rate_limit_per_minute=options.rate_limit_per_minute,
        phase_timeout_s=options.phase_timeout_s,
    )


def build_phase_runner(project: ProjectState, options: RunOptions) -> AgentPhaseRunner:
    """The runner every phase of a run goes through, as the options choose.

    Raises ``ProjectError`` before anything runs when the provider is unknown or needs an
    API key that cannot be found.
    """
    try:
        provider = project.providers.build(
            options.provider, model=options.model, latency_scale=options.latency_scale
        )
    except ProviderSetupError as exc:
        raise ProjectError(str(exc)) from None
    return AgentPhaseRunner(
        provider,
        cache=StoreResponseCache(project.db) if options.use_cache else None,
        constitution=_read_constitution(project),
        spec=project.spec,
        max_tokens=options.max_tokens,
        temperature=options.temperature,
        deadline_s=options.phase_timeout_s,
    )


def read_brief(project: ProjectState) -> str:
    """The project's brief (``ProjectError`` when it is missing or empty)."""
    try:
        brief = project.paths.brief.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(f"the brief {project.paths.brief} is missing; write one first") from None
    if not brief.strip():
        raise ProjectError(
            f"the brief {project.paths.brief} is empty; describe the product first"
        )
    return brief


def _read_constitution(project: ProjectState) -> str:
    """The project's non-negotiable principles (``constitution.md``), or ''."""
    path = project.paths.root / "constitution.md"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path} cannot be read ({exc})") from None


def _prepare_run(project: ProjectState, resume: bool) -> int | None:
    # An edit made on disk since the last look is kept as a user version before the run
    # overwrites the file.
    scan(project)
    unfinished = queries.latest_unfinished_run(project.db, project.project_id)
    if resume:
        if unfinished is None:
            raise ProjectError(
                "nothing to resume: the last run finished (start a new one with `run`)"
            )
        return unfinished.id
    if unfinished is not None and unfinished.status == RunStatus.RUNNING:
        # We hold the run lock, so no process is running it: it was interrupted.
        queries.mark_interrupted(project.db, unfinished.id)
    return None


class _FeedbackRunner:
    """Hands a reviewer's feedback to the phases being redone; other phases run as usual."""

    def __init__(self, inner: PhaseRunner, feedback: dict[str, str]) -> None:
        self.inner = inner
        self.feedback = feedback

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        """Run the phase, with the feedback in its request when it is being redone."""
        note = self.feedback.get(request.phase.name)
        if note:
            request = dataclasses.replace(request, feedback=note)
        return await self.inner.run(request, progress)


class _RedoRecorder(SqlRunRecorder):
    """A recorder whose resumed run counts the phases being redone as not done yet."""

    def __init__(
        self, db: Database, project_id: int, write_files: WriteFiles, *, redo: frozenset[str]
    ) -> None:
        super().__init__(db, project_id, write_files)
        self.redo = redo

    def resume_run(self, run_id: int, started_at: datetime) -> ResumeState:
        """What the run already did, less the phases to redo."""
        state = super().resume_run(run_id, started_at)
        return dataclasses.replace(state, succeeded=state.succeeded - self.redo)
