"""Which artifacts are out of date with what they were made from, and why.

An artifact is stale when one of its inputs (an artifact directly upstream in the spec's
artifact graph) has a version made after it, or when one of its inputs is stale itself: after
an edit to prd.md, tasks.md is out of date too, although it reads prd.md only through
epics.md. Artifacts are visited in dependency order, so each reason is settled before its
dependents look at it.
"""

from __future__ import annotations

from collections.abc import Mapping

from spec_automation.core.graph import WorkflowGraph

__all__ = ["stale_artifacts"]


def stale_artifacts(graph: WorkflowGraph, made_at: Mapping[str, float]) -> dict[str, str]:
    """Stale artifacts, each with the reason in words.

    ``made_at`` gives, for each artifact that exists, when its current content was made or
    last confirmed unchanged (seconds on any one clock); artifacts missing from it have no
    version and are neither stale nor a reason for staleness.
    """
    upstream: dict[str, set[str]] = {}
    for source, targets in graph.artifact_graph.items():
        for target in targets:
            upstream.setdefault(target, set()).add(source)
    stale: dict[str, str] = {}
    for phase in graph.topological_order:
        for artifact in graph.phase(phase).produces:
            made = made_at.get(artifact)
            if made is None:
                continue
            sources = upstream.get(artifact, set())
            newer = sorted(s for s in sources if s in made_at and made_at[s] > made)
            stale_inputs = sorted(s for s in sources if s in stale and s not in newer)
            reasons = []
            if newer:
                reasons.append("made before the latest " + ", ".join(newer))
            if stale_inputs:
                reasons.append("made from " + ", ".join(stale_inputs) + ", out of date itself")
            if reasons:
                stale[artifact] = "; ".join(reasons)
    return stale
