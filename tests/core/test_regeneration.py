"""Regeneration: each strategy's selection, and scoped engine runs (early cutoff, gates)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from spec_automation.core import events as ev
from spec_automation.core.changes import ImpactLevel
from spec_automation.core.engine import OrchestratorEngine
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.impact import ImpactAnalyzer, Strategy
from spec_automation.core.ports import (
    GateStatus,
    PhaseOutput,
    PhaseRequest,
    PhaseStatus,
    ProgressCallback,
)
from spec_automation.core.regeneration import RegenerationError, RegenerationPlanner
from spec_automation.core.spec import WorkflowSpec, parse_spec
from tests.helpers.fakes import AutoApprove, MemoryRecorder

SPEC = """
name: small
sensitivity: {arch.md: high, epics.md: medium, tasks.md: medium, journey.md: low}
phases:
  PM: {description: p, agent: pm, produces: [prd.md], depends_on: [], estimated_duration_s: 1}
  ARCH:
    description: a
    agent: architect
    produces: [arch.md, model.md]
    depends_on: [PM]
    estimated_duration_s: 1
    approval_gates: [arch_ok]
  EPICS: {description: e, agent: pm, produces: [epics.md], depends_on: [PM, ARCH], estimated_duration_s: 1}
  DEPS: {description: d, agent: x, produces: [deps.md], depends_on: [ARCH], estimated_duration_s: 1}
  TASKS: {description: t, agent: x, produces: [tasks.md], depends_on: [EPICS, DEPS], estimated_duration_s: 1}
  JOURNEY: {description: j, agent: x, produces: [journey.md], depends_on: [PM], estimated_duration_s: 1}
