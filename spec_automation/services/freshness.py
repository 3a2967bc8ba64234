"""Where the project's artifacts stand now, judged by content (``core.staleness``): the facts
the store and the disk give, and what each phase's artifacts would be made from today."""

from __future__ import annotations

from spec_automation.agents.prompts import PromptError, PromptLibrary
from spec_automation.core.artifacts import content_hash
from spec_automation.core.spec import phase_fingerprint
from spec_automation.core.staleness import (
    BRIEF,
    CONSTITUTION,
    PHASE_SPEC,
    PROMPT,
    ArtifactFacts,
    ArtifactState,
    artifact_states,
)
from spec_automation.services.context import ProjectState
from spec_automation.store import queries

__all__ = ["context_inputs", "current_states", "inputs_now"]


def context_inputs(project: ProjectState) -> dict[str, dict[str, str]]:
    """Per phase, the hashes of its inputs that are not artifacts: the brief, the
    constitution, its definition in the spec and its agent's prompt."""
    brief = content_hash(_text(project, "brief.md"))
    constitution = content_hash(_text(project, "constitution.md"))
    prompts = PromptLibrary()
    context: dict[str, dict[str, str]] = {}
    for phase in project.spec.phases.values():
        try:
            prompt = prompts.role(phase.agent).version
        except PromptError:
            prompt = ""  # a broken prompt file fails the phase when it runs, with the reason
        context[phase.name] = {
            BRIEF: brief,
            CONSTITUTION: constitution,
            PHASE_SPEC: phase_fingerprint(phase),
            PROMPT: prompt,
        }
    return context


def current_states(project: ProjectState) -> dict[str, ArtifactState]:
    """Every artifact of the spec with its state: missing, generated, edited, stale or
    failed, with the reasons."""
    stored = project.history.current()
    failures = queries.last_failures(project.db, project.project_id)
    facts = {}
    for name in project.spec.artifacts:
        phase = project.spec.producer_of(name).name
        version = stored.get(name)
        facts[name] = ArtifactFacts(
            name=name,
            phase=phase,
            content_hash=version.content_hash if version else None,
            made_from=version.made_from if version else None,
            user_edited=bool(version and version.user_edited),
            kept=bool(version and version.kept),
            failed=failures.get(phase, ""),
        )
    return artifact_states(project.graph, facts, context_inputs(project))


def inputs_now(project: ProjectState, phase: str) -> dict[str, str]:
    """What ``phase``'s artifacts would be made from today: its input artifacts' current
    hashes and its context inputs (recorded when a user's edit is kept as the artifact)."""
    stored = project.history.current()
    made = {
        name: stored[name].content_hash
        for name in project.graph.inputs_of(phase)
        if name in stored
    }
    return {**made, **context_inputs(project)[phase]}


def _text(project: ProjectState, name: str) -> str:
    try:
        return project.paths.read_text(project.paths.root / name)
    except (OSError, UnicodeDecodeError):
        return ""
