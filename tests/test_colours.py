"""WCAG contrast, worked by hand, and the dashboard's colours measured with it."""

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clv.colours import BLACK, SHAPE_CONTRAST, TEXT_CONTRAST, WHITE, contrast_ratio, relative_luminance, text_colour
from clv.settings import TIER_COLOURS, TIER_OUTLINES, TIERS
from pages import _format as fmt

THEME = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())["theme"]


@pytest.mark.parametrize(
    ("one", "other", "ratio"),
    [
        (BLACK, WHITE, 21.0),
        (WHITE, BLACK, 21.0),
        ("#E5484D", "#E5484D", 1.0),
        # #777777: each channel 119/255 = 0.4667 -> ((0.4667 + 0.055) / 1.055) ** 2.4 = 0.1845;
        # (1 + 0.05) / (0.1845 + 0.05) = 4.48, the grey that just fails AA on white.
        ("#777777", WHITE, 4.48),
        # #FF0000: luminance 0.2126 -> (1.05) / (0.2626) = 4.00 on white, (0.2626) / (0.05) = 5.25 on black.
        ("#FF0000", WHITE, 4.00),
        ("#ff0000", BLACK, 5.25),
        ("#E5484D", WHITE, 3.91),  # the white on the High red
        ("#FACC15", WHITE, 1.53),  # and its yellow on white
    ],
    ids=["black-white", "either-order", "same", "grey-777", "red-white", "red-black-lowercase", "high-red", "yellow"],
)
def test_contrast_ratio_matches_hand_worked_values(one, other, ratio):
    assert contrast_ratio(one, other) == pytest.approx(ratio, abs=0.005)


def test_relative_luminance_of_the_dark_end_is_linear():
    # 10/255 = 0.0392 is under the 0.04045 knee: divided by 12.92, no power.
    assert relative_luminance("#0A0A0A") == pytest.approx(10 / 255 / 12.92)


@pytest.mark.parametrize("colour", ["E5484D", "#E548", "#E5484D80", "red"])
def test_a_colour_not_written_rrggbb_is_refused(colour):
    with pytest.raises(ValueError, match="#RRGGBB"):
        relative_luminance(colour)


@given(st.integers(min_value=0, max_value=0xFFFFFF))
def test_the_chosen_text_colour_reads_on_any_background(rgb):
    background = f"#{rgb:06X}"
    assert contrast_ratio(text_colour(background), background) >= TEXT_CONTRAST


# --- The dashboard's colours ---------------------------------------------------------------------------


def test_the_three_tier_colours_are_kept():
    assert TIER_COLOURS == {"High": "#E5484D", "Medium": "#F59E0B", "Low": "#FACC15"}


@pytest.mark.parametrize("tier", TIERS)
def test_text_on_a_tier_colour_reaches_4_5(tier):
    style = dict(part.split(": ") for part in fmt.tier_style(tier).split("; "))
    assert style["background-color"] == TIER_COLOURS[tier]
    assert contrast_ratio(style["color"], style["background-color"]) >= TEXT_CONTRAST


SHAPES = {
    **{f"tier {tier}": (TIER_COLOURS[tier], TIER_OUTLINES[tier]) for tier in TIERS},
    **{f"score {score}": (shade, fmt.SCORE_SHADES[3]) for score, shade in fmt.SCORE_SHADES.items()},
    "segment frame": (fmt.SEGMENT_TILE, fmt.SEGMENT_OUTLINE),
}


@pytest.mark.parametrize(("fill", "outline"), SHAPES.values(), ids=SHAPES.keys())
def test_every_shape_or_its_outline_stands_out_on_white(fill, outline):
    assert max(contrast_ratio(fill, WHITE), contrast_ratio(outline, WHITE)) >= SHAPE_CONTRAST


@pytest.mark.parametrize("tier", TIERS)
def test_a_tier_outline_is_dark_enough_for_text_on_white(tier):
    assert contrast_ratio(TIER_OUTLINES[tier], WHITE) >= TEXT_CONTRAST


@pytest.mark.parametrize("cell", fmt.HEAT_SCALE)
def test_black_text_reads_on_every_colour_of_the_heat_scale(cell):
    # Plotly draws a heatmap's text in one colour: black, on a scale whose darkest colour still carries it.
    assert contrast_ratio(BLACK, cell) >= TEXT_CONTRAST


def test_white_button_text_reads_on_the_themes_primary_colour():
    assert contrast_ratio(WHITE, THEME["primaryColor"]) >= TEXT_CONTRAST

