"""Staleness by content: an artifact is stale when what it was made from changed, staleness
flows downstream, an undone edit makes nothing stale; and what a run must do."""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.spec import load_spec
from spec_automation.core.staleness import (
    BRIEF,
    PHASE_SPEC,
    ArtifactFacts,
    ArtifactStatus,
    artifact_states,
    plan_run,
)


@pytest.fixture
def graph(default_spec_path: Path) -> WorkflowGraph:
    return WorkflowGraph(load_spec(default_spec_path))


def _made(graph: WorkflowGraph, brief: str = "b1", **content: str) -> dict[str, ArtifactFacts]:
    """Every artifact made together from version 1 of everything (``content`` overrides the
    current hash of some artifacts, as an edit would)."""
    hashes = {a: f"{a}@1" for p in graph.topological_order for a in graph.phase(p).produces}
    facts = {}
    for phase in graph.topological_order:
        made_from = {a: hashes[a] for a in graph.inputs_of(phase)} | {BRIEF: brief}
        for artifact in graph.phase(phase).produces:
            facts[artifact] = ArtifactFacts(
                artifact, phase, content.get(artifact, hashes[artifact]), made_from
            )
    return facts


def _context(graph: WorkflowGraph, brief: str = "b1") -> dict[str, dict[str, str]]:
    return {phase: {BRIEF: brief} for phase in graph.topological_order}


def test_nothing_is_stale_when_everything_was_made_from_what_there_is(
    graph: WorkflowGraph,
) -> None:
    states = artifact_states(graph, _made(graph), _context(graph))
    assert {s.status for s in states.values()} == {ArtifactStatus.GENERATED}
    assert plan_run(graph, states).up_to_date


def test_a_changed_artifact_makes_its_readers_stale_and_that_flows_downstream(
    graph: WorkflowGraph,
) -> None:
    facts = _made(graph, **{"prd.md": "prd.md@2"})
    states = artifact_states(graph, facts, _context(graph))
    assert states["prd.md"].status == ArtifactStatus.GENERATED
    assert states["architecture.md"].status == ArtifactStatus.STALE
    assert "prd.md changed since it was made" in states["architecture.md"].reason
    # tasks.md reads prd.md only through epics.md here, yet it is stale through it.
    assert states["tasks.md"].stale
    assert states["analysis.md"].status == ArtifactStatus.GENERATED
    assert not states["design-tokens.md"].stale


def test_an_edit_undone_makes_nothing_stale(graph: WorkflowGraph) -> None:
    # The hashes are the content's: going back to the old text is going back to the old hash.
    facts = _made(graph, **{"prd.md": "prd.md@1"})
    states = artifact_states(graph, facts, _context(graph))
    assert not any(s.stale for s in states.values())


def test_a_changed_brief_makes_everything_stale_with_the_reason(graph: WorkflowGraph) -> None:
    states = artifact_states(graph, _made(graph), _context(graph, brief="b2"))
    assert all(s.stale for s in states.values())
    assert states["analysis.md"].reason == "the brief changed since it was made"
    plan = plan_run(graph, states)
    assert plan.phases == graph.topological_order
    assert "ANALYSIS" in plan.required


def test_missing_failed_and_edited_artifacts_say_so(graph: WorkflowGraph) -> None:
    facts = _made(graph)
    facts["handoff.md"] = ArtifactFacts("handoff.md", "DONE", None, None)
    facts["epics.md"] = ArtifactFacts(
        "epics.md", "SOLUTIONING_EPICS", "epics.md@1", facts["epics.md"].made_from, failed="boom"
    )
    facts["prd.md"] = ArtifactFacts(
        "prd.md", "SPEC_PM", "prd.md@1", facts["prd.md"].made_from, user_edited=True
    )
    states = artifact_states(graph, facts, _context(graph))
    assert states["handoff.md"].status == ArtifactStatus.MISSING
    assert states["epics.md"].status == ArtifactStatus.FAILED
    assert states["epics.md"].reason == "boom"
    assert states["prd.md"].status == ArtifactStatus.EDITED
    assert states["prd.md"].edited
    assert not states["prd.md"].edit_kept


def test_a_run_requires_what_changed_and_only_may_run_what_is_stale_through_it(
    graph: WorkflowGraph,
) -> None:
    facts = {
        name: ArtifactFacts(f.name, f.phase, f.content_hash, {**f.made_from, PHASE_SPEC: "s1"})
        for name, f in _made(graph).items()
        if f.made_from is not None
    }
    context = {phase: {BRIEF: "b1", PHASE_SPEC: "s1"} for phase in graph.topological_order}
    context["SPEC_ARCHITECT"] = {BRIEF: "b1", PHASE_SPEC: "s2"}  # its definition was edited
    states = artifact_states(graph, facts, context)
    assert states["architecture.md"].reason == (
        "its phase's definition in the spec changed since it was made"
    )
    plan = plan_run(graph, states)
    assert "SPEC_ARCHITECT" in plan.required
    # Stale only because what it reads is stale: skipped if that comes out unchanged.
    assert "DEPENDENCIES" in plan.phases
    assert "DEPENDENCIES" not in plan.required
    assert "architecture.md, out of date itself" in plan.reasons["DEPENDENCIES"]
    assert "SPEC_PM" not in plan.phases


def test_a_phase_reading_a_changed_artifact_must_run(graph: WorkflowGraph) -> None:
    facts = _made(graph, **{"architecture.md": "architecture.md@2"})
    plan = plan_run(graph, artifact_states(graph, facts, _context(graph)))
    assert "SPEC_ARCHITECT" not in plan.phases  # changed on purpose: not out of date
    # Every later phase reads architecture.md itself (inputs are everything upstream).
    assert plan.phases == (
        "SPEC_DATA_MODEL",
        "SPEC_API",
        "DEPENDENCIES",
        "SOLUTIONING_EPICS",
        "SOLUTIONING_TASKS",
        "VALIDATE",
        "IMPLEMENTATION",
        "DONE",
        "QUALITY",
    )
    assert plan.required == frozenset(plan.phases)


def test_a_pending_edit_is_at_risk_until_the_user_keeps_it(graph: WorkflowGraph) -> None:
    facts = _made(graph, **{"prd.md": "prd.md@2"})
    facts["prd.md"] = ArtifactFacts(
        "prd.md", "SPEC_PM", "prd.md@2", facts["prd.md"].made_from, user_edited=True
    )
    states = artifact_states(graph, facts, _context(graph))
    plan = plan_run(graph, states)
    assert plan.edits_at_risk == {"SPEC_PM": ("prd.md",)}
    assert "carries your edits" in plan.reasons["SPEC_PM"]
    kept = plan_run(graph, states, keep=frozenset({"prd.md"}))
    # user-flows.md has no reason of its own: SPEC_PM is left out, its readers run.
    assert "SPEC_PM" not in kept.phases
    assert kept.edits_at_risk == {}
    assert "SPEC_ARCHITECT" in kept.required


def test_everything_runs_every_phase_and_lists_every_edit(graph: WorkflowGraph) -> None:
    facts = _made(graph)
    facts["epics.md"] = ArtifactFacts(
        "epics.md", "SOLUTIONING_EPICS", "epics.md@1", facts["epics.md"].made_from,
        user_edited=True, kept=True,
    )
    plan = plan_run(graph, artifact_states(graph, facts, _context(graph)), everything=True)
    assert plan.phases == graph.topological_order
    assert plan.required == frozenset(graph.topological_order)
    assert plan.edits_at_risk == {"SOLUTIONING_EPICS": ("epics.md",)}
