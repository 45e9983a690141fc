"""What was read and what was left out: the data-quality report's parts.

Nothing is dropped silently. Every stage that leaves rows out returns an
exclusions table with one row per reason: how many file rows, how many orders
and how much revenue (net amount, in the store's currency) went with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from clv.reasons import REASONS

EXCLUSION_COLUMNS = ["reason", "rows", "orders", "revenue"]

ORDER_COLUMNS = ["customer", "order", "date", "amount", "rows", "email", "name"]
"""The canonical orders table, one row per order (METHOD.md section 1).

customer : str     who bought (customer id, else trimmed lower-cased e-mail, else billing name)
order    : str     the order id (a file without one: the row number)
date     : datetime64, midnight: the calendar date as written (time and offset dropped)
amount   : float   net sales of the order: rows summed, refunds subtracted; may be <= 0
rows     : int     how many file rows made this order
email    : str or missing, for campaign exports
name     : str or missing, the billing/customer name

Where the file has a marketing consent column (``clv.columns.CONSENT_WORDS``), one more:

accepts_marketing : boolean or missing, whether the customer agreed to marketing (first value among the
                    order's rows); a file without such a column has no such column here
"""


def exclusions(frame: pd.DataFrame, reason_column: str = "reason") -> pd.DataFrame:
    """Orders (or rows) with a reason -> one row per reason with rows, orders, revenue.

    ``frame`` needs columns ``reason``, ``rows`` and ``amount``; every row of it is
    one order. Reasons come out in the order of ``REASONS``.
    """
    if frame.empty:
        return empty_exclusions()
    table = (
        frame.groupby(reason_column, observed=True)
        .agg(rows=("rows", "sum"), orders=("rows", "size"), revenue=("amount", "sum"))
        .reset_index()
        .rename(columns={reason_column: "reason"})
    )
    table["revenue"] = table["revenue"].round(2)
    order = {reason: i for i, reason in enumerate(REASONS)}
    return (
        table.assign(_order=table["reason"].map(order).fillna(len(order)))
        .sort_values("_order", kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
        .astype({"rows": "int64", "orders": "int64", "revenue": "float64"})
    )


def exclusions_from_counts(rows: list[tuple[str, int, int, int]]) -> pd.DataFrame:
    """(reason, rows, orders, cents) in the report's order -> the exclusions table, reasons with orders only."""
    present = [(reason, int(n_rows), int(orders), int(cents) / 100) for reason, n_rows, orders, cents in rows if orders]
    if not present:
        return empty_exclusions()
    return pd.DataFrame(present, columns=["reason", "rows", "orders", "revenue"]).astype(
        {"reason": "str", "rows": "int64", "orders": "int64", "revenue": "float64"}
    )


def empty_exclusions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "reason": pd.Series(dtype="object"),
            "rows": pd.Series(dtype="int64"),
            "orders": pd.Series(dtype="int64"),
            "revenue": pd.Series(dtype="float64"),
        }
    )


@dataclass(frozen=True, eq=False)
class LoadReport:
    """How a file became canonical orders.

    ``revenue_read`` is the net amount of every row whose amount could be read
    (refunds subtracted); it equals the revenue of the orders kept plus the
    revenue of the load exclusions, so the report adds up to the file.
    ``first_date`` and ``last_date`` span every order with a readable date, kept
    or left out (None when no date could be read).
    """

    source_format: str
    columns: Mapping[str, str]
    rows_read: int
    revenue_read: float
    excluded: pd.DataFrame
    date_order: str = "year-first"
    date_order_ambiguous: bool = False
    currencies: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    first_date: pd.Timestamp | None = None
    last_date: pd.Timestamp | None = None


@dataclass(frozen=True, eq=False)
class Loaded:
    """Canonical orders (see ``ORDER_COLUMNS``) and the report of how they were read."""

    orders: pd.DataFrame
    report: LoadReport
