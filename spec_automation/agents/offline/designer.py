"""The designer: design-tokens.md, component-mapping.md and journey-maps.md.

The palette is computed in OKLCH from the brief's brand colour (or a hue derived from the
product name), checked for WCAG contrast, and written with its sRGB hex values. Component
mapping reads the tokens back from design-tokens.md and the stack from stack.md.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spec_automation.agents.brief import Brief
from spec_automation.agents.offline.stack import stack_from_inputs
from spec_automation.agents.offline.upstream import (
    Requirement,
    artifact,
    requirements_from_inputs,
)
from spec_automation.core.colour import (
    Oklch,
    contrast_ratio,
    gamut_map,
    hex_to_srgb,
    oklch_to_hex,
    parse_colour,
)

__all__ = [
    "Palette",
    "component_facts",
    "palette_facts",
    "palette_for",
    "write_component_mapping",
    "write_design_tokens",
    "write_journey_maps",
]

_MIN_CONTRAST = 4.5
_FONTS = ("IBM Plex Sans", "Source Sans 3", "Atkinson Hyperlegible", "Public Sans")
_TYPE_SCALE = (
    ("caption", 14, 20, 400),
    ("body", 16, 24, 400),
    ("title", 24, 32, 600),
    ("display", 32, 40, 700),
)
_SPACING = (4, 8, 16, 24, 32, 48, 64)
_TOKEN_LINE = re.compile(r"`((?:color|space|font|motion|radius)\.[a-z0-9.-]+)`[^|]*\|\s*([^|]+)")


@dataclass(frozen=True, slots=True)
class Palette:
    """The colour roles of the product, each an in-gamut OKLCH colour."""

    dominant: Oklch
    secondary: Oklch
    accent: Oklch
    text: Oklch
    text_muted: Oklch
    surface: Oklch
    on_accent: Oklch

    def roles(self) -> list[tuple[str, str, Oklch]]:
        """(token name, role description, colour) in reading order."""
        return [
            ("color.dominant", "60% · page background", self.dominant),
            ("color.secondary", "30% · panels, navigation, table headers", self.secondary),
            ("color.accent", "10% · primary actions, focus, selection", self.accent),
            ("color.text", "body text and icons", self.text),
            ("color.text-muted", "secondary text, hints", self.text_muted),
            ("color.surface", "cards, dialogs, inputs", self.surface),
            ("color.on-accent", "text and icons on the accent", self.on_accent),
        ]


def palette_for(brief: Brief) -> Palette:
    """Compute a palette from the brand colour (or a name-derived hue) with safe contrast.

    Text is darkened until it reaches 4.5:1 on both background and surface; the accent is
    darkened until white-ish text on it reaches 4.5:1, so every pairing passes WCAG AA.
    """
    brand = parse_colour(brief.brand_colour or "")
    hue = brand.h if brand and brand.c > 0.02 else _hue_from_name(brief.name)
    accent_chroma = min(max(brand.c, 0.08), 0.2) if brand else 0.14
    accent_l = min(max(brand.l, 0.4), 0.62) if brand else 0.55
    dominant = gamut_map(Oklch(0.985, 0.006, hue))
    secondary = gamut_map(Oklch(0.94, 0.025, hue))
    surface = gamut_map(Oklch(1.0, 0.0, hue))
    on_accent = gamut_map(Oklch(0.99, 0.005, hue))
    text = _darken_until(Oklch(0.32, 0.02, hue), (dominant, secondary, surface))
    text_muted = _darken_until(Oklch(0.5, 0.02, hue), (dominant, surface))
    accent = _darken_until(Oklch(accent_l, accent_chroma, hue), (on_accent,))
    return Palette(dominant, secondary, accent, text, text_muted, surface, on_accent)


def write_design_tokens(brief: Brief, inputs: Mapping[str, str]) -> str:  # noqa: ARG001
    """Write design-tokens.md: OKLCH palette with hex and contrast, spacing, 4 sizes, motion."""
    palette = palette_for(brief)
    source = (
        f"the brand colour {brief.brand_colour}"
        if brief.brand_colour
        else f"a hue derived from the name “{brief.name}”"
    )
    font = _FONTS[_stable_number(brief.name) % len(_FONTS)]
    parts = [
        f"# Design tokens: {brief.name}",
        "Stack-agnostic tokens. Colours are specified in OKLCH (even perceived lightness) with "
        "the sRGB hex each one renders as; components consume tokens, never raw values.",
        "## Colour",
        f"Palette computed from {source}, split 60/30/10 between dominant, secondary and accent.",
        _colour_table(palette),
        "### Contrast (WCAG 2.2)",
        _contrast_lines(palette),
        "## Spacing",
        "An 8-point grid; 4 is the only half step, for icon gaps and dense tables.",
        "| Token | Value |\n|---|---|\n"
        + "\n".join(f"| `space.{i}` | {v}px |" for i, v in enumerate(_SPACING, start=1)),
        "## Typography",
        f"- Font family: `font.family.sans` = {font}, system-ui, sans-serif\n"
        "- Monospace: `font.family.mono` = JetBrains Mono, ui-monospace, monospace\n"
        "- Exactly four sizes; hierarchy comes from weight and spacing, not more sizes.",
        "| Token | Size | Line height | Weight |\n|---|---|---|---|\n"
        + "\n".join(
            f"| `font.size.{name}` | {size}px | {line}px | {weight} |"
            for name, size, line, weight in _TYPE_SCALE
        ),
        "## Motion",
        "| Token | Value | Use |\n|---|---|---|\n"
        "| `motion.duration.fast` | 120ms | hover, press, toggles |\n"
        "| `motion.duration.base` | 200ms | menus, tooltips, small panels |\n"
        "| `motion.duration.slow` | 320ms | dialogs, page-level transitions |\n"
        "| `motion.easing.standard` | cubic-bezier(0.2, 0, 0, 1) | elements moving on screen |\n"
        "| `motion.easing.enter` | cubic-bezier(0, 0, 0, 1) | elements appearing |\n"
        "| `motion.easing.exit` | cubic-bezier(0.3, 0, 1, 1) | elements leaving |",
        "When the user prefers reduced motion, durations drop to 0ms and only opacity changes.",
        "## Shape",
        "| Token | Value |\n|---|---|\n| `radius.small` | 4px |\n| `radius.medium` | 8px |",
        "Backgrounds are flat colour fills; depth comes from the surface colour and a 1px border.",
    ]
    return "\n\n".join(parts) + "\n"


def write_component_mapping(brief: Brief, inputs: Mapping[str, str]) -> str:
    """Write component-mapping.md: tokens of design-tokens.md mapped onto the stack's kit."""
    stack = stack_from_inputs(inputs, brief)
    tokens = _read_tokens(artifact(inputs, "design-tokens.md")) or _tokens_of(palette_for(brief))
    kind = stack.ui_kind
    requirements = requirements_from_inputs(inputs, brief)
    parts = [
        f"# Component mapping: {brief.name}",
        f"Target UI kit: {_KITS[kind]} (from the stack: {stack.text}).",
        "## Token mapping",
        _token_table(tokens, kind),
        "## Components",
        "\n\n".join(
            _component_block(name, kind, reqs) for name, reqs in _components_needed(requirements)
        ),
    ]
    return "\n\n".join(parts) + "\n"


