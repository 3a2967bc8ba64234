"""Validators a phase's artifacts must pass before they are accepted.

A spec names them per phase (``validators: [presence, markdown_frontmatter, ...]``). Each one
returns issues; an ``error`` rejects the phase's output, a ``warning`` is recorded with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from spec_automation.core.artifacts import split_front_matter

__all__ = ["REQUIRED_HEADINGS", "Issue", "ValidationReport", "validate_artifacts"]

#: Level-2 headings each default artifact must contain (case-insensitive).
REQUIRED_HEADINGS: Mapping[str, tuple[str, ...]] = {
    "analysis.md": ("Problem", "Users", "Goals", "Features", "Constraints", "Risks"),
    "stack.md": ("Chosen stack", "Rationale", "Alternatives considered"),
    "design-tokens.md": ("Colour", "Spacing", "Typography", "Motion"),
    "prd.md": ("Overview", "Functional requirements", "Non-functional requirements"),
    "user-flows.md": ("Flows",),
    "architecture.md": ("Overview", "Components", "Requirement traceability"),
    "data-model.md": ("Entities",),
    "api-spec.md": ("Endpoints",),
    "component-mapping.md": ("Token mapping", "Components"),
    "journey-maps.md": ("Journeys",),
    "dependencies.md": ("Libraries", "Component dependencies"),
    "epics.md": ("Epics",),
    "tasks.md": ("Tasks",),
    "validation-report.md": ("Summary", "Requirement coverage"),
}

_FRONT_MATTER_FIELDS = ("artifact", "phase", "agent", "provider", "version", "generated_at")
_H2 = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.MULTILINE)
_NEGATION = re.compile(r"\b(avoid|never|no|not|don't|do not|forbidden|instead of)\b", re.I)


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding of a validator."""

    artifact: str
    validator: str
    severity: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.artifact}: {self.message} [{self.validator}]"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """All findings for one phase's artifacts."""

    issues: tuple[Issue, ...]

    @property
    def errors(self) -> tuple[Issue, ...]:
        """Findings that reject the output."""
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """Findings recorded alongside the output."""
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when there are no errors."""
        return not self.errors


def validate_artifacts(validators: Iterable[str], artifacts: Mapping[str, str]) -> ValidationReport:
    """Run the named validators over full artifact contents (front matter included)."""
    issues: list[Issue] = []
    for name in validators:
        check = _VALIDATORS[name]
        for artifact, content in artifacts.items():
            issues.extend(check(artifact, content))
    return ValidationReport(tuple(issues))


def _presence(artifact: str, content: str) -> list[Issue]:
    try:
        _, body = split_front_matter(content)
    except ValueError:
        body = content
    text = body.strip()
    if not text:
        return [Issue(artifact, "presence", "error", "is empty")]
    if not re.search(r"^#{1,6}\s+\S", text, re.MULTILINE):
        return [Issue(artifact, "presence", "error", "has no heading")]
    if len(text) < 80:
        return [Issue(artifact, "presence", "warning", "is very short")]
    return []


def _front_matter(artifact: str, content: str) -> list[Issue]:
    try:
        meta, _ = split_front_matter(content)
    except ValueError as exc:
        return [Issue(artifact, "markdown_frontmatter", "error", str(exc))]
    if meta is None:
        return [Issue(artifact, "markdown_frontmatter", "error", "has no front matter")]
    missing = [f for f in _FRONT_MATTER_FIELDS if f not in meta]
    if missing:
        fields = ", ".join(missing)
        return [Issue(artifact, "markdown_frontmatter", "error", f"front matter lacks {fields}")]
    return []


def _structure(artifact: str, content: str) -> list[Issue]:
    required = REQUIRED_HEADINGS.get(artifact)
    if not required:
        return []
    present = {h.strip().lower() for h in _H2.findall(_strip_code(content))}
    return [
        Issue(artifact, "structure", "error", f"lacks the section '## {heading}'")
        for heading in required
        if heading.lower() not in present
    ]


_PURPLE = r"(purple|violet|#8b5cf6|#a855f7|#7c3aed)"
_EIGHT_PT_GRID = re.compile(
    r"\b8\s*-?\s*(pt|px|point)\b.{0,20}grid|\bgrid\b.{0,40}\b8\s*(pt|px)", re.I
)
_FORBIDDEN = (
    (
        re.compile(
            r"(purple|violet|#8b5cf6|#a855f7|#7c3aed).{0,60}gradient|gradient.{0,60}(purple|violet|#8b5cf6|#a855f7|#7c3aed)",
            re.I,
        ),
        "uses a purple gradient",
    ),
    (
        re.compile(r"(font|typeface|family).{0,40}\bInter\b|\bInter\b.{0,20}(font|typeface)", re.I),
        "uses Inter as the font",
    ),
    (re.compile(r"\bblobs?\b", re.I), "uses blob backgrounds"),
)


def _anti_ai_slop(artifact: str, content: str) -> list[Issue]:
    issues: list[Issue] = []
    for line in content.splitlines():
        if _NEGATION.search(line):
            continue  # "never use purple gradients" states a rule, it does not break one
        for pattern, message in _FORBIDDEN:
            if pattern.search(line):
                issues.append(Issue(artifact, "anti_ai_slop", "error", message))
    defines_design_system = any(
        h.strip().lower() in {"colour", "color", "colours", "colors", "typography"}
        for h in _H2.findall(content)
    )
    if defines_design_system:
        issues.extend(_design_system_warnings(artifact, content))
    return list(dict.fromkeys(issues))


def _design_system_warnings(artifact: str, content: str) -> list[Issue]:
    warnings: list[str] = []
    if not re.search(r"oklch\(", content, re.I):
        warnings.append("gives no OKLCH colours")
    if not re.search(r"60\s*/\s*30\s*/\s*10", content):
        warnings.append("does not apply the 60/30/10 colour rule")
    if not re.search(
        r"\b8\s*-?\s*(pt|px|point)\b.{0,20}grid|\bgrid\b.{0,40}\b8\s*(pt|px)", content, re.I
    ):
        warnings.append("does not use an 8pt grid")
    sizes = _typography_sizes(content)
    if len(sizes) != 4:
        warnings.append(f"defines {len(sizes)} typography sizes instead of exactly 4")
    return [Issue(artifact, "anti_ai_slop", "warning", w) for w in warnings]


def _typography_sizes(content: str) -> set[str]:
    """Distinct type sizes in the Typography section.

    A table's "Size" column when there is one (line heights and weights in other columns are
    not sizes), else the first length on each line that mentions a size.
    """
    match = re.search(r"^##\s+Typography\s*$(.*?)(?=^##\s|\Z)", content, re.I | re.M | re.S)
    if not match:
        return set()
    section = match.group(1)
    sizes: set[str] = set()
    column: int | None = None
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else []
        if cells and column is None:
            column = next((i for i, c in enumerate(cells) if c.lower() == "size"), None)
            continue
        if cells and column is not None and column < len(cells):
            sizes.update(_LENGTH.findall(cells[column])[:1])
    if column is not None:
        return sizes
    for line in section.splitlines():
        if re.search(r"\bsize", line, re.I):
            sizes.update(_LENGTH.findall(line)[:1])
    return sizes


_LENGTH = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:px|pt|rem)\b")


def _strip_code(content: str) -> str:
    return re.sub(r"^```.*?^```", "", content, flags=re.M | re.S)


_VALIDATORS: Mapping[str, Callable[[str, str], list[Issue]]] = {
    "presence": _presence,
    "markdown_frontmatter": _front_matter,
    "structure": _structure,
    "anti_ai_slop": _anti_ai_slop,
}
