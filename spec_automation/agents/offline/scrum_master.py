"""The scrum master: tasks.md, broken down from the epics of epics.md.

Every task cites its epic and requirements on one line ("Epic: E-1 · Requirements: FR-1") so
the validator can trace requirement coverage. Foundation tasks come from dependencies.md and
component-mapping.md when those inputs exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spec_automation.agents.artifact_text import find_section, sections
from spec_automation.agents.brief import Brief
from spec_automation.agents.offline.upstream import (
    Epic,
    Requirement,
    artifact,
    epics_from_inputs,
    group_by_theme,
    requirements_from_inputs,
)
from spec_automation.core.fan_out import FanOutItem

__all__ = ["write_tasks", "write_tasks_part"]

_POINTS = {"Must": 5, "Should": 3, "Could": 2}


@dataclass(frozen=True, slots=True)
class _PlannedTask:
    title: str
    epic: str
    requirement_ids: tuple[str, ...]
    points: int
    check: str


def write_tasks(brief: Brief, inputs: Mapping[str, str]) -> str:
    """Write tasks.md: foundation tasks, then per epic a build task per requirement."""
    requirements = requirements_from_inputs(inputs, brief)
    epics = epics_from_inputs(inputs) or _epics_from(requirements)
    planned = _foundation(inputs) + [t for epic in epics for t in _epic_tasks(epic, requirements)]
    blocks = [_task_block(index, task) for index, task in enumerate(planned, start=1)]
    total = sum(task.points for task in planned)
    scope = "\n".join(f"- {r.id}: {r.title}" for r in requirements) or "- None found."
    parts = [
        f"# Tasks: {brief.name}",
        f"{len(planned)} tasks, {total} points in all, across {len(epics)} epics.",
        "## Tasks",
        "\n\n".join(blocks) or "No epics were found, so there are no tasks yet.",
        "## Requirements in scope",
        scope,
    ]
    return "\n\n".join(parts) + "\n"


def write_tasks_part(brief: Brief, inputs: Mapping[str, str], item: FanOutItem) -> str:
    """Write one part of tasks.md: the foundation tasks (the lead part), or one epic's tasks
    (its ``inputs`` hold epics.md with that epic only)."""
    requirements = requirements_from_inputs(inputs, brief)
    if item.lead:
        planned = _foundation(inputs)
        empty = "Nothing in dependencies.md or component-mapping.md needs setting up first."
    else:
        epics = [e for e in epics_from_inputs(inputs) if e.id == item.key]
        planned = [t for epic in epics for t in _epic_tasks(epic, requirements)]
        empty = f"{item.key} cites no requirements, so it has no tasks."
    blocks = [_task_block(index, task) for index, task in enumerate(planned, start=1)]
    cited = {rid for task in planned for rid in task.requirement_ids}
    total = sum(task.points for task in planned)
    parts = [
        f"# Tasks: {brief.name}",
        f"{len(planned)} tasks, {total} points for {item.heading}.",
        "## Tasks",
        "\n\n".join(blocks) or empty,
    ]
    if cited:
        parts.append("## Requirements in scope")
        parts.append("\n".join(f"- {r.id}: {r.title}" for r in requirements if r.id in cited))
    return "\n\n".join(parts) + "\n"


def _epics_from(requirements: Sequence[Requirement]) -> list[Epic]:
    """Epics by theme when epics.md is missing (same grouping the PM uses)."""
    return [
        Epic(f"E-{i}", theme.capitalize(), theme, tuple(r.id for r in members))
        for i, (theme, members) in enumerate(group_by_theme(requirements), start=1)
    ]


def _foundation(inputs: Mapping[str, str]) -> list[_PlannedTask]:
    tasks = []
    libraries = find_section(artifact(inputs, "dependencies.md"), "libraries")
    layers = sorted(
        {
            line.split("|")[1].strip()
            for line in libraries.splitlines()
            if line.startswith("|") and not line.startswith(("| Layer", "|---"))
        }
    )
    if layers:
        tasks.append(
            _PlannedTask(
                f"Set up the project skeleton ({', '.join(layers)})",
                "Foundation",
                (),
                3,
                "The app builds, starts and runs an empty test suite in CI.",
            )
        )
    components = find_section(artifact(inputs, "component-mapping.md"), "components")
    names = [s.title for s in sections(components) if s.level >= 3]
    if names:
        tasks.append(
            _PlannedTask(
                "Implement the design tokens as the UI theme",
                "Foundation",
                (),
                2,
                "Every colour, spacing and font size in the UI comes from a token.",
            )
        )
        tasks.append(
            _PlannedTask(
                f"Build the shared components: {', '.join(names)}",
                "Foundation",
                (),
                5,
                "Each component renders in all states with keyboard focus visible.",
            )
        )
    return tasks


def _epic_tasks(epic: Epic, requirements: Sequence[Requirement]) -> list[_PlannedTask]:
    by_id = {r.id: r for r in requirements}
    tasks = []
    for requirement_id in epic.requirement_ids:
        requirement = by_id.get(requirement_id)
        title = requirement.title if requirement else requirement_id
        points = _POINTS.get(requirement.priority if requirement else "", 3)
        tasks.append(
            _PlannedTask(
                f"Build {title.lower()}: data, service and API",
                epic.id,
                (requirement_id,),
                points,
                f"Acceptance criteria of {requirement_id} pass in automated tests.",
            )
        )
        tasks.append(
            _PlannedTask(
                f"Build the {title.lower()} screens",
                epic.id,
                (requirement_id,),
                max(points - 2, 1),
                f"A user completes the {requirement_id} flow end to end.",
            )
        )
    return tasks


def _task_block(index: int, task: _PlannedTask) -> str:
    ids = ", ".join(task.requirement_ids) or "—"
    return "\n".join(
        [
            f"### T-{index}: {task.title}",
            "",
            f"- Epic: {task.epic} · Requirements: {ids}",
            f"- Estimate: {task.points} points",
            f"- Acceptance check: {task.check}",
        ]
    )
