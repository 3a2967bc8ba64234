"""The app's two themes: Qt style sheets whose palette block is the one source of colours.

``themes/dark.qss`` and ``themes/light.qss`` start with a comment listing every colour of the
theme (name, hex, the OKLCH it came from). The style sheet uses those hex values; the editor's
syntax colours and the diff viewer's line colours are read from the same block, so a theme is
changed in one file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from spec_automation.resources import bundled_spec_path

__all__ = ["TEXT_PAIRS", "Theme", "apply_theme", "load_theme", "theme_file"]

_ENTRY = re.compile(r"^\s*\*\s+([a-z][a-z-]*)\s+(#[0-9a-fA-F]{6})\s+(oklch\([^)]*\))\s*$")

# Every (text, background) pair the app draws; each must reach WCAG AA (4.5:1).
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    *(
        (fg, bg)
        for fg in (
            "text",
            "text-muted",
            "heading",
            "link",
            "code",
            "quote",
            "syn-keyword",
            "syn-string",
            "syn-comment",
            "syn-number",
            "syn-name",
            "error",
            "warning",
            "success",
        )
        for bg in ("window", "panel", "surface", "raised")
    ),
    ("text", "hover"),
    ("text", "selection"),
    ("text", "added"),
    ("text", "removed"),
    ("text", "changed"),
    ("text", "added-word"),
    ("text", "removed-word"),
    ("text", "filler"),
    ("on-accent", "accent"),
)


@dataclass(frozen=True)
class Theme:
    """A loaded theme: its name, style sheet and named colours."""

    name: str
    stylesheet: str
    colours: dict[str, str]  # name -> "#rrggbb"
    oklch: dict[str, str]  # name -> "oklch(L C H)" as written

    def colour(self, name: str) -> QColor:
        """A palette colour as a QColor."""
        return QColor(self.colours[name])

    def palette(self) -> QPalette:
        """A Qt palette of the theme's colours, for widgets that paint themselves (the wave
        visualizer, charts), so they follow the theme as the style sheet does."""
        palette = QPalette()
        role = QPalette.ColorRole
        for qt_role, name in (
            (role.Window, "window"),
            (role.WindowText, "text"),
            (role.Base, "surface"),
            (role.AlternateBase, "panel"),
            (role.Text, "text"),
            (role.PlaceholderText, "text-muted"),
            (role.Button, "raised"),
            (role.ButtonText, "text"),
            (role.BrightText, "heading"),
            (role.Highlight, "selection"),
            (role.HighlightedText, "text"),
            (role.ToolTipBase, "raised"),
            (role.ToolTipText, "text"),
            (role.Link, "link"),
            (role.Mid, "border"),
            (role.Dark, "surface"),
            (role.Light, "hover"),
        ):
            palette.setColor(qt_role, self.colour(name))
        return palette


def theme_file(name: str) -> Path:
    """The ``.qss`` file of a theme (``dark`` or ``light``)."""
    return bundled_spec_path().parent / "themes" / f"{name}.qss"


@cache
def load_theme(name: str) -> Theme:
    """Read a theme's style sheet and palette block."""
    path = theme_file(name)
    # Images (arrows, check marks) sit next to the style sheet; Qt needs their full path.
    text = path.read_text(encoding="utf-8").replace("@THEMES@", path.parent.as_posix())
    colours: dict[str, str] = {}
    oklch: dict[str, str] = {}
    header = text.split("*/", 1)[0]
    for line in header.splitlines():
        match = _ENTRY.match(line)
        if match:
            colours[match.group(1)] = match.group(2).lower()
            oklch[match.group(1)] = match.group(3)
    return Theme(name, text, colours, oklch)


#: The base type size of the app (the style sheets set the other three: 12, 18 and 24 px).
BASE_FONT_PX = 14


def apply_theme(name: str) -> Theme:
    """Make ``name`` the application's theme (live: every widget restyles at once)."""
    theme = load_theme(name)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        font = app.font()
        if font.pixelSize() != BASE_FONT_PX:  # once: a font change re-lays out every text
            font.setPixelSize(BASE_FONT_PX)
            app.setFont(font)
        app.setPalette(theme.palette())
        # From one style sheet straight to another, Qt re-polishes every widget through the
        # old sheet's style: with 15 tabs open (about 1,000 widgets) 330 ms. Through no sheet
        # it is 40 ms to drop the old and 50 ms to apply the new, the same styles in the end.
        if app.styleSheet():
            app.setStyleSheet("")
        app.setStyleSheet(theme.stylesheet)
        app.setProperty("themeName", name)
    return theme


def current_theme() -> Theme:
    """The theme the application uses now (dark before any is applied)."""
    app = QApplication.instance()
    name = app.property("themeName") if app is not None else None
    return load_theme(name if isinstance(name, str) else "dark")
