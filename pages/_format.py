"""Formatting for the screen: money, percentages, counts, tier colours, safe markdown, masked e-mails, one chart look.

Nothing here reads the session: every function takes what it shows.
"""

from __future__ import annotations

import re
from typing import Callable

import pandas as pd
from pandas.io.formats.style import Styler

from clv.colours import text_colour
from clv.settings import TIER_COLOURS, TIER_OUTLINES, TIERS

_SYMBOLS = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "CAD": "CA$", "AUD": "A$",
    "NZD": "NZ$", "HKD": "HK$", "SGD": "S$", "MXN": "MX$", "BRL": "R$", "CHF": "CHF", "SEK": "kr",
    "NOK": "kr", "DKK": "kr", "PLN": "zł", "CNY": "¥", "TRY": "₺", "ILS": "₪", "THB": "฿", "ZAR": "R",
}


def currency_symbol(currencies: tuple[str, ...]) -> str:
    """The file's one currency as a symbol; "$" when the file names none or several."""
    if len(currencies) != 1:
        return "$"
    code = currencies[0]
    return _SYMBOLS.get(code) or plain_symbol(code) or "$"


def plain_symbol(text: str) -> str:
    """A currency symbol fit for every place it is drawn: at most 5 characters, none that charts read as
    markup (<, >, &) or templates (%, {, }). Markdown still needs ``escape``."""
    return re.sub(r"[<>&%{}\s]", "", str(text))[:5]


def _with_symbol(symbol: str, number: str) -> str:
    return f"{symbol} {number}" if symbol[-1:].isalpha() else f"{symbol}{number}"


def money(value: float | None, symbol: str, decimals: int = 2) -> str:
    if value is None or pd.isna(value):
        return "–"
    text = _with_symbol(symbol, f"{abs(value):,.{decimals}f}")
    return f"-{text}" if value < 0 else text


def money_format(symbol: str, decimals: int = 2) -> str:
    """A printf format for st.column_config.NumberColumn, e.g. "$%,.2f"."""
    return _with_symbol(symbol.replace("%", "%%"), f"%,.{decimals}f")


def customers(count: int) -> str:
    """1 -> "1 customer", 1200 -> "1,200 customers"."""
    return f"{count:,} customer" + ("" if count == 1 else "s")


def percent(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.{decimals}%}"


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


_EMAIL = re.compile(r"(?<![\w.+-])([\w])[\w.%+'-]*@(?=[\w-]+(?:\.[\w-]+)+)")


def is_blank(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def mask_text(value: object) -> str:
    """"anna.lee@example.com" -> "a***@example.com"; other text as it is."""
    return "" if is_blank(value) else _EMAIL.sub(r"\1***@", str(value))


def mask_frame(frame: pd.DataFrame, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every e-mail address in the given text columns (all text columns by default) masked."""
    chosen = [c for c in (columns if columns is not None else frame.columns) if c in frame.columns]
    text = [c for c in chosen if pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object]
    return frame.assign(**{c: frame[c].map(mask_text, na_action="ignore") for c in text})


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


def plotly_layout(figure, title: str, height: int = 380, legend: bool = False):
    """One look for every chart: the title says what is shown, the legend (if any) sits under it."""
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top", "yref": "container",
               "font": {"size": 16}},
        height=height,
        margin={"l": 10, "r": 10, "t": 84 if legend else 56, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        showlegend=legend,
    )
    return figure


TIER_ORDER = list(TIERS)
