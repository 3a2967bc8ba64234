"""The workflow graph: waves, critical path, artifact dependencies and planned-file conflicts.

Built once from a checked ``WorkflowSpec``. Phases that may run at the same time and plan to
write the same files get an inferred ordering edge before anything runs (pre-execution conflict
detection); every other query, waves included, sees those edges.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from spec_automation.core.fan_out import ASSUMED_ITEMS, fan_out_wall_s
from spec_automation.core.spec import PhaseSpec, WorkflowSpec

__all__ = ["CriticalPath", "FileConflict", "WorkflowGraph", "simulate_schedule"]


@dataclass(frozen=True, slots=True)
class FileConflict:
    """Two phases that could run together plan to write the same files."""

    first: str
    second: str  # runs after ``first`` because of the inferred edge
    files: tuple[str, ...]

    @property
    def message(self) -> str:
        """The warning shown to the user."""
        files = ", ".join(self.files)
        return (
            f"{self.first} and {self.second} both plan to write {files}; "
            f"{self.second} will run after {self.first}"
        )


@dataclass(frozen=True, slots=True)
class CriticalPath:
    """The longest chain of dependent phases by estimated duration."""

    phases: tuple[str, ...]
    length_s: float


class WorkflowGraph:
    """Dependency queries over a spec's phases (with inferred conflict edges)."""

    def __init__(
        self,
        spec: WorkflowSpec,
        *,
        items: Mapping[str, int] | None = None,
        concurrency: int = 4,
    ) -> None:
        """``items`` gives, per phase that fans out, how many calls it makes (when the list it
        splits is known); with ``concurrency`` they turn its estimate into a wall time."""
        self.spec = spec
        self.items = {
            name: (items or {}).get(name, ASSUMED_ITEMS)
            for name, phase in spec.phases.items()
            if phase.fan_out is not None
        }
        self.concurrency = max(1, concurrency)
        self._order_in_file = {name: i for i, name in enumerate(spec.phases)}
        deps: dict[str, list[str]] = {p.name: list(p.depends_on) for p in spec.phases.values()}
        self.conflicts: tuple[FileConflict, ...] = self._infer_conflict_edges(deps)
        self._deps: dict[str, tuple[str, ...]] = {n: tuple(d) for n, d in deps.items()}
        dependents: dict[str, list[str]] = {name: [] for name in spec.phases}
        for name in self.topological_order:
            for dep in self._deps[name]:
                dependents[dep].append(name)
        self._dependents = {n: tuple(d) for n, d in dependents.items()}
        self._inputs: dict[str, tuple[str, ...]] = {}

    # --- structure ---------------------------------------------------------------------

    def phase(self, name: str) -> PhaseSpec:
        """The phase called ``name``."""
        return self.spec.phases[name]

    def dependencies(self, name: str) -> tuple[str, ...]:
        """Direct dependencies of a phase, inferred conflict edges included."""
        return self._deps[name]

    def dependents(self, name: str) -> tuple[str, ...]:
        """Phases that directly depend on ``name``."""
        return self._dependents[name]

    @cached_property
    def topological_order(self) -> tuple[str, ...]:
        """Phases ordered so each comes after its dependencies (wave, then file order)."""
        return tuple(name for wave in self.waves for name in wave)

    @cached_property
    def waves(self) -> tuple[tuple[str, ...], ...]:
        """Topological levels: wave k holds phases whose longest dependency chain has k links."""
        level: dict[str, int] = {}
        for name in self._kahn_order():
            level[name] = 1 + max((level[d] for d in self._deps[name]), default=-1)
        count = 1 + max(level.values(), default=-1)
        waves: list[list[str]] = [[] for _ in range(count)]
        for name in sorted(level, key=self._order_in_file.__getitem__):
            waves[level[name]].append(name)
        return tuple(tuple(w) for w in waves)

    @cached_property
    def wave_of(self) -> Mapping[str, int]:
        """Phase → its wave number, starting at 1."""
        return {name: i for i, wave in enumerate(self.waves, start=1) for name in wave}

    def upstream(self, name: str) -> frozenset[str]:
        """Every phase ``name`` transitively depends on."""
        return self._reach(name, self._deps)

    def downstream(self, name: str) -> frozenset[str]:
        """Every phase that transitively depends on ``name``."""
        return self._reach(name, self._dependents)

    # --- timing ------------------------------------------------------------------------

    def estimated_wall_s(self, name: str) -> float:
        """A phase's estimated wall time: its estimate, or for a phase that fans out, the
        rounds its calls take at the graph's concurrency."""
        return self.wall_of(name, self.phase(name).estimated_duration_s)

    def wall_of(self, name: str, work_s: float) -> float:
        """The wall time of ``work_s`` of a phase's work (measured or estimated): the same,
        or for a phase that fans out, the rounds its calls take at the graph's concurrency."""
        if name not in self.items:
            return work_s
        return fan_out_wall_s(work_s, self.items[name], self.concurrency)

    @cached_property
    def remaining_path_s(self) -> Mapping[str, float]:
        """Longest estimated time from a phase's start to the end of the workflow."""
        remaining: dict[str, float] = {}
        for name in reversed(self.topological_order):
            tail = max((remaining[d] for d in self._dependents[name]), default=0.0)
            remaining[name] = self.estimated_wall_s(name) + tail
        return remaining

    @cached_property
    def critical_path(self) -> CriticalPath:
        """The chain of phases whose estimated durations add up longest."""
        remaining = self.remaining_path_s
        if not remaining:
            return CriticalPath((), 0.0)
        roots = [n for n in self.topological_order if not self._deps[n]]
        current = max(roots, key=lambda n: (remaining[n], -self._order_in_file[n]))
        path = [current]
        while self._dependents[current]:
            current = max(
                self._dependents[current],
                key=lambda n: (remaining[n], -self._order_in_file[n]),
            )
            path.append(current)
        return CriticalPath(tuple(path), remaining[path[0]])

    @property
    def sequential_estimate_s(self) -> float:
        """Estimated time to run every phase one after another."""
        return sum(p.estimated_duration_s for p in self.spec.phases.values())

    def parallel_estimate_s(self, concurrency: int) -> float:
        """Estimated wall time with ``concurrency`` slots (list-scheduling simulation).

        Uses the engine's own policy (ready phases start longest-remaining-path first, no
        barriers), so the plan shows what a run will take rather than a bound.
        """
        durations = {n: self.phase(n).estimated_duration_s for n in self.spec.phases}
        return simulate_schedule(self, durations, concurrency, items=self.items)

    # --- artifacts ---------------------------------------------------------------------

    @cached_property
    def artifact_graph(self) -> Mapping[str, tuple[str, ...]]:
        """Artifact → artifacts directly downstream of it.

        An artifact B is downstream of A when B's phase depends on A's phase.
        """
        graph: dict[str, tuple[str, ...]] = {}
        for phase in self.spec.phases.values():
            downstream = tuple(
                artifact
                for dependent in self._dependents[phase.name]
                for artifact in self.phase(dependent).produces
            )
            for artifact in phase.produces:
                graph[artifact] = downstream
        return graph

    def downstream_artifacts(self, artifact: str) -> tuple[str, ...]:
        """Every artifact transitively downstream of ``artifact``, in topological order."""
        phases = self.downstream(self.spec.producer_of(artifact).name)
        return tuple(
            a
            for name in self.topological_order
            if name in phases
            for a in self.phase(name).produces
        )

    def inputs_of(self, name: str) -> tuple[str, ...]:
        """Artifacts a phase reads, in workflow order: those of the phases it depends on,
        those it names in ``reads``, or with ``reads: all`` everything produced upstream.

        Direct inputs keep a phase's context (and the work of reading it) bounded by its
        own dependencies rather than by the size of the whole graph above it.
        """
        cached = self._inputs.get(name)
        if cached is None:
            phase = self.phase(name)
            whole = self.upstream(name) if phase.reads_all_upstream else set()
            named = set(phase.reads) | set(self.spec.direct_inputs(name))
            cached = tuple(
                artifact
                for p in self.topological_order
                for artifact in self.phase(p).produces
                if p in whole or artifact in named
            )
            self._inputs[name] = cached
        return cached

    # --- internals ---------------------------------------------------------------------

    def _kahn_order(self) -> list[str]:
        return _kahn(self._deps, self.spec.phases)

    def _infer_conflict_edges(self, deps: dict[str, list[str]]) -> tuple[FileConflict, ...]:
        planners = [p for p in self.spec.phases.values() if p.planned_files]
        if len(planners) < 2:
            return ()
        # A fixed order of the original graph; edges added along it can never form a cycle.
        rank = {name: i for i, name in enumerate(_kahn(deps, self.spec.phases))}
        planners.sort(key=lambda p: rank[p.name])
        conflicts: list[FileConflict] = []
        for i, first in enumerate(planners):
            for second in planners[i + 1 :]:
                shared = sorted(set(first.planned_files) & set(second.planned_files))
                if not shared:
                    continue
                if first.name in self._reach(second.name, deps):
                    continue  # already ordered
                deps[second.name].append(first.name)
                conflicts.append(FileConflict(first.name, second.name, tuple(shared)))
        return tuple(conflicts)

    @staticmethod
    def _reach(start: str, edges: Mapping[str, Iterable[str]]) -> frozenset[str]:
        seen: set[str] = set()
        stack = list(edges[start])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(edges[node])
        return frozenset(seen)


