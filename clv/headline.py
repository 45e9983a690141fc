"""The figures of the headline a store owner reads first: what the best tier brings, and who of it went quiet.

``headline`` takes the tier table and the scored customers of one analysis and
returns the numbers; the dashboard writes them as a sentence. ``quiet_customers``
is the rule behind the second figure, so that the count and the list a store
owner exports are the same customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

QUIET_DAYS = 90
"""Customers of the best tier whose last order is this many days old or more have gone quiet."""


@dataclass(frozen=True)
class Headline:
    """The best tier's share of customers and of revenue in the window, and how many of it went quiet.

    ``share_revenue`` is None when the window's revenue is not above 0; ``quiet_days``
    is None when the window is not longer than ``QUIET_DAYS`` (then nobody in it can have
    gone that long without an order) and ``quiet`` is then 0.
    """

    tier: str
    customers: int
    share_customers: float
    share_revenue: float | None
    quiet_days: int | None
    quiet: int


def quiet_customers(customers: pd.DataFrame, tier: str = "High", days: int = QUIET_DAYS) -> pd.DataFrame:
    """Scored customers -> those of ``tier`` whose last order is ``days`` or more before the as-of date.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with ``tier`` and ``recency_days`` (``Analysis.customers``, or the
        customer file ``clv.export.customers_export`` makes).

    Returns
    -------
    DataFrame
        The same columns, those rows, in their order.

    Examples
    --------
    >>> c = pd.DataFrame({"customer": ["a", "b", "c"], "tier": ["High", "High", "Low"], "recency_days": [90, 89, 200]})
    >>> quiet_customers(c)["customer"].tolist()
    ['a']
    """
    return customers.loc[(customers["tier"] == tier) & (customers["recency_days"] >= days)]


def headline(tiers: pd.DataFrame, customers: pd.DataFrame, window_days: int, tier: str = "High",
             days: int = QUIET_DAYS) -> Headline:
    """One analysis -> the headline's figures for ``tier``.

    Parameters
    ----------
    tiers : DataFrame
        The tier table (``Analysis.tiers``): tier, customers, share_customers, share_revenue, ...
    customers : DataFrame
        Scored customers, as ``quiet_customers`` takes them.
    window_days : int
        The window's length in days (``Analysis.window.length_days``).
    """
    row = tiers.set_index("tier").loc[tier]
    share_revenue = row["share_revenue"]
    quiet_days = days if window_days > days else None
    return Headline(
        tier=tier,
        customers=int(row["customers"]),
        share_customers=float(row["share_customers"]),
        share_revenue=None if pd.isna(share_revenue) else float(share_revenue),
        quiet_days=quiet_days,
        quiet=0 if quiet_days is None else len(quiet_customers(customers, tier, days)),
    )
