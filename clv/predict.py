"""Predicted value: who will buy again, how often, and for how much (METHOD.md section 9).

The inputs are one more statement of the method in SQL (``clv.engine``): from
every counted order (net amount above 0) dated on or before as-of, per customer

    x              purchase days - 1 (orders of one day are one purchase)
    t_x            days from the first to the last purchase day
    T              days from the first purchase day to as-of
    repeat_cents   what the purchase days after the first came to, in cents

and the two tables the models are fitted from, collapsed in the engine so that
on Spark only they reach the driver: customers per (x, t_x, T), and customers
with x >= 1 per (x, repeat_cents). Their mean repeat amount is
``m = repeat_cents / x`` (in the store's currency after dividing by 100).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clv.engine import ORDERS, PREDICTION_INPUTS, DuckEngine, Engine, day_literal

_INPUTS_SQL = """
SELECT customer,
       CAST(count(*) - 1 AS BIGINT) AS x,
       CAST(date_diff('day', min(day), max(day)) AS BIGINT) AS t_x,
       CAST(date_diff('day', min(day), {as_of}) AS BIGINT) AS T,
       CAST(sum(cents) - arg_min(cents, day) AS BIGINT) AS repeat_cents
FROM (SELECT customer, day, sum(cents) AS cents
      FROM {orders}
      WHERE cents > 0 AND day <= {as_of}
      GROUP BY customer, day) AS purchase_days
GROUP BY customer
"""
"""Per customer with a counted order on or before as-of: its purchase days (the distinct days of its counted
orders, each with the sum of that day's counted orders) summed up. A customer's days are distinct, so the first
day's amount (``arg_min``, Spark's ``min_by``) is one value."""

_FREQUENCIES_SQL = """
SELECT x, t_x, T, count(*) AS customers FROM {inputs} GROUP BY x, t_x, T
"""
"""The BG/NBD's data: customers with the same (x, t_x, T) are one weighted row (days are whole, so most are)."""

_SPENDS_SQL = """
SELECT x, repeat_cents, count(*) AS customers FROM {inputs} WHERE x >= 1 GROUP BY x, repeat_cents
"""
"""The Gamma-Gamma's data: repeat customers with the same (x, repeat_cents), hence the same mean, in one row."""


@dataclass(frozen=True, eq=False)
class Inputs:
    """The per-customer model inputs at ``as_of``, held by the engine as ``relation`` (``_INPUTS_SQL``)."""

    as_of: pd.Timestamp
    engine: Engine
    relation: str

    @functools.cached_property
    def customers(self) -> pd.DataFrame:
        """One row per customer with a counted order on or before as-of, sorted by customer:
        customer, x, t_x, T (whole days, int64), m (mean amount of the repeat purchase days; NaN where x = 0)."""
        table = self.engine.fetch(f"SELECT customer, x, t_x, T, repeat_cents FROM {self.relation} ORDER BY customer")
        x = table.column("x").to_numpy().astype("int64", copy=False)
        cents = table.column("repeat_cents").to_numpy().astype("float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.where(x > 0, cents / np.maximum(x, 1) / 100, np.nan)
        return pd.DataFrame({
            "customer": table.column("customer").cast("string").to_pandas(),
            "x": x,
            "t_x": table.column("t_x").to_numpy().astype("int64", copy=False),
            "T": table.column("T").to_numpy().astype("int64", copy=False),
            "m": m,
        }, copy=False)

    @functools.cached_property
    def frequencies(self) -> pd.DataFrame:
        """Customers per (x, t_x, T), sorted: x, t_x, T, customers (int64). The BG/NBD is fitted from it."""
        found = self.engine.fetch(_FREQUENCIES_SQL.format(inputs=self.relation)).to_pandas()
        return found.astype("int64").sort_values(["x", "t_x", "T"], ignore_index=True)

    @functools.cached_property
    def spends(self) -> pd.DataFrame:
        """Repeat customers (x >= 1) per (x, m), sorted: x, m (mean repeat amount), customers. The Gamma-Gamma
        is fitted from it."""
        found = self.engine.fetch(_SPENDS_SQL.format(inputs=self.relation)).to_pandas().astype("int64")
        found = found.sort_values(["x", "repeat_cents"], ignore_index=True)
        return pd.DataFrame({"x": found["x"], "m": found["repeat_cents"] / found["x"] / 100,
                             "customers": found["customers"]})


def prediction_inputs(engine: Engine, as_of: pd.Timestamp) -> Inputs:
    """The engine's canonical orders -> each customer's model inputs at ``as_of``, kept in the engine.

    Every counted order (net amount above 0) dated on or before ``as_of`` counts,
    the whole history rather than the window: the models need each customer's
    life since the first purchase (METHOD.md section 9).

    Examples
    --------
    One customer bought twice on 1 January (one purchase day of 15.00), again on
    1 February (20.00) and 1 April (40.00), and returned something in March:

    >>> engine = DuckEngine()
    >>> engine.keep("orders", "SELECT * FROM (VALUES ('a', DATE '2026-01-01', 1000), ('a', DATE '2026-01-01', 500), "
    ...             "('a', DATE '2026-02-01', 2000), ('a', DATE '2026-03-01', -500), ('a', DATE '2026-04-01', 4000)) "
    ...             "AS t(customer, day, cents)")
    >>> prediction_inputs(engine, pd.Timestamp("2026-06-30")).customers
      customer  x  t_x    T     m
    0        a  2   90  180  30.0
    """
    relation = f"{PREDICTION_INPUTS}_{as_of:%Y%m%d}"
    engine.keep(relation, _INPUTS_SQL.format(orders=ORDERS, as_of=day_literal(as_of)))
    return Inputs(as_of, engine, relation)
