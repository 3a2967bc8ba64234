"""The project brief, read into the facts every agent builds on.

A brief may be a tidy markdown document with headings ("## Features", "## Users") or a single
free-form paragraph. ``parse_brief`` reads headings first, then falls back to bullets, then to
sentences, so each field is filled from the best evidence available. It never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spec_automation.agents.artifact_text import (
    Section,
    bullets,
    clean_inline,
    sections,
    strip_front_matter,
)
from spec_automation.core.colour import parse_colour

__all__ = ["Brief", "Feature", "Persona", "parse_brief"]

EMPTY_SUMMARY = "No brief was given yet: describe the product, its users and what it must do."

_MAX_FEATURES = 20
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_FEATURE_SPLIT = re.compile(r"\s+[—–]\s+|\s+-\s+|:\s+")

# Heading words → brief field. Order matters: "non-functional requirements" must be read as
# non-functional needs before the word "requirements" marks it as the feature list.
_SECTION_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("non_functional", ("non-functional", "nonfunctional", "non functional", "quality", "nfr")),
    ("metrics", ("success", "metric", "kpi", "measur", "outcome")),
    ("problem", ("problem", "pain", "why", "background", "context", "challenge")),
    ("users", ("user", "persona", "audience", "customer", "who ", "stakeholder")),
    ("features", ("feature", "capabilit", "requirement", "scope", "must do", "functional")),
    ("constraints", ("constraint", "limitation", "restriction", "budget", "compliance")),
    ("platforms", ("platform", "device", "target environment")),
    ("integrations", ("integration", "external system", "third-party", "third party")),
    ("brand", ("brand", "colour", "color", "look and feel", "visual")),
    ("summary", ("vision", "summary", "overview", "about", "elevator", "introduction", "goal")),
)

_PLATFORM_WORDS: tuple[tuple[str, str], ...] = (
    ("web", r"\bweb\b|\bbrowsers?\b|\bwebsite\b|\bsaas\b|\bweb app"),
    ("desktop", r"\bdesktop\b|\bwindows\b|\bmacos\b|\blinux\b"),
    ("mobile", r"\bmobile\b|\bios\b|\bandroid\b|\bphones?\b|\btablets?\b|\biphone\b"),
    ("api", r"\bapis?\b|\brestful\b|\bgraphql\b|\bwebhooks?\b"),
    ("cli", r"\bcli\b|\bcommand[- ]line\b|\bterminal\b"),
)

#: Technologies the brief may name; a named one wins over the default stack for its layer.
TECHNOLOGY_NAMES: tuple[str, ...] = (
    "TypeScript", "JavaScript", "React", "Next.js", "Vue", "Angular", "Svelte", "Node.js",
    "Python", "Django", "FastAPI", "Flask", "PySide6", "Qt", "Flutter", "React Native",
    "Swift", "Kotlin", "Java", "Spring", "Go", "Golang", "Rust", "C#", ".NET", "Ruby", "Rails",
    "PostgreSQL", "MySQL", "SQLite", "MongoDB", "Redis", "Electron", "Tauri",
)  # fmt: skip

_KNOWN_INTEGRATIONS: tuple[str, ...] = (
    "Google Calendar", "Outlook", "Microsoft 365", "Slack", "Microsoft Teams", "Stripe",
    "PayPal", "Twilio", "SendGrid", "Mailchimp", "Salesforce", "HubSpot", "Zapier", "GitHub",
    "Jira", "QuickBooks", "Xero", "Okta", "Azure AD", "Entra ID", "SAML", "OAuth", "Shopify",
    "Google Maps", "Mapbox", "WhatsApp", "SMS",
)  # fmt: skip

_CONSTRAINT_HINTS = re.compile(
    r"\b(must not|cannot|can't|only|within|budget|deadline|comply|compliance|gdpr|hipaa|"
    r"regulat|offline|on-prem|licen[cs]e|no more than|at most)\b",
    re.IGNORECASE,
)
_NFR_HINTS = re.compile(
    r"\b(fast|seconds?|latency|uptime|availability|secure|security|encrypt|accessib|wcag|"
    r"scal|concurrent|reliab|performance|backup|audit)\w*",
    re.IGNORECASE,
)
_METRIC_HINTS = re.compile(r"%|\b(reduce|increase|cut|grow|kpi|nps|per cent|percent)\b", re.I)
_FOR_USERS = re.compile(
    r"\b(?:for|lets|helps|allows|enables)\s+((?:[a-z][a-z-]*\s){0,3}[a-z][a-z-]*s)\b"
)


@dataclass(frozen=True, slots=True)
class Feature:
    """One thing the product must do: a short title and the brief's own words about it."""

    title: str
    detail: str


