"""Where each artifact stands, decided by content, and what a run must do to bring the
project up to date.

Every stored version records what it was made from (``made_from``): the content hash of each
input artifact, of the brief and the constitution, of its phase's definition in the spec and
of its agent's prompt. An artifact is **stale** when one of those differs from what it is now,
or when an artifact it was made from is stale itself (after an edit to prd.md, tasks.md is out
of date too, although it reads prd.md only through epics.md). An edit that is undone leaves
the hashes as they were, so it makes nothing stale; a rollback restores what the restored
content was made from, so staleness follows it.

An artifact carrying the user's edits is **edited**; the edit is *kept* once the user chose
to keep it as the artifact (a run with "keep my edits", or a regeneration from it), and until
then a run would have to decide about it. One function decides all of this for the CLI and
the GUI alike.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.project_texts import BRIEF, CONSTITUTION, INPUTS_PREFIX

__all__ = [
    "ArtifactFacts",
    "ArtifactState",
    "ArtifactStatus",
    "RunPlan",
    "artifact_states",
    "input_words",
    "plan_run",
]

#: Inputs every phase has besides artifacts (keys of ``made_from``).
PHASE_SPEC, PROMPT = "phase spec", "prompt"  # besides BRIEF and CONSTITUTION


class ArtifactStatus(enum.StrEnum):
    """What an artifact is, in one word."""

    MISSING = "missing"  # never generated
    GENERATED = "generated"  # as its phase last wrote it, up to date
    EDITED = "edited"  # carries the user's edits, up to date
    STALE = "stale"  # made from something that changed since (or is stale itself)
    FAILED = "failed"  # its phase's last attempt failed or was blocked


@dataclass(frozen=True, slots=True)
class ArtifactFacts:
    """What the store knows of an artifact's current version."""

    name: str
    phase: str
    content_hash: str | None  # None: never stored
    made_from: Mapping[str, str] | None  # input -> hash when made; None: not known
    user_edited: bool = False  # the current content is the user's, not what the phase wrote
    kept: bool = False  # the user chose to keep that edit as the artifact
    failed: str = ""  # why its phase's last attempt failed or was blocked ('' if it did not)


@dataclass(frozen=True, slots=True)
class ArtifactState:
    """Where one artifact stands, with the reasons in words."""

    name: str
    phase: str
    status: ArtifactStatus
    reason: str = ""  # why it is stale or failed
    edited: bool = False  # carries the user's edits (kept or not)
    edit_kept: bool = False  # the user chose to keep them
    stale: bool = False  # made from something that changed (also when failed or edited)


@dataclass(frozen=True, slots=True)
class RunPlan:
    """What a run must do to bring the project up to date, and why."""

    reasons: Mapping[str, str]  # phase -> why it runs, in workflow order
    required: frozenset[str]  # phases that run whatever comes out upstream
    edits_at_risk: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Phases that would rewrite artifacts carrying the user's edits -> those artifacts."""
    kept: frozenset[str] = frozenset()
    """Artifacts carrying the user's edits that the run keeps: it must not write them."""

    @property
    def phases(self) -> tuple[str, ...]:
        """The phases to run, in workflow order."""
        return tuple(self.reasons)

    @property
    def up_to_date(self) -> bool:
        """Nothing to run."""
        return not self.reasons


def input_words(key: str) -> str:
    """How an input of ``made_from`` is named in a reason."""
    return {
        BRIEF: "the brief",
        CONSTITUTION: "the constitution",
        PHASE_SPEC: "its phase's definition in the spec",
        PROMPT: "its agent's prompt",
    }.get(key, f"the imported document {key}" if key.startswith(INPUTS_PREFIX) else key)


