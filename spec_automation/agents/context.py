"""Context builders: which upstream artifacts a phase is given, and in what blocks.

A phase gets the bodies (front matter removed) of the upstream artifacts it builds on, after
the project-wide blocks (constitution, then brief), in one order for the whole workflow: the
artifacts most phases read first. That order is the point: phases send the same leading
blocks, so the provider's prompt cache serves the shared prefix once written. Cache
breakpoints go after the brief (shared by every phase), after the last artifact (the prefix a
phase's dependents start with), and where the context so far is another phase's whole context
(the prefix a phase running beside it shares).

When the context would exceed the budget, the artifacts furthest upstream are left out first:
the phase's direct inputs were written from them and carry what matters.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from spec_automation.agents.artifact_text import strip_front_matter
from spec_automation.core.artifacts import content_hash
from spec_automation.core.documents.readers import SourceDocument
from spec_automation.core.graph import WorkflowGraph
from spec_automation.llm.offline import estimate_tokens
from spec_automation.llm.provider import MAX_CACHE_POINTS, ContextBlock, ProviderRequest

__all__ = [
    "DEFAULT_CONTEXT_BUDGET",
    "PhaseContext",
    "PrefixWarmup",
    "build_context",
    "context_order",
    "input_bodies",
    "input_hashes",
    "phase_contexts",
]

#: Tokens of shared context a phase may be given (well inside every Claude model's window).
DEFAULT_CONTEXT_BUDGET = 120_000


@dataclass(frozen=True, slots=True)
class PhaseContext:
    """The shared blocks of one phase's request and the artifacts they carry."""

    blocks: tuple[ContextBlock, ...]
    artifacts: tuple[str, ...]  # the upstream artifacts included, in order
    left_out: tuple[str, ...]  # upstream artifacts dropped to stay within the budget


def context_order(graph: WorkflowGraph) -> tuple[str, ...]:
    """Every artifact of the workflow in the order context blocks are sent.

    Artifacts read by more phases come first (ties in topological order), so the blocks most
    phases share form the common prefix and a side branch's artifacts (design tokens, say)
    do not split the prefix of the main line that follows it.
    """
    position = {name: i for i, name in enumerate(graph.topological_order)}
    readers = {
        artifact: len(graph.downstream(phase))
        for phase in graph.topological_order
        for artifact in graph.phase(phase).produces
    }
    return tuple(
        sorted(
            readers,
            key=lambda a: (-readers[a], position[graph.spec.producer_of(a).name]),
        )
    )


