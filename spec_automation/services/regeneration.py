"""Regeneration: rerun what a change affects, as the chosen strategy says, and its record."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from spec_automation.core.engine import EngineSettings, OrchestratorEngine
from spec_automation.core.events import EventSink
from spec_automation.core.impact import ImpactAnalysis, Strategy
from spec_automation.core.ports import GateStatus, PhaseRunner
from spec_automation.core.regeneration import (
    RegenerationError,
    RegenerationPlan,
    RegenerationPlanner,
    parse_strategy,
)
from spec_automation.services.artifacts import refuse_unreadable_targets, scan
from spec_automation.services.commits import commit_stored
from spec_automation.services.context import ProjectState
from spec_automation.services.errors import (
    EditsAtRisk,
    ProjectError,
    paged,
    said_as_project_error,
)
from spec_automation.services.freshness import context_inputs, current_states, inputs_now
from spec_automation.services.gates import AutoApprover, StoreGatekeeper
from spec_automation.services.impact import analyze_impact
from spec_automation.services.options import RunOptions
from spec_automation.services.reports import (
    ImpactReport,
    RegenerationReport,
    RegenerationRunInfo,
    RegenerationRunPage,
    to_json,
)
from spec_automation.services.runs import PhaseRunnerFactory, engine_settings, read_brief
from spec_automation.store import queries
from spec_automation.store.errors import StoreError
from spec_automation.store.recorder import SqlRunRecorder
from spec_automation.workspace import RunLockedError, run_lock

__all__ = ["Trigger", "regenerate", "regenerate_after", "regeneration_run", "regeneration_runs"]


async def regenerate(
    project: ProjectState,
    change_id: int | None,
    strategy: Strategy | str,
    artifacts: Sequence[str],
    *,
    confirm: bool,
    on_event: EventSink | None,
    options: RunOptions,
    phase_runner: PhaseRunnerFactory,
) -> RegenerationReport:
    """Regenerate what a change affects, as the strategy says; record the run.

    The choice is checked first (nothing is written when it is refused). Then: snapshot
    the current artifacts; run the phases producing the chosen artifacts through the
    engine on the current upstream artifacts (dependency order, in parallel where
    possible); store new versions carrying the run id and reason; skip dependents of
    artifacts that came out identical (early cutoff); re-open approval gates whose
    artifacts changed; commit to git; and record the run. A failed phase leaves the rest
    going and is reported. ``ignore`` records the decision and regenerates nothing.
    """

    async def change_trigger() -> Trigger:
        # Record any edit still only on disk, so the analysis sees it and nothing is lost.
        await asyncio.to_thread(scan, project)
        impact, analysis = await asyncio.to_thread(analyze_impact, project, change_id)
        label = f"change #{impact.change.id} to {impact.trigger_artifact}"
        return Trigger(impact.change.id, impact, analysis, label)

    return await regenerate_after(
        project,
        change_trigger,
        strategy,
        artifacts,
        confirm=confirm,
        on_event=on_event,
        options=options,
        phase_runner=phase_runner,
    )


async def regenerate_after(
    project: ProjectState,
    trigger: Callable[[], Awaitable[Trigger]],
    strategy: Strategy | str,
    artifacts: Sequence[str],
    *,
    confirm: bool,
    on_event: EventSink | None,
    options: RunOptions,
    phase_runner: PhaseRunnerFactory,
) -> RegenerationReport:
    """Regenerate after what ``trigger`` makes, as ``regenerate`` does after a change.

    ``trigger`` is called once the project's run lock is held: it may record edits (a change
    proposal's), and it refuses, before writing anything, what the regeneration would refuse.
    """
    brief = read_brief(project)
    try:
        chosen = parse_strategy(strategy)
        settings = engine_settings(options)
        runner = phase_runner(options)
    except (ValueError, RegenerationError) as exc:
        raise ProjectError(str(exc)) from None
    try:
        with run_lock(project.paths.lock):
            return await _regenerate_locked(
                project,
                await trigger(),
                chosen,
                artifacts,
                confirm,
                on_event,
                options,
                settings,
                runner,
                brief,
            )
    except (RunLockedError, StoreError) as exc:
        raise ProjectError(str(exc)) from None
    finally:
        await runner.aclose()


@dataclass(frozen=True, slots=True)
class Trigger:
    """What a regeneration answers: a change (or a change proposal's edits) and its impact."""

    change_id: int | None  # the change recorded as the trigger
    impact: ImpactReport
    analysis: ImpactAnalysis
    label: str  # in words: "change #5 to prd.md"
    written: tuple[str, ...] = ()  # artifacts the trigger wrote, committed with the results


async def _regenerate_locked(
    project: ProjectState,
    trigger: Trigger,
    strategy: Strategy,
    artifacts: Sequence[str],
    confirm: bool,
    on_event: EventSink | None,
    options: RunOptions,
    settings: EngineSettings,
    runner: PhaseRunner,
    brief: str,
) -> RegenerationReport:
    impact, analysis = trigger.impact, trigger.analysis
    try:
        plan = RegenerationPlanner(project.graph).plan(
            analysis, strategy, artifacts, confirm=confirm
        )
    except RegenerationError as exc:
        raise ProjectError(str(exc)) from None
    plan, kept = await asyncio.to_thread(_settle_edits, project, plan, options)
    if plan.scope is not None:
        await asyncio.to_thread(
            refuse_unreadable_targets, project, plan.scope.artifacts, "the regeneration"
        )
    started = project.clock.now()
    t0 = project.clock.monotonic()
    store = project.regenerations
    run_id = store.begin(
        trigger_artifact=plan.trigger_artifact,
        trigger_change_id=trigger.change_id,
        strategy=plan.strategy.value,
        impact_analysis=to_json(impact),
        artifacts_to_regenerate=plan.artifacts,
        started_at=started,
    )
    if plan.scope is None:  # ignore (or nothing to do): the decision is the record
        status = "ignored" if plan.strategy == Strategy.IGNORE else "completed"
        store.update(
            run_id,
            status=status,
            success=True,
            completed_at=project.clock.now(),
            duration_s=project.clock.monotonic() - t0,
        )
        return RegenerationReport(
            run_id,
            trigger.change_id or 0,
            plan.trigger_artifact,
            plan.strategy,
            status,
            duration_s=project.clock.monotonic() - t0,
            notices=tuple(project.notices),
            edits_kept=kept,
        )

    snapshot_id = store.take_snapshot(f"before regeneration #{run_id}")
    store.update(run_id, snapshot_id=snapshot_id)
    gates_before = {g.gate: g.status for g in queries.gates(project.db, project.project_id)}
    reason = f"regeneration #{run_id}: {trigger.label} ({plan.strategy.value})"
    recorder = SqlRunRecorder(
        project.db,
        project.project_id,
        project.paths.write_artifacts,
        clock=project.clock,
        regeneration=(run_id, reason),
    )
    engine = OrchestratorEngine(
        project.graph,
        runner=runner,
        recorder=recorder,
        gatekeeper=(
            AutoApprover(recorder, project.clock)
            if options.auto_approve
            else StoreGatekeeper(recorder, options.gate_poll_interval_s)
        ),
        project_name=project.info.name,
        brief=brief,
        settings=settings,
        clock=project.clock,
        on_event=on_event,
        context_inputs=await asyncio.to_thread(context_inputs, project),
        run_options=options.recorded(),
    )
    # A gated phase whose artifacts change holds what depends on it until a person decides.
    scope = dataclasses.replace(plan.scope, hold_on_gates=True)
    try:
        result = await engine.run(options.mode, scope=scope)
    except asyncio.CancelledError:
        regenerated = store.regenerated(run_id)
        commit, notices = commit_stored(
            project,
            [plan.trigger_artifact, *trigger.written, *regenerated],
            f"Regeneration #{run_id} cancelled: keep {', '.join(regenerated) or 'nothing'}",
        )
        store.update(
            run_id,
            status="cancelled",
            success=False,
            error="cancelled by the user",
            artifacts_regenerated=regenerated,
            completed_at=project.clock.now(),
            duration_s=project.clock.monotonic() - t0,
            git_commit=commit,
        )
        raise

    regenerated = store.regenerated(run_id)
    failures = {**result.failed, **{p: f"blocked by {b}" for p, b in result.blocked.items()}}
    failed_artifacts = {a for phase in failures for a in project.graph.phase(phase).produces}
    unchanged = tuple(
        a for a in plan.artifacts if a not in regenerated and a not in failed_artifacts
    )
    gates_after = {g.gate: g.status for g in queries.gates(project.db, project.project_id)}
    reopened = tuple(
        gate
        for gate, phase in project.spec.gates().items()
        if phase in plan.phases
        and gates_after.get(gate) == GateStatus.PENDING
        and gates_before.get(gate) != GateStatus.PENDING
        and any(a in regenerated for a in project.graph.phase(phase).produces)
    )
    commit, notices = commit_stored(
        project,
        [plan.trigger_artifact, *trigger.written, *regenerated],
        f"Regenerate after {trigger.label} "
        f"({plan.strategy.value}): {', '.join(regenerated) or 'nothing changed'}",
    )
    status = "completed"
    if failures:
        status = "partial" if regenerated or unchanged else "failed"
    error = "; ".join(f"{phase}: {message}" for phase, message in failures.items())
    duration = project.clock.monotonic() - t0
    store.update(
        run_id,
        status=status,
        success=not failures,
        error=error,
        workflow_run_id=result.run_id,
        artifacts_regenerated=regenerated,
        artifacts_unchanged=list(unchanged),
        failures=failures,
        completed_at=project.clock.now(),
        duration_s=duration,
        git_commit=commit,
    )
    return RegenerationReport(
        run_id=run_id,
        change_id=trigger.change_id or 0,
        trigger_artifact=plan.trigger_artifact,
        strategy=plan.strategy,
        status=status,
        artifacts_to_regenerate=plan.artifacts,
        artifacts_regenerated=tuple(regenerated),
        artifacts_unchanged=unchanged,
        failures=failures,
        user_edits_replaced=tuple(a for a in plan.user_edits_replaced if a in regenerated),
        gates_reopened=reopened,
        snapshot_id=snapshot_id,
        workflow_run_id=result.run_id,
        git_commit=commit,
        duration_s=duration,
        notices=tuple(project.notices) + tuple(notices),
        edits_kept=kept,
    )


def _settle_edits(
    project: ProjectState, plan: RegenerationPlan, options: RunOptions
) -> tuple[RegenerationPlan, tuple[str, ...]]:
    """Keep the changed artifact's edit as the artifact (the regeneration builds from it),
    then settle the chosen artifacts that carry the user's edits as ``options.edits`` says:
    refuse (``EditsAtRisk``), keep them out of the regeneration, or let it rewrite them."""
    trigger = plan.trigger_artifact
    at_risk = plan.user_edits_replaced
    if at_risk and options.edits == "ask":  # refused before anything is written
        raise EditsAtRisk(at_risk, what="the regeneration")
    states = current_states(project)
    if trigger in states and states[trigger].edited and not states[trigger].edit_kept:
        phase = project.spec.producer_of(trigger).name
        project.history.keep({trigger: inputs_now(project, phase)})
    if not at_risk or options.edits == "overwrite":
        return plan, ()
    project.history.keep(
        {name: inputs_now(project, project.spec.producer_of(name).name) for name in at_risk}
    )
    artifacts = tuple(a for a in plan.artifacts if a not in at_risk)
    phases = tuple(p for p in plan.phases if set(project.graph.phase(p).produces) & set(artifacts))
    scope = (
        dataclasses.replace(plan.scope, phases=frozenset(phases), artifacts=frozenset(artifacts))
        if plan.scope is not None and phases
        else None
    )
    kept = dataclasses.replace(
        plan, artifacts=artifacts, phases=phases, user_edits_replaced=(), scope=scope
    )
    return kept, at_risk


def regeneration_runs(
    project: ProjectState, limit: int = 50, offset: int = 0
) -> RegenerationRunPage:
    """A page of recorded regeneration runs, newest first."""
    return paged(RegenerationRunPage, project.regenerations.page, limit, offset)


def regeneration_run(project: ProjectState, run_id: int) -> RegenerationRunInfo:
    """One recorded regeneration run."""
    with said_as_project_error(StoreError):
        return project.regenerations.get(run_id)
