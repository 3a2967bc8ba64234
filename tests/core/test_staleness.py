"""Staleness: newer inputs make an artifact stale, and staleness flows downstream."""

from __future__ import annotations

from pathlib import Path

from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.spec import load_spec
from spec_automation.core.staleness import stale_artifacts


def _graph(default_spec_path: Path) -> WorkflowGraph:
    return WorkflowGraph(load_spec(default_spec_path))


def _all_made_at(graph: WorkflowGraph, when: float) -> dict[str, float]:
    return {a: when for p in graph.topological_order for a in graph.phase(p).produces}


def test_nothing_is_stale_when_everything_was_made_together(default_spec_path: Path) -> None:
    graph = _graph(default_spec_path)
    assert stale_artifacts(graph, _all_made_at(graph, 10.0)) == {}


def test_an_edit_makes_its_dependents_stale_and_that_flows_downstream(
    default_spec_path: Path,
) -> None:
    graph = _graph(default_spec_path)
    made = _all_made_at(graph, 10.0) | {"prd.md": 20.0}
    stale = stale_artifacts(graph, made)
    assert stale["architecture.md"] == "made before the latest prd.md"
    assert stale["epics.md"].startswith("made before the latest prd.md; made from")
    # tasks.md reads prd.md only through epics.md and the design components
    assert "out of date itself" in stale["tasks.md"]
    assert set(stale) == set(graph.downstream_artifacts("prd.md"))
    assert "analysis.md" not in stale
    assert "prd.md" not in stale


def test_a_regenerated_artifact_is_fresh_and_makes_its_own_dependents_stale(
    default_spec_path: Path,
) -> None:
    graph = _graph(default_spec_path)
    rerun = dict.fromkeys(("architecture.md", "data-model.md", "api-spec.md"), 30.0)
    made = _all_made_at(graph, 10.0) | {"prd.md": 20.0} | rerun
    stale = stale_artifacts(graph, made)
    assert not set(rerun) & set(stale)
    assert stale["dependencies.md"] == (
        "made before the latest api-spec.md, architecture.md, data-model.md"
    )
    assert "epics.md" in stale  # still older than prd.md


def test_missing_artifacts_are_neither_stale_nor_a_reason(default_spec_path: Path) -> None:
    graph = _graph(default_spec_path)
    made = {"analysis.md": 10.0, "stack.md": 5.0}
    assert stale_artifacts(graph, made) == {"stack.md": "made before the latest analysis.md"}