"""


@pytest.fixture
def spec() -> WorkflowSpec:
    return parse_spec(SPEC)


def analysis(spec: WorkflowSpec, level: ImpactLevel, edited: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return ImpactAnalyzer.for_graph(WorkflowGraph(spec)).analyze(
        "prd.md", level, user_edited=edited
    )


def test_regenerate_all_selects_every_affected_artifact_in_workflow_order(
    spec: WorkflowSpec,
) -> None:
    plan = RegenerationPlanner(WorkflowGraph(spec)).plan(
        analysis(spec, ImpactLevel.MEDIUM), Strategy.REGENERATE_ALL
    )
    assert plan.artifacts == (
        "arch.md",
        "model.md",
        "journey.md",
        "epics.md",
        "deps.md",
        "tasks.md",
    )
    assert plan.phases == ("ARCH", "JOURNEY", "EPICS", "DEPS", "TASKS")
    assert plan.scope is not None
    assert plan.scope.changed == frozenset({"PM"})


def test_high_impact_only_selects_the_high_ones(spec: WorkflowSpec) -> None:
    plan = RegenerationPlanner(WorkflowGraph(spec)).plan(
        analysis(spec, ImpactLevel.MEDIUM), "high_impact_only"
    )
    assert plan.artifacts == ("arch.md",)
    assert plan.phases == ("ARCH",)
    assert plan.scope is not None
    assert plan.scope.artifacts == frozenset({"arch.md"})  # model.md is kept as it is


def test_high_impact_only_takes_the_medium_tier_when_nothing_is_high(
    spec: WorkflowSpec,
) -> None:
    no_high = parse_spec(SPEC.replace("arch.md: high", "arch.md: low"))
    plan = RegenerationPlanner(WorkflowGraph(no_high)).plan(
        analysis(no_high, ImpactLevel.MEDIUM), Strategy.HIGH_IMPACT_ONLY
    )
    assert set(plan.artifacts) == {"model.md", "epics.md", "deps.md", "tasks.md"}


def test_manual_review_takes_the_users_pick_among_the_affected(spec: WorkflowSpec) -> None:
    planner = RegenerationPlanner(WorkflowGraph(spec))
    pick = analysis(spec, ImpactLevel.HIGH, edited=("tasks.md",))
    plan = planner.plan(pick, Strategy.MANUAL_REVIEW, ["tasks.md", "epics.md"])
    assert plan.artifacts == ("epics.md", "tasks.md")
    assert plan.user_edits_replaced == ("tasks.md",)
    with pytest.raises(RegenerationError, match=r"prd.md is not affected"):
        planner.plan(pick, Strategy.MANUAL_REVIEW, ["prd.md"])
    with pytest.raises(RegenerationError, match="manual_review needs the artifacts"):
        planner.plan(pick, Strategy.MANUAL_REVIEW)
    with pytest.raises(RegenerationError, match="only manual_review takes"):
        planner.plan(pick, Strategy.REGENERATE_ALL, ["tasks.md"])
    with pytest.raises(RegenerationError, match="unknown strategy 'everything'"):
        planner.plan(pick, "everything")


def test_ignore_is_refused_on_high_unless_confirmed(spec: WorkflowSpec) -> None:
    planner = RegenerationPlanner(WorkflowGraph(spec))
    high = analysis(spec, ImpactLevel.HIGH)
    with pytest.raises(RegenerationError, match="confirm to ignore"):
        planner.plan(high, Strategy.IGNORE)
    plan = planner.plan(high, Strategy.IGNORE, confirm=True)
    assert plan.artifacts == ()
    assert plan.scope is None
    low_only = parse_spec(SPEC.replace("arch.md: high", "arch.md: low"))
    assert planner.plan(analysis(low_only, ImpactLevel.LOW), Strategy.IGNORE).scope is None


# --- scoped engine runs ------------------------------------------------------------------


@dataclass
class ScriptedRunner:
    """Writes each artifact from a script; records which phases ran and what they read."""

    bodies: dict[str, str] = field(default_factory=dict)
    fail: set[str] = field(default_factory=set)
    ran: list[str] = field(default_factory=list)
    read: dict[str, dict[str, str]] = field(default_factory=dict)

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        self.ran.append(request.phase.name)
        self.read[request.phase.name] = dict(request.inputs)
        if request.phase.name in self.fail:
            raise RuntimeError("provider down")
        return PhaseOutput(
            {a: self.bodies.get(a, f"# {a}\n\nfirst\n") for a in request.phase.produces},
            provider="fake",
        )


async def generate(spec: WorkflowSpec, runner: ScriptedRunner) -> MemoryRecorder:
    recorder = MemoryRecorder()
    engine = OrchestratorEngine(
        WorkflowGraph(spec),
        runner=runner,
        recorder=recorder,
        gatekeeper=AutoApprove(),
        project_name="t",
        brief="b",
    )
    await engine.run()
    recorder.gate_rows["arch_ok"] = (
        recorder.gate_rows["arch_ok"][0].__class__("arch_ok", "ARCH", GateStatus.APPROVED),
        recorder.gate_rows["arch_ok"][1],
    )
    runner.ran.clear()
    return recorder


async def regenerate(  # type: ignore[no-untyped-def]
    spec, runner, recorder, strategy, artifacts=(), events=None, level=ImpactLevel.HIGH
):
    plan = RegenerationPlanner(WorkflowGraph(spec)).plan(analysis(spec, level), strategy, artifacts)
    engine = OrchestratorEngine(
        WorkflowGraph(spec),
        runner=runner,
        recorder=recorder,
        gatekeeper=AutoApprove(),
        project_name="t",
        brief="b",
        on_event=events.append if events is not None else None,
    )
    return await engine.run(scope=plan.scope)


async def test_a_scoped_run_runs_only_its_phases_on_the_current_upstream(
    spec: WorkflowSpec,
) -> None:
    runner = ScriptedRunner()
    recorder = await generate(spec, runner)
    recorder.versions["prd.md"].append((2, "# prd.md\n\nedited by the user\n"))
    runner.bodies = {"arch.md": "# arch.md\n\nsecond\n", "model.md": "# model.md\n\nsecond\n"}

    result = await regenerate(
        spec, runner, recorder, Strategy.HIGH_IMPACT_ONLY, level=ImpactLevel.MEDIUM
    )

    assert runner.ran == ["ARCH"]
    assert "edited by the user" in runner.read["ARCH"]["prd.md"]
    assert result.phase_status["EPICS"] == PhaseStatus.SUCCEEDED  # untouched, counts as done
    assert [v for v, _ in recorder.versions["arch.md"]] == [1, 2]
    assert [v for v, _ in recorder.versions["model.md"]] == [1]  # not chosen: kept


async def test_early_cutoff_skips_dependents_of_identical_output(spec: WorkflowSpec) -> None:
    runner = ScriptedRunner()
    recorder = await generate(spec, runner)
    # ARCH comes out identical; EPICS (which also reads the edited prd.md) changes.
    runner.bodies = {"epics.md": "# epics.md\n\nsecond\n"}
    events: list[ev.EngineEvent] = []
    result = await regenerate(spec, runner, recorder, Strategy.REGENERATE_ALL, events=events)

    assert result.unchanged == ("ARCH", "JOURNEY", "TASKS")  # TASKS ran, came out the same
    assert result.skipped == ("DEPS",)  # selected only because of ARCH
    assert "DEPS" not in runner.ran
    assert "TASKS" in runner.ran  # EPICS changed, so TASKS is not cut off
    assert [p.phase for p in events if isinstance(p, ev.PhaseSkipped)] == ["DEPS"]
    assert [v for v, _ in recorder.versions["arch.md"]] == [1]  # nothing new stored


async def test_cutoff_cascades_when_nothing_changes(spec: WorkflowSpec) -> None:
    runner = ScriptedRunner()
    recorder = await generate(spec, runner)
    result = await regenerate(spec, runner, recorder, Strategy.REGENERATE_ALL)
    assert result.skipped == ("DEPS", "TASKS")
    assert result.status == "completed"


async def test_changed_gated_artifacts_reopen_the_gate_without_holding_the_run(
    spec: WorkflowSpec,
) -> None:
    runner = ScriptedRunner()
    recorder = await generate(spec, runner)
    runner.bodies = {"arch.md": "# arch.md\n\nsecond\n"}
    result = await regenerate(spec, runner, recorder, Strategy.REGENERATE_ALL)
    assert recorder.gate_rows["arch_ok"][0].status == GateStatus.PENDING
    assert "DEPS" in runner.ran  # the gated phase's dependent did not wait for a decision
    assert result.status == "completed"


async def test_unchanged_gated_artifacts_leave_the_gate_approved(spec: WorkflowSpec) -> None:
    runner = ScriptedRunner()
    recorder = await generate(spec, runner)
    await regenerate(spec, runner, recorder, Strategy.HIGH_IMPACT_ONLY, level=ImpactLevel.MEDIUM)
    assert recorder.gate_rows["arch_ok"][0].status == GateStatus.APPROVED


async def test_a_failed_phase_leaves_the_rest_of_the_regeneration_going(
    spec: WorkflowSpec,
) -> None:
    runner = ScriptedRunner()
    recorder = await generate(spec, runner)
    runner.fail = {"EPICS"}
    runner.bodies = {"journey.md": "# j\n\nnew\n", "arch.md": "# a\n\nnew\n"}
    result = await regenerate(spec, runner, recorder, Strategy.REGENERATE_ALL)
    assert "EPICS" in result.failed
    assert result.blocked == {"TASKS": "EPICS"}
    assert {"ARCH", "JOURNEY", "DEPS"} <= set(runner.ran)
    assert [v for v, _ in recorder.versions["journey.md"]] == [1, 2]
