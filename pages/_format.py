"""Formatting for the screen: money, percentages, counts, tier colours, safe markdown, masked e-mails, one chart look,
and the style blocks that fit tables and heatmaps to a phone's width.

One function per kind of figure, used wherever that kind is shown (tables, metrics, sentences, charts), so a
figure reads the same everywhere: ``money`` (to the cent), ``percent`` (one decimal), ``ratio`` (LTV:CAC, one
decimal), ``years`` (one decimal), ``per_customer`` (orders per customer, two decimals), ``number`` (counts and
cut points). Those, the currency symbols and e-mail masking are the core's rules (``clv.formats``,
``clv.privacy``), which the HTML report and the workbook follow too; pages use them from here by the names they
know. Nothing here reads the session: every function takes what it shows.
"""

from __future__ import annotations

import re
from typing import Callable

import pandas as pd
from pandas.io.formats.style import Styler

from clv.colours import text_colour
from clv.formats import (  # noqa: F401 - see above
    currency_symbol, money, number, per_customer, percent, plain_symbol, ratio, with_symbol, years,
)
from clv.privacy import is_blank, mask_frame, mask_text  # noqa: F401 - see above
from clv.settings import TIER_COLOURS, TIER_OUTLINES, TIERS

def money_format(symbol: str) -> str:
    """A printf format for st.column_config.NumberColumn, the same as ``money``: e.g. "$%,.2f"."""
    return with_symbol(symbol.replace("%", "%%"), "%,.2f")


def customers(count: int) -> str:
    """1 -> "1 customer", 1200 -> "1,200 customers"."""
    return f"{count:,} customer" + ("" if count == 1 else "s")


def tier_style(tier: str) -> str:
    """CSS for a cell in a tier's colour, its text in black or white, whichever reads better on it."""
    return f"background-color: {TIER_COLOURS[tier]}; color: {text_colour(TIER_COLOURS[tier])}"


def tier_rows(frame: pd.DataFrame, formats: dict[str, str | Callable], column: str = "tier") -> Styler:
    """A tier table with each tier's row in its colour and the All row in bold."""

    def colour(row: pd.Series) -> list[str]:
        tier = row[column]
        if tier in TIER_COLOURS:
            style = tier_style(tier)
        else:
            style = "font-weight: 700; background-color: #F1F5F9"
        return [style] * len(row)

    present = {column: how for column, how in formats.items() if column in frame.columns}
    return frame.style.apply(colour, axis=1).format(na_rep="–").format(present, na_rep="–")


def tier_cells(frame: pd.DataFrame, formats: dict[str, str | Callable], column: str = "tier") -> Styler:
    """A table with only the tier column coloured (long tables of customers)."""

    def colour(tier: object) -> str:
        return tier_style(tier) if tier in TIER_COLOURS else ""

    return frame.style.map(colour, subset=[column]).format(na_rep="–").format(formats, na_rep="–")


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$:])")


def escape(text: object) -> str:
    """User text for st.markdown: no markdown, no LaTeX ($), no HTML."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def has_email(text: str) -> bool:
    """Whether the text holds an e-mail address, or the start of one ("anna@"); "@example.org" alone does not."""
    return re.search(r"[\w.%+'-]@", text) is not None


OUTLINE_WIDTH = 1
HEAT_SCALE = ["#F7FBFF", "#DEEBF7", "#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6"]
"""Plotly's Blues without its darkest third, so that black text reads on every cell (at least 6:1)."""
SEGMENT_TILE, SEGMENT_OUTLINE = "#E2E8F0", "#64748B"
"""The grey frame of a named segment around its RFM codes, and its outline."""
SCORE_SHADES = {1: "#BFD7EA", 2: "#6A9FC6", 3: "#2E6F95"}
"""Bars by score, light 1 (least valuable) to dark 3; each outlined in the darkest, which stands out on white."""


def outline_tiers(figure):
    """Each tier's bars outlined in the tier's darker shade; text inside them black or white, by contrast."""
    for trace in figure.data:
        if trace.name in TIER_COLOURS:
            trace.marker.line = {"color": TIER_OUTLINES[trace.name], "width": OUTLINE_WIDTH}
            trace.insidetextfont = {"color": text_colour(TIER_COLOURS[trace.name])}
    return figure


def plotly_layout(figure, height: int = 380, legend: bool = False):
    """One look for every chart, legible at any width: the legend (if any) on top, and text that would have to
    shrink under 10 px to fit its bar or tile hidden instead (hovering or tapping still shows it). The title is
    page text above the chart (``_page.chart``): a Plotly title does not wrap, so a phone cuts it."""
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if legend else 10, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        showlegend=legend,
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    return figure


def room_for_labels(values: pd.Series) -> list[float] | None:
    """A value axis's range with room for the labels written past the ends of its bars, at any width (Plotly
    leaves none, and a narrow chart cuts them); None, Plotly's own range, when there is nothing to show."""
    low, high = min(values.min(), 0.0), max(values.max(), 0.0)
    return None if pd.isna(low) or pd.isna(high) or low == high else [float(low) * 1.3, float(high) * 1.3]


def colorbar_above(title: str, **ticks) -> dict:
    """A colour scale's legend laid flat above the chart, where it takes no width from the cells."""
    return {"title": {"text": title, "side": "top"}, "orientation": "h", "y": 1, "yanchor": "bottom", "ypad": 0,
            "thickness": 12, "len": 1, **ticks}


def hide_heatmap_text_css(key: str, narrow: int) -> str:
    """A style block that hides the numbers written in the heatmap cells of the container ``key`` where the
    container is narrower than ``narrow`` px: there they would overlap. The colours stay, and a tap shows
    each number."""
    scope = f".st-key-{key}"
    return (f"<style>{scope} {{container-type: inline-size}} "
            f"@container (max-width: {narrow}px) {{{scope} .heatmap-label {{display: none}}}}</style>")


def cards_css(key: str, columns: list[str], short: tuple[str, ...] = (), narrow: int = 640) -> str:
    """A style block that shows the table in the container ``key`` as one card per row where the container is
    narrower than ``narrow`` px (a phone), instead of columns a few words wide: the first cell is the card's
    title, the ``short`` columns share a line under it (in smaller type, so that three fit on a phone), every
    other column takes a line of its own; each cell but the title is named by its column. ``columns`` are the
    table's, in order."""
    scope = f".st-key-{key}"
    names = "\n".join(
        f'{scope} td.col{i} p::before {{content: "{name}: "; font-weight: {400 if name in short else 600}}}'
        for i, name in enumerate(columns) if i
    )
    lines = ", ".join(f"{scope} td.col{i}" for i, name in enumerate(columns) if i == 0 or name not in short)
    figures = ", ".join(f"{scope} td.col{i}" for i, name in enumerate(columns) if i and name in short)
    return f"""<style>
{scope} {{container-type: inline-size}}
@container (max-width: {narrow}px) {{
{scope} thead {{display: none}}
{scope} table, {scope} tbody {{display: block}}
{scope} tr {{display: flex; flex-wrap: wrap; column-gap: 0.75rem; padding: 0.5rem 0.75rem}}
{scope} tr + tr {{border-top: 1px solid rgba(49, 51, 63, 0.1)}}
{scope} td {{display: block; border: none; padding: 0.1rem 0; text-align: left !important}}
{scope} td.col0 {{font-weight: 700}}
{lines} {{flex-basis: 100%}}
{figures} {{font-size: 0.875em}}
{names}
}}
</style>"""


TIER_ORDER = list(TIERS)
