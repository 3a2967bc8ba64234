"""Impact analysis: who is affected, how badly, why, and what the app recommends."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from spec_automation.core.changes import ImpactLevel
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.impact import ImpactAnalyzer, Strategy
from spec_automation.core.spec import SpecError, load_spec, parse_spec

HIGH, MEDIUM, LOW = ImpactLevel.HIGH, ImpactLevel.MEDIUM, ImpactLevel.LOW

PRD_DOWNSTREAM = {
    "user-flows.md",  # written from the PRD, in a phase of its own
    "architecture.md",
    "data-model.md",
    "api-spec.md",
    "component-mapping.md",
    "journey-maps.md",
    "dependencies.md",
    "epics.md",
    "tasks.md",
    "validation-report.md",
    "handoff.md",
    "implementation.md",  # the code's manifest, written from the specification
    "quality-report.md",
}


@pytest.fixture
def analyzer(default_spec_path: Path) -> ImpactAnalyzer:
    return ImpactAnalyzer.for_graph(WorkflowGraph(load_spec(default_spec_path)))


def test_every_transitively_downstream_artifact_is_affected_with_its_path(
    analyzer: ImpactAnalyzer, default_spec_path: Path
) -> None:
    analysis = analyzer.analyze("prd.md", HIGH)
    assert set(analysis.artifacts) == PRD_DOWNSTREAM
    paths = {a.artifact: a.path for a in analysis.affected}
    assert paths["architecture.md"] == ("prd.md", "architecture.md")
    assert paths["dependencies.md"] == ("prd.md", "architecture.md", "dependencies.md")
    assert paths["handoff.md"][0] == "prd.md"
    assert paths["handoff.md"][-2:] == ("validation-report.md", "handoff.md")
    # Each hop of a path is an edge of the artifact graph.
    graph = WorkflowGraph(load_spec(default_spec_path)).artifact_graph
    for path in paths.values():
        for a, b in itertools.pairwise(path):
            assert b in graph[a]


def test_a_high_change_makes_everything_downstream_high(analyzer: ImpactAnalyzer) -> None:
    analysis = analyzer.analyze("prd.md", HIGH)
    assert {a.level for a in analysis.affected} == {HIGH}
    assert analysis.counts == {"HIGH": 13, "MEDIUM": 0, "LOW": 0}
    assert all("HIGH impact" in a.reason for a in analysis.affected)


def test_otherwise_the_level_is_the_artifact_sensitivity(analyzer: ImpactAnalyzer) -> None:
    levels = {a.artifact: a.level for a in analyzer.analyze("prd.md", MEDIUM).affected}
    assert levels["architecture.md"] == HIGH
    assert levels["data-model.md"] == HIGH
    assert levels["api-spec.md"] == HIGH
    assert levels["epics.md"] == MEDIUM
    assert levels["tasks.md"] == MEDIUM
    assert levels["journey-maps.md"] == LOW
    assert levels["handoff.md"] == MEDIUM  # no default: MEDIUM


def test_analysis_of_a_leaf_affects_nothing(analyzer: ImpactAnalyzer) -> None:
    analysis = analyzer.analyze("handoff.md", HIGH)
    assert analysis.affected == ()
    assert analysis.recommended_strategy == Strategy.MANUAL_REVIEW


SPEC = """
name: small
sensitivity:
  b.md: low
  c.md: High
phases:
  A: {description: a, agent: x, produces: [a.md], depends_on: [], estimated_duration_s: 10}
  B: {description: b, agent: x, produces: [b.md], depends_on: [A], estimated_duration_s: 20}
  C: {description: c, agent: x, produces: [c.md], depends_on: [B], estimated_duration_s: 30}
  D: {description: d, agent: x, produces: [d.md], depends_on: [A], estimated_duration_s: 5}
