"""Figures as a store owner reads them: money with the store's currency symbol, shares, ratios, years.

One function per kind of figure, used wherever that kind is shown (the dashboard, the HTML report
``clv.share``, the Excel workbook ``clv.export``), so a figure reads the same everywhere: ``money`` (to the
cent), ``percent`` (one decimal), ``ratio`` (LTV:CAC, one decimal), ``years`` (one decimal), ``per_customer``
(orders per customer, two decimals), ``number`` (counts and cut points).
"""

from __future__ import annotations

import re

import pandas as pd

CURRENCY_SYMBOLS = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "CAD": "CA$", "AUD": "A$",
    "NZD": "NZ$", "HKD": "HK$", "SGD": "S$", "MXN": "MX$", "BRL": "R$", "CHF": "CHF", "SEK": "kr",
    "NOK": "kr", "DKK": "kr", "PLN": "zł", "CNY": "¥", "TRY": "₺", "ILS": "₪", "THB": "฿", "ZAR": "R",
}
"""ISO currency code -> the symbol written before an amount."""


def currency_symbol(currencies: tuple[str, ...], unknown: str = "$") -> str:
    """The file's one currency as a symbol; ``unknown`` when the file names none or several.

    >>> currency_symbol(("EUR",)), currency_symbol(()), currency_symbol(("USD", "EUR"), unknown="")
    ('€', '$', '')
    """
    if len(currencies) != 1:
        return unknown
    code = currencies[0]
    return CURRENCY_SYMBOLS.get(code) or plain_symbol(code) or unknown


def plain_symbol(text: str) -> str:
    """A currency symbol fit for every place it is drawn: at most 5 characters, none that charts read as
    markup (<, >, &) or templates (%, {, }). Markdown still needs escaping."""
    return re.sub(r"[<>&%{}\s]", "", str(text))[:5]


def with_symbol(symbol: str, number: str) -> str:
    """A formatted number with the symbol before it, a space after a symbol written in letters.

    >>> with_symbol("$", "1.00"), with_symbol("CHF", "1.00"), with_symbol("", "1.00")
    ('$1.00', 'CHF 1.00', '1.00')
    """
    return f"{symbol} {number}" if symbol[-1:].isalpha() else f"{symbol}{number}"


def _missing(value: float | None) -> bool:
    return value is None or pd.isna(value)


def _one_decimal(value: float) -> str:
    """12.34 -> "12.3", 3.0 -> "3", 1234.5 -> "1,234.5"."""
    return f"{value:,.1f}".removesuffix(".0")


def money(value: float | None, symbol: str) -> str:
    """An amount to the cent, with its symbol: -1234.5 -> "-€1,234.50"; "–" when unknown."""
    if _missing(value):
        return "–"
    text = with_symbol(symbol, f"{abs(value):,.2f}")
    return f"-{text}" if value < 0 else text


def number(value: float) -> str:
    """A count or a cut point: 82 -> "82", 1234 -> "1,234", 121.3333 -> "121.33" (the range method's cuts)."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


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


def cuts_in_words(cuts: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """The cut points (``Analysis.cuts``) in words, for the screen and the report.

    Returns variable, score, customers, ``values`` (what the customers with that score have, lowest to
    highest) and ``begins`` (who gets that score or better; "–" for score 1, which is everyone else).

    >>> cuts = pd.DataFrame({"variable": ["frequency", "monetary"], "score": [3, 2], "customers": [5, 7],
    ...                      "lower": [3.0, 10.0], "upper": [16.0, 25.5], "threshold": [3.0, 10.0]})
    >>> cuts_in_words(cuts, "$")[["values", "begins"]].values.tolist()
    [['3 to 16 orders', '3 orders or more'], ['$10.00 to $25.50', '$10.00 or more']]
    """
    def days(value: float) -> str:
        return f"{number(value)} day" + ("" if value == 1 else "s")

    def orders(value: float) -> str:
        return f"{number(value)} order" + ("" if value == 1 else "s")

    words = {  # per measure: the values a score's customers have (lowest, highest), and where the score begins
        "recency_days": (lambda lo, hi: f"last order {days(lo) if lo == hi else f'{number(lo)} to {days(hi)}'} ago",
                         lambda cut: f"last order {days(cut)} ago or less"),
        "frequency": (lambda lo, hi: orders(lo) if lo == hi else f"{number(lo)} to {orders(hi)}",
                      lambda cut: f"{orders(cut)} or more"),
        "monetary": (lambda lo, hi: money(lo, symbol) if lo == hi else f"{money(lo, symbol)} to {money(hi, symbol)}",
                     lambda cut: f"{money(cut, symbol)} or more"),
    }
    return pd.DataFrame({
        "variable": cuts["variable"],
        "score": cuts["score"],
        "customers": cuts["customers"],
        "values": ["–" if pd.isna(lo) else words[v][0](lo, hi)
                   for v, lo, hi in zip(cuts["variable"], cuts["lower"], cuts["upper"])],
        "begins": ["–" if score == 1 or pd.isna(cut) else words[v][1](cut)
                   for v, score, cut in zip(cuts["variable"], cuts["score"], cuts["threshold"])],
    })
