"""Colours of the visualizer, designed in OKLCH and checked for contrast.

Every state has a hue; its node fill, border and text are derived from that hue at lightness
levels chosen for a dark or a light theme, so the states read as one family and the text on
every fill keeps a WCAG contrast of at least 4.5:1 (``tests/visualizer/test_palette.py`` checks
each pair with ``core.colour``). Which of the two sets is used follows the widget's
``QPalette``: the app's theme decides, the visualizer follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from spec_automation.core.colour import Oklch, oklch_to_hex
from spec_automation.ui.visualizer.run_state import NodeState

__all__ = [
    "CanvasColours",
    "StateColours",
    "canvas_colours",
    "is_dark",
    "state_colours",
    "theme_palette",
]

# Hue (degrees) and chroma weight per state. No purple: waiting is amber, the hue people read
# as "needs you"; failed is red, blocked a muted orange that reads as "held back by red".
_HUES: dict[NodeState, tuple[float, float]] = {
    NodeState.PENDING: (255.0, 0.15),
    NodeState.QUEUED: (230.0, 0.55),
    NodeState.RUNNING: (245.0, 1.0),
    NodeState.SUCCEEDED: (150.0, 0.9),
    NodeState.CACHED: (185.0, 0.7),
    NodeState.FAILED: (25.0, 1.0),
    NodeState.BLOCKED: (55.0, 0.6),
    NodeState.WAITING: (85.0, 1.0),
    NodeState.CANCELLED: (255.0, 0.1),
    NodeState.DONE_EARLIER: (150.0, 0.4),
    NodeState.SKIPPED: (185.0, 0.3),
}


@dataclass(frozen=True, slots=True)
class StateColours:
    """The colours of one node state, as ``#rrggbb``."""

    fill: str
    border: str
    text: str
    secondary: str  # agent role, timings: quieter, still ≥ 4.5:1 on the fill


@dataclass(frozen=True, slots=True)
class CanvasColours:
    """Colours of the canvas around the nodes."""

    background: str
    edge: str
    critical: str  # the critical path's edges and node outlines
    grid: str
    text: str
    secondary: str


def state_colours(*, dark: bool) -> dict[NodeState, StateColours]:
    """Each state's colours for a dark or a light theme."""
    result = {}
    for state, (hue, weight) in _HUES.items():
        if dark:
            result[state] = StateColours(
                fill=oklch_to_hex(Oklch(0.31, 0.06 * weight, hue)),
                border=oklch_to_hex(Oklch(0.74, 0.14 * weight, hue)),
                text=oklch_to_hex(Oklch(0.96, 0.01, hue)),
                secondary=oklch_to_hex(Oklch(0.84, 0.03 * weight, hue)),
            )
        else:
            result[state] = StateColours(
                fill=oklch_to_hex(Oklch(0.95, 0.035 * weight, hue)),
                border=oklch_to_hex(Oklch(0.56, 0.15 * weight, hue)),
                text=oklch_to_hex(Oklch(0.24, 0.02, hue)),
                secondary=oklch_to_hex(Oklch(0.42, 0.05 * weight, hue)),
            )
    return result


def canvas_colours(*, dark: bool) -> CanvasColours:
    """The canvas colours for a dark or a light theme."""
    if dark:
        return CanvasColours(
            background=oklch_to_hex(Oklch(0.21, 0.012, 255)),
            edge=oklch_to_hex(Oklch(0.55, 0.02, 255)),
            critical=oklch_to_hex(Oklch(0.80, 0.13, 70)),
            grid=oklch_to_hex(Oklch(0.30, 0.012, 255)),
            text=oklch_to_hex(Oklch(0.94, 0.01, 255)),
            secondary=oklch_to_hex(Oklch(0.78, 0.02, 255)),
        )
    return CanvasColours(
        background=oklch_to_hex(Oklch(0.985, 0.004, 255)),
        edge=oklch_to_hex(Oklch(0.62, 0.02, 255)),
        critical=oklch_to_hex(Oklch(0.58, 0.15, 55)),
        grid=oklch_to_hex(Oklch(0.91, 0.008, 255)),
        text=oklch_to_hex(Oklch(0.24, 0.015, 255)),
        secondary=oklch_to_hex(Oklch(0.45, 0.02, 255)),
    )


def is_dark(palette: QPalette) -> bool:
    """Whether a palette is a dark theme (its window colour is dark)."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def theme_palette(*, dark: bool) -> QPalette:
    """A whole-application palette in the same OKLCH family (for the standalone window).

    The desktop app applies its own themes; this one makes the visualizer presentable when
    it runs on its own (development, screenshots, the benchmark).
    """
    canvas = canvas_colours(dark=dark)
    if dark:
        window, base, alt, button = (
            Oklch(0.24, 0.012, 255),
            Oklch(0.19, 0.012, 255),
            Oklch(0.22, 0.012, 255),
            Oklch(0.30, 0.015, 255),
        )
        highlight = Oklch(0.62, 0.13, 245)
        highlighted_text = Oklch(0.99, 0.0, 0)
    else:
        window, base, alt, button = (
            Oklch(0.965, 0.005, 255),
            Oklch(0.995, 0.002, 255),
            Oklch(0.975, 0.004, 255),
            Oklch(0.93, 0.008, 255),
        )
        highlight = Oklch(0.52, 0.14, 245)
        highlighted_text = Oklch(0.99, 0.0, 0)
    role = QPalette.ColorRole
    palette = QPalette()
    colours = {
        role.Window: oklch_to_hex(window),
        role.Base: oklch_to_hex(base),
        role.AlternateBase: oklch_to_hex(alt),
        role.Button: oklch_to_hex(button),
        role.WindowText: canvas.text,
        role.Text: canvas.text,
        role.ButtonText: canvas.text,
        role.ToolTipBase: oklch_to_hex(base),
        role.ToolTipText: canvas.text,
        role.PlaceholderText: canvas.secondary,
        role.Highlight: oklch_to_hex(highlight),
        role.HighlightedText: oklch_to_hex(highlighted_text),
        role.Link: oklch_to_hex(highlight),
        role.Mid: canvas.edge,
        role.Dark: canvas.grid,
    }
    for colour_role, value in colours.items():
        palette.setColor(colour_role, QColor(value))
    palette.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor(canvas.edge))
    palette.setColor(QPalette.ColorGroup.Disabled, role.WindowText, QColor(canvas.edge))
    palette.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor(canvas.edge))
    return palette