def artifact_states(
    graph: WorkflowGraph,
    facts: Mapping[str, ArtifactFacts],
    current_context: Mapping[str, Mapping[str, str]],
) -> dict[str, ArtifactState]:
    """Each artifact of the graph with its state, in workflow order.

    ``current_context`` gives, per phase, the current hash of each of its non-artifact inputs
    (brief, constitution, phase spec, prompt); artifact inputs are compared with the current
    versions in ``facts``. Only inputs recorded in ``made_from`` are compared, so a version
    from before an input was recorded is judged on what it does record.
    """
    upstream: dict[str, set[str]] = {}
    for source, targets in graph.artifact_graph.items():
        for target in targets:
            upstream.setdefault(target, set()).add(source)
    states: dict[str, ArtifactState] = {}
    for phase in graph.topological_order:
        context = current_context.get(phase, {})
        for name in graph.phase(phase).produces:
            fact = facts.get(name) or ArtifactFacts(name, phase, None, None)
            reasons = _changed_inputs(fact, facts, context)
            stale_inputs = sorted(
                s for s in upstream.get(name, ()) if s in states and states[s].stale
            )
            if stale_inputs and fact.content_hash is not None and not reasons:
                reasons.append("made from " + ", ".join(stale_inputs) + ", out of date itself")
            stale = bool(reasons) and fact.content_hash is not None
            if fact.failed:
                status, reason = ArtifactStatus.FAILED, fact.failed
            elif fact.content_hash is None:
                status, reason = ArtifactStatus.MISSING, ""
            elif stale:
                status, reason = ArtifactStatus.STALE, "; ".join(reasons)
            elif fact.user_edited:
                status, reason = ArtifactStatus.EDITED, ""
            else:
                status, reason = ArtifactStatus.GENERATED, ""
            states[name] = ArtifactState(
                name,
                phase,
                status,
                reason,
                edited=fact.user_edited,
                edit_kept=fact.user_edited and fact.kept,
                stale=stale,
            )
    return states


def _changed_inputs(
    fact: ArtifactFacts, facts: Mapping[str, ArtifactFacts], context: Mapping[str, str]
) -> list[str]:
    if fact.made_from is None or fact.content_hash is None:
        return []
    reasons = []
    for key, made in sorted(fact.made_from.items()):
        if key in facts:
            now = facts[key].content_hash
            if now is None:
                reasons.append(f"{key} is gone")
            elif now != made:
                reasons.append(f"{key} changed since it was made")
        elif key in context and context[key] != made:
            reasons.append(f"{input_words(key)} changed since it was made")
        elif key.startswith(INPUTS_PREFIX) and key not in context:
            reasons.append(f"{input_words(key)} is no longer read")
    for key in sorted(context):  # a document imported since: made without it
        if key.startswith(INPUTS_PREFIX) and key not in fact.made_from:
            reasons.append(f"{input_words(key)} was imported since it was made")
    return reasons


def plan_run(
    graph: WorkflowGraph,
    states: Mapping[str, ArtifactState],
    *,
    everything: bool = False,
    keep: frozenset[str] = frozenset(),
) -> RunPlan:
    """The phases a run must run, with the reason for each.

    A phase runs when one of its artifacts is missing, failed, stale, or carries an edit the
    user has not decided about yet (``everything``: every phase runs). Artifacts in ``keep``
    carry edits the user keeps for this run: they give no reason to run and are not written.
    So are edits the user chose to keep before that are still current (an imported PRD used
    as ``prd.md``, say): rewriting them from the same inputs would undo that choice; once an
    input changes they are stale and at risk again, and ``everything`` puts them at risk too.
    A phase stale only because something upstream is stale is not *required*: the run skips
    it if what it was made from comes out unchanged. ``edits_at_risk`` lists, for each phase
    to run, the artifacts with the user's edits that running it would rewrite.
    """
    reasons: dict[str, str] = {}
    required: set[str] = set()
    edits: dict[str, tuple[str, ...]] = {}
    if not everything:
        keep = keep | {name for name, s in states.items() if s.edit_kept and not s.stale}
    for phase in graph.topological_order:
        produced = [states[a] for a in graph.phase(phase).produces if a not in keep]
        needing = [(state, why) for state in produced if (why := _why(state))]
        if not needing and not (everything and produced):
            continue
        reasons[phase] = needing[0][1] if needing else "every phase runs (--all)"
        if everything or not all(_only_upstream(state) for state, _ in needing):
            required.add(phase)
        edited = tuple(state.name for state in produced if state.edited)
        if edited:
            edits[phase] = edited
    return RunPlan(
        reasons=reasons, required=frozenset(required), edits_at_risk=edits, kept=frozenset(keep)
    )


def _why(state: ArtifactState) -> str:
    """Why a run must remake this artifact ('' when it need not)."""
    if state.status == ArtifactStatus.MISSING:
        return f"{state.name} is missing"
    if state.status == ArtifactStatus.FAILED:
        return f"{state.name}: its last run failed ({state.reason})"
    if state.stale:
        return f"{state.name} is stale: {state.reason}"
    if state.edited and not state.edit_kept:
        return f"{state.name} carries your edits (keep them, or let the phase rewrite it)"
    return ""


def _only_upstream(state: ArtifactState) -> bool:
    """Stale only because an input is stale itself (nothing it was made from changed)."""
    return state.stale and all(part.startswith("made from ") for part in state.reason.split("; "))
