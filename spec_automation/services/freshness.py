"""Where the project's artifacts stand now, judged by content (``core.staleness``): the facts
the store and the disk give, and what each phase's artifacts would be made from today."""

from __future__ import annotations

from spec_automation.agents.prompts import PromptError, PromptLibrary
from spec_automation.core.artifacts import content_hash
from spec_automation.core.documents.model import DocumentType
from spec_automation.core.documents.readers import SourceDocument, documents_for
from spec_automation.core.project_texts import BRIEF, CONSTITUTION
from spec_automation.core.spec import phase_fingerprint
from spec_automation.core.staleness import (
    PHASE_SPEC,
    PROMPT,
    ArtifactFacts,
    ArtifactState,
    artifact_states,
)
from spec_automation.services.context import ProjectState
from spec_automation.store import queries
from spec_automation.store.documents import DocumentStore
from spec_automation.workspace import MAX_DOCUMENT_BYTES, read_text_inside

__all__ = ["context_inputs", "current_states", "inputs_now", "source_documents"]


def context_inputs(project: ProjectState) -> dict[str, dict[str, str]]:
    """Per phase, the hashes of its inputs that are not artifacts: the brief, the
    constitution, the imported documents its agent reads, its definition in the spec and its
    agent's prompt."""
    brief = content_hash(_text(project, BRIEF))
    constitution = content_hash(_text(project, CONSTITUTION))
    documents = source_documents(project)
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
            **{d.name: content_hash(d.text) for d in documents_for(phase.agent, documents)},
        }
    return context


def source_documents(project: ProjectState) -> tuple[SourceDocument, ...]:
    """The imported documents as their files in ``inputs/`` hold them now (a document whose
    file is gone or unreadable is left out: no phase can read it)."""
    root = project.paths.root
    documents = []
    for record in DocumentStore(project.db, project.project_id, project.history).documents():
        try:
            text = read_text_inside(root, root / record.path, limit=MAX_DOCUMENT_BYTES)
        except (OSError, UnicodeDecodeError):
            continue
        documents.append(SourceDocument(record.path, DocumentType(record.doc_type), text))
    return tuple(documents)


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
        name: stored[name].content_hash for name in project.graph.inputs_of(phase) if name in stored
    }
    return {**made, **context_inputs(project)[phase]}


def _text(project: ProjectState, name: str) -> str:
    try:
        return project.paths.read_text(project.paths.root / name)
    except (OSError, UnicodeDecodeError):
        return ""
