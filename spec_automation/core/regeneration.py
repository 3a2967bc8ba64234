"""Regeneration planning: from an impact analysis and a strategy to the phases to run.

``RegenerationPlanner`` checks the user's choice (a known strategy; for ``manual_review`` a
non-empty pick among the affected artifacts; ``ignore`` confirmed when anything is HIGH) and
turns it into a ``RunScope`` for the engine: the phases producing the chosen artifacts, run in
dependency order on the current upstream artifacts, storing only the chosen artifacts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spec_automation.core.changes import ImpactLevel
from spec_automation.core.engine import RunScope
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.impact import ImpactAnalysis, Strategy, select_for_strategy

__all__ = [
    "RegenerationError",
    "RegenerationPlan",
    "RegenerationPlanner",
    "Strategy",
    "parse_strategy",
]


class RegenerationError(ValueError):
    """The regeneration asked for cannot be done; ``str()`` says why and what to do."""


@dataclass(frozen=True, slots=True)
class RegenerationPlan:
    """What a regeneration will do."""

    strategy: Strategy
    trigger_artifact: str
    artifacts: tuple[str, ...]  # to regenerate, in workflow order
    phases: tuple[str, ...]  # that produce them, in workflow order
    user_edits_replaced: tuple[str, ...]  # chosen artifacts carrying the user's edits
    scope: RunScope | None  # None: nothing to run (ignore)


def parse_strategy(text: str | Strategy) -> Strategy:
    """The strategy named ``text``; ``RegenerationError`` naming the choices otherwise."""
    try:
        return Strategy(text)
    except ValueError:
        choices = ", ".join(s.value for s in Strategy)
        raise RegenerationError(f"unknown strategy {text!r} (strategies: {choices})") from None


class RegenerationPlanner:
    """Turns an impact analysis and the user's strategy into a plan for the engine."""

    def __init__(self, graph: WorkflowGraph) -> None:
        self.graph = graph
        self._order = {
            artifact: index
            for index, artifact in enumerate(
                a for name in graph.topological_order for a in graph.phase(name).produces
            )
        }

    def plan(
        self,
        analysis: ImpactAnalysis,
        strategy: Strategy | str,
        artifacts: Sequence[str] = (),
        *,
        confirm: bool = False,
    ) -> RegenerationPlan:
        """Check the choice and plan it.

        Raises:
            RegenerationError: unknown strategy; artifacts given to a strategy that does not
                take them; a manual pick that is empty or names unaffected artifacts; or
                ``ignore`` without ``confirm`` while an affected artifact is HIGH.
        """
        chosen = parse_strategy(strategy)
        affected = analysis.artifacts
        if chosen == Strategy.MANUAL_REVIEW:
            if not artifacts:
                raise RegenerationError(
                    "manual_review needs the artifacts to regenerate, chosen among the affected "
                    f"ones: {', '.join(affected) or 'none'}"
                )
            outside = [a for a in dict.fromkeys(artifacts) if a not in affected]
            if outside:
                raise RegenerationError(
                    f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not affected by "
                    f"the change to {analysis.trigger_artifact} (affected: "
                    f"{', '.join(affected) or 'none'})"
                )
            selected: Sequence[str] = list(dict.fromkeys(artifacts))
        elif artifacts:
            raise RegenerationError(
                f"only manual_review takes a list of artifacts; {chosen} chooses its own"
            )
        else:
            selected = select_for_strategy(analysis.affected, chosen)
        if chosen == Strategy.IGNORE:
            high = analysis.at_level(ImpactLevel.HIGH)
            if high and not confirm:
                raise RegenerationError(
                    f"{len(high)} affected artifact(s) are HIGH ({', '.join(high)}); ignoring "
                    "the change leaves them stale: confirm to ignore it anyway"
                )
            selected = ()

        ordered = tuple(sorted(selected, key=lambda a: self._order.get(a, len(self._order))))
        phases = tuple(
            dict.fromkeys(
                name
                for name in self.graph.topological_order
                for a in ordered
                if a in self.graph.phase(name).produces
            )
        )
        edited = set(analysis.user_edited)
        trigger = analysis.trigger_artifact
        if trigger in self.graph.spec.artifacts:
            changed = frozenset({self.graph.spec.producer_of(trigger).name})
            readers: frozenset[str] = frozenset()
        else:  # an input (the brief, a document, a proposal's edits): the phases reading it
            # run whatever comes out upstream; the artifacts a proposal edited have changed.
            changed = frozenset(self.graph.spec.producer_of(a).name for a in analysis.changed)
            readers = self._direct_readers(analysis, ordered)
        scope = (
            RunScope(
                phases=frozenset(phases),
                artifacts=frozenset(ordered),
                changed=changed,
                required=readers,
            )
            if phases
            else None
        )
        return RegenerationPlan(
            strategy=chosen,
            trigger_artifact=analysis.trigger_artifact,
            artifacts=ordered,
            phases=phases,
            user_edits_replaced=tuple(a for a in ordered if a in edited),
            scope=scope,
        )

    def _direct_readers(self, analysis: ImpactAnalysis, selected: Sequence[str]) -> frozenset[str]:
        """The phases of the selected artifacts that read the input that changed, or an
        artifact changed with it: they run whatever comes out upstream of them."""
        edited = set(analysis.changed)
        readers = set()
        for affected in analysis.affected:
            if affected.artifact not in selected:
                continue
            phase = self.graph.spec.producer_of(affected.artifact).name
            if len(affected.path) == 2 or edited & set(self.graph.inputs_of(phase)):
                readers.add(phase)
        return frozenset(readers)