@dataclass(frozen=True, slots=True)
class Persona:
    """A kind of user and what they need from the product."""

    name: str
    need: str


@dataclass(frozen=True, slots=True)
class Brief:
    """The facts of a project brief that agents build their artifacts from."""

    name: str
    summary: str
    problem: str
    users: tuple[Persona, ...]
    features: tuple[Feature, ...]
    constraints: tuple[str, ...]
    platforms: tuple[str, ...]
    integrations: tuple[str, ...]
    non_functional: tuple[str, ...]
    success_metrics: tuple[str, ...]
    brand_colour: str | None
    technologies: tuple[str, ...] = ()
    text: str = ""

    @property
    def is_empty(self) -> bool:
        """True when the brief said nothing an agent could build on."""
        return not self.text.strip()


def parse_brief(text: str, project_name: str = "") -> Brief:
    """Read a brief (markdown or plain text) into a ``Brief``.

    The product name is the first ``#`` heading, else ``project_name``, else "Untitled product".
    Fields come from headed sections when present and from hints in the prose otherwise. An
    empty brief gives a ``Brief`` with a placeholder summary and empty lists.
    """
    body = strip_front_matter(text or "")
    if not body.strip():
        return _empty_brief(project_name)
    all_sections = sections(body)
    by_kind = _group_sections(all_sections)
    sentences = _sentences(body)
    name = _product_name(all_sections, project_name)
    features = _features(body, by_kind, all_sections, sentences)
    return Brief(
        name=name,
        summary=_summary(body, by_kind, all_sections, sentences),
        problem=_paragraph(by_kind.get("problem", [])) or _problem_sentence(sentences),
        users=_users(by_kind.get("users", []), body),
        features=features,
        constraints=_listed(by_kind.get("constraints", []))
        or _hinted(sentences, _CONSTRAINT_HINTS),
        platforms=_platforms(body),
        integrations=_listed(by_kind.get("integrations", [])) or _known_integrations(body),
        non_functional=_listed(by_kind.get("non_functional", [])) or _hinted(sentences, _NFR_HINTS),
        success_metrics=_listed(by_kind.get("metrics", [])) or _hinted(sentences, _METRIC_HINTS),
        brand_colour=_brand_colour(body),
        technologies=_technologies(body),
        text=body,
    )


def _empty_brief(project_name: str) -> Brief:
    return Brief(
        name=project_name.strip() or "Untitled product",
        summary=EMPTY_SUMMARY,
        problem="",
        users=(),
        features=(),
        constraints=(),
        platforms=(),
        integrations=(),
        non_functional=(),
        success_metrics=(),
        brand_colour=None,
    )


def _group_sections(all_sections: list[Section]) -> dict[str, list[Section]]:
    """Sort level-2+ sections into brief fields by their heading words (first match wins)."""
    grouped: dict[str, list[Section]] = {}
    for section in all_sections:
        if section.level == 1:
            continue
        title = f"{section.title.lower()} "
        for kind, words in _SECTION_KINDS:
            if any(word in title for word in words):
                grouped.setdefault(kind, []).append(section)
                break
    return grouped


def _product_name(all_sections: list[Section], project_name: str) -> str:
    for section in all_sections:
        if section.level == 1 and section.title:
            return section.title
    return project_name.strip() or "Untitled product"


def _paragraph(found: list[Section]) -> str:
    """The prose (non-list, non-heading lines) of the sections, joined into one paragraph."""
    lines: list[str] = []
    for section in found:
        for line in section.body.splitlines():
            stripped = line.strip()
            if stripped and not re.match(r"^([-*+]|\d+[.)]|#|\|)", stripped):
                lines.append(stripped)
    text = clean_inline(" ".join(lines))
    if not text:
        text = "; ".join(item for section in found for item in bullets(section.body))
    return text


def _listed(found: list[Section]) -> tuple[str, ...]:
    """Bullets of the sections; prose sentences when a section has no list."""
    listed = [item for section in found for item in bullets(section.body)]
    if not listed:
        listed = _sentences(_paragraph(found))
    return tuple(_unique(listed))


def _summary(
    body: str, by_kind: dict[str, list[Section]], all_sections: list[Section], sentences: list[str]
) -> str:
    summary = _paragraph(by_kind.get("summary", []))
    if not summary:
        # The text right under the title (or before any heading) is the usual elevator pitch.
        intro = [s for s in all_sections if s.level == 1][:1]
        summary = _paragraph(intro)
    if not summary and not all_sections:
        summary = " ".join(sentences[:2])
    if not summary:
        summary = clean_inline(" ".join(line for line in body.splitlines()[:3] if line.strip()))
    return summary or EMPTY_SUMMARY


