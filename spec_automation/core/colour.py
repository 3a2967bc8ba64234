"""Colour maths for design tokens: OKLCH, sRGB, gamut mapping and WCAG contrast.

OKLCH is the space tokens are designed in (perceptually even lightness and hue); sRGB hex is
what every stack can consume. The conversions use Björn Ottosson's published OKLab matrices.
Everything here is a pure function over floats, so a palette is reproducible byte for byte.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = [
    "Oklch",
    "Srgb",
    "contrast_ratio",
    "gamut_map",
    "hex_to_srgb",
    "in_gamut",
    "oklch_to_hex",
    "oklch_to_srgb",
    "parse_colour",
    "relative_luminance",
    "srgb_to_hex",
    "srgb_to_oklch",
]

Srgb = tuple[float, float, float]
"""Gamma-encoded sRGB channels, nominally in 0..1 (out-of-gamut values fall outside)."""

_GAMUT_EPSILON = 1e-6
_HEX = re.compile(r"#([0-9a-fA-F]{6})\b")
_OKLCH = re.compile(
    r"oklch\(\s*([0-9]*\.?[0-9]+)(%?)\s+([0-9]*\.?[0-9]+)\s+([0-9]*\.?[0-9]+)(?:deg)?\s*\)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Oklch:
    """A colour in OKLCH: lightness 0..1, chroma 0..~0.4, hue in degrees 0..360."""

    l: float  # noqa: E741 - the standard name of OKLCH lightness
    c: float
    h: float

    def css(self) -> str:
        """The CSS ``oklch()`` notation, rounded for reading (3 decimals, hue 1 decimal)."""
        return f"oklch({self.l:.3f} {self.c:.3f} {self.h % 360:.1f})"


def oklch_to_srgb(colour: Oklch) -> Srgb:
    """Convert to gamma-encoded sRGB without clamping (values outside 0..1 are out of gamut)."""
    hue = math.radians(colour.h)
    a = colour.c * math.cos(hue)
    b = colour.c * math.sin(hue)
    l_ = colour.l + 0.3963377774 * a + 0.2158037573 * b
    m_ = colour.l - 0.1055613458 * a - 0.0638541728 * b
    s_ = colour.l - 0.0894841775 * a - 1.2914855480 * b
    lms = (l_**3, m_**3, s_**3)
    red = 4.0767416621 * lms[0] - 3.3077115913 * lms[1] + 0.2309699292 * lms[2]
    green = -1.2684380046 * lms[0] + 2.6097574011 * lms[1] - 0.3413193965 * lms[2]
    blue = -0.0041960863 * lms[0] - 0.7034186147 * lms[1] + 1.7076147010 * lms[2]
    return (_encode(red), _encode(green), _encode(blue))


def srgb_to_oklch(rgb: Srgb) -> Oklch:
    """Convert gamma-encoded sRGB (0..1 channels) to OKLCH."""
    red, green, blue = (_decode(channel) for channel in rgb)
    l_ = math.cbrt(0.4122214708 * red + 0.5363325363 * green + 0.0514459929 * blue)
    m_ = math.cbrt(0.2119034982 * red + 0.6806995451 * green + 0.1073969566 * blue)
    s_ = math.cbrt(0.0883024619 * red + 0.2817188376 * green + 0.6299787005 * blue)
    lightness = 0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_
    a = 1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_
    b = 0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_
    chroma = math.hypot(a, b)
    # Hue is meaningless for greys; pin it so greys compare equal and print the same.
    hue = math.degrees(math.atan2(b, a)) % 360 if chroma > 1e-4 else 0.0
    return Oklch(lightness, chroma, hue)


def in_gamut(colour: Oklch) -> bool:
    """Whether the colour is displayable in sRGB."""
    return all(-_GAMUT_EPSILON <= ch <= 1 + _GAMUT_EPSILON for ch in oklch_to_srgb(colour))


def gamut_map(colour: Oklch) -> Oklch:
    """Bring a colour into sRGB by lowering chroma only, keeping its lightness and hue.

    Lowering chroma is the CSS Color 4 approach: the colour keeps reading as "the same hue,
    as light", which matters more for a palette than exact saturation.
    """
    lightness = min(max(colour.l, 0.0), 1.0)
    candidate = Oklch(lightness, max(colour.c, 0.0), colour.h)
    if in_gamut(candidate):
        return candidate
    low, high = 0.0, candidate.c
    for _ in range(40):  # bisection: 40 halvings is far below one 8-bit step
        mid = (low + high) / 2
        if in_gamut(Oklch(lightness, mid, colour.h)):
            low = mid
        else:
            high = mid
    return Oklch(lightness, low, colour.h)


def srgb_to_hex(rgb: Srgb) -> str:
    """Format sRGB as ``#rrggbb``, clamping each channel into range."""
    return "#" + "".join(f"{round(min(max(ch, 0.0), 1.0) * 255):02x}" for ch in rgb)


def oklch_to_hex(colour: Oklch) -> str:
    """Gamut-map the colour and format it as ``#rrggbb``."""
    return srgb_to_hex(oklch_to_srgb(gamut_map(colour)))


def hex_to_srgb(text: str) -> Srgb:
    """Parse ``#rrggbb`` (the ``#`` is optional) into sRGB channels.

    Raises:
        ValueError: the text is not six hexadecimal digits.
    """
    digits = text.strip().removeprefix("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", digits):
        raise ValueError(f"not a #rrggbb colour: {text!r}")
    return (int(digits[0:2], 16) / 255, int(digits[2:4], 16) / 255, int(digits[4:6], 16) / 255)


def parse_colour(text: str) -> Oklch | None:
    """Find the first ``#rrggbb`` or ``oklch(L C H)`` colour in ``text``; ``None`` if none.

    Lightness may be written as a fraction (``0.62``) or a percentage (``62%``).
    """
    oklch = _OKLCH.search(text)
    hexa = _HEX.search(text)
    if oklch and (not hexa or oklch.start() < hexa.start()):
        lightness = float(oklch.group(1)) / (100 if oklch.group(2) else 1)
        return Oklch(lightness, float(oklch.group(3)), float(oklch.group(4)) % 360)
    if hexa:
        return srgb_to_oklch(hex_to_srgb(hexa.group(1)))
    return None


def relative_luminance(rgb: Srgb) -> float:
    """WCAG 2 relative luminance of a gamma-encoded sRGB colour (0 for black, 1 for white)."""
    red, green, blue = (_decode(min(max(ch, 0.0), 1.0)) for ch in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: Srgb, second: Srgb) -> float:
    """WCAG 2 contrast ratio between two colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _encode(linear: float) -> float:
    """Linear-light channel → sRGB gamma-encoded channel (sign-preserving for out-of-gamut)."""
    sign = -1.0 if linear < 0 else 1.0
    value = abs(linear)
    encoded = 12.92 * value if value <= 0.0031308 else 1.055 * value ** (1 / 2.4) - 0.055
    return sign * encoded


def _decode(encoded: float) -> float:
    """sRGB gamma-encoded channel → linear light."""
    sign = -1.0 if encoded < 0 else 1.0
    value = abs(encoded)
    linear = value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    return sign * linear