def write_journey_maps(brief: Brief, inputs: Mapping[str, str]) -> str:
    """Write journey-maps.md: a journey per persona over the requirements that serve them."""
    requirements = requirements_from_inputs(inputs, brief)
    personas = [(p.name, p.need) for p in brief.users] or [("User", brief.summary)]
    blocks = [_journey(name, need, _relevant(need, requirements)) for name, need in personas[:6]]
    parts = [f"# Journey maps: {brief.name}", "## Journeys", "\n\n".join(blocks)]
    return "\n\n".join(parts) + "\n"


def palette_facts(brief: Brief) -> str:
    """The computed palette as a model is given it: roles, OKLCH, hex and contrast ratios."""
    source = (
        f"the brand colour {brief.brand_colour}"
        if brief.brand_colour
        else f"a hue derived from the name “{brief.name}”"
    )
    return "\n\n".join(
        [
            f"Computed palette (from {source}); use these tokens, values and roles as given:",
            _colour_table(palette_for(brief)),
            "Contrast, computed from the hex values:",
            _contrast_lines(palette_for(brief)),
            "Spacing: an 8pt grid, tokens space.1..space.7 = "
            + ", ".join(f"{v}px" for v in _SPACING)
            + ". Typography: exactly four sizes, "
            + ", ".join(f"font.size.{n} = {s}px" for n, s, _, _ in _TYPE_SCALE)
            + ". Motion: durations (ms) and easings (cubic-bezier) as motion.* tokens.",
        ]
    )


def component_facts(brief: Brief, inputs: Mapping[str, str]) -> str:
    """The UI kit the stack implies and the tokens to map, as a model is given them."""
    stack = stack_from_inputs(inputs, brief)
    tokens = _read_tokens(artifact(inputs, "design-tokens.md")) or _tokens_of(palette_for(brief))
    return (
        f"Target UI kit: {_KITS[stack.ui_kind]} (from the stack: {stack.text}). "
        "Map every token below onto it in the Token mapping table:\n\n"
        + "\n".join(f"- `{name}` = {value}" for name, value in tokens)
    )


