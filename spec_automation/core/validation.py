"""Validators a phase's artifacts must pass before they are accepted.

A spec names them per phase (``validators: [presence, markdown_frontmatter, ...]``). Each one
returns issues; an ``error`` rejects the phase's output, a ``warning`` is recorded with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from spec_automation.core.artifacts import split_front_matter
from spec_automation.core.colour import (
    Oklch,
    contrast_ratio,
    hex_to_srgb,
    oklch_to_hex,
    parse_colour,
)

__all__ = [
    "COLOUR_ROLES",
    "MIN_CONTRAST",
    "REQUIRED_HEADINGS",
    "ContrastCheck",
    "Issue",
    "ValidationReport",
    "check_flowchart",
    "contrast_checks",
    "read_colour_tokens",
    "validate_artifacts",
]

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
    required = REQUIRED_HEADINGS.get(artifact, ())
    present = {h.strip().lower() for h in _H2.findall(_strip_code(content))}
    issues = [
        Issue(artifact, "structure", "error", f"lacks the section '## {heading}'")
        for heading in required
        if heading.lower() not in present
    ]
    check = _TYPE_CHECKS.get(artifact)
    if check is not None:
        issues.extend(check(artifact, content))
    return issues


# --- design tokens: colour roles, hex values, contrast, motion ---------------------------------

#: The colour roles a design-token file must define (60/30/10 plus text and surface).
COLOUR_ROLES = ("dominant", "secondary", "accent", "text", "surface")
#: WCAG 2 AA contrast for body text.
MIN_CONTRAST = 4.5
_TOKEN_ROW = re.compile(r"`color\.([a-z0-9-]+)`")
_HEX_VALUE = re.compile(r"#[0-9a-fA-F]{6}\b")


@dataclass(frozen=True, slots=True)
class ContrastCheck:
    """One foreground/background pair of a token file, with its computed WCAG ratio."""

    foreground: str
    background: str
    ratio: float

    @property
    def passes(self) -> bool:
        """Whether the pair reaches ``MIN_CONTRAST``."""
        return self.ratio >= MIN_CONTRAST


def read_colour_tokens(content: str) -> dict[str, tuple[str, Oklch | None]]:
    """``color.*`` tokens of a token file: role → (hex as rendered, OKLCH if given).

    The hex is taken as written; a row with only an OKLCH value gets the hex it renders as.
    """
    found: dict[str, tuple[str, Oklch | None]] = {}
    for line in content.splitlines():
        match = _TOKEN_ROW.search(line)
        if not match or match.group(1) in found:
            continue
        rest = line[match.end() :]
        at = rest.lower().find("oklch(")
        oklch = parse_colour(rest[at:]) if at >= 0 else None
        hexa = _HEX_VALUE.search(rest)
        if hexa:
            found[match.group(1)] = (hexa.group(0).lower(), oklch)
        elif oklch is not None:
            found[match.group(1)] = (oklch_to_hex(oklch), oklch)
    return found


def contrast_checks(content: str) -> list[ContrastCheck]:
    """The text pairs of a token file, recomputed from its own colour values.

    Text on the background (dominant) and on the surface; the text on the accent
    (``color.on-accent``, else ``color.text``) on the accent; muted text on the background.
    """
    colours = read_colour_tokens(content)
    on_accent = "on-accent" if "on-accent" in colours else "text"
    pairs = [
        ("text", "dominant"),
        ("text", "surface"),
        (on_accent, "accent"),
        ("text-muted", "dominant"),
    ]
    return [
        ContrastCheck(
            f"color.{fore}",
            f"color.{back}",
            contrast_ratio(hex_to_srgb(colours[fore][0]), hex_to_srgb(colours[back][0])),
        )
        for fore, back in pairs
        if fore in colours and back in colours
    ]


def _design_tokens_checks(artifact: str, content: str) -> list[Issue]:
    issues: list[Issue] = []
    colours = read_colour_tokens(content)
    missing = [f"color.{role}" for role in COLOUR_ROLES if role not in colours]
    if missing:
        issues.append(
            Issue(artifact, "structure", "error", f"defines no colour token {', '.join(missing)}")
        )
    for check in contrast_checks(content):
        if not check.passes:
            issues.append(
                Issue(
                    artifact,
                    "structure",
                    "error",
                    f"{check.foreground} on {check.background} has a contrast of "
                    f"{check.ratio:.2f}:1, below {MIN_CONTRAST}:1",
                )
            )
    for role, (hexa, oklch) in colours.items():
        if oklch is not None and not _same_colour(hexa, oklch_to_hex(oklch)):
            issues.append(
                Issue(
                    artifact,
                    "structure",
                    "warning",
                    f"color.{role}: {hexa} is not the colour {oklch.css()} renders as "
                    f"({oklch_to_hex(oklch)})",
                )
            )
    motion = _section(content, "Motion")
    if not re.search(r"\b\d+(?:\.\d+)?\s*m?s\b", motion):
        issues.append(Issue(artifact, "structure", "error", "gives no animation durations"))
    if not re.search(r"cubic-bezier\(|\bease(?:-in|-out|-in-out)?\b|\blinear\b", motion):
        issues.append(Issue(artifact, "structure", "error", "gives no animation easings"))
    return issues


def _same_colour(first: str, second: str) -> bool:
    """Equal within two 8-bit steps per channel (OKLCH is written rounded)."""
    a, b = hex_to_srgb(first), hex_to_srgb(second)
    return all(abs(x - y) <= 2 / 255 + 1e-9 for x, y in zip(a, b, strict=True))


def _section(content: str, title: str) -> str:
    match = re.search(rf"^##\s+{title}\s*$(.*?)(?=^##\s|\Z)", content, re.I | re.M | re.S)
    return match.group(1) if match else ""


# --- journey maps: Mermaid flowcharts that parse -----------------------------------------------

_MERMAID_BLOCK = re.compile(r"^```mermaid[ \t]*\n(.*?)^```", re.M | re.S)


def _journey_map_checks(artifact: str, content: str) -> list[Issue]:
    blocks = _MERMAID_BLOCK.findall(content)
    if not blocks:
        return [Issue(artifact, "structure", "error", "has no Mermaid flowchart")]
    return [
        Issue(artifact, "structure", "error", f"Mermaid diagram {number}: {problem}")
        for number, block in enumerate(blocks, start=1)
        for problem in check_flowchart(block)
    ]


_DIRECTIONS = frozenset({"TB", "TD", "BT", "RL", "LR"})
_HEADER = re.compile(r"^(flowchart|graph)(?:\s+(\S+))?\s*;?$")
_NODE_ID = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*")
# Longest openers first, so "((" is not read as "(".
_SHAPES = (
    ("(((", ")))"),
    ("((", "))"),
    ("([", "])"),
    ("[[", "]]"),
    ("[(", ")]"),
    ("[/", "/]"),
    ("[\\", "\\]"),
    ("{{", "}}"),
    ("[", "]"),
    ("(", ")"),
    ("{", "}"),
    (">", "]"),
)
_EDGE = re.compile(
    r"\s*(?:"
    r"(?P<texted>(?:--|==)\s+[^-=|\n]+?\s+(?:-->|==>|---|===))"
    r"|(?P<arrow><?(?:-{2,}|={2,}|-\.+-)[>ox]?)"
    r")(?:\|(?P<label>[^|]*)\|)?\s*"
)
_STATEMENT_KEYWORDS = ("classDef ", "class ", "style ", "linkStyle ", "click ", "direction ")


def check_flowchart(source: str) -> list[str]:
    """Problems in a Mermaid flowchart (the subset the agents write); [] when it parses.

    Accepted: a ``flowchart``/``graph`` header with a direction; node statements ``A``,
    ``A["label"]`` and the other bracket shapes; edges ``-->``, ``---``, ``-.->``, ``==>``,
    ``--o``, ``--x`` with an optional ``|label|`` or ``-- text -->``, chained and joined with
    ``&``; ``subgraph``/``end``; ``classDef``, ``class``, ``style``, ``linkStyle``, ``click``
    and ``%%`` comments.
    """
    lines = [(n, line.strip()) for n, line in enumerate(source.splitlines(), start=1)]
    lines = [(n, text) for n, text in lines if text and not text.startswith("%%")]
    if not lines:
        return ["the diagram is empty"]
    number, first = lines[0]
    header = _HEADER.match(first)
    if not header:
        return [f"line {number}: a flowchart starts with 'flowchart TD' (or LR, ...)"]
    if header.group(2) and header.group(2) not in _DIRECTIONS:
        return [f"line {number}: unknown direction {header.group(2)!r}"]
    problems: list[str] = []
    open_subgraphs: list[int] = []
    nodes = 0
    for number, text in lines[1:]:
        statement = text.rstrip(";").strip()
        if statement.startswith("subgraph"):
            if not statement[len("subgraph") :].strip():
                problems.append(f"line {number}: a subgraph needs a name")
            open_subgraphs.append(number)
        elif statement == "end":
            if not open_subgraphs:
                problems.append(f"line {number}: 'end' closes no subgraph")
            else:
                open_subgraphs.pop()
        elif statement.startswith(_STATEMENT_KEYWORDS):
            continue
        else:
            found, problem = _parse_chain(statement)
            nodes += found
            if problem:
                problems.append(f"line {number}: {problem}")
    problems.extend(f"line {n}: subgraph is never closed with 'end'" for n in open_subgraphs)
    if not nodes and not problems:
        problems.append("the diagram has no nodes")
    return problems


def _parse_chain(statement: str) -> tuple[int, str]:
    """Parse ``node (edge node)*``; return (nodes seen, problem or '')."""
    position, nodes = 0, 0
    while True:
        count, position, problem = _parse_node_group(statement, position)
        nodes += count
        if problem:
            return nodes, problem
        if position >= len(statement):
            return nodes, ""
        edge = _EDGE.match(statement, position)
        if not edge:
            return nodes, f"expected an arrow at {statement[position:].strip()!r}"
        position = edge.end()
        if position >= len(statement):
            return nodes, "an arrow points to nothing"


def _parse_node_group(statement: str, position: int) -> tuple[int, int, str]:
    count = 0
    while True:
        position, problem = _parse_node(statement, position)
        if problem:
            return count, position, problem
        count += 1
        joined = re.match(r"\s*&\s*", statement[position:])
        if not joined:
            return count, position, ""
        position += joined.end()


def _parse_node(statement: str, position: int) -> tuple[int, str]:
    identifier = _NODE_ID.match(statement, position)
    if not identifier:
        return position, f"expected a node at {statement[position:]!r}"
    name = identifier.group(0)
    if name == "end":
        return position, "'end' cannot be a node name"
    position = identifier.end()
    for opener, closer in _SHAPES:
        if statement.startswith(opener, position):
            position, problem = _parse_label(statement, position + len(opener), closer, name)
            if problem:
                return position, problem
            break
    styled = re.match(r":::[A-Za-z0-9_-]+", statement[position:])
    return position + (styled.end() if styled else 0), ""


def _parse_label(statement: str, position: int, closer: str, node: str) -> tuple[int, str]:
    if statement.startswith('"', position):
        end = statement.find('"', position + 1)
        if end < 0:
            return position, f"the label of node {node} has no closing quote"
        position = end + 1
        if not statement.startswith(closer, position):
            return position, f"the label of node {node} is not closed with {closer!r}"
        return position + len(closer), ""
    end = statement.find(closer, position)
    if end < 0:
        return position, f"the label of node {node} is not closed with {closer!r}"
    label = statement[position:end]
    if re.search(r'["\[\]{}()]', label):
        return position, f"the label of node {node} needs double quotes around it"
    if not label.strip():
        return position, f"node {node} has an empty label"
    return end + len(closer), ""


_TYPE_CHECKS: Mapping[str, Callable[[str, str], list[Issue]]] = {
    "design-tokens.md": _design_tokens_checks,
    "journey-maps.md": _journey_map_checks,
}


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
    section = _section(content, "Typography")
    if not section:
        return set()
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