def _problem_sentence(sentences: list[str]) -> str:
    for sentence in sentences:
        if re.search(
            r"\b(problem|struggle|hard|slow|manual|spend|waste|lose|pain)", sentence, re.I
        ):
            return sentence
    return ""


def _features(
    body: str,
    by_kind: dict[str, list[Section]],
    all_sections: list[Section],
    sentences: list[str],
) -> tuple[Feature, ...]:
    """Bullets under a features heading; else every bullet not in another field; else sentences."""
    candidates = [item for section in by_kind.get("features", []) for item in bullets(section.body)]
    if not candidates:
        other = {id(s) for kind, group in by_kind.items() if kind != "summary" for s in group}
        free_sections = [s for s in all_sections if id(s) not in other]
        candidates = [i for s in free_sections for i in bullets(s.body)] if all_sections else []
        if not all_sections:
            candidates = bullets(body)
    if not candidates:
        candidates = [s for s in sentences if not _is_meta_sentence(s)]
    return tuple(_feature(item) for item in _unique(candidates)[:_MAX_FEATURES])


def _is_meta_sentence(sentence: str) -> bool:
    """Sentences about platforms or success measures describe the product, not a feature."""
    return bool(_METRIC_HINTS.search(sentence)) and not re.search(r"\b(let|allow|can)\b", sentence)


def _feature(item: str) -> Feature:
    parts = _FEATURE_SPLIT.split(item, maxsplit=1)
    if len(parts) == 2 and 0 < len(parts[0].split()) <= 8:
        return Feature(title=parts[0].strip(" .*"), detail=parts[1].strip())
    words = item.rstrip(".").split()
    title = " ".join(words[:6]) + ("…" if len(words) > 6 else "")
    return Feature(title=title[:1].upper() + title[1:], detail=item)


def _users(found: list[Section], body: str) -> tuple[Persona, ...]:
    personas: list[Persona] = []
    for item in (i for section in found for i in bullets(section.body)):
        parts = _FEATURE_SPLIT.split(item, maxsplit=1)
        if len(parts) == 2 and len(parts[0].split()) <= 6:
            personas.append(Persona(name=parts[0].strip(" .*"), need=parts[1].strip()))
        else:
            personas.append(Persona(name=" ".join(item.split()[:4]).rstrip(",."), need=item))
    if not personas and found:
        paragraph = _paragraph(found)
        personas.append(Persona(name="Primary user", need=paragraph))
    if not personas:
        match = _FOR_USERS.search(body)
        if match:
            group = match.group(1).strip()
            personas.append(Persona(name=group[:1].upper() + group[1:], need=_sentences(body)[0]))
    return tuple(personas)


def _platforms(body: str) -> tuple[str, ...]:
    lowered = body.lower()
    return tuple(name for name, pattern in _PLATFORM_WORDS if re.search(pattern, lowered))


def _known_integrations(body: str) -> tuple[str, ...]:
    return tuple(
        name for name in _KNOWN_INTEGRATIONS if re.search(rf"\b{re.escape(name)}\b", body, re.I)
    )


def _technologies(body: str) -> tuple[str, ...]:
    found: list[str] = []
    for name in TECHNOLOGY_NAMES:
        # Case-sensitive for short names ("Go", "Qt") that are also ordinary words.
        flags = 0 if len(name) <= 3 else re.IGNORECASE
        if re.search(rf"(?<![\w.]){re.escape(name)}(?![\w#])", body, flags):
            found.append(name)
    if "Go" in found and not re.search(r"\bGo (?:backend|service|language|1\.\d)", body):
        found.remove("Go")  # "Go" is almost always the verb; "Golang" is the clear signal.
    return tuple(found)


def _brand_colour(body: str) -> str | None:
    colour = parse_colour(body)
    if colour is None:
        return None
    match = re.search(r"#[0-9a-fA-F]{6}\b|oklch\([^)]*\)", body, re.IGNORECASE)
    return match.group(0) if match else colour.css()


def _hinted(sentences: list[str], pattern: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(_unique(s for s in sentences if pattern.search(s)))


def _sentences(text: str) -> list[str]:
    plain = clean_inline(re.sub(r"^\s*(#+|[-*+]|\d+[.)])\s+", "", text, flags=re.MULTILINE))
    return [s.strip() for s in _SENTENCE_END.split(plain) if len(s.strip()) > 3]


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        key = value.strip().lower()
        if key and key not in seen:
            seen.add(key)
            result.append(value.strip())
    return result
