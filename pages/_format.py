"""Formatting for the screen: money, percentages, counts, tier colours, safe markdown, masked e-mails, one chart look.

One function per kind of figure, used wherever that kind is shown (tables, metrics, sentences, charts), so a
figure reads the same everywhere: ``money`` (to the cent), ``percent`` (one decimal), ``ratio`` (LTV:CAC, one
decimal), ``years`` (one decimal), ``per_customer`` (orders per customer, two decimals), ``number`` (counts and
cut points). Nothing here reads the session: every function takes what it shows.
"""

from __future__ import annotations

import re
from typing import Callable

import pandas as pd
from pandas.io.formats.style import Styler

from clv.settings import TIER_COLOURS, TIERS

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


def _missing(value: float | None) -> bool:
    return value is None or pd.isna(value)


def _one_decimal(value: float) -> str:
    """12.34 -> "12.3", 3.0 -> "3", 1234.5 -> "1,234.5"."""
    return f"{value:,.1f}".removesuffix(".0")


def money(value: float | None, symbol: str) -> str:
    if _missing(value):
        return "–"
    text = _with_symbol(symbol, f"{abs(value):,.2f}")
    return f"-{text}" if value < 0 else text


def money_format(symbol: str) -> str:
    """A printf format for st.column_config.NumberColumn, the same as ``money``: e.g. "$%,.2f"."""
    return _with_symbol(symbol.replace("%", "%%"), "%,.2f")


def number(value: float) -> str:
    """A count or a cut point: 82 -> "82", 1234 -> "1,234", 121.3333 -> "121.33" (the range method's cuts)."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def customers(count: int) -> str:
    """1 -> "1 customer", 1200 -> "1,200 customers"."""
    return f"{count:,} customer" + ("" if count == 1 else "s")


def percent(value: float | None) -> str:
    """A share or a rate: 0.2915 -> "29.2%", 0.6 -> "60%"."""
    return "–" if _missing(value) else f"{_one_decimal(value * 100)}%"


def ratio(value: float | None) -> str:
    """LTV:CAC: 6.849 -> "6.8 : 1", 3.0 -> "3 : 1"."""
    return "–" if _missing(value) else f"{_one_decimal(value)} : 1"


def years(value: float | None) -> str:
    """A lifespan: 1.6437 -> "1.6 years", 3.0 -> "3 years", 1.0 -> "1 year"."""
    if _missing(value):
        return "–"
    text = _one_decimal(value)
    return f"{text} year" + ("" if text == "1" else "s")


def per_customer(value: float | None) -> str:
    """Orders per customer (the purchase frequency): 5.4735 -> "5.47"."""
    return "–" if _missing(value) else f"{value:,.2f}"


def text_colour(background: str) -> str:
    """White on red, near-black on orange and yellow."""
    return "#FFFFFF" if background == TIER_COLOURS["High"] else "#1F2937"


def tier_rows(frame: pd.DataFrame, formats: dict[str, str | Callable], column: str = "tier") -> Styler:
    """A tier table with each tier's row in its colour and the All row in bold."""

    def colour(row: pd.Series) -> list[str]:
        tier = row[column]
        if tier in TIER_COLOURS:
            style = f"background-color: {TIER_COLOURS[tier]}; color: {text_colour(TIER_COLOURS[tier])}"
        else:
            style = "font-weight: 700; background-color: #F1F5F9"
        return [style] * len(row)

    present = {column: how for column, how in formats.items() if column in frame.columns}
    return frame.style.apply(colour, axis=1).format(na_rep="–").format(present, na_rep="–")


def tier_cells(frame: pd.DataFrame, formats: dict[str, str | Callable], column: str = "tier") -> Styler:
    """A table with only the tier column coloured (long tables of customers)."""

    def colour(tier: object) -> str:
        if tier in TIER_COLOURS:
            return f"background-color: {TIER_COLOURS[tier]}; color: {text_colour(TIER_COLOURS[tier])}"
        return ""

    return frame.style.map(colour, subset=[column]).format(na_rep="–").format(formats, na_rep="–")


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$:])")


def escape(text: object) -> str:
    """User text for st.markdown: no markdown, no LaTeX ($), no HTML."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


_EMAIL = re.compile(r"(?<![\w.+-])([\w])[\w.%+'-]*@(?=[\w-]+(?:\.[\w-]+)+)")


def is_blank(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def has_email(text: str) -> bool:
    """Whether the text holds an e-mail address, or the start of one ("anna@"); "@example.org" alone does not."""
    return re.search(r"[\w.%+'-]@", text) is not None


def mask_text(value: object) -> str:
    """"anna.lee@example.com" -> "a***@example.com"; other text as it is."""
    return "" if is_blank(value) else _EMAIL.sub(r"\1***@", str(value))


def mask_frame(frame: pd.DataFrame, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every e-mail address in the given text columns (all text columns by default) masked."""
    chosen = [c for c in (columns if columns is not None else frame.columns) if c in frame.columns]
    text = [c for c in chosen if pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object]
    return frame.assign(**{c: frame[c].map(mask_text, na_action="ignore") for c in text})


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
