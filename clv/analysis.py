"""The whole method in one call: canonical orders and settings -> every table the product shows.

``analyze`` runs the stages in order; the dashboard calls the same stages one
by one so that each is cached on only what it depends on:

    rfm_window + rfm_summary    depend on the orders, as_of and window_days
    retention                   depends on the orders and as_of
    score                       depends on the summary, method, tier cuts and value knobs
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from clv.retention import Retention, repeat_rate, retention
from clv.rfm import (
    Summary, Window, rfm_cell_of, rfm_grid, rfm_scores, rfm_summary, rfm_tiers, rfm_window, whole_cents,
)
from clv.segments import SEGMENT_NAMES
from clv.settings import TIERS, Settings
from clv.value import ValueInputs, clv_from_sums


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything computed from one set of orders and one ``Settings``.

    customers : one row per customer: customer, email, name, recency_days, frequency,
        monetary, first_order_date, last_order_date, r, f, m, rfm_score, rfm_code,
        tier, segment.
    cuts : the cut points used, one row per variable and score.
    tiers : lifetime value per tier (High, Medium, Low) and All.
    segments : lifetime value per named segment and All.
    excluded : orders the window left out, by reason.
    retention : retention and churn over the year to as_of; None where the caller
        did not compute it (the command line, unless the lifespan comes from churn).
    """

    settings: Settings
    window: Window
    customers: pd.DataFrame
    cuts: pd.DataFrame
    tiers: pd.DataFrame
    segments: pd.DataFrame
    excluded: pd.DataFrame
    retention: Retention | None
    repeat_rate: float | None
    lifespan_years: float
    lifespan_source: str
    warnings: tuple[str, ...]


def analyze(orders: pd.DataFrame, settings: Settings) -> Analysis:
    """Canonical orders (``clv.report.ORDER_COLUMNS``) -> the full analysis."""
    window = rfm_window(orders, settings)
    return score(rfm_summary(orders, window), retention(orders, window.as_of), settings)


def score(summary: Summary, kept: Retention | None, settings: Settings) -> Analysis:
    """A per-customer summary -> scores, tiers, segments and lifetime values.

    This is the part a change of method, tier cuts, lifespan, margin or CAC reruns.
    ``kept`` (the retention) may be None, left uncomputed, unless the settings take
    the lifespan from churn.
    """
    scores = rfm_scores(summary.customers, settings.method)
    customers = rfm_tiers(scores.customers, settings.tier_cuts)
    lifespan, source, lifespan_warnings = _lifespan(kept, settings)
    inputs = ValueInputs(
        window_length_days=summary.window.length_days,
        lifespan_years=lifespan,
        margin=settings.margin,
        conversion_rate=settings.conversion_rate,
        cac=settings.acquisition_cost,
    )
    cells = _per_cell(customers, settings.tier_cuts)
    return Analysis(
        settings=settings,
        window=summary.window,
        customers=customers,
        cuts=scores.cuts,
        tiers=clv_from_sums(cells.groupby("tier", observed=True)[_SUMS].sum(), "tier", list(TIERS), inputs),
        segments=clv_from_sums(cells.groupby("segment")[_SUMS].sum(), "segment", list(SEGMENT_NAMES), inputs),
        excluded=summary.excluded,
        retention=kept,
        repeat_rate=repeat_rate(customers),
        lifespan_years=lifespan,
        lifespan_source=source,
        warnings=scores.warnings + lifespan_warnings,
    )


_SUMS = ["customers", "orders", "cents"]


def _per_cell(customers: pd.DataFrame, tier_cuts: tuple[int, int]) -> pd.DataFrame:
    """The 27 RFM cells (``rfm_grid``) with their customers, orders and cents added up.

    A cell has one tier and one segment, so the lifetime value per tier and per segment
    follows from these 27 sums: what ``clv.value.clv_table`` gives by grouping every
    customer (the same integers), at a tenth of the time for a million customers.
    """
    cell = rfm_cell_of(customers)
    orders, cents = np.zeros(27, dtype="int64"), np.zeros(27, dtype="int64")
    np.add.at(orders, cell, customers["frequency"].to_numpy(dtype="int64"))
    np.add.at(cents, cell, whole_cents(customers["monetary"]))
    return rfm_grid(tier_cuts).assign(customers=np.bincount(cell, minlength=27), orders=orders, cents=cents)


def _lifespan(kept: Retention | None, settings: Settings) -> tuple[float, str, tuple[str, ...]]:
    """The lifespan to use, where it came from, and a warning when churn could not give one."""
    if not settings.lifespan_from_churn:
        return settings.lifespan_years, "assumed", ()
    if kept is None:
        raise ValueError("lifespan_from_churn needs the retention: compute it (clv.retention.retention)")
    if kept.lifespan_years is not None:
        return kept.lifespan_years, "from churn", ()
    why = (
        "there were no customers in the year before"
        if kept.churn_rate is None
        else "retention was 100% or more, so churn is not above 0"
    )
    return (
        settings.lifespan_years,
        "assumed",
        (f"Lifespan could not be estimated from churn ({why}); using {settings.lifespan_years:g} years.",),
    )