def _kahn(deps: Mapping[str, Sequence[str]], order: Iterable[str]) -> list[str]:
    indegree = {name: len(d) for name, d in deps.items()}
    dependents: dict[str, list[str]] = {name: [] for name in deps}
    for name, d in deps.items():
        for dep in d:
            dependents[dep].append(name)
    ready = [n for n in order if indegree[n] == 0]
    result: list[str] = []
    while ready:
        name = ready.pop(0)
        result.append(name)
        for dependent in dependents[name]:
            indegree[dependent] -= 1
            if indegree[dependent] == 0:
                ready.append(dependent)
    return result


def simulate_schedule(
    graph: WorkflowGraph,
    durations: Mapping[str, float],
    concurrency: int,
    *,
    items: Mapping[str, int] | None = None,
) -> float:
    """Wall time of the engine's scheduling policy for the given phase durations.

    Ready phases start longest-remaining-path first as slots free up, with no wave barriers:
    the same policy as ``OrchestratorEngine``, so plans and benchmarks compare like with like.
    A phase in ``items`` fans out: its duration is shared by that many calls, each taking a
    slot, and calls of a started phase get free slots before phases not yet started.
    """
    parts = dict(items or {})
    remaining = graph.remaining_path_s
    waiting = {name: len(graph.dependencies(name)) for name in graph.spec.phases}
    ready = [(-remaining[n], n) for n, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    calls: list[tuple[str, float]] = []  # queued calls of started phases, in order
    left: dict[str, int] = {}
    running: list[tuple[float, str]] = []
    now = 0.0
    while ready or running or calls:
        while (calls or ready) and len(running) < max(1, concurrency):
            if calls:
                name, duration = calls.pop(0)
                heapq.heappush(running, (now + duration, name))
                continue
            _, name = heapq.heappop(ready)
            count = parts.get(name, 1)
            if count > 1:
                left[name] = count
                calls.extend([(name, durations[name] / count)] * count)
            else:
                heapq.heappush(running, (now + durations[name], name))
        now, done = heapq.heappop(running)
        if done in left:
            left[done] -= 1
            if left[done]:
                continue
        for dependent in graph.dependents(done):
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, (-remaining[dependent], dependent))
    return now
