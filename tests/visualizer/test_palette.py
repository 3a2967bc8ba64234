"""The visualizer's colours keep readable contrast in both themes (WCAG, via core.colour)."""

from __future__ import annotations

import pytest

from spec_automation.core.colour import contrast_ratio, hex_to_srgb, srgb_to_oklch
from spec_automation.ui.visualizer.palette import (
    canvas_colours,
    is_dark,
    state_colours,
    theme_palette,
)
from spec_automation.ui.visualizer.run_state import NodeState


def ratio(a: str, b: str) -> float:
    return contrast_ratio(hex_to_srgb(a), hex_to_srgb(b))


@pytest.mark.parametrize("dark", [True, False])
def test_text_on_every_node_fill_is_readable(dark: bool) -> None:
    colours = state_colours(dark=dark)
    assert set(colours) == set(NodeState)
    canvas = canvas_colours(dark=dark)
    for state, c in colours.items():
        assert ratio(c.text, c.fill) >= 4.5, state
        assert ratio(c.secondary, c.fill) >= 4.5, state
        assert ratio(c.border, canvas.background) >= 3.0, state  # non-text contrast


@pytest.mark.parametrize("dark", [True, False])
def test_canvas_text_and_critical_path_are_readable(dark: bool) -> None:
    canvas = canvas_colours(dark=dark)
    assert ratio(canvas.text, canvas.background) >= 4.5
    assert ratio(canvas.secondary, canvas.background) >= 4.5
    assert ratio(canvas.critical, canvas.background) >= 3.0
    assert ratio(canvas.edge, canvas.background) >= 3.0


def test_states_are_told_apart_by_hue_and_none_is_purple() -> None:
    for dark in (True, False):
        hues = {
            state: srgb_to_oklch(hex_to_srgb(c.border))
            for state, c in state_colours(dark=dark).items()
        }
        for colour in hues.values():
            assert not (280 <= colour.h <= 330 and colour.c > 0.05)  # no purple
        assert (
            len(
                {
                    round(hues[s].h / 20)
                    for s in (
                        NodeState.RUNNING,
                        NodeState.SUCCEEDED,
                        NodeState.FAILED,
                        NodeState.WAITING,
                    )
                }
            )
            == 4
        )


@pytest.mark.gui
def test_theme_palettes_are_recognised(qapp: object) -> None:
    assert is_dark(theme_palette(dark=True))
    assert not is_dark(theme_palette(dark=False))