# --- palette --------------------------------------------------------------------------------


def _hue_from_name(name: str) -> float:
    """A stable hue from the product name that skips the 270°-330° band (an over-used look)."""
    allowed = [h for h in range(0, 360, 5) if not 270 <= h <= 330]
    return float(allowed[_stable_number(name or "product") % len(allowed)])


def _stable_number(text: str) -> int:
    # hash() is salted per process; a digest keeps the output byte-identical across runs.
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)


def _darken_until(colour: Oklch, backgrounds: Sequence[Oklch]) -> Oklch:
    candidate = gamut_map(colour)
    while candidate.l > 0.05 and min(_ratio(candidate, b) for b in backgrounds) < _MIN_CONTRAST:
        candidate = gamut_map(Oklch(round(candidate.l - 0.01, 3), colour.c, colour.h))
    return candidate


def _ratio(first: Oklch, second: Oklch) -> float:
    return contrast_ratio(hex_to_srgb(oklch_to_hex(first)), hex_to_srgb(oklch_to_hex(second)))


def _colour_table(palette: Palette) -> str:
    rows = [
        f"| `{name}` | {oklch_to_hex(c)} | {c.css()} | {role} |"
        for name, role, c in palette.roles()
    ]
    return "| Token | Hex | OKLCH | Role |\n|---|---|---|---|\n" + "\n".join(rows)


def _contrast_lines(palette: Palette) -> str:
    pairs = (
        ("color.text on color.dominant", palette.text, palette.dominant),
        ("color.text on color.surface", palette.text, palette.surface),
        ("color.text on color.secondary", palette.text, palette.secondary),
        ("color.text-muted on color.dominant", palette.text_muted, palette.dominant),
        ("color.on-accent on color.accent", palette.on_accent, palette.accent),
    )
    lines = []
    for label, fore, back in pairs:
        ratio = _ratio(fore, back)
        verdict = "passes AA" if ratio >= _MIN_CONTRAST else "fails AA"
        lines.append(f"- {label}: {ratio:.2f}:1 ({verdict}, needs ≥ 4.5:1)")
    return "\n".join(lines)


def _tokens_of(palette: Palette) -> list[tuple[str, str]]:
    tokens = [(name, oklch_to_hex(c)) for name, _, c in palette.roles()]
    tokens += [(f"space.{i}", f"{v}px") for i, v in enumerate(_SPACING, start=1)]
    tokens += [(f"font.size.{name}", f"{size}px") for name, size, _, _ in _TYPE_SCALE]
    return tokens


def _read_tokens(design_tokens_md: str) -> list[tuple[str, str]]:
    """(token, value) pairs from the token tables of design-tokens.md."""
    found: dict[str, str] = {}
    for line in design_tokens_md.splitlines():
        match = _TOKEN_LINE.search(line)
        if match and match.group(1) not in found:
            found[match.group(1)] = match.group(2).strip()
    return list(found.items())


# --- component mapping ----------------------------------------------------------------------

_KITS = {
    "react": "shadcn/ui (Radix primitives) with Tailwind CSS variables",
    "qt": "Qt widgets styled with a QSS stylesheet",
    "mobile": "the mobile toolkit's themed components",
    "generic": "the chosen UI toolkit's components",
}

# Token → (shadcn/ui CSS variable, QSS property on the named widget selector).
_TARGETS: dict[str, tuple[str, str]] = {
    "color.dominant": ("--background", "QMainWindow, QWidget { background-color }"),
    "color.secondary": (
        "--secondary / --muted",
        "QHeaderView::section, QTabBar::tab { background-color }",
    ),
    "color.accent": (
        "--primary / --ring",
        'QPushButton[primary="true"] { background-color }; QWidget:focus { border-color }',
    ),
    "color.text": ("--foreground", "QWidget { color }"),
    "color.text-muted": ("--muted-foreground", 'QLabel[muted="true"] { color }'),
    "color.surface": (
        "--card / --popover / --input",
        "QDialog, QLineEdit, QTableView { background-color }",
    ),
    "color.on-accent": ("--primary-foreground", 'QPushButton[primary="true"] { color }'),
}

