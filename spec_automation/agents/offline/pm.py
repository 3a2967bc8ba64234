"""The product manager: prd.md, user-flows.md and epics.md.

Requirements are numbered one per feature of analysis.md (or of the brief). Flows and epics
read the requirements back from prd.md, so a requirement a person adds there is carried on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from spec_automation.agents.brief import Brief
from spec_automation.agents.offline.imported import ImportedRequirement, imported_requirements
from spec_automation.agents.offline.stack import stack_from_inputs
from spec_automation.agents.offline.upstream import (
    Requirement,
    features_from_inputs,
    group_by_theme,
    requirements_from_features,
    requirements_from_inputs,
)
from spec_automation.core.documents.readers import SourceDocument

__all__ = ["write_epics", "write_prd", "write_user_flows"]


def write_prd(
    brief: Brief, inputs: Mapping[str, str], documents: Sequence[SourceDocument] = ()
) -> str:
    """Write prd.md: overview, personas, one ``FR-n`` per feature (or per requirement of an
    imported PRD or functional spec, its identifier kept), ``NFR-n``, out of scope."""
    everything = imported_requirements(documents)
    imported = [i for i in everything if not _non_functional_id(i)]
    blocks = (
        [_imported_block(i, brief) for i in imported]
        if imported
        else [_requirement_block(r, brief) for r in _requirements(brief, inputs, documents)]
    )
    stack = stack_from_inputs(inputs, brief)
    parts = [
        f"# Product requirements: {brief.name}",
        "## Overview",
        brief.summary,
        f"Built on: {stack.text}." if stack.layers else "",
        "## Personas",
        "\n".join(f"- **{p.name}**: {p.need}" for p in brief.users)
        or "- **Primary user**: to be confirmed with the product owner.",
        "## Functional requirements",
        _sources(imported),
        "\n\n".join(blocks) or "No features were found in the analysis or the brief.",
        "## Non-functional requirements",
        _non_functional(brief, [i for i in everything if _non_functional_id(i)]),
        "## Out of scope",
        _out_of_scope(brief),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def write_user_flows(
    brief: Brief, inputs: Mapping[str, str], documents: Sequence[SourceDocument] = ()
) -> str:
    """Write user-flows.md: one flow per Must/Should requirement (all of them if few)."""
    requirements = _requirements(brief, inputs, documents)
    major = [r for r in requirements if r.priority not in {"Could", "Won't"}] or requirements
    actor = brief.users[0].name if brief.users else "The user"
    flows = [_flow(r, actor) for r in major]
    parts = [
        f"# User flows: {brief.name}",
        "Each flow is the shortest path a user takes to get value from one requirement.",
        "## Flows",
        "\n\n".join(flows) or "No requirements yet, so no flows.",
    ]
    return "\n\n".join(parts) + "\n"


def write_epics(brief: Brief, inputs: Mapping[str, str]) -> str:
    """Write epics.md: requirements of prd.md grouped by theme, each in exactly one epic."""
    requirements = requirements_from_inputs(inputs, brief)
    blocks = []
    for index, (theme, members) in enumerate(group_by_theme(requirements), start=1):
        blocks.append(_epic_block(index, theme, members))
    parts = [
        f"# Epics: {brief.name}",
        f"{len(requirements)} requirements grouped into {len(blocks)} epics by theme. "
        "Every requirement belongs to exactly one epic.",
        "## Epics",
        "\n\n".join(blocks) or "No requirements were found in prd.md.",
    ]
    return "\n\n".join(parts) + "\n"


def _requirements(
    brief: Brief, inputs: Mapping[str, str], documents: Sequence[SourceDocument]
) -> list[Requirement]:
    """The requirements of the imported documents when they have any, else one per feature."""
    imported = [i for i in imported_requirements(documents) if not _non_functional_id(i)]
    if imported:
        return [
            Requirement(i.requirement.identifier, i.title, i.requirement.statement, _priority(i))
            for i in imported
        ]
    return requirements_from_features(features_from_inputs(inputs, brief))


def _non_functional_id(imported: ImportedRequirement) -> bool:
    """Whether an imported requirement is a non-functional one (``NFR-n``)."""
    return imported.requirement.identifier.upper().startswith("NFR")


def _priority(imported: ImportedRequirement) -> str:
    return imported.requirement.priority or "Should"


def _sources(imported: Sequence[ImportedRequirement]) -> str:
    if not imported:
        return ""
    names = sorted({i.document for i in imported})
    return (
        f"The requirements below are those of {', '.join(names)}, with their identifiers, "
        "priorities and acceptance criteria as written there."
    )


def _imported_block(imported: ImportedRequirement, brief: Brief) -> str:
    requirement = imported.requirement
    criteria = [f"  - {c}" for c in requirement.acceptance_criteria] or [
        f"  - Given a signed-in {_actor(brief)}, when they use {imported.title.lower()}, "
        "then the result is saved and shown at once.",
    ]
    return "\n".join(
        [
            f"### {requirement.identifier}: {imported.title}",
            "",
            f"- Statement: {requirement.statement}",
            f"- Priority: {_priority(imported)}",
            f"- Source: {imported.source}",
            "- Acceptance criteria:",
            *criteria,
        ]
    )


def _actor(brief: Brief) -> str:
    return brief.users[0].name.lower() if brief.users else "user"


def _requirement_block(requirement: Requirement, brief: Brief) -> str:
    actor = brief.users[0].name.lower() if brief.users else "user"
    return "\n".join(
        [
            f"### {requirement.id}: {requirement.title}",
            "",
            f"- Statement: {requirement.statement}",
            f"- Priority: {requirement.priority}",
            "- Acceptance criteria:",
            f"  - Given a signed-in {actor}, when they use {requirement.title.lower()}, "
            "then the result is saved and shown at once.",
            "  - Invalid input is rejected with a message that says how to fix it.",
            "  - The action is recorded with who did it and when.",
        ]
    )


def _non_functional(brief: Brief, imported: Sequence[ImportedRequirement] = ()) -> str:
    if imported:
        return "\n".join(
            f"- **{i.requirement.identifier}**: {i.requirement.statement} (from {i.source})"
            for i in imported
        )
    needs = list(brief.non_functional) or [
        "Pages and screens respond within 1 second for 95% of requests.",
        "Personal data is encrypted in transit and at rest.",
        "The interface meets WCAG 2.2 AA.",
    ]
    return "\n".join(f"- **NFR-{i}**: {need}" for i, need in enumerate(needs, start=1))


def _out_of_scope(brief: Brief) -> str:
    lines = ["- Features not listed above; new ones enter through a change to this document."]
    if "mobile" not in brief.platforms:
        lines.append("- Native mobile apps (the first release is not mobile-specific).")
    if not brief.integrations:
        lines.append("- Integrations with external systems.")
    return "\n".join(lines)


def _flow(requirement: Requirement, actor: str) -> str:
    subject = requirement.title.lower()
    steps = [
        f"{actor} opens {subject} from the main navigation.",
        "The screen shows current data and the primary action.",
        f"{actor} completes the action ({requirement.statement.rstrip('.')}).",
        "The system validates the input and saves it.",
        "A confirmation shows what changed; people affected are notified.",
    ]
    numbered = "\n".join(f"{i}. {step}" for i, step in enumerate(steps, start=1))
    return f"### Flow: {requirement.title} ({requirement.id})\n\n{numbered}"


def _epic_block(index: int, theme: str, members: Sequence[Requirement]) -> str:
    ids = ", ".join(r.id for r in members)
    title = theme.replace("-", " ").capitalize()
    goal = "Deliver " + "; ".join(r.title.lower() for r in members) + " end to end."
    listed = "\n".join(f"- {r.id}: {r.title} ({r.priority})" for r in members)
    return f"### E-{index}: {title}\n\nRequirements: {ids}\n\nGoal: {goal}\n\n{listed}"
