"""Facts read back from upstream artifacts: features, requirements, epics, tasks.

Each reader prefers the artifact a person may have edited (prd.md for requirements, epics.md
for epics) and falls back to the brief when the artifact is missing, so a workflow with a
user-defined spec still gets sensible content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spec_automation.agents.artifact_text import Item, clean_inline, items, strip_front_matter
from spec_automation.agents.brief import Brief, Feature

__all__ = [
    "Epic",
    "Requirement",
    "Task",
    "artifact",
    "epics_from_inputs",
    "features_from_inputs",
    "group_by_theme",
    "requirement_ids",
    "requirements_from_features",
    "requirements_from_inputs",
    "tasks_from_inputs",
    "theme_of",
]

_REQUIREMENT_ID = re.compile(r"(?<![\w-])FR-\d+\b")
_EPIC_ID = re.compile(r"(?<![\w-])E-\d+\b")
_PRIORITY = re.compile(r"priority\W+(must|should|could|won't|wont)", re.IGNORECASE)
_FIELD_LINE = re.compile(r"^\s*[-*]?\s*\**[A-Za-z ]{2,30}\**\s*:")

# Words that never name a theme: verbs that start requirement titles and filler words.
_NOT_A_THEME = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "in",
        "on",
        "with",
        "by",
        "from",
        "as",
        "at",
        "into",
        "via",
        "per",
        "each",
        "all",
        "any",
        "own",
        "create",
        "creates",
        "build",
        "builds",
        "manage",
        "manages",
        "view",
        "views",
        "see",
        "track",
        "tracks",
        "edit",
        "edits",
        "add",
        "adds",
        "set",
        "sets",
        "send",
        "sends",
        "get",
        "gets",
        "let",
        "lets",
        "allow",
        "allows",
        "make",
        "makes",
        "show",
        "shows",
        "support",
        "supports",
        "enable",
        "enables",
        "request",
        "requests",
        "approve",
        "approves",
        "publish",
        "publishes",
        "automatic",
        "automated",
        "auto",
        "self",
        "smart",
        "real",
        "live",
        "simple",
        "quick",
        "easy",
        "basic",
        "full",
        "multi",
        "user",
        "users",
        "new",
        "my",
        "our",
        "their",
        "your",
        "can",
        "must",
        "should",
        "could",
        "will",
        "be",
        "is",
        "are",
        "one",
        "two",
        "drag",
        "drop",
        "export",
        "import",
        "search",
        "find",
        "browse",
        "sync",
        "notify",
        "share",
    ]
)


@dataclass(frozen=True, slots=True)
class Requirement:
    """A functional requirement: ``FR-n``, its title, statement and priority."""

    id: str
    title: str
    statement: str
    priority: str


@dataclass(frozen=True, slots=True)
class Epic:
    """An epic ``E-n`` with the requirement IDs it delivers."""

    id: str
    title: str
    goal: str
    requirement_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Task:
    """A task ``T-n`` with the epic and requirement IDs it cites."""

    id: str
    title: str
    epic: str
    requirement_ids: tuple[str, ...]


def artifact(inputs: Mapping[str, str], name: str) -> str:
    """The body of an input artifact without its front matter; "" when it is not an input."""
    return strip_front_matter(inputs.get(name, ""))


def requirement_ids(text: str) -> list[str]:
    """Every distinct ``FR-n`` mentioned in ``text``, in order of first mention."""
    return list(dict.fromkeys(_REQUIREMENT_ID.findall(text)))


def features_from_inputs(inputs: Mapping[str, str], brief: Brief) -> list[Feature]:
    """Features from analysis.md (``F-n`` items) when present, else from the brief."""
    found = items(artifact(inputs, "analysis.md"), "F")
    if found:
        return [Feature(title=i.title or i.id, detail=_statement(i.body) or i.title) for i in found]
    return list(brief.features)


def requirements_from_features(features: Sequence[Feature]) -> list[Requirement]:
    """One requirement per feature, numbered in order, with a priority by position and wording.

    Words like "optional" or "later" in a feature mark it Could; otherwise the first half of
    the list is Must (briefs list what matters most first) and the rest Should.
    """
    requirements = []
    must_count = max(1, (len(features) + 1) // 2)
    for index, feature in enumerate(features):
        text = f"{feature.title} {feature.detail}".lower()
        if re.search(r"\b(optional|later|nice to have|eventually|stretch)\b", text):
            priority = "Could"
        elif index < must_count or re.search(r"\bmust\b", text):
            priority = "Must"
        else:
            priority = "Should"
        requirements.append(
            Requirement(f"FR-{index + 1}", feature.title, _as_statement(feature), priority)
        )
    return requirements


def requirements_from_inputs(inputs: Mapping[str, str], brief: Brief) -> list[Requirement]:
    """Requirements as written in prd.md; else cited in epics.md; else one per brief feature."""
    for name in ("prd.md", "epics.md", "tasks.md"):
        found = [i for i in items(artifact(inputs, name), "FR") if name == "prd.md" or i.title]
        if found:
            return [_requirement(item) for item in found]
    return requirements_from_features(features_from_inputs(inputs, brief))


def epics_from_inputs(inputs: Mapping[str, str]) -> list[Epic]:
    """Epics (``E-n`` items) of epics.md with the requirement IDs each one cites."""
    epics = []
    for item in items(artifact(inputs, "epics.md"), "E"):
        goal = _field(item.body, "goal") or item.title
        epics.append(Epic(item.id, item.title, goal, tuple(requirement_ids(item.body))))
    return epics


def tasks_from_inputs(inputs: Mapping[str, str]) -> list[Task]:
    """Tasks (``T-n`` items) of tasks.md with the epic and requirement IDs each one cites."""
    tasks = []
    for item in items(artifact(inputs, "tasks.md"), "T"):
        epic_match = _EPIC_ID.search(item.body)
        epic = epic_match.group(0) if epic_match else ""
        tasks.append(Task(item.id, item.title, epic, tuple(requirement_ids(item.body))))
    return tasks


def theme_of(title: str) -> str:
    """The key word of a requirement title ("Build the shift rota" → "shift").

    Plural words are made singular so "Shift swaps" and "Shift builder" share a theme.
    """
    for word in re.findall(r"[a-z][a-z-]*", title.lower()):
        if word not in _NOT_A_THEME and len(word) > 2:
            return _singular(word)
    return "core"


def group_by_theme(requirements: Sequence[Requirement]) -> list[tuple[str, list[Requirement]]]:
    """Requirements grouped by theme, groups in order of their first requirement."""
    groups: dict[str, list[Requirement]] = {}
    for requirement in requirements:
        groups.setdefault(theme_of(requirement.title), []).append(requirement)
    return list(groups.items())


def _requirement(item: Item) -> Requirement:
    priority_match = _PRIORITY.search(item.body)
    priority = priority_match.group(1).capitalize() if priority_match else "Should"
    title = item.title or item.id
    return Requirement(item.id, title, _statement(item.body) or title, priority)


def _statement(body: str) -> str:
    """The first prose line of an item body, or the value of its "Statement:" field."""
    value = _field(body, "statement")
    if value:
        return value
    for line in body.splitlines():
        if (
            line.strip()
            and not _FIELD_LINE.match(line)
            and not line.lstrip().startswith(("#", "|"))
        ):
            return clean_inline(line.strip().lstrip("-*+ "))
    return ""


def _field(body: str, name: str) -> str:
    match = re.search(rf"^\s*[-*]?\s*\**{name}\**\s*:\**\s*(.+)$", body, re.I | re.MULTILINE)
    return clean_inline(match.group(1)) if match else ""


def _as_statement(feature: Feature) -> str:
    detail = feature.detail.rstrip(".")
    if detail and detail.lower() != feature.title.lower():
        return f"The product shall provide {feature.title.lower()}: {detail}."
    return f"The product shall provide {feature.title.lower()}."


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word
