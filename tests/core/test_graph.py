"""Waves, critical path, the artifact graph and planned-file conflicts."""

from __future__ import annotations

from pathlib import Path

from spec_automation.core.graph import WorkflowGraph, simulate_schedule
from spec_automation.core.spec import load_spec, parse_spec
from tests.helpers.fakes import spec_of


def test_default_spec_has_the_eight_waves_of_the_design(default_spec_path: Path) -> None:
    graph = WorkflowGraph(load_spec(default_spec_path))
    assert graph.waves == (
        ("ANALYSIS",),
        ("STACK_SELECTION", "SPEC_DESIGN_TOKENS"),
        ("SPEC_PM",),
        ("SPEC_USER_FLOWS", "SPEC_ARCHITECT"),
        (
            "SPEC_DATA_MODEL",
            "SPEC_API",
            "SPEC_DESIGN_COMPONENTS",
            "DEPENDENCIES",
            "SOLUTIONING_EPICS",
        ),
        ("SOLUTIONING_TASKS",),
        ("VALIDATE", "IMPLEMENTATION"),
        ("DONE", "QUALITY"),
    )
    assert graph.wave_of["SPEC_DESIGN_COMPONENTS"] == 5


def test_critical_path_follows_the_longest_estimates(default_spec_path: Path) -> None:
    spec = load_spec(default_spec_path)
    graph = WorkflowGraph(spec)
    path = graph.critical_path
    assert path.phases[0] == "ANALYSIS"
    # The code is written one epic at a time, yet it and its check end the workflow.
    assert path.phases[-3:] == ("SOLUTIONING_TASKS", "IMPLEMENTATION", "QUALITY")
    assert path.length_s == sum(graph.estimated_wall_s(p) for p in path.phases)
    # No chain through the graph is longer than the critical path.
    assert all(graph.remaining_path_s[n] <= path.length_s for n in spec.phases)
    assert graph.parallel_estimate_s(concurrency=4) == path.length_s
    assert graph.parallel_estimate_s(concurrency=1) == graph.sequential_estimate_s


def test_artifact_graph_maps_each_artifact_to_what_reads_it(default_spec_path: Path) -> None:
    graph = WorkflowGraph(load_spec(default_spec_path))
    assert set(graph.artifact_graph["prd.md"]) == {
        "architecture.md",
        "user-flows.md",
        "component-mapping.md",
        "journey-maps.md",
        "epics.md",
    }
    # The data model and the API are made from the architecture, and the prd they read.
    assert set(graph.artifact_graph["architecture.md"]) == {
        "data-model.md",
        "api-spec.md",
        "dependencies.md",
        "epics.md",
    }
    assert graph.artifact_graph["handoff.md"] == ()
    assert set(graph.downstream_artifacts("design-tokens.md")) == {
        "component-mapping.md",
        "journey-maps.md",
        "tasks.md",
        "validation-report.md",
        "handoff.md",
        "implementation.md",
        "quality-report.md",
    }


def test_phases_that_may_run_together_and_plan_the_same_file_are_ordered() -> None:
    spec = parse_spec("""
phases:
  ROOT: {description: r, agent: a, produces: [r.md], depends_on: [], estimated_duration_s: 1}
  UI: {description: u, agent: a, produces: [u.md], depends_on: [ROOT], estimated_duration_s: 1,
       planned_files: [src/app.py, src/ui.py]}
  API: {description: p, agent: a, produces: [p.md], depends_on: [ROOT], estimated_duration_s: 1,
        planned_files: [src/app.py, src/api.py]}
  DOCS: {description: d, agent: a, produces: [d.md], depends_on: [ROOT], estimated_duration_s: 1,
         planned_files: [README.md]}
""")
    graph = WorkflowGraph(spec)
    assert len(graph.conflicts) == 1
    conflict = graph.conflicts[0]
    assert (conflict.first, conflict.second, conflict.files) == ("UI", "API", ("src/app.py",))
    assert conflict.message == "UI and API both plan to write src/app.py; API will run after UI"
    assert "UI" in graph.dependencies("API")
    assert graph.waves == (("ROOT",), ("UI", "DOCS"), ("API",))


def test_already_ordered_phases_are_not_conflicts() -> None:
    spec = parse_spec("""
phases:
  A: {description: a, agent: x, produces: [a.md], depends_on: [], estimated_duration_s: 1, planned_files: [f]}
  B: {description: b, agent: x, produces: [b.md], depends_on: [A], estimated_duration_s: 1, planned_files: [f]}
""")
    assert WorkflowGraph(spec).conflicts == ()


def test_simulated_schedule_starts_longest_remaining_path_first() -> None:
    # One slot: the short independent phase S must not delay the long chain L1 -> L2.
    graph = WorkflowGraph(spec_of({"S": [], "L1": [], "L2": ["L1"]}, {"S": 1, "L1": 5, "L2": 5}))
    durations = {"S": 1.0, "L1": 5.0, "L2": 5.0}
    assert simulate_schedule(graph, durations, concurrency=2) == 10.0
    assert simulate_schedule(graph, durations, concurrency=1) == 11.0


def test_a_phase_reads_its_dependencies_artifacts_and_what_it_names() -> None:
    spec = spec_of({"A": [], "B": ["A"], "C": ["B"], "D": ["C"]})
    graph = WorkflowGraph(spec)
    assert graph.inputs_of("D") == ("c.md",)  # not a.md and b.md: only its own dependency's
    assert graph.inputs_of("A") == ()
    text = """
version: 1
name: t
phases:
  A: {description: a, agent: x, produces: [a.md, a2.md], depends_on: [], estimated_duration_s: 1}
  B: {description: b, agent: x, produces: [b.md], depends_on: [A], estimated_duration_s: 1}
  C: {description: c, agent: x, produces: [c.md], depends_on: [B], reads: [a2.md],
      estimated_duration_s: 1}
  D: {description: d, agent: x, produces: [d.md], depends_on: [C], reads: all,
      estimated_duration_s: 1}
"""
    graph = WorkflowGraph(parse_spec(text))
    assert graph.inputs_of("C") == ("a2.md", "b.md")  # workflow order
    assert graph.inputs_of("D") == ("a.md", "a2.md", "b.md", "c.md")


def test_default_spec_phases_read_far_upstream_only_where_they_say_so(
    default_spec_path: Path,
) -> None:
    graph = WorkflowGraph(load_spec(default_spec_path))
    assert graph.inputs_of("SPEC_PM") == ("analysis.md", "stack.md")
    assert set(graph.inputs_of("DEPENDENCIES")) == {"stack.md", "architecture.md"}
    assert graph.inputs_of("SPEC_API") == ("stack.md", "prd.md", "architecture.md")
    # The validator and the hand-off look at the whole specification, not the code's stage.
    stage = {"implementation.md", "quality-report.md"}
    assert set(graph.inputs_of("DONE")) == set(graph.spec.artifacts) - {"handoff.md"} - stage
    assert graph.inputs_of("IMPLEMENTATION") == (
        "stack.md",
        "prd.md",
        "architecture.md",
        "data-model.md",
        "api-spec.md",
        "epics.md",
        "tasks.md",
    )
