"""The view: every setting a link can carry, its default and how it is written in the URL.

Widget keys are the URL's parameter names. ``keep_view`` gives every widget its value before any is
drawn (from the URL on a session's first run), ``write_url`` writes back what differs from the
defaults, and ``settings_from_view`` turns the widgets' values into one ``Settings``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

import streamlit as st

from clv.settings import METHODS, Settings

FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)  # the as-of date picker's bounds


@dataclass(frozen=True)
class _Field:
    default: Any
    parse: Callable[[str | list[str]], Any]  # URL text -> widget value; ValueError when it makes no sense
    text: Callable[[Any], str | list[str]] = str  # widget value -> URL text
    in_url: bool = True


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in options:
            raise ValueError(value)
        return value

    return parse


def _number(low: float, high: float, kind: type = float) -> Callable[[str], float]:
    def parse(value: str) -> float:
        number = kind(float(value)) if kind is int else float(value)
        if not low <= number <= high:
            raise ValueError(value)
        return number

    return parse


def _optional_number(low: float, high: float, kind: type = float) -> Callable[[str], float | None]:
    inner = _number(low, high, kind)
    return lambda value: None if value == "" else inner(value)


def _tiers(value: str) -> tuple[int, int]:
    medium, high = (int(part) for part in value.split("-"))
    if not 4 <= medium < high <= 9:
        raise ValueError(value)
    return medium, high


def _flag(value: str) -> bool:
    if value not in ("0", "1"):
        raise ValueError(value)
    return value == "1"


def _day(value: str) -> dt.date:
    day = dt.date.fromisoformat(value)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(value)
    return day


def _plain(number: float | None) -> str:
    return "" if number is None else f"{number:g}"


WINDOWS = {
    "90": "Last 90 days",
    "180": "Last 180 days (6 months)",
    "365": "Last 365 days (1 year)",
    "730": "Last 730 days (2 years)",
    "all": "All history",
    "custom": "Custom number of days",
}
METHOD_LABELS = {"quantile": "Thirds of the customers (quantile)", "range": "Thirds of the value range (range)"}
DATE_ORDERS = {
    "auto": "Automatic",
    "month-first": "Month first (03/04 = March 4)",
    "day-first": "Day first (03/04 = 3 April)",
}
CAC_MODES = {"spend": "Marketing spend and new customers", "cac": "My acquisition cost (CAC)"}

VIEW: dict[str, _Field] = {
    "method": _Field("quantile", _choice(METHODS)),
    "window": _Field("365", _choice(tuple(WINDOWS))),
    "days": _Field(365, _number(1, 36_500, int)),
    "as_of": _Field(None, _day, lambda day: day.isoformat()),
    "tiers": _Field((5, 7), _tiers, lambda cuts: f"{cuts[0]}-{cuts[1]}"),
    "lifespan": _Field(3.0, _number(0.1, 100), _plain),
    "churn": _Field(False, _flag, lambda on: "1" if on else "0"),
    "margin": _Field(100.0, _number(1, 100), _plain),
    "currency": _Field("", lambda text: text[:5]),
    "mask": _Field(False, _flag, lambda on: "1" if on else "0"),
    "cac_mode": _Field("spend", _choice(tuple(CAC_MODES))),
    "spend": _Field(None, _optional_number(0, 1e12), _plain),
    "new": _Field(None, _optional_number(0, 1e9, int), _plain),
    "cac": _Field(None, _optional_number(0, 1e9), _plain),
    "conv": _Field(2.0, _number(0.01, 100), _plain),
    "date_order": _Field("auto", _choice(tuple(DATE_ORDERS)), in_url=False),
}
"""Widget keys are the URL's parameter names. Values are what the widgets hold (margin and
conversion rate in percent); ``settings_from_view`` turns them into one ``Settings``."""


def _from_url(key: str, field: _Field) -> Any:
    if not field.in_url or key not in st.query_params:
        return field.default
    try:
        return field.parse(st.query_params[key])
    except (ValueError, TypeError):  # a hand-edited link: ignore what cannot be read
        return field.default


def keep_view() -> None:
    """Give every view widget its value before any widget is drawn.

    The first run of a session takes the values from the URL (a shared link).
    Later runs write each value back under its own key: a widget's value is
    otherwise dropped when its page is left, and every page draws the same
    sidebar, so the settings follow the user from page to page.
    """
    if "_opened_with" not in st.session_state:
        st.session_state["_opened_with"] = tuple(k for k, f in VIEW.items() if f.in_url and k in st.query_params)
    for key, field in VIEW.items():
        st.session_state[key] = st.session_state[key] if key in st.session_state else _from_url(key, field)


def write_url() -> None:
    """The URL holds the settings that differ from the defaults (the page is the URL's path)."""
    wanted = {
        key: field.text(st.session_state[key])
        for key, field in VIEW.items()
        if field.in_url and st.session_state[key] != field.default
    }
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def reset_view() -> None:
    for key, field in VIEW.items():
        if field.in_url:
            st.session_state[key] = field.default


def keep_tiers_apart(before: tuple[int, int]) -> None:
    """The tier slider's callback: Medium and High cannot begin at the same score, so the handle just moved
    stops one score short of the other. ``before``: the cut points the slider showed."""
    medium, high = st.session_state["tiers"]
    if medium < high:
        return
    if medium != before[0] and high == before[1]:  # Medium was pushed onto High
        st.session_state["tiers"] = (high - 1, high)
    else:  # High was pulled onto Medium (or both moved)
        st.session_state["tiers"] = (medium, medium + 1) if medium < 9 else (8, 9)


def drop_as_of_before(first_day: dt.date) -> dt.date | None:
    """An as-of date before the first order cannot work (from a link, or kept from another file): forget it, so
    the analysis looks back from the latest order, and return it so that the page can say so."""
    as_of = st.session_state["as_of"]
    if as_of is None or as_of >= first_day:
        return None
    st.session_state["as_of"] = None
    return as_of


def set_churn(on: bool) -> None:
    """A button's callback: take the lifespan from churn (or not) everywhere."""
    st.session_state["churn"] = on


def settings_from_view() -> Settings:
    """The widgets' values -> one Settings (raises OrdersError for combinations that make no sense)."""
    state = st.session_state
    window = state["window"]
    by_spend = state["cac_mode"] == "spend"
    return Settings(
        window_days=None if window == "all" else int(state["days"] if window == "custom" else window),
        as_of=state["as_of"],
        method=state["method"],
        tier_cuts=tuple(state["tiers"]),
        lifespan_years=float(state["lifespan"]),
        lifespan_from_churn=bool(state["churn"]),
        margin=float(state["margin"]) / 100,
        marketing_spend=state["spend"] if by_spend else None,
        new_customers=int(state["new"]) if by_spend and state["new"] is not None else None,
        cac=None if by_spend else state["cac"],
        conversion_rate=float(state["conv"]) / 100,
    )