# Requirement words → the component that serves them, checked in order.
_COMPONENT_WORDS: tuple[tuple[str, str], ...] = (
    (r"calendar|schedul|rota|shift|booking|appointment", "Calendar"),
    (r"list|table|report|history|log|overview|roster", "Data table"),
    (r"request|form|submit|create|edit|profile|setting", "Form"),
    (r"approv|review|confirm|delete|swap", "Dialog"),
    (r"notif|remind|alert|message", "Toast"),
    (r"dashboard|metric|chart|analytic|insight", "Card"),
    (r"search|find|filter", "Command palette"),
)

_KIT_COMPONENTS: dict[str, dict[str, str]] = {
    "react": {
        "Calendar": "Calendar (react-day-picker)",
        "Data table": "Table + DataTable (@tanstack/react-table)",
        "Form": "Form, Input, Select, Textarea",
        "Dialog": "AlertDialog, Dialog",
        "Toast": "Sonner toast",
        "Card": "Card",
        "Command palette": "Command",
        "Button": "Button",
    },
    "qt": {
        "Calendar": "QCalendarWidget",
        "Data table": "QTableView + QAbstractTableModel",
        "Form": "QFormLayout with QLineEdit, QComboBox",
        "Dialog": "QDialog, QMessageBox",
        "Toast": "non-modal QFrame notification",
        "Card": 'QFrame[card="true"]',
        "Command palette": "QLineEdit with QCompleter",
        "Button": "QPushButton",
    },
}


def _token_table(tokens: Sequence[tuple[str, str]], kind: str) -> str:
    rows = []
    for name, value in tokens:
        react, qss = _TARGETS.get(name, _spacing_target(name))
        target = {"react": react, "qt": qss}.get(kind, f"theme value `{name}`")
        rows.append(f"| `{name}` | {value} | {target} |")
    return "| Token | Value | Target |\n|---|---|---|\n" + "\n".join(rows)


def _spacing_target(name: str) -> tuple[str, str]:
    if name.startswith("space."):
        return ("Tailwind spacing scale (p-*, gap-*)", "QLayout spacing / contentsMargins")
    if name.startswith("font."):
        return ("Tailwind text-* classes", "QWidget { font-size } / QFont")
    if name.startswith("motion."):
        return ("transition / tailwindcss-animate", "QPropertyAnimation duration and curve")
    return ("CSS variable", "QSS property")


def _components_needed(requirements: Sequence[Requirement]) -> list[tuple[str, list[str]]]:
    needed: dict[str, list[str]] = {"Button": [r.id for r in requirements]}
    for requirement in requirements:
        text = f"{requirement.title} {requirement.statement}".lower()
        for pattern, component in _COMPONENT_WORDS:
            if re.search(pattern, text):
                needed.setdefault(component, []).append(requirement.id)
    return list(needed.items())


def _component_block(name: str, kind: str, requirement_ids: Sequence[str]) -> str:
    concrete = _KIT_COMPONENTS.get(kind, {}).get(name, name)
    tokens = {
        "Button": "color.accent, color.on-accent, radius.small, space.2/space.3",
        "Toast": "color.surface, color.text, motion.duration.base",
    }.get(name, "color.surface, color.text, color.secondary, space.3, radius.medium")
    cites = ", ".join(requirement_ids) or "—"
    return f"### {name}\n\n- Implementation: {concrete}\n- Tokens: {tokens}\n- Used by: {cites}"


# --- journeys -------------------------------------------------------------------------------


def _relevant(need: str, requirements: Sequence[Requirement]) -> list[Requirement]:
    words = set(re.findall(r"[a-z]{4,}", need.lower()))
    scored = [
        r
        for r in requirements
        if words & set(re.findall(r"[a-z]{4,}", f"{r.title} {r.statement}".lower()))
    ]
    return (scored or list(requirements))[:5]


def _journey(persona: str, need: str, requirements: Sequence[Requirement]) -> str:
    steps = [f"{persona} signs in"]
    steps += [f"{r.title} ({r.id})" for r in requirements]
    steps.append("Goal reached")
    ids = [chr(ord("A") + i) for i in range(len(steps))]
    nodes = [f'    {node}["{_label(step)}"]' for node, step in zip(ids, steps, strict=True)]
    edges = [f"    {a} --> {b}" for a, b in itertools.pairwise(ids)]
    diagram = "\n".join(["```mermaid", "flowchart TD", *nodes, *edges, "```"])
    cites = ", ".join(r.id for r in requirements) or "—"
    return f"### Journey: {persona}\n\nNeed: {need}\n\nRequirements: {cites}\n\n{diagram}"


def _label(text: str) -> str:
    # Mermaid labels end at a double quote; brackets confuse some renderers.
    return re.sub(r'["\[\]{}<>]', "'", text)