"""


def test_sensitivity_is_configurable_in_the_spec() -> None:
    spec = parse_spec(SPEC)
    analysis = ImpactAnalyzer.for_graph(WorkflowGraph(spec)).analyze("a.md", MEDIUM)
    by_name = {a.artifact: a for a in analysis.affected}
    assert (by_name["b.md"].level, by_name["b.md"].sensitivity_configured) == (LOW, True)
    assert by_name["c.md"].level == HIGH
    assert (by_name["d.md"].level, by_name["d.md"].sensitivity_configured) == (MEDIUM, False)
    assert "set in the spec" in by_name["b.md"].reason


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  b.md: urgent", "'urgent' is not high, medium or low"),
        ("  nope.md: low", "'nope.md' is not an artifact of any phase"),
        ("  b.md: 3", "3 is not high, medium or low"),
    ],
)
def test_bad_sensitivity_values_are_clear_errors(entry: str, message: str) -> None:
    text = SPEC.replace("  b.md: low\n  c.md: High", entry)
    with pytest.raises(SpecError, match=message):
        parse_spec(text)


def test_sensitivity_must_be_a_mapping() -> None:
    with pytest.raises(SpecError, match="field 'sensitivity' must be a mapping"):
        parse_spec(SPEC.replace("sensitivity:\n  b.md: low\n  c.md: High", "sensitivity: [b.md]"))


def test_a_cycle_in_a_user_graph_is_reported_not_looped_on() -> None:
    # A user's graph where review.md feeds back into design.md.
    graph = {
        "brief.md": ["design.md"],
        "design.md": ["build.md"],
        "build.md": ["review.md"],
        "review.md": ["design.md"],
    }
    analyzer = ImpactAnalyzer(
        graph,
        producer={
            "brief.md": "BRIEF",
            "design.md": "DESIGN",
            "build.md": "BUILD",
            "review.md": "R",
        },
        sensitivity=lambda _: ("MEDIUM", False),
        estimated_s={"DESIGN": 1.0, "BUILD": 1.0, "R": 1.0},
        phase_dependencies={"DESIGN": ["R"], "BUILD": ["DESIGN"], "R": ["BUILD"]},
    )
    analysis = analyzer.analyze("brief.md", MEDIUM)
    assert analysis.artifacts == ("design.md", "build.md", "review.md")
    assert analysis.cycles == (("design.md", "build.md", "review.md", "design.md"),)
    assert analysis.estimated_sequential_s == 3.0


@pytest.mark.parametrize(
    ("trigger", "level", "strategy"),
    [
        ("a.md", HIGH, Strategy.REGENERATE_ALL),  # HIGH anywhere
        ("b.md", MEDIUM, Strategy.REGENERATE_ALL),  # c.md is HIGH-sensitive
        ("c.md", MEDIUM, Strategy.MANUAL_REVIEW),  # nothing downstream
    ],
)
def test_recommendations(trigger: str, level: ImpactLevel, strategy: Strategy) -> None:
    analyzer = ImpactAnalyzer.for_graph(WorkflowGraph(parse_spec(SPEC)))
    assert analyzer.analyze(trigger, level).recommended_strategy == strategy


def test_medium_at_most_recommends_high_impact_only_and_low_manual_review() -> None:
    medium = parse_spec(SPEC.replace("c.md: High", "c.md: medium"))
    analyzer = ImpactAnalyzer.for_graph(WorkflowGraph(medium))
    assert analyzer.analyze("b.md", MEDIUM).recommended_strategy == Strategy.HIGH_IMPACT_ONLY
    low = parse_spec(SPEC.replace("c.md: High", "c.md: low"))
    analyzer = ImpactAnalyzer.for_graph(WorkflowGraph(low))
    assert analyzer.analyze("b.md", MEDIUM).recommended_strategy == Strategy.MANUAL_REVIEW


def test_the_estimate_uses_measured_durations_and_falls_back_to_the_spec() -> None:
    analyzer = ImpactAnalyzer.for_graph(WorkflowGraph(parse_spec(SPEC)))
    estimated = analyzer.analyze("a.md", HIGH)
    # B then C one after the other, D alongside: 20 + 30 on the longest chain.
    assert estimated.estimated_duration_s == 50.0
    assert estimated.estimated_sequential_s == 55.0
    assert estimated.measured_phases == ()
    measured = analyzer.analyze("a.md", HIGH, measured_s={"B": 2.0, "C": 3.0})
    assert measured.estimated_duration_s == 5.0
    assert measured.estimated_sequential_s == 10.0
    assert set(measured.measured_phases) == {"B", "C"}


def test_affected_artifacts_with_user_edits_are_marked() -> None:
    analyzer = ImpactAnalyzer.for_graph(WorkflowGraph(parse_spec(SPEC)))
    analysis = analyzer.analyze("a.md", HIGH, user_edited={"c.md"})
    assert analysis.user_edited == ("c.md",)
    by_name = {a.artifact: a for a in analysis.affected}
    assert by_name["c.md"].user_edited
    assert "your edits" in by_name["c.md"].reason
    assert not by_name["b.md"].user_edited


def test_a_cosmetic_change_leaves_everything_downstream_low() -> None:
    # c.md is HIGH-sensitive, but a formatting-only edit changes no requirement.
    analyzer = ImpactAnalyzer.for_graph(WorkflowGraph(parse_spec(SPEC)))
    analysis = analyzer.analyze("a.md", LOW)
    assert {a.level for a in analysis.affected} == {LOW}
    assert analysis.counts == {"HIGH": 0, "MEDIUM": 0, "LOW": 3}
    assert analysis.recommended_strategy == Strategy.MANUAL_REVIEW
    assert all("formatting" in a.reason for a in analysis.affected)
