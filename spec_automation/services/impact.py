"""Impact of a change: what it affects downstream, what to do, and what that would cost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from spec_automation.core.changes import ChangedBy, ImpactLevel
from spec_automation.core.copying import copy_fields
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.impact import (
    ImpactAnalysis,
    ImpactAnalyzer,
    Strategy,
    select_for_strategy,
)
from spec_automation.core.ports import TokenUsage
from spec_automation.llm.pricing import estimate_cost
from spec_automation.services.artifacts import artifact_name, user_edited
from spec_automation.services.context import ProjectState
from spec_automation.services.errors import ProjectError
from spec_automation.services.freshness import context_inputs
from spec_automation.services.plan import fan_out_parts
from spec_automation.services.reports import ChangeInfo, ImpactReport, UsageEstimate
from spec_automation.store.errors import StoreError
from spec_automation.workspace import is_project_input

__all__ = ["analyze_impact", "estimate_usage", "impact_report", "input_readers"]


def analyze_impact(
    project: ProjectState, change_id: int | None
) -> tuple[ImpactReport, ImpactAnalysis]:
    """The impact of a change (by default the latest change made by the user), and the
    analysis the report was made from.

    Every artifact downstream of the changed one, with a level, a reason and the path
    that reaches it; counts per level; a recommended strategy; an estimated duration from
    the measured history of the phases involved; and which affected artifacts carry user
    edits since they were last generated.
    """
    try:
        if change_id is None:
            change = project.history.latest_change(ChangedBy.USER)
            if change is None:
                raise ProjectError(
                    "no edit has been recorded yet: edit an artifact (in the app, or on "
                    "disk and then `spec-automation scan`) first"
                )
        else:
            change = project.history.change(change_id)
    except StoreError as exc:
        raise ProjectError(str(exc)) from None
    readers = input_readers(project) if is_project_input(change.artifact) else {}
    if change.artifact not in project.spec.artifacts and change.artifact not in readers:
        raise ProjectError(
            f"change #{change.id} is to {change.artifact}, which the current spec no "
            "longer produces and no phase reads"
        )
    # The phases that fan out: as many calls as their lists hold now, side by side.
    parts = fan_out_parts(project.spec, project.paths)
    graph = WorkflowGraph(project.spec, items=parts) if parts else project.graph
    analyzer = ImpactAnalyzer.for_graph(graph, readers)
    measured = project.regenerations.measured_durations(list(project.spec.phases))
    level = ImpactLevel(change.impact_level or ImpactLevel.HIGH)
    downstream = (
        project.spec.artifacts if readers else project.graph.downstream_artifacts(change.artifact)
    )
    analysis = analyzer.analyze(
        change.artifact,
        level,
        user_edited=user_edited(project, downstream),
        measured_s=measured,
    )
    return impact_report(change, analysis, analyzer, measured), analysis


def input_readers(project: ProjectState) -> dict[str, tuple[str, ...]]:
    """Each of the project's inputs (the brief, the constitution, every imported document
    a phase reads) with the artifacts of the phases that read it, as staleness judges it."""
    readers: dict[str, list[str]] = {}
    for phase, inputs in context_inputs(project).items():
        for name in inputs:
            if is_project_input(name):
                readers.setdefault(name, []).extend(project.graph.phase(phase).produces)
    return {name: tuple(artifacts) for name, artifacts in readers.items()}


def estimate_usage(project: ProjectState, artifacts: Sequence[str], model: str) -> UsageEstimate:
    """Tokens and cost of regenerating ``artifacts`` with ``model``, from the measured
    tokens of the phases producing them (their recent successful, uncached attempts)."""
    phases = list(
        dict.fromkeys(project.spec.producer_of(artifact_name(project, a)).name for a in artifacts)
    )
    measured = project.regenerations.measured_usage(phases)
    tokens_in = sum(measured[p][0] for p in phases if p in measured)
    tokens_out = sum(measured[p][1] for p in phases if p in measured)
    usage = TokenUsage(input_tokens=tokens_in, output_tokens=tokens_out)
    return UsageEstimate(
        model=model,
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        cost_usd=estimate_cost(model, usage),
        measured=tuple(p for p in phases if p in measured),
        unmeasured=tuple(p for p in phases if p not in measured),
    )


def impact_report(
    change: ChangeInfo,
    analysis: ImpactAnalysis,
    analyzer: ImpactAnalyzer,
    measured: Mapping[str, float],
) -> ImpactReport:
    """The report of an analysis: what each strategy would regenerate and how long it takes."""
    selections = {
        strategy.value: select_for_strategy(analysis.affected, strategy)
        for strategy in (Strategy.REGENERATE_ALL, Strategy.HIGH_IMPACT_ONLY)
    }
    selections[Strategy.MANUAL_REVIEW.value] = analysis.artifacts
    selections[Strategy.IGNORE.value] = ()
    estimates = {
        name: analyzer.estimate(chosen, measured)[0] for name, chosen in selections.items()
    }
    return copy_fields(
        ImpactReport,
        analysis,
        change=change,
        counts=dict(analysis.counts),
        selections=selections,
        strategy_estimates_s=estimates,
    )
