"""Running the workflow: a run (or a resumed one), redoing a phase with feedback, and the
phase runner every phase goes through."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from spec_automation.core.copying import copy_fields
from spec_automation.core.engine import EngineSettings, OrchestratorEngine, RunResult, RunScope
from spec_automation.core.events import EventSink
from spec_automation.core.ports import (
    GateStatus,
    PhaseOutput,
    PhaseRequest,
    PhaseRunner,
    ProgressCallback,
    ResumeState,
    RunStatus,
)
from spec_automation.core.project_texts import CONSTITUTION
from spec_automation.core.staleness import RunPlan, plan_run
from spec_automation.llm.budget import Budget
from spec_automation.llm.factory import ProviderSetupError
from spec_automation.llm.fallback import FallbackProvider
from spec_automation.llm.offline import OfflineProvider
from spec_automation.llm.pricing import price_of, runs_locally
from spec_automation.llm.provider import Provider
from spec_automation.services.artifacts import refuse_unreadable_targets, scan
from spec_automation.services.cache import StoreResponseCache
from spec_automation.services.code_folder import CodeFolder
from spec_automation.services.commits import WaveCommitter
from spec_automation.services.context import ProjectState
from spec_automation.services.errors import EditsAtRisk, ProjectError
from spec_automation.services.freshness import (
    context_inputs,
    current_states,
    inputs_now,
    source_documents,
)
from spec_automation.services.gates import AutoApprover, StoreGatekeeper
from spec_automation.services.metrics import percent
from spec_automation.services.options import RunOptions
from spec_automation.services.phase_models import (
    ClosingRunner,
    ModelChoice,
    PhaseModels,
    model_choices,
)
from spec_automation.services.quality import Quality
from spec_automation.services.reports import RunPreview, RunReport
from spec_automation.services.stage import StageRunner
from spec_automation.settings import SettingsError, parse_fallback, parse_role_models
from spec_automation.store import queries
from spec_automation.store.database import Database
from spec_automation.store.errors import StoreError
from spec_automation.store.recorder import SqlRunRecorder, WriteFiles
from spec_automation.workspace import RunLockedError, UnsafeFileError, run_lock

__all__ = [
    "PhaseRunnerFactory",
    "build_phase_runner",
    "engine_settings",
    "preview_run",
    "read_brief",
    "run_workflow",
]

#: Builds the runner a run's phases go through, from the run's options.
PhaseRunnerFactory = Callable[[RunOptions], ClosingRunner]


async def run_workflow(
    project: ProjectState,
    options: RunOptions,
    on_event: EventSink | None,
    *,
    phase_runner: PhaseRunnerFactory,
    redo: dict[str, str],
) -> RunReport:
    """Run what is out of date (everything with ``options.everything``), or resume the last
    unfinished run, redoing the phases in ``redo`` with their feedback; report how it ended.

    Artifacts carrying the user's edits that the run would rewrite are kept, overwritten or
    refused (``EditsAtRisk``) as ``options.edits`` says, before anything runs.
    """
    brief = read_brief(project)
    try:
        settings = engine_settings(options)
    except ValueError as exc:
        raise ProjectError(str(exc)) from None
    committer = WaveCommitter(project, on_event)
    try:
        with run_lock(project.paths.lock):
            resume_id, options = await asyncio.to_thread(_prepare_run, project, options)
            redo = {**await asyncio.to_thread(rejected_feedback, project), **redo}
            work = await asyncio.to_thread(_plan, project, options, redo)
            if work.preview.up_to_date:
                return _up_to_date(project, options, work)
            runner = phase_runner(options)
            try:
                result = await _execute(
                    project, options, settings, runner, committer, work, resume_id, redo, brief
                )
            finally:
                await runner.aclose()
    except (RunLockedError, StoreError) as exc:
        raise ProjectError(str(exc)) from None
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
        cache_read_tokens=result.usage.cache_read_tokens,
        cache_write_tokens=result.usage.cache_write_tokens,
        git_commits=tuple(committer.commits),
        notices=tuple(committer.notices) + work.notices + _price_notice(options),
        provider=options.provider,
        model=options.model,
        planned=dict(work.preview.phases),
        edits_kept=work.kept,
        edits_replaced=work.replaced,
        gate_waits=dict(result.gate_waits),
        up_to_date=False,
    )


def preview_run(project: ProjectState, options: RunOptions) -> RunPreview:
    """What a run with ``options`` would do now (nothing is written)."""
    states = current_states(project)
    plan = plan_run(project.graph, states, everything=options.everything)
    if options.edits == "keep" and plan.edits_at_risk:  # as the run will keep them
        kept = frozenset(a for names in plan.edits_at_risk.values() for a in names)
        plan = plan_run(project.graph, states, everything=options.everything, keep=kept)
    return _preview(plan, everything=options.everything, extra=rejected_feedback(project))


def rejected_feedback(project: ProjectState) -> dict[str, str]:
    """The phases whose approval gate a reviewer rejected with a note: a run redoes them with
    the note (a run waiting at the gate stops its dependents instead)."""
    gates = project.spec.gates()
    return {
        gate.phase: gate.note.strip()
        for gate in queries.gates(project.db, project.project_id)
        if gate.status == GateStatus.REJECTED and gate.note.strip() and gate.gate in gates
    }


@dataclass(frozen=True, slots=True)
class _Work:
    """What a run is about to do, once the user's edits are settled."""

    preview: RunPreview
    scope: RunScope
    kept: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()


