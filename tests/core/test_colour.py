"""Colour maths: OKLCH ↔ sRGB, gamut mapping and WCAG contrast."""

from __future__ import annotations

import pytest

from spec_automation.core.colour import (
    Oklch,
    contrast_ratio,
    gamut_map,
    hex_to_srgb,
    in_gamut,
    oklch_to_hex,
    oklch_to_srgb,
    parse_colour,
    srgb_to_oklch,
)


def test_black_on_white_is_21_to_1():
    assert contrast_ratio((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)) == pytest.approx(21.0)
    assert contrast_ratio((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)) == pytest.approx(1.0)


def test_white_and_black():
    assert oklch_to_hex(Oklch(1, 0, 0)) == "#ffffff"
    assert oklch_to_hex(Oklch(0, 0, 0)) == "#000000"


def test_reference_red_round_trips_within_one_step():
    red = oklch_to_srgb(Oklch(0.628, 0.2577, 29.23))
    for channel, expected in zip(red, (1.0, 0.0, 0.0), strict=True):
        assert abs(channel - expected) <= 1 / 255
    back = srgb_to_oklch((1.0, 0.0, 0.0))
    assert back.l == pytest.approx(0.628, abs=1e-3)
    assert back.c == pytest.approx(0.2577, abs=1e-3)
    assert back.h == pytest.approx(29.23, abs=0.1)


@pytest.mark.parametrize("hexa", ["#0f766e", "#123456", "#fafafa", "#e11d48"])
def test_hex_round_trip(hexa):
    assert oklch_to_hex(srgb_to_oklch(hex_to_srgb(hexa))) == hexa


def test_gamut_mapping_keeps_lightness_and_hue_and_lands_in_range():
    vivid = Oklch(0.7, 0.4, 145)
    assert not in_gamut(vivid)
    mapped = gamut_map(vivid)
    assert in_gamut(mapped)
    assert (mapped.l, mapped.h) == (vivid.l, vivid.h)
    assert 0 < mapped.c < vivid.c
    assert all(-1e-6 <= ch <= 1 + 1e-6 for ch in oklch_to_srgb(mapped))


def test_parse_colour_reads_hex_and_oklch():
    assert oklch_to_hex(parse_colour("brand: #0F766E") or Oklch(0, 0, 0)) == "#0f766e"
    assert parse_colour("use oklch(62% 0.15 45deg)") == Oklch(0.62, 0.15, 45.0)
    assert parse_colour("no colour here") is None


def test_hex_to_srgb_rejects_bad_text():
    with pytest.raises(ValueError, match="rrggbb"):
        hex_to_srgb("#12")


@pytest.mark.parametrize(
    ("oklch", "hexa"),
    [
        # CSS Color 4 reference conversions of the named colours red and green.
        (Oklch(0.62796, 0.25768, 29.2339), "#ff0000"),
        (Oklch(0.51975, 0.17686, 142.495), "#008000"),
        (Oklch(0.0, 0.0, 0.0), "#000000"),
    ],
)
def test_known_oklch_values_convert_to_their_known_hex(oklch, hexa):
    assert oklch_to_hex(oklch) == hexa


@pytest.mark.parametrize(
    ("grey", "ratio"),
    [("#777777", 4.48), ("#767676", 4.54), ("#595959", 7.0)],
)
def test_wcag_reference_greys_on_white(grey, ratio):
    # The greys accessibility guides quote: #767676 is the lightest passing AA on white.
    assert contrast_ratio(hex_to_srgb(grey), (1.0, 1.0, 1.0)) == pytest.approx(ratio, abs=0.01)
