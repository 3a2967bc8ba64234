"""Impact analysis: which artifacts a change affects, how badly, and what to do about it.

Every artifact transitively downstream of the changed one in the spec's artifact graph is
affected, each with a level, a reason and the dependency path that reaches it. When the change
itself is HIGH every affected artifact is HIGH; when it is cosmetic (LOW) every affected
artifact is LOW; otherwise (MEDIUM) the level is the artifact's sensitivity (configurable per
artifact in the spec). The analysis recommends a strategy and
estimates how long regenerating would take from the measured history of the phases involved.

The graph is walked breadth-first with a visited set, so a cycle in a user's graph is reported
and never looped on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from spec_automation.core.changes import ImpactLevel
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.spec import find_cycle
from spec_automation.core.strategy import Strategy

__all__ = [
    "AffectedArtifact",
    "ImpactAnalysis",
    "ImpactAnalyzer",
    "Strategy",
    "select_for_strategy",
]

_MAX_CYCLES_REPORTED = 10


@dataclass(frozen=True, slots=True)
class AffectedArtifact:
    """One artifact downstream of a change."""

    artifact: str
    phase: str  # the phase that produces it
    level: ImpactLevel
    reason: str
    path: tuple[str, ...]  # the changed artifact, ..., this artifact
    sensitivity: ImpactLevel
    sensitivity_configured: bool  # set in the spec rather than a default
    user_edited: bool  # carries edits by the user since it was last generated


@dataclass(frozen=True, slots=True)
class ImpactAnalysis:
    """What a change affects, and the recommended response."""

    trigger_artifact: str
    trigger_level: ImpactLevel
    affected: tuple[AffectedArtifact, ...]
    counts: Mapping[str, int]  # HIGH / MEDIUM / LOW -> number of affected artifacts
    recommended_strategy: Strategy
    recommendation: str  # why that strategy
    estimated_duration_s: float  # wall time of the recommended strategy, enough slots
    estimated_sequential_s: float  # the same phases one after another
    phase_durations_s: Mapping[str, float]  # phase -> seconds used in the estimate
    measured_phases: tuple[str, ...]  # phases whose duration comes from measured history
    cycles: tuple[tuple[str, ...], ...]  # dependency cycles met downstream, each [a, ..., a]
    user_edited: tuple[str, ...]  # affected artifacts carrying user edits
    #: Artifacts changed together with the trigger (a change proposal's targets): walked
    #: through, never counted as affected.
    changed: tuple[str, ...] = ()

    @property
    def artifacts(self) -> tuple[str, ...]:
        """Every affected artifact, nearest first."""
        return tuple(a.artifact for a in self.affected)

    def at_level(self, level: ImpactLevel) -> tuple[str, ...]:
        """The affected artifacts at ``level``."""
        return tuple(a.artifact for a in self.affected if a.level == level)


class ImpactAnalyzer:
    """Walks an artifact graph from a changed artifact.

    Built from any artifact → downstream-artifacts mapping (cycles allowed) with the phase
    producing each artifact, or from a ``WorkflowGraph`` with ``for_graph``.
    """

    def __init__(
        self,
        artifact_graph: Mapping[str, Sequence[str]],
        *,
        producer: Mapping[str, str],
        sensitivity: Callable[[str], tuple[str, bool]],
        estimated_s: Mapping[str, float],
        phase_dependencies: Mapping[str, Sequence[str]] | None = None,
        wall_s: Callable[[str, float], float] | None = None,
    ) -> None:
        """``wall_s`` turns a phase's work into its wall time (a phase that fans out runs
        its calls side by side); by default they are the same."""
        self._graph = artifact_graph
        self._producer = producer
        self._sensitivity = sensitivity
        self._estimated_s = estimated_s
        self._phase_dependencies = phase_dependencies or {}
        self._wall_s = wall_s or (lambda _phase, work: work)

    @classmethod
    def for_graph(
        cls, graph: WorkflowGraph, inputs: Mapping[str, Sequence[str]] | None = None
    ) -> ImpactAnalyzer:
        """An analyzer over a workflow's artifact graph and its sensitivities.

        ``inputs`` adds what is not an artifact but is read by phases (the brief, the
        constitution, an imported document): each maps to the artifacts of the phases
        reading it, so a change to it reaches them and everything downstream.
        """
        spec = graph.spec
        return cls(
            {
                **graph.artifact_graph,
                **{name: tuple(read) for name, read in (inputs or {}).items()},
            },
            producer={a: spec.producer_of(a).name for a in spec.artifacts},
            sensitivity=spec.sensitivity_of,
            estimated_s={p.name: p.estimated_duration_s for p in spec.phases.values()},
            phase_dependencies={name: graph.dependencies(name) for name in spec.phases},
            wall_s=graph.wall_of,
        )

    def analyze(
        self,
        trigger: str,
        level: ImpactLevel,
        *,
        user_edited: Collection[str] = (),
        measured_s: Mapping[str, float] | None = None,
        changed: Collection[str] = (),
    ) -> ImpactAnalysis:
        """The impact of a ``level`` change to ``trigger``.

        ``user_edited`` names artifacts with user edits since they were last generated;
        ``measured_s`` gives measured durations per phase (others use their estimate);
        ``changed`` names artifacts changed together with the trigger (the artifacts a change
        proposal edits): what lies downstream of them is affected, they are not.
        """
        if trigger not in self._graph:
            raise KeyError(trigger)
        parents, order = self._walk(trigger)
        order = [artifact for artifact in order if artifact not in changed]
        edited = frozenset(user_edited)
        affected: list[AffectedArtifact] = []
        for artifact in order:
            path = [artifact]
            while path[-1] != trigger:
                path.append(parents[path[-1]])
            path.reverse()
            raw, configured = self._sensitivity(artifact)
            sensitivity = ImpactLevel(raw)
            if level == ImpactLevel.HIGH:
                artifact_level = ImpactLevel.HIGH
                reason = f"{trigger} changed with HIGH impact, so everything downstream is HIGH"
            elif level == ImpactLevel.LOW:
                # A cosmetic edit changes no requirement, so nothing downstream is out of date,
                # whatever the artifact's sensitivity.
                artifact_level = ImpactLevel.LOW
                reason = f"only the formatting of {trigger} changed; its content is the same"
            else:
                artifact_level = sensitivity
                where = "set in the spec" if configured else "default"
                reason = (
                    f"{level} change to {trigger}; {artifact} has {sensitivity} sensitivity "
                    f"({where})"
                )
            if artifact in edited:
                reason += "; it carries your edits, which regenerating would replace"
            affected.append(
                AffectedArtifact(
                    artifact=artifact,
                    phase=self._producer.get(artifact, ""),
                    level=artifact_level,
                    reason=reason,
                    path=tuple(path),
                    sensitivity=sensitivity,
                    sensitivity_configured=configured,
                    user_edited=artifact in edited,
                )
            )
        counts = {lvl.value: sum(a.level == lvl for a in affected) for lvl in ImpactLevel}
        strategy, why = _recommend(counts)
        chosen = select_for_strategy(affected, strategy)
        measured = dict(measured_s or {})
        phases = self._phases_of(chosen)
        durations = {p: measured.get(p, self._estimated_s.get(p, 0.0)) for p in phases}
        return ImpactAnalysis(
            trigger_artifact=trigger,
            trigger_level=level,
            affected=tuple(affected),
            counts=counts,
            recommended_strategy=strategy,
            recommendation=why,
            estimated_duration_s=self._longest_path(phases, durations),
            estimated_sequential_s=sum(durations.values()),
            phase_durations_s=durations,
            measured_phases=tuple(p for p in phases if p in measured),
            cycles=self._cycles([trigger, *order]),
            user_edited=tuple(a.artifact for a in affected if a.user_edited),
            changed=tuple(a for a in changed if a in parents),
        )

    def estimate(
        self, artifacts: Collection[str], measured_s: Mapping[str, float] | None = None
    ) -> tuple[float, float]:
        """(wall time with enough slots, one-after-another time) to regenerate ``artifacts``."""
        phases = self._phases_of(artifacts)
        measured = measured_s or {}
        durations = {p: measured.get(p, self._estimated_s.get(p, 0.0)) for p in phases}
        return self._longest_path(phases, durations), sum(durations.values())

    # --- internals -------------------------------------------------------------------------

    def _walk(self, trigger: str) -> tuple[dict[str, str], list[str]]:
        """Breadth-first from ``trigger``: each reached artifact's parent, in reach order."""
        parents: dict[str, str] = {}
        order: list[str] = []
        seen = {trigger}
        queue = deque([trigger])
        while queue:
            current = queue.popleft()
            for nxt in self._graph.get(current, ()):
                if nxt in seen:
                    continue  # reached already (or a cycle back): never walked twice
                seen.add(nxt)
                parents[nxt] = current
                order.append(nxt)
                queue.append(nxt)
        return parents, order

    def _cycles(self, reachable: Sequence[str]) -> tuple[tuple[str, ...], ...]:
        inside = set(reachable)
        edges = {a: [b for b in self._graph.get(a, ()) if b in inside] for a in reachable}
        cycles: list[tuple[str, ...]] = []
        while len(cycles) < _MAX_CYCLES_REPORTED:
            cycle = find_cycle(edges)
            if cycle is None:
                break
            cycles.append(tuple(cycle))
            edges[cycle[-2]].remove(cycle[-1])  # break it and look for another
        return tuple(cycles)

    def _phases_of(self, artifacts: Collection[str]) -> list[str]:
        return list(dict.fromkeys(self._producer[a] for a in artifacts if a in self._producer))

    def _longest_path(self, phases: Sequence[str], durations: Mapping[str, float]) -> float:
        """Longest chain of the chosen phases by duration (phases outside are done already)."""
        chosen = set(phases)
        finish: dict[str, float] = {}

        def finish_of(phase: str, visiting: frozenset[str]) -> float:
            if phase in finish:
                return finish[phase]
            before = [
                finish_of(d, visiting | {phase})
                for d in self._phase_dependencies.get(phase, ())
                if d in chosen and d not in visiting
            ]
            finish[phase] = self._wall_s(phase, durations[phase]) + max(before, default=0.0)
            return finish[phase]

        return max((finish_of(p, frozenset()) for p in phases), default=0.0)


def select_for_strategy(
    affected: Sequence[AffectedArtifact], strategy: Strategy
) -> tuple[str, ...]:
    """The artifacts a strategy regenerates (``manual_review`` is the user's pick: none here)."""
    if strategy == Strategy.REGENERATE_ALL:
        return tuple(a.artifact for a in affected)
    if strategy == Strategy.HIGH_IMPACT_ONLY:
        for level in (ImpactLevel.HIGH, ImpactLevel.MEDIUM):
            tier = tuple(a.artifact for a in affected if a.level == level)
            if tier:
                return tier
    return ()


def _recommend(counts: Mapping[str, int]) -> tuple[Strategy, str]:
    if counts[ImpactLevel.HIGH]:
        return (
            Strategy.REGENERATE_ALL,
            f"{counts[ImpactLevel.HIGH]} affected artifact(s) are HIGH: regenerate everything "
            "downstream so nothing is left stale",
        )
    if counts[ImpactLevel.MEDIUM]:
        return (
            Strategy.HIGH_IMPACT_ONLY,
            "the most affected artifacts are MEDIUM: regenerate those and review the rest",
        )
    return (
        Strategy.MANUAL_REVIEW,
        "nothing downstream is more than LOW: review and pick what to regenerate, if anything",
    )
