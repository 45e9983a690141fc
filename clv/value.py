"""Lifetime value per group of customers, and what a new customer may cost (METHOD.md 6-7).

``clv_from_sums`` turns the customers, orders and cents of each group (tier or
named segment; ``clv.rfm.rfm_cell_sums`` adds them up in the engine) into one
row per group plus a final ``All`` row:

    customers, orders, revenue            counts and sums
    aov                  = revenue / orders
    purchase_frequency   = orders / customers
    customer_value       = aov x purchase_frequency           (per window)
    annual_customer_value = customer_value x 365 / window length in days
    clv                  = annual_customer_value x lifespan_years x margin
    max_cpc              = clv x conversion_rate
    clv_minus_cac, ltv_cac = clv - cac, clv / cac              (when CAC is known)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


HEALTHY_LTV_CAC = 3.0
"""The usual mark for a healthy business: a customer is worth three times what it cost to win."""

VALUE_COLUMNS = [
    "customers", "share_customers", "orders", "revenue", "share_revenue", "aov", "purchase_frequency",
    "customer_value", "annual_customer_value", "lifespan_years", "margin", "clv", "max_cpc",
    "cac", "clv_minus_cac", "ltv_cac",
]


@dataclass(frozen=True)
class ValueInputs:
    """What turns a window's spend into a lifetime value."""

    window_length_days: int
    lifespan_years: float
    margin: float
    conversion_rate: float
    cac: float | None = None


def clv_from_sums(sums: pd.DataFrame, by: str, groups: list[str], inputs: ValueInputs) -> pd.DataFrame:
    """Per group customers, orders and cents (indexed by group) -> one row per group in ``groups`` order, then All.

    Parameters
    ----------
    sums : DataFrame
        Indexed by group, with columns customers, orders and cents. The ``All`` row
        is the total of every row of ``sums``, shown or not.
    by : str
        The name of the grouping (``"tier"`` or ``"segment"``); it is the first column out.
    groups : list of str
        Every group to show, including empty ones (they get 0 customers and blank ratios).
    inputs : ValueInputs

    Returns
    -------
    DataFrame
        ``by`` then ``VALUE_COLUMNS``; ratios are NaN where a denominator is 0,
        and the CAC columns are NaN when CAC is unknown.

    Examples
    --------
    >>> sums = pd.DataFrame({"customers": [1, 1], "orders": [3, 1], "cents": [30000, 5000]}, index=["High", "Low"])
    >>> t = clv_from_sums(sums, "tier", ["High", "Low"], ValueInputs(365, 3.0, 1.0, 0.1))
    >>> t[["tier", "aov", "purchase_frequency", "clv", "max_cpc"]].values.tolist()
    [['High', 100.0, 3.0, 900.0, 90.0], ['Low', 50.0, 1.0, 150.0, 15.0], ['All', 87.5, 2.0, 525.0, 52.5]]
    """
    everyone = pd.DataFrame(
        {column: [sums[column].sum()] for column in ("customers", "orders", "cents")}, index=pd.Index(["All"])
    )
    table = pd.concat([sums.reindex(groups).fillna(0), everyone]).astype("int64")
    revenue = table["cents"] / 100
    aov = _ratio(revenue, table["orders"])
    purchase_frequency = _ratio(table["orders"], table["customers"])
    customer_value = aov * purchase_frequency
    annual = customer_value * 365 / inputs.window_length_days
    clv = annual * inputs.lifespan_years * inputs.margin
    cac = np.nan if inputs.cac is None else inputs.cac
    return (
        pd.DataFrame(
            {
                "customers": table["customers"],
                "share_customers": _ratio(table["customers"], table["customers"].iloc[-1]),
                "orders": table["orders"],
                "revenue": revenue,
                "share_revenue": _ratio(revenue, revenue.iloc[-1] if revenue.iloc[-1] > 0 else np.nan),
                "aov": aov,
                "purchase_frequency": purchase_frequency,
                "customer_value": customer_value,
                "annual_customer_value": annual,
                "lifespan_years": inputs.lifespan_years,
                "margin": inputs.margin,
                "clv": clv,
                "max_cpc": clv * inputs.conversion_rate,
                "cac": cac,
                "clv_minus_cac": clv - cac,
                "ltv_cac": _ratio(clv, cac),
            }
        )
        .rename_axis(by)
        .reset_index()
        .astype({c: "float64" for c in VALUE_COLUMNS if c not in ("customers", "orders")})
    )


def _ratio(numerator: pd.Series, denominator) -> pd.Series:
    """numerator / denominator, NaN where the denominator is 0 or unknown."""
    if np.ndim(denominator) == 0:
        denominator = pd.Series(denominator, index=numerator.index, dtype="float64")
    return numerator / denominator.where(denominator != 0)
