"""The validator: validation-report.md (requirement coverage) and handoff.md.

Coverage is computed, not asserted: every ``FR-n`` of prd.md is looked up among the task
blocks of tasks.md, and epics are checked to cite only requirements that exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spec_automation.agents.artifact_text import bullets, find_section, sections
from spec_automation.agents.brief import Brief
from spec_automation.agents.offline.upstream import (
    Epic,
    Requirement,
    Task,
    artifact,
    epics_from_inputs,
    requirement_ids,
    requirements_from_inputs,
    tasks_from_inputs,
)

__all__ = ["Coverage", "coverage_of", "write_handoff", "write_validation_report"]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which tasks cover each requirement, and what does not line up."""

    requirements: tuple[Requirement, ...]
    tasks_by_requirement: Mapping[str, tuple[str, ...]]
    uncovered: tuple[str, ...]
    unknown_in_epics: tuple[tuple[str, str], ...]  # (epic id, requirement id)
    not_in_any_epic: tuple[str, ...]
    unknown_in_tasks: tuple[tuple[str, str], ...]  # (task id, requirement id)


def coverage_of(
    requirements: Sequence[Requirement], epics: Sequence[Epic], tasks: Sequence[Task]
) -> Coverage:
    """Cross-check requirements against the epics and tasks that cite them."""
    known = {r.id for r in requirements}
    by_requirement = {
        r.id: tuple(t.id for t in tasks if r.id in t.requirement_ids) for r in requirements
    }
    in_epics = {rid for epic in epics for rid in epic.requirement_ids}
    return Coverage(
        requirements=tuple(requirements),
        tasks_by_requirement=by_requirement,
        uncovered=tuple(rid for rid, cited in by_requirement.items() if not cited),
        unknown_in_epics=tuple(
            (e.id, rid) for e in epics for rid in e.requirement_ids if rid not in known
        ),
        not_in_any_epic=tuple(r.id for r in requirements if epics and r.id not in in_epics),
        unknown_in_tasks=tuple(
            (t.id, rid) for t in tasks for rid in t.requirement_ids if rid not in known
        ),
    )


def write_validation_report(brief: Brief, inputs: Mapping[str, str]) -> str:
    """Write validation-report.md: a coverage table and every inconsistency found."""
    requirements = requirements_from_inputs(inputs, brief)
    epics = epics_from_inputs(inputs)
    tasks = tasks_from_inputs(inputs)
    coverage = coverage_of(requirements, epics, tasks)
    parts = [
        f"# Validation report: {brief.name}",
        "## Summary",
        _summary(coverage, epics, tasks, inputs),
        "## Requirement coverage",
        _coverage_table(coverage),
        "### Requirements not covered by any task",
        "\n".join(f"- {rid} is not covered by any task." for rid in coverage.uncovered)
        or "- None: every requirement is covered by at least one task.",
        "## Consistency checks",
        _consistency(coverage),
    ]
    return "\n\n".join(parts) + "\n"


def write_handoff(brief: Brief, inputs: Mapping[str, str]) -> str:
    """Write handoff.md: summary, artifact index, first tasks and open risks."""
    tasks = tasks_from_inputs(inputs)
    requirements = requirements_from_inputs(inputs, brief)
    parts = [
        f"# Handoff: {brief.name}",
        "## Summary",
        f"{brief.summary}\n\nThe specification holds {len(requirements)} functional "
        f"requirements and {len(tasks)} tasks.",
        "## Artifact index",
        _artifact_index(inputs),
        "## First tasks",
        "\n".join(f"- {t.id}: {t.title}" for t in tasks[:5])
        or "- tasks.md is not available: start from the Must requirements of prd.md.",
        "## Open risks",
        _open_risks(inputs),
    ]
    return "\n\n".join(parts) + "\n"


def _summary(
    coverage: Coverage, epics: Sequence[Epic], tasks: Sequence[Task], inputs: Mapping[str, str]
) -> str:
    total = len(coverage.requirements)
    covered = total - len(coverage.uncovered)
    problems = (
        len(coverage.uncovered)
        + len(coverage.unknown_in_epics)
        + len(coverage.not_in_any_epic)
        + len(coverage.unknown_in_tasks)
    )
    verdict = "PASS" if problems == 0 and total else "NEEDS ATTENTION"
    source = "prd.md" if "prd.md" in inputs else "the best available input (prd.md missing)"
    return (
        f"- Result: {verdict}\n"
        f"- Requirements (from {source}): {total}\n"
        f"- Covered by tasks: {covered} of {total}\n"
        f"- Not covered: {len(coverage.uncovered)}\n"
        f"- Epics: {len(epics)}; tasks: {len(tasks)}\n"
        f"- Consistency problems: {problems}"
    )


def _coverage_table(coverage: Coverage) -> str:
    if not coverage.requirements:
        return "No functional requirements were found to check."
    rows = []
    for requirement in coverage.requirements:
        cited = coverage.tasks_by_requirement.get(requirement.id, ())
        status = "covered" if cited else "NOT COVERED"
        rows.append(
            f"| {requirement.id} | {requirement.title} | {', '.join(cited) or '—'} | {status} |"
        )
    return "| Requirement | Title | Tasks | Status |\n|---|---|---|---|\n" + "\n".join(rows)


def _consistency(coverage: Coverage) -> str:
    lines = [
        f"- Epic {epic} cites {rid}, which is not in prd.md."
        for epic, rid in coverage.unknown_in_epics
    ]
    lines += [f"- {rid} is not in any epic." for rid in coverage.not_in_any_epic]
    lines += [
        f"- Task {task} cites {rid}, which is not in prd.md."
        for task, rid in coverage.unknown_in_tasks
    ]
    return "\n".join(lines) or "- Epics and tasks cite only existing requirements."


def _artifact_index(inputs: Mapping[str, str]) -> str:
    lines = []
    for name in sorted(inputs):
        titles = [s.title for s in sections(artifact(inputs, name)) if s.level == 1]
        lines.append(f"- `{name}`: {titles[0] if titles else 'untitled'}")
    return "\n".join(lines) or "- No artifacts were given to this phase."


def _open_risks(inputs: Mapping[str, str]) -> str:
    risks = bullets(find_section(artifact(inputs, "analysis.md"), "risks"))
    report = artifact(inputs, "validation-report.md")
    uncovered = requirement_ids(find_section(report, "not covered"))
    risks += [f"{rid} has no task yet." for rid in uncovered]
    return "\n".join(f"- {risk}" for risk in risks) or "- No open risks recorded."
