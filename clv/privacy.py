"""E-mail addresses masked for screen sharing and for reports sent on: "anna.lee@example.com" -> "a***@example.com".

The dashboard masks what it shows when the user asks; the HTML report (``clv.share``)
masks its customer list the same way.
"""

from __future__ import annotations

import re

import pandas as pd

_EMAIL = re.compile(r"(?<![\w.+-])([\w])[\w.%+'-]*@(?=[\w-]+(?:\.[\w-]+)+)")


def is_blank(value: object) -> bool:
    """True for a missing value (None, NaN, NA); an empty text is not missing.

    >>> [is_blank(v) for v in (None, float("nan"), pd.NA, "", "x")]
    [True, True, True, False, False]
    """
    return value is None or (not isinstance(value, str) and pd.isna(value))


def mask_text(value: object) -> str:
    """Every e-mail address in a text masked; other text as it is, a missing value as "".

    >>> mask_text("anna.lee@example.com"), mask_text("Anna Lee"), mask_text(None)
    ('a***@example.com', 'Anna Lee', '')
    """
    return "" if is_blank(value) else _EMAIL.sub(r"\1***@", str(value))


def mask_frame(frame: pd.DataFrame, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A table -> the same table with every e-mail address in the given text columns (all text columns by
    default) masked; numbers, dates and missing values as they are."""
    chosen = [c for c in (columns if columns is not None else frame.columns) if c in frame.columns]
    text = [c for c in chosen if pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object]
    return frame.assign(**{c: frame[c].map(mask_text, na_action="ignore") for c in text})
