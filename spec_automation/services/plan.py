"""Planning: what a run will do and how long it should take, read from the spec alone.

Nothing here opens the project's store, so ``plan`` answers without loading it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from spec_automation.core.fan_out import part_counts
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.spec import WorkflowSpec, load_spec
from spec_automation.resources import bundled_spec_path
from spec_automation.services.errors import ProjectError
from spec_automation.workspace import ProjectPaths

__all__ = [
    "PhasePlan",
    "PlanReport",
    "fan_out_parts",
    "load_project_spec",
    "plan_project",
    "plan_workflow",
    "project_paths",
]


@dataclass(frozen=True, slots=True)
class PhasePlan:
    """One phase as the plan shows it."""

    name: str
    agent: str
    wave: int
    depends_on: tuple[str, ...]
    produces: tuple[str, ...]
    estimated_duration_s: float
    on_critical_path: bool
    approval_gates: tuple[str, ...]
    #: For a phase that fans out: the calls it will make (0 for any other phase), whether
    #: that is known from the list it splits (else assumed), and what it splits.
    parts: int = 0
    parts_known: bool = False
    fan_out_of: str = ""
    fan_out_source: str = ""
    #: Its wall time at the plan's concurrency (its calls side by side).
    estimated_wall_s: float = 0.0


@dataclass(frozen=True, slots=True)
class PlanReport:
    """What a run will do and how long it should take."""

    spec_name: str
    spec_source: str
    concurrency: int
    waves: tuple[tuple[str, ...], ...]
    critical_path: tuple[str, ...]
    critical_path_s: float
    sequential_estimate_s: float
    parallel_estimate_s: float
    phases: tuple[PhasePlan, ...]
    warnings: tuple[str, ...]


def project_paths(folder: Path) -> ProjectPaths:
    """The layout of the project in ``folder`` (``ProjectError`` when it holds none)."""
    folder = folder.expanduser().resolve()
    paths = ProjectPaths(folder)
    if not paths.is_project():
        raise ProjectError(
            f"{folder} is not a spec_automation project "
            f"(create one with: spec-automation init {folder} --brief FILE)"
        )
    return paths


def load_project_spec(paths: ProjectPaths) -> tuple[WorkflowSpec, str]:
    """The spec the project uses (its own ``orchestrator_spec.yml``, else the bundled one)
    and where it was read from."""
    if paths.spec_override.is_symlink():
        raise ProjectError(
            f"{paths.spec_override} is a link; the app does not read through links: "
            "replace it with the spec file itself"
        )
    path = paths.spec_override if paths.spec_override.is_file() else bundled_spec_path()
    return load_spec(path), str(path)


def plan_project(folder: Path, concurrency: int = 4) -> PlanReport:
    """The plan of the project in ``folder``, from its spec (the store is not opened)."""
    paths = project_paths(folder)
    spec, source = load_project_spec(paths)
    return plan_workflow(spec, source, concurrency, fan_out_parts(spec, paths))


def fan_out_parts(spec: WorkflowSpec, paths: ProjectPaths) -> dict[str, int]:
    """Phase → the calls it will make, for the phases that fan out over an artifact the
    project has (its file as it is now; never read through a link)."""

    def read(name: str) -> str | None:
        path = paths.artifact(name)
        if path.is_symlink() or not path.is_file():
            return None
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return part_counts(((n, p.fan_out) for n, p in spec.phases.items()), read)


def plan_workflow(
    spec: WorkflowSpec,
    source: str,
    concurrency: int = 4,
    parts: Mapping[str, int] | None = None,
) -> PlanReport:
    """The plan of any checked spec: waves, critical path, estimates, conflict warnings.

    ``parts`` gives the calls of the phases that fan out, where the list they split exists.
    """
    if concurrency < 1:
        raise ProjectError("concurrency must be at least 1")
    known = dict(parts or {})
    graph = WorkflowGraph(spec, items=known, concurrency=concurrency)
    critical = graph.critical_path
    phases = tuple(
        PhasePlan(
            name=name,
            agent=graph.phase(name).agent,
            wave=graph.wave_of[name],
            depends_on=graph.dependencies(name),
            produces=graph.phase(name).produces,
            estimated_duration_s=graph.phase(name).estimated_duration_s,
            on_critical_path=name in critical.phases,
            approval_gates=graph.phase(name).approval_gates,
            parts=graph.items.get(name, 0),
            parts_known=name in known,
            fan_out_of=_fan_out_of(graph, name),
            fan_out_source=getattr(graph.phase(name).fan_out, "source", ""),
            estimated_wall_s=graph.estimated_wall_s(name),
        )
        for name in graph.topological_order
    )
    return PlanReport(
        spec_name=spec.name,
        spec_source=source,
        concurrency=concurrency,
        waves=graph.waves,
        critical_path=critical.phases,
        critical_path_s=critical.length_s,
        sequential_estimate_s=graph.sequential_estimate_s,
        parallel_estimate_s=graph.parallel_estimate_s(concurrency),
        phases=phases,
        warnings=tuple(c.message for c in graph.conflicts),
    )


def _fan_out_of(graph: WorkflowGraph, name: str) -> str:
    rule = graph.phase(name).fan_out
    if rule is None:
        return ""
    lead = f" and the {rule.lead[0].lower()}" if rule.lead[0] else ""
    return f"{rule.label}s of {rule.source}{lead}"
