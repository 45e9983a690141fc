"""The view: every setting a link can carry, its default and how it is written in the URL.

Widget keys are the URL's parameter names. ``keep_view`` gives every widget its value before any is
drawn (from the URL on a session's first run), ``write_url`` writes back what differs from the
defaults and applies to the open page, and ``settings_from_view`` turns the widgets' values into one
``Settings``. The sidebar's settings apply to every page; a page's own controls (the Customers page's
filters and search, the Segments page's colour switches) only to their page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import streamlit as st

from clv.segments import SEGMENT_NAMES
from clv.settings import METHODS, TIERS, Settings
from pages._format import has_email

FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)  # the as-of date picker's bounds


def _always(view: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class _Field:
    default: Any
    parse: Callable[[str], Any]  # URL text -> widget value; ValueError when it makes no sense
    text: Callable[[Any], str | None] = str  # widget value -> URL text; None keeps it out of the URL
    in_url: bool = True
    page: str | None = None  # the page whose control it is (as ``write_url`` names it); None: the sidebar
    applies: Callable[[Mapping[str, Any]], bool] = _always  # whether it matters, given the other values


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


def _scores(value: str) -> tuple[int, int]:
    low, high = (int(part) for part in value.split("-"))
    if not 1 <= low <= high <= 3:
        raise ValueError(value)
    return low, high


def _span(span: tuple[int, int]) -> str:
    return f"{span[0]}-{span[1]}"


def _names(options: tuple[str, ...]) -> Callable[[str], list[str]]:
    def parse(value: str) -> list[str]:
        names = [name for name in value.split(",") if name]
        if not set(names) <= set(options):
            raise ValueError(value)
        return names

    return parse


def _search(text: str) -> str | None:
    """A search goes in the link unless it holds an e-mail address: a link never carries a customer's address."""
    return None if has_email(text) else text


def _flag(value: str) -> bool:
    if value not in ("0", "1"):
        raise ValueError(value)
    return value == "1"


def _day(value: str) -> dt.date:
    day = dt.date.fromisoformat(value)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(value)
    return day


HORIZONS = {90: "90 days", 180: "6 months", 365: "1 year", 730: "2 years", 1095: "3 years"}
"""How far ahead the Predictions page looks, in days."""


def _horizon(value: str) -> int:
    days = int(value)
    if days not in HORIZONS:
        raise ValueError(value)
    return days


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
SORTS = {
    "Best first": None,
    "Spend": "monetary",
    "Orders": "frequency",
    "Days since last order": "recency_days",
    "Last order": "last_order_date",
    "First order": "first_order_date",
    "Name": "name",
}
"""The Customers page's sort options -> the column sorted; best first is the list's own order."""
DIRECTIONS = ("Highest", "Lowest")
HEAT_COLOURS = ("Average spend", "Total spend")
TREE_COLOURS = ("Tier", "Average spend")

VIEW: dict[str, _Field] = {
    "method": _Field("quantile", _choice(METHODS)),
    "window": _Field("365", _choice(tuple(WINDOWS))),
    "days": _Field(365, _number(1, 36_500, int), applies=lambda view: view["window"] == "custom"),
    "as_of": _Field(None, _day, lambda day: day.isoformat()),
    "tiers": _Field((5, 7), _tiers, _span),
    "lifespan": _Field(3.0, _number(0.1, 100), _plain),
    "churn": _Field(False, _flag, lambda on: "1" if on else "0"),
    "margin": _Field(100.0, _number(1, 100), _plain),
    "currency": _Field("", lambda text: text[:5]),
    "mask": _Field(False, _flag, lambda on: "1" if on else "0"),
    "cac_mode": _Field("spend", _choice(tuple(CAC_MODES))),
    "spend": _Field(None, _optional_number(0, 1e12), _plain, applies=lambda view: view["cac_mode"] == "spend"),
    "new": _Field(None, _optional_number(0, 1e9, int), _plain, applies=lambda view: view["cac_mode"] == "spend"),
    "cac": _Field(None, _optional_number(0, 1e9), _plain, applies=lambda view: view["cac_mode"] == "cac"),
    "conv": _Field(2.0, _number(0.01, 100), _plain),
    "date_order": _Field("auto", _choice(tuple(DATE_ORDERS)), in_url=False),
    "heat_colour": _Field(HEAT_COLOURS[0], _choice(HEAT_COLOURS), page="segments"),
    "tree_colour": _Field(TREE_COLOURS[0], _choice(TREE_COLOURS), page="segments"),
    "f_tier": _Field([], _names(TIERS), ",".join, page="customers"),
    "f_segment": _Field([], _names(SEGMENT_NAMES), ",".join, page="customers"),
    "f_search": _Field("", str, _search, page="customers"),
    "f_r": _Field((1, 3), _scores, _span, page="customers"),
    "f_f": _Field((1, 3), _scores, _span, page="customers"),
    "f_m": _Field((1, 3), _scores, _span, page="customers"),
    "f_sort": _Field("Best first", _choice(tuple(SORTS)), page="customers"),
    "f_direction": _Field(DIRECTIONS[0], _choice(DIRECTIONS), page="customers",
                          applies=lambda view: view["f_sort"] != "Best first"),
    "horizon": _Field(365, _horizon, page="predictions"),  # kept out of Settings, so that scoring ignores it
    "slipping_below": _Field(50, _number(5, 95, int), page="predictions"),
}
"""Widget keys are the URL's parameter names. Values are what the widgets hold (margin and
conversion rate in percent); ``settings_from_view`` turns them into one ``Settings``. The lists'
defaults are never changed in place: widgets hand back new lists."""


def _from_url(key: str, field: _Field) -> Any:
    if not field.in_url or key not in st.query_params:
        return field.default
    try:
        return field.parse(st.query_params[key])
    except (ValueError, TypeError):  # a hand-edited link: ignore what cannot be read
        return field.default


def keep_view() -> None:
    """Give every view widget its value before any widget is drawn.

    The first run of a session takes the values from the URL (a shared link), leaving out what does not
    apply given the rest (a number of days without a custom window). Later runs write each value back under
    its own key: a widget's value is otherwise dropped when its page is left, and every page draws the same
    sidebar, so the settings (and each page's filters) follow the user from page to page.
    """
    first = "_opened_with" not in st.session_state
    if first:
        st.session_state["_opened_with"] = tuple(k for k, f in VIEW.items() if f.in_url and k in st.query_params)
    for key, field in VIEW.items():
        st.session_state[key] = st.session_state[key] if key in st.session_state else _from_url(key, field)
    if first:
        for key, field in VIEW.items():
            if not field.applies(st.session_state):
                st.session_state[key] = field.default


def write_url(page: str) -> None:
    """The URL holds the values that differ from the defaults, apply, and belong to the sidebar or to ``page``,
    the open page (which is the URL's path): segments, lifetime-value, predictions, retention, customers or data."""
    state = st.session_state
    wanted = {
        key: text
        for key, field in VIEW.items()
        if field.in_url and field.page in (None, page) and state[key] != field.default and field.applies(state)
        and (text := field.text(state[key])) is not None
    }
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def reset_view() -> None:
    """The sidebar's settings back to their defaults (each page's filters stay)."""
    for key, field in VIEW.items():
        if field.in_url and field.page is None:
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

