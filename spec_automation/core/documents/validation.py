"""Checks on an imported document: the sections its type needs, and the shape of its contents.

Every finding is a sentence with the line it is about: a missing section is reported on the
title line (line 1 when there is no heading), everything else on its own line. An error means
the document cannot be used as its type; a warning is worth a look.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spec_automation.core.documents.model import (
    DocumentType,
    Finding,
    ProposedEdit,
    Requirement,
    Severity,
)
from spec_automation.core.documents.outline import Outline, heading_text
from spec_automation.core.documents.requirements import ReadRequirement
from spec_automation.core.documents.roles import SectionRole

__all__ = [
    "duplicate_identifiers",
    "edit_findings",
    "empty_sections",
    "missing_criteria",
    "missing_section",
    "nothing_read",
    "sorted_findings",
    "unidentified_requirements",
]


def missing_section(
    outline: Outline, document_type: DocumentType, role: SectionRole, *, present: bool
) -> list[Finding]:
    """An error when a section the type needs is absent (``present`` says whether it is)."""
    if present:
        return []
    message = (
        f"The {document_type.label} has no {role.name} section; add one headed '{role.example}'."
    )
    return [Finding(outline.title_line, "error", message)]


def nothing_read(
    outline: Outline, index: int, what: str, *, severity: Severity = "error"
) -> list[Finding]:
    """A finding on a section from which nothing of ``what`` could be read."""
    name = heading_text(outline.sections[index].title)
    return [Finding(outline.sections[index].line, severity, f"The section '{name}' {what}.")]


def empty_sections(outline: Outline) -> list[Finding]:
    """A warning for each heading with neither text nor subsections under it."""
    return [
        Finding(section.line, "warning", f"The section '{heading_text(section.title)}' is empty.")
        for index, section in enumerate(outline.sections)
        if section.level and outline.is_empty(index)
    ]


def duplicate_identifiers(requirements: Iterable[Requirement]) -> list[Finding]:
    """An error for each requirement reusing an identifier an earlier one has."""
    first: dict[str, int] = {}
    findings: list[Finding] = []
    for requirement in requirements:
        identifier = requirement.identifier
        if not identifier:
            continue
        if identifier in first:
            message = (
                f"The identifier {identifier} is used again; it was first used on line "
                f"{first[identifier]}."
            )
            findings.append(Finding(requirement.line, "error", message))
        else:
            first[identifier] = requirement.line
    return findings


def missing_criteria(
    requirements: Iterable[Requirement],
    *,
    noun: str = "requirement",
    criteria: str = "acceptance criteria",
) -> list[Finding]:
    """A warning for each requirement (or feature) with no criteria (or behaviours)."""
    return [
        Finding(r.line, "warning", f"The {noun} {r.identifier} has no {criteria}.")
        for r in requirements
        if not r.acceptance_criteria
    ]


def unidentified_requirements(
    outline: Outline, index: int, read: Sequence[ReadRequirement], assigned: Sequence[Requirement]
) -> list[Finding]:
    """A warning when bulleted requirements have neither identifiers nor numbers."""
    bulleted = [
        new.identifier
        for old, new in zip(read, assigned, strict=True)
        if not old.requirement.identifier and not old.numbered
    ]
    if not bulleted:
        return []
    name = heading_text(outline.sections[index].title)
    listed = bulleted[0] if len(bulleted) == 1 else f"{bulleted[0]} to {bulleted[-1]}"
    message = (
        f"{len(bulleted)} requirement{'s' if len(bulleted) != 1 else ''} in '{name}' "
        f"{'have' if len(bulleted) != 1 else 'has'} neither an identifier nor a number; "
        f"{'they are' if len(bulleted) != 1 else 'it is'} called {listed} in order."
    )
    return [Finding(outline.sections[index].line, "warning", message)]


def edit_findings(edits: Iterable[ProposedEdit]) -> list[Finding]:
    """An error for an edit that names no artifact, a warning for one that says no change."""
    findings: list[Finding] = []
    for edit in edits:
        if not edit.target:
            message = (
                "This proposed edit names no artifact; name the file it changes, such as prd.md."
            )
            findings.append(Finding(edit.line, "error", message))
        elif not edit.change:
            message = f"The proposed edit to {edit.target} does not say what to change."
            findings.append(Finding(edit.line, "warning", message))
    return findings


def sorted_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings by line, errors before warnings on the same line, each once."""
    return tuple(
        sorted(dict.fromkeys(findings), key=lambda f: (f.line, f.severity != "error", f.message))
    )