def _plan(project: ProjectState, options: RunOptions, redo: Mapping[str, str]) -> _Work:
    """Decide what runs: the out-of-date phases (all with ``everything``), the edits at risk
    settled as the options say, the phases being redone always."""
    states = current_states(project)
    plan = plan_run(project.graph, states, everything=options.everything)
    at_risk = tuple(a for names in plan.edits_at_risk.values() for a in names)
    kept: tuple[str, ...] = ()
    if at_risk and options.edits == "ask":
        raise EditsAtRisk(at_risk)
    if at_risk and options.edits == "keep":
        kept = tuple(
            project.history.keep(
                {name: inputs_now(project, project.spec.producer_of(name).name) for name in at_risk}
            )
        )
        states = current_states(project)
        plan = plan_run(project.graph, states, everything=options.everything, keep=frozenset(kept))
    phases = frozenset(plan.phases) | frozenset(redo)
    written = {a for p in phases for a in project.graph.phase(p).produces} - plan.kept
    scope = RunScope(
        phases=phases,
        artifacts=frozenset(written),
        required=plan.required | frozenset(redo),
        purpose="workflow",
        hold_on_gates=True,
    )
    refuse_unreadable_targets(project, sorted(written), "the run")
    replaced = at_risk if options.edits == "overwrite" else ()
    notices = []
    if kept:
        notices.append(
            f"Kept your edits to {', '.join(kept)}; what depends on them is built from them."
        )
    if replaced:
        notices.append(
            f"Rewrote {', '.join(replaced)}, which carried your edits; your versions stay in "
            "the history."
        )
    preview = _preview(plan, everything=options.everything, extra=redo)
    return _Work(preview, scope, kept, replaced, tuple(notices))


def _preview(
    plan: RunPlan, *, everything: bool, extra: Mapping[str, str] | None = None
) -> RunPreview:
    phases = dict(plan.reasons)
    for phase in extra or {}:
        phases.setdefault(phase, "redone with your feedback")
    return RunPreview(
        phases=phases,
        edits_at_risk={p: tuple(a) for p, a in plan.edits_at_risk.items()},
        everything=everything,
    )