def phase_contexts(graph: WorkflowGraph, order: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each phase's artifact list, in the order it is sent (see ``build_context``).

    A fanned-out phase's calls leave out the artifact they split (each gets its own item in
    its task), so their shared context is the rest.
    """
    rank = {name: i for i, name in enumerate(order)}
    sent: dict[str, tuple[str, ...]] = {}
    for name in graph.topological_order:
        phase = graph.phase(name)
        split = phase.fan_out.source if phase.fan_out is not None else None
        inputs = sorted(
            (a for a in graph.inputs_of(name) if a != split),
            key=lambda a: rank.get(a, len(rank)),
        )
        upstream = [sent[other] for other in sorted(graph.upstream(name))]
        sent[name] = _leading_with_contained(inputs, upstream)
    return sent


def _leading_with_contained(
    names: Sequence[str], others: Collection[tuple[str, ...]]
) -> tuple[str, ...]:
    """``names`` led by the longest of ``others`` (the contexts of phases upstream) that they
    hold entirely, in that context's order.

    A phase that reads everything an earlier phase read (the validator, after the tasks) then
    starts with that phase's whole context, a prefix the provider has cached by then,
    instead of parting from it at the first artifact the global order puts elsewhere. At equal
    length, a context that leads already wins (nothing moves), then the first by name.
    """
    held = set(names)
    contained = [other for other in others if 0 < len(other) < len(names) and held >= set(other)]
    if not contained:
        return tuple(names)
    best = max(
        contained, key=lambda other: (len(other), tuple(names[: len(other)]) == other, other)
    )
    return (*best, *(name for name in names if name not in best))


def input_bodies(inputs: Mapping[str, str]) -> dict[str, str]:
    """Upstream artifact bodies without front matter, in the order given."""
    return {name: strip_front_matter(content).strip() for name, content in inputs.items()}


def input_hashes(inputs: Mapping[str, str]) -> dict[str, str]:
    """SHA-256 of each upstream artifact's body: what the response cache keys on.

    Front matter is left out on purpose: it changes every run (time, run id) while the text
    a phase reads does not.
    """
    return {name: content_hash(body) for name, body in input_bodies(inputs).items()}


def build_context(
    *,
    project_name: str,
    brief: str,
    constitution: str,
    inputs: Mapping[str, str],
    documents: Sequence[SourceDocument] = (),
    direct: Sequence[str] = (),
    order: Sequence[str] = (),
    shared_prefixes: Collection[tuple[str, ...]] = (),
    budget_tokens: int = DEFAULT_CONTEXT_BUDGET,
) -> PhaseContext:
    """The shared context blocks of one phase.

    Args:
        project_name: shown with the brief.
        brief: the project brief as written.
        constitution: the project's non-negotiable principles ('' when it has none).
        inputs: upstream artifact → full content, in topological order (as the engine gives).
        documents: the imported documents the phase reads (after the brief, in this order).
        direct: the artifacts of the phase's direct dependencies (kept when over budget).
        order: the workflow's context order (``context_order``); others keep theirs, after.
        shared_prefixes: the artifact lists other phases are sent (``phase_contexts``).
        budget_tokens: the most shared-context tokens to send.
    """
    project: list[ContextBlock] = []
    if constitution.strip():
        project.append(
            ContextBlock(
                "constitution",
                "<constitution>\nThe project's non-negotiable principles:\n\n"
                f"{constitution.strip()}\n</constitution>",
            )
        )
    project.append(
        ContextBlock(
            "brief",
            f'<brief project="{project_name}">\n{brief.strip()}\n</brief>',
            cache_point=True,
        )
    )
    project.extend(
        ContextBlock(
            document.name,
            f'<document name="{document.name}" type="{document.type.value}">\n'
            f"{document.text.strip()}\n</document>",
        )
        for document in documents
    )
    bodies = input_bodies(inputs)
    rank = {name: i for i, name in enumerate(order)}
    chosen = sorted(bodies, key=lambda a: rank.get(a, len(rank)))
    used = sum(estimate_tokens(b.text) for b in project)
    left_out: list[str] = []
    while chosen and used + sum(estimate_tokens(bodies[a]) for a in chosen) > budget_tokens:
        # Drop the furthest-upstream artifact that is not a direct input; direct ones last.
        victim = next((a for a in chosen if a not in direct), chosen[0])
        chosen.remove(victim)
        left_out.append(victim)
    points = _artifact_cache_points(chosen, shared_prefixes)
    artifacts = tuple(
        ContextBlock(
            name,
            f'<artifact name="{name}">\n{bodies[name]}\n</artifact>',
            cache_point=index in points,
        )
        for index, name in enumerate(chosen)
    )
    return PhaseContext((*project, *artifacts), tuple(chosen), tuple(left_out))


def _artifact_cache_points(
    chosen: Sequence[str], shared_prefixes: Collection[tuple[str, ...]]
) -> set[int]:
    """Indices of artifact blocks that end a cached prefix.

    The last block always does (the phases downstream start with this whole context). The
    others go where the context so far is exactly another phase's whole context, longest
    first: a phase running beside that one (or after it) then reads the prefix it wrote.
    """
    if not chosen:
        return set()
    points = {len(chosen) - 1}
    candidates = {
        shared - 1
        for other in shared_prefixes
        if 0 < (shared := _common_length(chosen, other)) < len(chosen)
    }
    points.update(sorted(candidates, reverse=True)[: MAX_CACHE_POINTS - 2])
    return points


class PrefixWarmup:
    """Lets a phase whose context starts like one already being sent wait for that reply.

    The prompt cache serves a prefix only after the first request that wrote it has started
    replying; phases sent at the same moment would each pay to write the same blocks. So a
    request whose leading blocks match a cache point of a request still in flight waits until
    that request's reply starts (its first tokens, or its end), then goes out and reads the
    prefix from the cache. The wait is bounded by ``max_wait_s``; requests never wait on a
    later one, so no two can wait on each other.
    """

    def __init__(self, *, max_wait_s: float = 60.0) -> None:
        self.max_wait_s = max_wait_s
        self._writers: dict[str, asyncio.Event] = {}

    async def enter(self, request: ProviderRequest, model: str) -> Callable[[], None]:
        """Wait while a request in flight writes our prefix; return "my reply has started"."""
        prefixes, points = _prefix_hashes(request, model)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.max_wait_s):
                # Again after each wait: a sibling that waited on the same writer may have
                # gone out first with a longer prefix of ours.
                while writer := self._longest_in_flight(prefixes):
                    await writer.wait()
        started = asyncio.Event()
        for point in points:
            # A prefix already written (or being written) by another request is read, not
            # written, by this one.
            self._writers.setdefault(point, started)
        return started.set

    def _longest_in_flight(self, prefixes: Sequence[str]) -> asyncio.Event | None:
        for prefix in reversed(prefixes):
            writer = self._writers.get(prefix)
            if writer is not None and not writer.is_set():
                return writer
        return None


def _prefix_hashes(request: ProviderRequest, model: str) -> tuple[list[str], list[str]]:
    """Hashes of every leading run of blocks, and of those ending at a cache point."""
    running = hashlib.sha256(model.encode())
    running.update(hashlib.sha256(request.system.encode()).digest())
    prefixes = [running.hexdigest()]
    # The system prompt is a cache point of its own only when nothing after it is.
    points = [] if any(b.cache_point for b in request.shared) else [prefixes[0]]
    for block in request.shared:
        running.update(hashlib.sha256(block.text.encode()).digest())
        prefixes.append(running.hexdigest())
        if block.cache_point:
            points.append(prefixes[-1])
    return prefixes, points


def _common_length(first: Sequence[str], second: Sequence[str]) -> int:
    """How many leading artifacts two contexts share."""
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length
