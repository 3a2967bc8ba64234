"""The generic author: any artifact of a role or name the offline provider does not know.

A user-defined spec may add phases such as a security review. The artifact is built from the
phase description (what the phase is for) and a digest of its inputs (their headings and key
items), so it is grounded in the project rather than boilerplate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from spec_automation.agents.artifact_text import bullets, sections
from spec_automation.agents.brief import Brief
from spec_automation.agents.offline.upstream import artifact
from spec_automation.core.spec import PhaseSpec

__all__ = ["artifact_title", "write_generic"]

_KEY_ITEM = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+)?\**((?:FR|NFR|F|E|T)-\d+)\b\**[:\s·.—–-]*(.*)$")
_MAX_ITEMS = 12


def artifact_title(name: str) -> str:
    """A readable title from an artifact file name ("threat-model.md" → "Threat model")."""
    stem = re.sub(r"\.md$", "", name)
    words = re.sub(r"[-_.]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Artifact"


def write_generic(
    phase: PhaseSpec, artifact_name: str, brief: Brief, inputs: Mapping[str, str]
) -> str:
    """Write an artifact from the phase description, the brief and a digest of the inputs."""
    digest = [_digest(name, artifact(inputs, name)) for name in sorted(inputs)]
    key_items = [item for name in sorted(inputs) for item in _key_items(artifact(inputs, name))]
    parts = [
        f"# {artifact_title(artifact_name)}: {brief.name}",
        "## Purpose",
        f"{phase.description} (phase {phase.name}, run by the {phase.agent.replace('_', ' ')}).",
        "## Context",
        brief.summary,
        "## Inputs reviewed",
        "\n\n".join(digest) or "No upstream artifacts were given; this draws on the brief only.",
        "## Findings",
        _findings(phase, key_items, brief),
        "## Next steps",
        f"- Review each finding against the purpose: {phase.description}\n"
        "- Record decisions in this artifact and regenerate the artifacts downstream of it.",
    ]
    return "\n\n".join(parts) + "\n"


def _digest(name: str, body: str) -> str:
    headings = [s.title for s in sections(body) if s.level == 2]
    items = _key_items(body)[:_MAX_ITEMS] or bullets(body)[:5]
    lines = [f"### {name}", "", f"- Sections: {', '.join(headings) or 'none'}"]
    lines += [f"- {item}" for item in items]
    return "\n".join(lines)


def _key_items(body: str) -> list[str]:
    found: dict[str, str] = {}
    for line in body.splitlines():
        match = _KEY_ITEM.match(line)
        if match and match.group(1) not in found:
            found[match.group(1)] = f"{match.group(1)}: {match.group(2).strip(' *')}".rstrip(": ")
    return list(found.values())


def _findings(phase: PhaseSpec, key_items: list[str], brief: Brief) -> str:
    focus = phase.description.rstrip(".").lower()
    subjects = key_items[:_MAX_ITEMS] or [f.title for f in brief.features[:_MAX_ITEMS]]
    if not subjects:
        return f"- Nothing to review yet for: {focus}."
    return "\n".join(f"- {subject} — check against: {focus}." for subject in subjects)
