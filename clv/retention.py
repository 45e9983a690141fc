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

from clv.engine import ORDERS, Engine, day_literal
from clv.rfm import Summary


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


def repeat_rate(summary: Summary) -> float | None:
    """Share of the window's customers with two or more orders (None for no customers).

    >>> from clv.engine import DuckEngine
    >>> engine = DuckEngine()
    >>> engine.keep("c", "SELECT * FROM (VALUES (1), (2), (5), (1)) AS t(frequency)")
    >>> repeat_rate(Summary(None, engine, "c", None))
    0.5
    """
    counts = summary.engine.fetch(
        f"SELECT count(*) FILTER (WHERE frequency >= 2) AS repeat, count(*) AS customers FROM {summary.scoreable}"
    ).to_pylist()[0]
    return counts["repeat"] / counts["customers"] if counts["customers"] else None


_RETENTION_SQL = """
SELECT count(*) FILTER (WHERE start_orders > 0) AS customers_start,
       count(*) FILTER (WHERE last_day > {period_start}) AS customers_end,
       count(*) FILTER (WHERE first_day > {period_start}) AS new_customers
FROM (SELECT customer, min(day) AS first_day, max(day) AS last_day,
             count(*) FILTER (WHERE day > {before_start} AND day <= {period_start}) AS start_orders
      FROM {orders}
      WHERE cents > 0 AND day <= {as_of}
      GROUP BY customer) AS bought
"""
"""Counted orders only (a net amount above 0, on or before as_of): customers who bought in the period
before the period (at start), in the period (at end), and whose first order ever is in it (new)."""


def retention(engine: Engine, as_of: pd.Timestamp, period_days: int = 365) -> Retention:
    """The engine's canonical orders -> retention and churn over the period ending at ``as_of``.

    Examples
    --------
    Two customers bought last year; one came back this year, one new customer came:

    >>> from clv.engine import DuckEngine
    >>> engine = DuckEngine()
    >>> engine.keep("orders", "SELECT * FROM (VALUES ('a', DATE '2025-03-01', 1000), ('b', DATE '2025-04-01', 1000), "
    ...             "('a', DATE '2026-02-01', 1000), ('c', DATE '2026-03-01', 1000)) AS t(customer, day, cents)")
    >>> r = retention(engine, pd.Timestamp("2026-12-31"))
    >>> (r.customers_start, r.customers_end, r.new_customers, r.retention_rate, r.churn_rate)
    (2, 2, 1, 0.5, 0.5)
    """
    start = as_of - pd.Timedelta(days=period_days)
    counts = engine.fetch(_RETENTION_SQL.format(
        orders=ORDERS, as_of=day_literal(as_of), period_start=day_literal(start),
        before_start=day_literal(start - pd.Timedelta(days=period_days)),
    )).to_pylist()[0]
    return Retention.from_counts(as_of, period_days, **counts)


_COHORTS_SQL = """
WITH bought AS (SELECT customer, 12 * year(day) + month(day) - 1 AS month
                FROM {orders} WHERE cents > 0 AND day <= {as_of}),
firsts AS (SELECT customer, min(month) AS cohort FROM bought GROUP BY customer),
visits AS (SELECT DISTINCT customer, month FROM bought)
SELECT firsts.cohort, visits.month - firsts.cohort AS months_since, count(*) AS active
FROM visits JOIN firsts ON visits.customer = firsts.customer
GROUP BY firsts.cohort, visits.month - firsts.cohort
"""
"""Per cohort (the month of the first counted order, as months since year 0) and month since: how many
of its customers bought. Each customer counts once a month."""


def cohorts(engine: Engine, as_of: pd.Timestamp) -> pd.DataFrame:
    """The engine's canonical orders -> customers grouped by the month of their first order.

    Returns
    -------
    DataFrame
        One row per cohort and later month up to ``as_of``: cohort (first day of
        the month), months_since (0 = the first month), customers (cohort size),
        active (cohort customers with an order that month), share (active / customers).

    Examples
    --------
    >>> from clv.engine import DuckEngine
    >>> engine = DuckEngine()
    >>> engine.keep("orders", "SELECT * FROM (VALUES ('a', DATE '2026-01-05', 500), ('b', DATE '2026-01-20', 500), "
    ...             "('a', DATE '2026-02-02', 500)) AS t(customer, day, cents)")
    >>> cohorts(engine, pd.Timestamp("2026-02-28"))[["months_since", "customers", "active", "share"]]
       months_since  customers  active  share
    0             0          2       2    1.0
    1             1          2       1    0.5
    """
    found = engine.fetch(_COHORTS_SQL.format(orders=ORDERS, as_of=day_literal(as_of))).to_pandas()
    if found.empty:
        return pd.DataFrame(columns=["cohort", "months_since", "customers", "active", "share"])
    active = found.astype("int64").set_index(["cohort", "months_since"])["active"]
    sizes = active.xs(0, level="months_since").rename("customers")
    last = as_of.year * 12 + as_of.month - 1
    grid = pd.MultiIndex.from_tuples(
        [(cohort, k) for cohort in sizes.index for k in range(last - cohort + 1)], names=["cohort", "months_since"])
    table = active.reindex(grid, fill_value=0).reset_index().join(sizes, on="cohort")
    month = table["cohort"].to_numpy()
    return table.assign(
        cohort=pd.to_datetime(pd.DataFrame({"year": month // 12, "month": month % 12 + 1, "day": 1})),
        share=table["active"] / table["customers"],
    ).loc[:, ["cohort", "months_since", "customers", "active", "share"]]


def cohort_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """The long cohort table -> cohorts as rows, months since first order as columns, share as values."""
    return table.pivot(index="cohort", columns="months_since", values="share").astype(np.float64)
