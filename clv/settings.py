"""Every knob of an analysis, in one frozen, hashable object.

The dashboard caches on it and the command line builds it from its flags, so
no function in the core grows a long list of parameters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

from clv.errors import OrdersError

Method = Literal["quantile", "range"]
METHODS: tuple[Method, ...] = ("quantile", "range")
TIERS: tuple[str, ...] = ("High", "Medium", "Low")
TIER_COLOURS = {"High": "#E5484D", "Medium": "#F59E0B", "Low": "#FACC15"}
"""The spreadsheet's colours: red, orange and yellow."""
TIER_OUTLINES = {"High": "#B91C1C", "Medium": "#B45309", "Low": "#A16207"}
"""Darker shades of the same, drawn around each tier's bars and tiles: orange and yellow alone are too light
to stand out on white (WCAG asks 3:1 for shapes; these reach 4.5:1, enough for text too)."""


@dataclass(frozen=True)
class Settings:
    """How to look at the orders.

    Parameters
    ----------
    window_days : int or None
        How far back from ``as_of`` orders count; ``None`` means all history.
    as_of : datetime.date or None
        The day the analysis looks back from; ``None`` means the latest order date.
    method : {"quantile", "range"}
        How the 1-3 scores are cut (METHOD.md section 4).
    tier_cuts : (int, int)
        Lowest RFM score of the Medium tier and of the High tier.
    lifespan_years : float
        Expected customer lifespan used in CLV.
    lifespan_from_churn : bool
        Estimate the lifespan as 1 / annual churn rate instead (falls back to
        ``lifespan_years`` with a warning when churn cannot be measured).
    margin : float
        Gross margin as a fraction; 1.0 gives revenue-based CLV.
    marketing_spend, new_customers : float or None
        Spend over a period and the new customers won in it; give both for CAC.
    cac : float or None
        Customer acquisition cost given directly; wins over spend / new customers.
    conversion_rate : float
        Share of ad clicks that become customers, for the maximum cost per click.
    horizon_days : int
        How far ahead predicted orders and value look (METHOD.md section 9): the command line's
        ``--horizon-days``. The dashboard's Predictions page keeps its own in the view, so that a
        horizon change does not rescore.
    """

    window_days: int | None = 365
    as_of: dt.date | None = None
    method: Method = "quantile"
    tier_cuts: tuple[int, int] = (5, 7)
    lifespan_years: float = 3.0
    lifespan_from_churn: bool = False
    margin: float = 1.0
    marketing_spend: float | None = None
    new_customers: int | None = None
    cac: float | None = None
    conversion_rate: float = 0.02
    horizon_days: int = 365

    def __post_init__(self) -> None:
        if self.window_days is not None and self.window_days < 1:
            raise OrdersError("The window must be at least 1 day (or 'all' for all history).")
        if self.method not in METHODS:
            raise OrdersError(f"Scoring method must be one of {', '.join(METHODS)}, not {self.method!r}.")
        medium, high = self.tier_cuts
        if not 4 <= medium < high <= 9:
            raise OrdersError(
                f"Tier cuts must satisfy 4 <= medium < high <= 9 (RFM scores run 3-9); got {medium},{high}."
            )
        if self.lifespan_years <= 0:
            raise OrdersError("The customer lifespan must be more than 0 years.")
        if not 0 < self.margin <= 1:
            raise OrdersError("The gross margin must be a fraction above 0 and at most 1 (e.g. 0.4 for 40%).")
        if not 0 < self.conversion_rate <= 1:
            raise OrdersError("The conversion rate must be a fraction above 0 and at most 1 (e.g. 0.02 for 2%).")
        for name in ("marketing_spend", "cac"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise OrdersError(f"{name.replace('_', ' ').capitalize()} cannot be negative.")
        if self.new_customers is not None and self.new_customers < 0:
            raise OrdersError("New customers cannot be negative.")
        if self.horizon_days < 1:
            raise OrdersError("The prediction horizon must be at least 1 day (e.g. 365 for a year).")

    @property
    def acquisition_cost(self) -> float | None:
        """CAC: given directly, else spend / new customers, else unknown."""
        if self.cac is not None:
            return self.cac
        if self.marketing_spend is not None and self.new_customers:
            return self.marketing_spend / self.new_customers
        return None

    def with_(self, **changes) -> Settings:
        """A copy with some knobs changed (the original is never touched)."""
        return replace(self, **changes)
