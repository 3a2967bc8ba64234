"""The analyst: turns the brief into analysis.md (problem, users, goals, features, risks)."""

from __future__ import annotations

from collections.abc import Mapping

from spec_automation.agents.brief import Brief

__all__ = ["write_analysis"]


def write_analysis(brief: Brief, inputs: Mapping[str, str]) -> str:  # noqa: ARG001
    """Write analysis.md from the brief alone (the first phase has no upstream artifacts)."""
    parts = [
        f"# Analysis: {brief.name}",
        f"{brief.summary}",
        "## Problem",
        brief.problem
        or f"The brief does not state the problem directly. From its summary: {brief.summary}",
        "## Users",
        _users(brief),
        "## Goals",
        _goals(brief),
        "## Features",
        _features(brief),
        "## Constraints",
        _listing(
            brief.constraints,
            "No constraints were stated; confirm budget, deadline and "
            "compliance needs before design.",
        ),
        "## Platforms and integrations",
        _platforms(brief),
        "## Risks",
        _listing(_risks(brief), "No specific risks found; review once requirements are written."),
        "## Assumptions",
        _listing(_assumptions(brief), ""),
        "## Open questions",
        _listing(_open_questions(brief), "None at this stage."),
        "## Success metrics",
        _listing(
            brief.success_metrics,
            "Not stated: agree measurable targets (adoption, time "
            "saved, error rate) with the product owner.",
        ),
    ]
    return "\n\n".join(parts) + "\n"


def _users(brief: Brief) -> str:
    if not brief.users:
        return (
            "- **Primary user**: not named in the brief. Who uses the product daily, and "
            "who pays for it?"
        )
    return "\n".join(f"- **{p.name}**: {p.need}" for p in brief.users)


def _goals(brief: Brief) -> str:
    goals = [f"Deliver {f.title.lower()} as described in the brief." for f in brief.features[:3]]
    goals += [f"Meet the target: {metric}" for metric in brief.success_metrics[:3]]
    return _listing(goals, f"Make {brief.name} useful to its first users.")


def _features(brief: Brief) -> str:
    if not brief.features:
        return "No features could be read from the brief. List what the product must do."
    blocks = []
    for index, feature in enumerate(brief.features, start=1):
        detail = feature.detail if feature.detail != feature.title else ""
        blocks.append(f"### F-{index}: {feature.title}\n\n{detail or feature.title}")
    return "\n\n".join(blocks)


def _platforms(brief: Brief) -> str:
    platforms = ", ".join(brief.platforms) or "not stated (web assumed)"
    integrations = ", ".join(brief.integrations) or "none stated"
    return f"- Platforms: {platforms}\n- Integrations: {integrations}"


def _risks(brief: Brief) -> list[str]:
    risks = [
        f"Integration with {name}: API limits, credentials and outages are outside our control."
        for name in brief.integrations[:4]
    ]
    if len(brief.features) > 8:
        risks.append(
            f"Scope: {len(brief.features)} features is a lot for a first release; "
            "rank them and ship the Must ones first."
        )
    if len(brief.platforms) > 1:
        risks.append(
            f"Several platforms ({', '.join(brief.platforms)}) multiply build and test effort."
        )
    compliance = [
        c
        for c in (*brief.constraints, *brief.non_functional)
        if any(
            w in c.lower()
            for w in ("gdpr", "hipaa", "privacy", "personal data", "compliance", "regulat", "audit")
        )
    ]
    risks += [f"Compliance: {item}" for item in compliance[:2]]
    if not brief.users:
        risks.append("Users are not named, so priorities may not match real needs.")
    return risks


def _assumptions(brief: Brief) -> list[str]:
    assumptions = []
    if not brief.platforms:
        assumptions.append("A web application is acceptable as the first platform.")
    assumptions.append("Users have a reliable network connection unless stated otherwise.")
    if not brief.constraints:
        assumptions.append("There is no hard deadline or budget cap yet.")
    assumptions.append("The features are listed roughly in order of importance.")
    return assumptions


def _open_questions(brief: Brief) -> list[str]:
    questions = []
    if not brief.problem:
        questions.append("What problem, for whom, does this solve today, and how is it done now?")
    if not brief.users:
        questions.append("Who are the users and which of them decides to buy?")
    if not brief.success_metrics:
        questions.append("How will we know the product succeeded (numbers and dates)?")
    questions += [
        f"Which account, API version and data scope do we use for {name}?"
        for name in brief.integrations[:3]
    ]
    if not brief.non_functional:
        questions.append("What response time, availability and data retention are needed?")
    return questions


def _listing(values: object, empty: str) -> str:
    entries = [str(v) for v in values] if isinstance(values, list | tuple) else []
    if not entries:
        return empty or "None."
    return "\n".join(f"- {entry}" for entry in entries)
