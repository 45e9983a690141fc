"""Text of an export -> values: dates and amounts (``clv.sniff`` reads the bytes as text).

Every parser here decides from the whole column, never row by row, and works
on the column's distinct values: a million-row export has a few thousand
distinct dates and prices, so parsing them once and spreading the result back
with ``take`` is what keeps a large file to a few seconds. No Python loop runs
over rows; loops run over candidate layouts and over a small text sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

DateOrder = Literal["auto", "month-first", "day-first"]

# ---------------------------------------------------------------------------
# Working on distinct values


def _distinct(texts: pd.Series, counts: np.ndarray | None = None) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Texts -> (code of each text, the distinct texts, how many rows each stands for).

    ``counts`` weighs each text (default 1): pass it when ``texts`` are
    themselves distinct values standing for many rows.
    """
    codes, uniques = pd.factorize(texts, use_na_sentinel=False)
    weights = np.bincount(codes, weights=counts, minlength=len(uniques)).astype("int64")
    return codes, pd.Series(uniques, dtype="str").fillna(""), weights


def _spread(values: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Values per distinct text -> values per row."""
    return values.take(codes).set_axis(index)


def integer_floats_as_text(texts: pd.Series) -> pd.Series:
    """``"13085.0"`` -> ``"13085"``, but only when every non-blank value is an integer written as a float.

    Spreadsheets and pandas write whole-number ids as floats once a column has
    blanks; a column that mixes ``"7.0"`` with ``"7.5"`` or ``"A7"`` is left alone.
    """
    codes, distinct, _ = _distinct(texts)
    trimmed = distinct.str.strip()
    if keeps_ids_as_written(distinct) or not (trimmed != "").any():
        return texts
    return _spread(trimmed.str.replace(r"\.0+$", "", regex=True), codes, texts.index)


def keeps_ids_as_written(texts: pd.Series) -> bool:
    """True when some text is neither blank nor a whole number written as a float (``"A7"``, ``"7.5"``,
    ``"0"``): ``integer_floats_as_text`` leaves any column holding it as written, whatever else it holds.

    >>> keeps_ids_as_written(pd.Series(["7.0", " -12.00 ", ""])), keeps_ids_as_written(pd.Series(["7.0", "A7"]))
    (False, True)
    """
    trimmed = texts.str.strip()
    return bool((trimmed.ne("") & ~trimmed.str.fullmatch(r"-?\d+\.0+", na=True)).any())  # missing: blank


# ---------------------------------------------------------------------------
# Dates

_MONTH_WORD = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTHS = {name: f"{number:02d}" for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_WEEKDAY = r"(?:[A-Za-z]+,?\s+)?"
_END = r"(?:[^0-9]|$)"

# The date part at the start of the text; whatever follows (a time, an offset) is dropped.
NUMERIC_DATE = r"^\s*(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})" + _END
DAY_MONTH_NAME_YEAR = (
    r"^\s*" + _WEEKDAY + r"(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]+(" + _MONTH_WORD + r")\.?,?[\s\-/.]+(\d{4}|\d{2})" + _END
)
MONTH_NAME_DAY_YEAR = (
    r"^\s*" + _WEEKDAY + r"(" + _MONTH_WORD + r")\.?[\s\-/.]+(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/.]+(\d{4}|\d{2})" + _END
)
EXCEL_SERIAL = r"\d{5}(?:\.\d+)?"
_TIME_OF_DAY = r"[T\s]\s*\d{1,2}:\d{2}.*$"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


@dataclass(frozen=True)
class ParsedDates:
    """A date column read: the dates (NaT where unreadable) and how it was read."""

    values: pd.Series
    order: str  # "year-first", "month-first" or "day-first"
    ambiguous: bool  # the file could be read both day-first and month-first
    example: str | None  # an ambiguous text, for the warning
    overridden: str | None  # a requested order the file contradicts


def _ymd(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Year, month and day as text -> dates, with two-digit years in the 2000s."""
    year = year.where(year.str.len() != 2, "20" + year)
    text = year.str.zfill(4) + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")


def parse_dates(texts: pd.Series, *, date_order: DateOrder = "auto", decimal_comma: bool = False) -> ParsedDates:
    """Text column -> calendar dates as written (time and offset dropped).

    Layouts: year-month-day (``-``, ``/`` or ``.``), day/month/year and
    month/day/year (two-digit years are 20xx), month names (``1 Dec 2010``,
    ``Dec 1, 2010``) and Excel serial day numbers. Day-first against
    month-first is decided for the whole column: a first number above 12 means
    day-first, a second number above 12 month-first; when both occur the
    reading that parses more rows wins. When nothing tells them apart the
    caller's ``date_order`` decides, else day-first for files with decimal
    commas and month-first otherwise, and the result says it was ambiguous.

    >>> parse_dates(pd.Series(["13/04/2026 10:00", "02/05/2026"])).values.dt.strftime("%Y-%m-%d").tolist()
    ['2026-04-13', '2026-05-02']
    """
    # Many timestamps share a day: drop the time, then read each distinct day once.
    text_codes, distinct_texts, text_counts = _distinct(texts)
    day_codes, days, counts = _distinct(distinct_texts.str.replace(_TIME_OF_DAY, "", regex=True), text_counts)
    read = _read_days(days, pd.Series(counts), date_order, decimal_comma)
    values = _spread(_spread(read.values, day_codes, distinct_texts.index), text_codes, texts.index)
    return replace(read, values=values.rename(texts.name))


def _read_days(days: pd.Series, weights: pd.Series, date_order: DateOrder, decimal_comma: bool) -> ParsedDates:
    """Distinct date texts (no time) and how many rows each stands for -> ParsedDates over them."""
    filled = days.str.strip() != ""
    if filled.any() and days[filled].str.fullmatch(EXCEL_SERIAL).all():
        serial = pd.to_numeric(days.where(filled), errors="coerce")
        dates = (_EXCEL_EPOCH + pd.to_timedelta(np.floor(serial), unit="D")).astype("datetime64[us]")
        return ParsedDates(dates.where(serial.between(20_000, 80_000)), "year-first", False, None, None)

    parts = days.str.extract(NUMERIC_DATE)
    first_len, last_len = parts[0].str.len(), parts[2].str.len()
    year_first = (first_len == 4) & (last_len <= 2)
    day_month = (first_len <= 2) & last_len.isin([2, 4])
    dates = _ymd(parts[0], parts[1], parts[2]).where(year_first)

    order, ambiguous, example, overridden = "year-first", False, None, None
    if day_month.any():
        first = pd.to_numeric(parts[0].where(day_month), errors="coerce")
        second = pd.to_numeric(parts[1].where(day_month), errors="coerce")
        readings = {
            "day-first": _ymd(parts[2], parts[1], parts[0]).where(day_month),
            "month-first": _ymd(parts[2], parts[0], parts[1]).where(day_month),
        }
        day_evidence, month_evidence = bool((first > 12).any()), bool((second > 12).any())
        parsed = {name: int(weights[reading.notna()].sum()) for name, reading in readings.items()}
        if day_evidence != month_evidence:
            order = "day-first" if day_evidence else "month-first"
        elif day_evidence and parsed["day-first"] != parsed["month-first"]:
            order = max(parsed, key=parsed.get)
        else:
            ambiguous = True
            order = date_order if date_order != "auto" else "day-first" if decimal_comma else "month-first"
            telling = day_month & (first != second)
            example = str(days[telling].iloc[0]).strip() if telling.any() else None
        if not ambiguous and date_order not in ("auto", order):
            overridden = date_order
        dates = dates.fillna(readings[order])

    for pattern, day, month, name_order in (
        (DAY_MONTH_NAME_YEAR, 0, 1, "day-first"),
        (MONTH_NAME_DAY_YEAR, 1, 0, "month-first"),
    ):
        named = days.str.extract(pattern)
        month_number = named[month].str.lower().str.slice(0, 3).map(_MONTHS)
        dates = dates.fillna(_ymd(named[2], month_number, named[day]))
        if not day_month.any() and not year_first.any() and named[0].notna().any():
            order = name_order
    return ParsedDates(dates.astype("datetime64[us]"), order, ambiguous, example, overridden)


# ---------------------------------------------------------------------------
# Amounts

CURRENCY_SYMBOLS = {
    "US$": "USD", "CA$": "CAD", "C$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD", "HK$": "HKD",
    "S$": "SGD", "R$": "BRL", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW",
    "₽": "RUB", "₺": "TRY", "₪": "ILS", "฿": "THB", "₫": "VND", "₱": "PHP", "zł": "PLN", "Kč": "CZK",
    "Ft": "HUF", "kr.": "kr", "kr": "kr", "$": "$",
}
"""Symbols as written -> the currency they name (a bare ``$`` names no single one)."""

CURRENCY_CODES = (
    "USD", "EUR", "GBP", "JPY", "CNY", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK",
    "HUF", "INR", "BRL", "MXN", "ZAR", "SGD", "HKD", "KRW", "RUB", "TRY", "ILS", "THB", "VND", "PHP",
    "IDR", "MYR", "AED", "SAR", "RON", "BGN",
)
_DOLLAR_CODES = {"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN"}

_CURRENCY = "(" + "|".join(
    [re.escape(symbol) for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True)]
    + list(CURRENCY_CODES)
) + ")"
_SPACES = r"[\s\u00a0\u202f'\u2019]"
_SIGNED = r"^(\()?([+\-\u2212])?([\d.,]+(?:[eE][+\-]?\d+)?)([\-\u2212])?(\))?$"
_BLANK_AMOUNTS = ("", "-", "\u2013", "\u2014")

