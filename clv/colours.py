"""Colours that stay readable: the WCAG 2.x contrast ratio, and the text colour for a background.

WCAG AA asks for 4.5:1 between text and what is behind it, and 3:1 between a shape that carries meaning
(a bar, a tile) and what is around it. Colours are "#RRGGBB" strings.
"""

from __future__ import annotations

import re

WHITE, BLACK = "#FFFFFF", "#000000"
TEXT_CONTRAST = 4.5
SHAPE_CONTRAST = 3.0


def relative_luminance(colour: str) -> float:
    """A colour's relative luminance as WCAG 2.x defines it: 0 for black, 1 for white.

    >>> relative_luminance("#FFFFFF"), relative_luminance("#000000")
    (1.0, 0.0)
    >>> round(relative_luminance("#808080"), 4)
    0.2159
    """
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
        raise ValueError(f"A colour is written #RRGGBB, not {colour!r}.")
    channels = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(one: str, other: str) -> float:
    """The WCAG 2.x contrast ratio of two colours: 1 for the same colour, 21 for black and white.

    The order does not matter.

    >>> contrast_ratio("#000000", "#FFFFFF")
    21.0
    >>> round(contrast_ratio("#FFFFFF", "#E5484D"), 2)  # white on the High red: under 4.5
    3.91
    """
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour(background: str) -> str:
    """White or black, whichever stands out more on ``background``.

    One of the two always reaches 4.5:1: they tie at about 4.58:1, on a background of luminance 0.18.

    >>> text_colour("#E5484D"), text_colour("#2E6F95")
    ('#000000', '#FFFFFF')
    """
    return max((BLACK, WHITE), key=lambda ink: contrast_ratio(ink, background))
