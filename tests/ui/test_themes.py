"""Both themes follow the design rules: an OKLCH-derived palette, readable text (WCAG AA),
an 8pt spacing grid, four type sizes, no gradients and no purple."""

from __future__ import annotations

import re

import pytest

from spec_automation.core.colour import (
    Oklch,
    contrast_ratio,
    hex_to_srgb,
    oklch_to_hex,
    parse_colour,
)
from spec_automation.ui.theme import TEXT_PAIRS, load_theme, theme_file

THEMES = ("dark", "light")
_BLOCK = re.compile(r"([^{}]+)\{([^{}]*)\}")
_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]+);")


def rules(name: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, {property: value}) for every rule of a theme's style sheet."""
    text = re.sub(r"/\*.*?\*/", "", theme_file(name).read_text(encoding="utf-8"), flags=re.S)
    return [
        (selector.strip(), dict(_DECLARATION.findall(body)))
        for selector, body in _BLOCK.findall(text)
    ]


@pytest.mark.parametrize("name", THEMES)
def test_every_palette_colour_is_the_oklch_it_claims(name: str) -> None:
    theme = load_theme(name)
    assert len(theme.colours) >= 20
    for colour, hexa in theme.colours.items():
        written = parse_colour(theme.oklch[colour])
        assert written is not None
        assert oklch_to_hex(Oklch(written.l, written.c, written.h)) == hexa, colour


@pytest.mark.parametrize("name", THEMES)
def test_the_style_sheet_uses_only_palette_colours(name: str) -> None:
    palette = set(load_theme(name).colours.values())
    used = {
        match.lower()
        for _selector, declarations in rules(name)
        for value in declarations.values()
        for match in re.findall(r"#[0-9a-fA-F]{6}\b", value)
    }
    assert used, "no colours found"
    assert used <= palette, used - palette


@pytest.mark.parametrize("name", THEMES)
def test_every_text_and_background_pair_reaches_aa(name: str) -> None:
    colours = load_theme(name).colours
    low = {
        (fg, bg): round(contrast_ratio(hex_to_srgb(colours[fg]), hex_to_srgb(colours[bg])), 2)
        for fg, bg in TEXT_PAIRS
        if contrast_ratio(hex_to_srgb(colours[fg]), hex_to_srgb(colours[bg])) < 4.5
    }
    assert low == {}


@pytest.mark.parametrize("name", THEMES)
def test_colour_and_background_in_one_rule_are_readable(name: str) -> None:
    checked = 0
    for selector, declarations in rules(name):
        fg = declarations.get("color", "")
        bg = declarations.get("background-color", "")
        if fg.startswith("#") and bg.startswith("#"):
            ratio = contrast_ratio(hex_to_srgb(fg), hex_to_srgb(bg))
            assert ratio >= 4.5, f"{selector}: {fg} on {bg} is {ratio:.2f}:1"
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("name", THEMES)
def test_spacing_is_on_the_grid_and_there_are_four_type_sizes(name: str) -> None:
    sizes: set[str] = set()
    for selector, declarations in rules(name):
        for prop, value in declarations.items():
            if prop.startswith(("padding", "margin")) or prop == "spacing":
                for number in re.findall(r"(\d+)px", value):
                    assert int(number) % 4 == 0, f"{selector} {prop}: {value}"
            if prop == "font-size":
                sizes.add(value.strip())
    assert sizes == {"12px", "14px", "18px", "24px"}


@pytest.mark.parametrize("name", THEMES)
def test_no_gradients_and_no_purple(name: str) -> None:
    values = [value for _s, declarations in rules(name) for value in declarations.values()]
    assert values
    assert not [value for value in values if "gradient" in value.lower()]
    for colour, hexa in load_theme(name).colours.items():
        oklch = parse_colour(hexa)
        assert oklch is not None
        if oklch.c > 0.03:
            assert not 270 <= oklch.h <= 330, f"{colour} {hexa} is purple"