# Per separator convention: a number as it may be written, and what each separator means.
_POINT_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+|\d{1,3}(?:,\d{3})+(?:\.\d*)?)(?:[eE][+\-]?\d+)?"
_COMMA_NUMBER = r"\d+(?:,\d*)?|,\d+|\d{1,3}(?:\.\d{3})+(?:,\d*)?"
# What shows the decimal separator: both separators (the later one is decimal),
# or a single one not followed by exactly three digits.
_COMMA_DECIMAL = r"[\d.]*\.[\d.]*,\d*|\d*,(?:\d{1,2}|\d{4,})"
_POINT_DECIMAL = r"[\d,]*,[\d,]*\.\d*|\d*\.(?:\d{1,2}|\d{4,})"


@dataclass(frozen=True)
class ParsedAmounts:
    """An amount column read.

    values : float, NaN where the text was blank or unreadable
    blank : bool, the text was blank (counts as 0)
    bad : bool, the text was not blank but could not be read
    """

    values: pd.Series
    blank: pd.Series
    bad: pd.Series
    decimal_comma: bool
    currencies: frozenset[str]


def parse_amounts(texts: pd.Series) -> ParsedAmounts:
    """Text column -> numbers, whatever the money formatting.

    Strips currency symbols and codes, spaces (also non-breaking) and
    apostrophes used as thousands separators; reads accounting negatives
    ``(12.50)`` and leading or trailing minus signs. The decimal separator is
    decided for the whole column: ``1.234,56`` or ``12,5`` show a decimal
    comma, ``1,234.56`` or ``12.50`` a decimal point; the majority (by rows)
    wins and a column that shows neither (``1,234``, ``12``) reads a decimal point.

    >>> parse_amounts(pd.Series(["€1.234,50", "(3,00)", ""])).values.tolist()
    [1234.5, -3.0, nan]
    """
    codes, distinct, counts = _distinct(texts)
    read = _read_amounts(distinct, pd.Series(counts))
    return replace(
        read,
        values=_spread(read.values, codes, texts.index),
        blank=_spread(read.blank, codes, texts.index),
        bad=_spread(read.bad, codes, texts.index),
    )


