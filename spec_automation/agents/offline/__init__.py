"""The offline authors: genuinely useful artifacts with no network and no API key.

``author_artifacts`` dispatches by artifact file name to one author per known default
artifact, and to the generic author for anything else. Every author reads the brief and the
actual content of its upstream artifacts, and is deterministic: same inputs, same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from spec_automation.agents.brief import Brief
from spec_automation.agents.offline import (
    analyst,
    architect,
    designer,
    developer,
    pm,
    scrum_master,
    validator,
)
from spec_automation.agents.offline.generic import write_generic
from spec_automation.core.documents.readers import SourceDocument
from spec_automation.core.fan_out import FanOutItem
from spec_automation.core.spec import PhaseSpec

__all__ = ["author_artifacts"]

_Author = Callable[[Brief, Mapping[str, str]], str]
_DocumentAuthor = Callable[[Brief, Mapping[str, str], Sequence[SourceDocument]], str]

#: Authors that also build on the imported documents.
_DOCUMENT_AUTHORS: dict[
    str, Callable[[Brief, Mapping[str, str], Sequence[SourceDocument]], str]
] = {
    "prd.md": pm.write_prd,
    "user-flows.md": pm.write_user_flows,
}

_AUTHORS: dict[str, _Author] = {
    "analysis.md": analyst.write_analysis,
    "stack.md": architect.write_stack,
    "design-tokens.md": designer.write_design_tokens,
    "architecture.md": architect.write_architecture,
    "data-model.md": architect.write_data_model,
    "api-spec.md": architect.write_api_spec,
    "component-mapping.md": designer.write_component_mapping,
    "journey-maps.md": designer.write_journey_maps,
    "dependencies.md": architect.write_dependencies,
    "epics.md": pm.write_epics,
    "tasks.md": scrum_master.write_tasks,
    "validation-report.md": validator.write_validation_report,
    "handoff.md": validator.write_handoff,
}

#: Authors of one part of an artifact a phase writes one item at a time.
_ITEM_AUTHORS: dict[str, Callable[[Brief, Mapping[str, str], FanOutItem], str]] = {
    "tasks.md": scrum_master.write_tasks_part,
}


def author_artifacts(
    phase: PhaseSpec,
    brief: Brief,
    inputs: Mapping[str, str],
    project_name: str,
    documents: Sequence[SourceDocument] = (),
    item: FanOutItem | None = None,
) -> dict[str, str]:
    """Write the markdown body (no front matter) of every artifact the phase produces.

    Args:
        phase: the phase being run; its ``produces`` names the artifacts.
        brief: the parsed project brief.
        inputs: upstream artifact file name → full file content (front matter included).
        project_name: used as the product name when the brief has no title.
        documents: the imported documents the phase reads (the PM builds on their
            requirements).
        item: for one call of a phase that fans out, the item this call writes (its
            ``inputs`` hold only that item of the split artifact).

    Returns:
        Artifact file name → markdown body, with exactly the keys of ``phase.produces``;
        for an implementation phase also ``code/PATH`` → text, the scaffold's files (its
        first artifact is the manifest listing them).
    """
    if project_name and brief.name == "Untitled product":
        brief = _renamed(brief, project_name)
    if phase.phase_type == "implementation":
        scaffold = developer.write_scaffold(brief, inputs, item)
        first, *rest = phase.produces
        return {
            first: scaffold.manifest,
            **{name: write_generic(phase, name, brief, inputs) for name in rest},
            **{f"code/{path}": text for path, text in scaffold.files.items()},
        }
    bodies: dict[str, str] = {}
    for name in phase.produces:
        if item is not None and name in _ITEM_AUTHORS:
            bodies[name] = _ITEM_AUTHORS[name](brief, inputs, item)
            continue
        if name in _DOCUMENT_AUTHORS:
            bodies[name] = _DOCUMENT_AUTHORS[name](brief, inputs, documents)
            continue
        author = _AUTHORS.get(name)
        bodies[name] = (
            author(brief, inputs) if author else write_generic(phase, name, brief, inputs)
        )
    return bodies


def _renamed(brief: Brief, name: str) -> Brief:
    return replace(brief, name=name)