def _up_to_date(project: ProjectState, options: RunOptions, work: _Work) -> RunReport:
    """The report of a run that found nothing to do (no run is recorded)."""
    return RunReport(
        run_id=0,
        status=RunStatus.COMPLETED,
        mode=options.mode,
        resumed=False,
        wall_time_s=0.0,
        sequential_estimate_s=0.0,
        time_saved_s=0.0,
        time_saved_pct=0.0,
        succeeded=(),
        failed={},
        blocked={},
        artifacts_dir=project.paths.artifacts,
        input_tokens=0,
        output_tokens=0,
        cost_usd=0.0,
        notices=("Everything is up to date: nothing needed to run.", *work.notices),
        provider=options.provider,
        model=options.model,
        edits_kept=work.kept,
        up_to_date=True,
    )


async def _execute(
    project: ProjectState,
    options: RunOptions,
    settings: EngineSettings,
    runner: ClosingRunner,
    committer: WaveCommitter,
    work: _Work,
    resume_id: int | None,
    redo: dict[str, str],
    brief: str,
) -> RunResult:
    recorder = (
        _RedoRecorder(
            project.db, project.project_id, project.paths.write_artifacts, redo=frozenset(redo)
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
        runner=_FeedbackRunner(runner, redo) if redo else runner,
        recorder=recorder,
        gatekeeper=gatekeeper,
        project_name=project.info.name,
        brief=brief,
        settings=settings,
        clock=project.clock,
        on_event=committer.on_event,
        context_inputs=await asyncio.to_thread(context_inputs, project),
        run_options=options.recorded(),
    )
    try:
        return await engine.run(options.mode, resume_run_id=resume_id, scope=work.scope)
    finally:
        # Whatever the outcome, commit only what the store holds.
        await asyncio.shield(committer.finish())


def _price_notice(options: RunOptions) -> tuple[str, ...]:
    """A sentence when the run's model has no known price, so "$0.0000" is not taken as free;
    for a model on the user's own server, a sentence that it is free."""
    if options.provider == "openai_compatible" and runs_locally(options.base_url):
        return (
            f"{options.model} runs on your own server ({options.base_url}): its calls cost "
            "nothing, so the cost is $0.",
        )
    if options.provider == "offline" or price_of(options.model) is not None:
        return ()
    return (
        f"The price of {options.model} is not known to this version of the app: its cost is "
        "shown as $0, though the provider bills it. Check the provider's price list.",
    )


def engine_settings(options: RunOptions) -> EngineSettings:
    """The engine's settings from a run's options (``ValueError`` for bad values)."""
    return EngineSettings(
        concurrency=options.concurrency,
        rate_limit_per_minute=options.rate_limit_per_minute,
        phase_timeout_s=options.phase_timeout_s,
    )


def build_phase_runner(project: ProjectState, options: RunOptions) -> ClosingRunner:
    """The runner every phase of a run goes through, as the options choose: the run's model,
    or per phase the one its spec or the user's models per role name.

    Raises ``ProjectError`` before anything runs when a provider is unknown or needs an
    API key that cannot be found.
    """
    try:
        by_role = parse_role_models(options.role_models)
        fallback = parse_fallback(options.fallback) if options.provider != "offline" else None
    except SettingsError as exc:
        raise ProjectError(str(exc)) from None
    choices = model_choices(project.spec, options.provider, options.model, by_role)
    run = ModelChoice(options.provider, "" if options.provider == "offline" else options.model)
    fallback_choice = ModelChoice(*fallback) if fallback else None
    every = {run, *choices.values(), *([fallback_choice] if fallback_choice else [])}
    budget = _budget(options, every)
    cache = StoreResponseCache(project.db) if options.use_cache else None

    def build(choice: ModelChoice, why: str) -> Provider | OfflineProvider:
        try:
            return project.providers.build(
                choice.provider,
                model=choice.model,
                latency_scale=options.latency_scale,
                base_url=options.base_url,
                retries=options.retries,
            )
        except ProviderSetupError as exc:
            raise ProjectError(f"{exc}{why}") from None

    def runner_for(choice: ModelChoice) -> ClosingRunner:
        why = "" if choice == run else f" (a phase of the spec asks for {choice})"
        provider = build(choice, why)
        if (
            fallback_choice is not None
            and choice.provider != "offline"
            and choice != fallback_choice
        ):
            assert not isinstance(provider, OfflineProvider)
            second = build(fallback_choice, f" (the fallback {fallback_choice})")
            assert not isinstance(second, OfflineProvider)
            provider = FallbackProvider(provider, second)
        return StageRunner(
            provider,
            budget=budget,
            code=CodeFolder(project.paths),
            quality=lambda: Quality(project),
            cache=cache,
            constitution=_read_constitution(project),
            documents=source_documents(project),
            spec=project.spec,
            max_tokens=options.max_tokens,
            temperature=options.temperature,
            deadline_s=options.phase_timeout_s,
        )

    if set(choices.values()) <= {run}:
        return runner_for(run)
    return PhaseModels(choices, run, runner_for)


def _budget(options: RunOptions, models: set[ModelChoice]) -> Budget | None:
    """The run's spending limit, if it has one (``ProjectError`` when a model it may call has
    no known price: the limit could not be kept)."""
    if options.budget_usd <= 0:
        return None
    for choice in sorted(models):
        local = choice.provider == "openai_compatible" and runs_locally(options.base_url)
        if choice.provider != "offline" and not local and price_of(choice.model) is None:
            raise ProjectError(
                f"a budget of ${options.budget_usd:.2f} cannot be kept: the price of "
                f"{choice.model} is not known to this version of the app; set no budget "
                "(Budget per run in Settings: no limit, or leave out --budget), or choose a "
                "model with a known price"
            )
    return Budget(options.budget_usd)


def read_brief(project: ProjectState) -> str:
    """The project's brief (``ProjectError`` when it is missing or empty)."""
    try:
        brief = project.paths.read_text(project.paths.brief)
    except FileNotFoundError:
        raise ProjectError(f"the brief {project.paths.brief} is missing; write one first") from None
    except UnicodeDecodeError:
        raise ProjectError(
            f"the brief {project.paths.brief} is not UTF-8 text (saved in another encoding?); "
            "save it as UTF-8"
        ) from None
    except UnsafeFileError as exc:
        raise ProjectError(f"the brief cannot be used: {exc}") from None
    if not brief.strip():
        raise ProjectError(f"the brief {project.paths.brief} is empty; describe the product first")
    return brief


def _read_constitution(project: ProjectState) -> str:
    """The project's non-negotiable principles (``constitution.md``), or ''."""
    path = project.paths.root / CONSTITUTION
    try:
        return project.paths.read_text(path)
    except FileNotFoundError:
        return ""
    except UnicodeDecodeError:
        raise ProjectError(
            f"{path} is not UTF-8 text (saved in another encoding?); save it as UTF-8"
        ) from None
    except UnsafeFileError as exc:
        raise ProjectError(f"the constitution cannot be used: {exc}") from None
    except OSError as exc:
        raise ProjectError(f"{path} cannot be read ({exc.strerror})") from None


def _prepare_run(project: ProjectState, options: RunOptions) -> tuple[int | None, RunOptions]:
    """Record edits made on disk, find the run to resume (with the options it was started
    with, less what the user set on purpose now), and mark a run a dead process left."""
    # An edit made on disk since the last look is kept as a user version before the run
    # decides what to rewrite.
    scan(project)
    unfinished = queries.latest_unfinished_run(project.db, project.project_id)
    if options.resume:
        if unfinished is None:
            raise ProjectError(
                "nothing to resume: the last run finished (start a new one with `run`)"
            )
        resumed = options.resumed_with(unfinished.options)
        if resumed.recorded() != unfinished.options:  # overridden on purpose: recorded
            queries.record_run_options(
                project.db, unfinished.id, resumed.provider, resumed.model, resumed.recorded()
            )
        return unfinished.id, resumed
    if unfinished is not None and unfinished.status == RunStatus.RUNNING:
        # We hold the run lock, so no process is running it: it was interrupted.
        queries.mark_interrupted(project.db, unfinished.id)
    return None, options


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