def _read_amounts(distinct: pd.Series, weights: pd.Series) -> ParsedAmounts:
    """Distinct amount texts and how many rows each stands for -> ParsedAmounts over them."""
    text = distinct.str.strip()
    symbols = text.str.extract(_CURRENCY)[0]
    core = text.str.replace(_CURRENCY, "", regex=True).str.replace(_SPACES, "", regex=True)
    blank = core.isin(_BLANK_AMOUNTS)
    signed = core.str.extract(_SIGNED)
    number = signed[2]
    balanced = signed[0].isna() == signed[4].isna()
    one_sign = signed[1].isna() | signed[3].isna()
    negative = signed[0].notna() | signed[1].isin(["-", "\u2212"]) | signed[3].notna()

    decimal_comma = bool(
        weights[number.str.fullmatch(_COMMA_DECIMAL)].sum() > weights[number.str.fullmatch(_POINT_DECIMAL)].sum()
    )
    if decimal_comma:
        valid = number.str.fullmatch(_COMMA_NUMBER)
        plain = number.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        valid = number.str.fullmatch(_POINT_NUMBER)
        plain = number.str.replace(",", "", regex=False)
    valid = valid & balanced & one_sign & ~blank
    magnitude = pd.to_numeric(plain.where(valid), errors="coerce")
    values = magnitude.where(~negative, -magnitude).astype("float64")
    return ParsedAmounts(
        values=values,
        blank=blank,
        bad=~blank & values.isna(),
        decimal_comma=decimal_comma,
        currencies=frozenset(CURRENCY_SYMBOLS.get(symbol, symbol) for symbol in symbols.dropna().unique()),
    )


def fold_currencies(seen: set[str] | frozenset[str]) -> tuple[str, ...]:
    """Currencies seen -> sorted tuple, with a bare ``$`` folded into the one dollar code present."""
    dollar_codes = seen & _DOLLAR_CODES
    if "$" in seen and len(dollar_codes) == 1:
        seen = seen - {"$"}
    return tuple(sorted(seen))
