"""Who comes back: repeat rate, retention and churn over a period, monthly cohorts (METHOD.md 8).

Only counted orders (net amount above 0, dated on or before ``as_of``) say that
a customer bought. A customer "is a customer" at a date when they bought in
the ``period_days`` before it (a shop has no subscriptions to cancel, so
activity is the only sign of a live customer). With the period ending at
``as_of`` and starting ``period_days`` earlier:

- customers at start: bought in the period before the period;
- customers at end:   bought in the period;
- new customers:      first order ever in the period;
- retention rate = (customers at end - new customers) / customers at start;
- churn rate = 1 - retention rate.

Customers who come back after a longer absence count as retained, as the
formula has it, so retention can pass 100% for a store that wins many back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Retention:
    """Retention over one period; rates are None when there were no customers at start."""

    period_start: pd.Timestamp
    period_end: pd.Timestamp
    period_days: int
    customers_start: int
    customers_end: int
    new_customers: int
    retention_rate: float | None
    churn_rate: float | None

    @classmethod
    def from_counts(cls, as_of: pd.Timestamp, period_days: int, customers_start: int, customers_end: int,
                    new_customers: int) -> "Retention":
        """The period ending at ``as_of`` and its three counts -> the rates (the formula above)."""
        start = as_of - pd.Timedelta(days=period_days)
        rate = (customers_end - new_customers) / customers_start if customers_start else None
        return cls(
            period_start=start + pd.Timedelta(days=1),
            period_end=as_of,
            period_days=period_days,
            customers_start=int(customers_start),
            customers_end=int(customers_end),
            new_customers=int(new_customers),
            retention_rate=rate,
            churn_rate=None if rate is None else 1 - rate,
        )

    @property
    def lifespan_years(self) -> float | None:
        """1 / annual churn, for a yearly period with churn above 0; else unknown."""
        if self.churn_rate is None or self.churn_rate <= 0:
            return None
        return (self.period_days / 365) / self.churn_rate


def repeat_rate(customers: pd.DataFrame) -> float | None:
    """Share of customers with two or more orders (None for no customers).

    >>> repeat_rate(pd.DataFrame({"frequency": [1, 2, 5, 1]}))
    0.5
    """
    if customers.empty:
        return None
    return float((customers["frequency"] >= 2).mean())


def counted_orders(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Orders that count as a purchase: net amount above 0, dated on or before ``as_of``."""
    cents = (orders["amount"] * 100).round()
    return orders.loc[(cents > 0) & (orders["date"] <= as_of), ["customer", "date"]]


def retention(orders: pd.DataFrame, as_of: pd.Timestamp, period_days: int = 365) -> Retention:
    """Canonical orders -> retention and churn over the period ending at ``as_of``.

    Examples
    --------
    Two customers bought last year; one came back this year, one new customer came:

    >>> o = pd.DataFrame({"customer": ["a", "b", "a", "c"], "amount": [10.0] * 4,
    ...     "date": pd.to_datetime(["2025-03-01", "2025-04-01", "2026-02-01", "2026-03-01"])})
    >>> r = retention(o, pd.Timestamp("2026-12-31"))
    >>> (r.customers_start, r.customers_end, r.new_customers, r.retention_rate, r.churn_rate)
    (2, 2, 1, 0.5, 0.5)
    """
    bought = counted_orders(orders, as_of)
    start = as_of - pd.Timedelta(days=period_days)
    before_start = start - pd.Timedelta(days=period_days)
    first_order = bought.groupby("customer")["date"].min()
    at_start = bought.loc[(bought["date"] > before_start) & (bought["date"] <= start), "customer"].nunique()
    at_end = bought.loc[bought["date"] > start, "customer"].nunique()
    new = int((first_order > start).sum())
    return Retention.from_counts(as_of, period_days, at_start, at_end, new)


def cohorts(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Canonical orders -> customers grouped by the month of their first order.

    Returns
    -------
    DataFrame
        One row per cohort and later month up to ``as_of``: cohort (first day of
        the month), months_since (0 = the first month), customers (cohort size),
        active (cohort customers with an order that month), share (active / customers).

    Examples
    --------
    >>> o = pd.DataFrame({"customer": ["a", "b", "a"], "amount": [5.0, 5.0, 5.0],
    ...     "date": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-02-02"])})
    >>> cohorts(o, pd.Timestamp("2026-02-28"))[["months_since", "customers", "active", "share"]]
       months_since  customers  active  share
    0             0          2       2    1.0
    1             1          2       1    0.5
    """
    bought = counted_orders(orders, as_of)
    who = pd.factorize(bought["customer"])[0]
    known = who >= 0
    if not known.any():
        return pd.DataFrame(columns=["cohort", "months_since", "customers", "active", "share"])
    # Whole numbers throughout (months since 1970-01, customer codes): at millions of orders, periods,
    # strings and drop_duplicates took seconds.
    month = bought["date"].to_numpy().astype("datetime64[M]").astype("int64")[known]
    who = who[known].astype("int64")
    first = pd.Series(month).groupby(who).min().to_numpy()  # each customer's first month (codes are 0..n-1)
    since = month - first[who]
    span = int(since.max()) + 1
    visits = pd.unique(who * span + since)  # each customer once per month they bought in
    earliest = int(first.min())
    counts = np.bincount((first[visits // span] - earliest) * span + visits % span)  # per (cohort, month since)
    cells = np.flatnonzero(counts)
    active = pd.Series(
        counts[cells].astype("int64"),
        index=pd.MultiIndex.from_arrays(
            [pd.PeriodIndex.from_ordinals(cells // span + earliest, freq="M"), (cells % span).astype("int64")],
            names=["cohort", "months_since"]),
        name="active",
    )
    sizes = active.xs(0, level="months_since").rename("customers")
    last = as_of.to_period("M")
    grid = pd.MultiIndex.from_tuples(
        [(c, k) for c in sizes.index for k in range((last.year - c.year) * 12 + last.month - c.month + 1)],
        names=["cohort", "months_since"],
    )
    table = active.reindex(grid, fill_value=0).reset_index().join(sizes, on="cohort")
    return table.assign(
        cohort=table["cohort"].dt.to_timestamp(),
        months_since=table["months_since"].astype("int64"),
        active=table["active"].astype("int64"),
        customers=table["customers"].astype("int64"),
        share=table["active"] / table["customers"],
    ).loc[:, ["cohort", "months_since", "customers", "active", "share"]]


def cohort_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """The long cohort table -> cohorts as rows, months since first order as columns, share as values."""
    return table.pivot(index="cohort", columns="months_since", values="share").astype(np.float64)
