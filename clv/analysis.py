"""The whole method in one call: canonical orders and settings -> every table the product shows.

``analyze`` runs the stages in order over an engine holding the orders
(``clv.engine``); the dashboard calls the same stages one by one so that each
is cached on only what it depends on:

    rfm_window + rfm_summary    depend on the orders, as_of and window_days
    retention                   depends on the orders and as_of
    score                       depends on the summary, method, tier cuts and value knobs
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from clv.engine import DuckEngine, Engine
from clv.retention import Retention, repeat_rate, retention
from clv.rfm import (
    Summary, Thresholds, Window, edge_customers, rfm_cell_sums, rfm_grid, rfm_scored_sql, rfm_scores, rfm_summary,
    rfm_window,
)
from clv.segments import SEGMENT_NAMES
from clv.settings import TIERS, Settings
from clv.value import ValueInputs, clv_from_sums


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything computed from one set of orders and one ``Settings``.

    summary : the window's customers in the engine, and what the window left out.
    thresholds : where each score begins (``clv.rfm.rfm_scores``).
    cuts : the cut points used, one row per variable and score.
    tiers : lifetime value per tier (High, Medium, Low) and All.
    segments : lifetime value per named segment and All.
    retention : retention and churn over the year to as_of; None where the caller
        did not compute it.
    lifespan_warning : why the lifespan is the assumed one although the settings
        asked for churn's (also among ``warnings``, everything the user should be told).
    customers (computed when first read) : one row per scored customer, best first
        (highest RFM score, then most money, then customer): customer, email, name,
        (accepts_marketing where the orders have it,) recency_days, frequency,
        monetary, first_order_date, last_order_date, r, f, m, rfm_score, rfm_code,
        tier, segment.
    """

    settings: Settings
    summary: Summary
    thresholds: Thresholds
    cuts: pd.DataFrame
    tiers: pd.DataFrame
    segments: pd.DataFrame
    retention: Retention | None
    repeat_rate: float | None
    lifespan_years: float
    lifespan_source: str
    lifespan_warning: str | None
    warnings: tuple[str, ...]

    @property
    def window(self) -> Window:
        return self.summary.window

    @property
    def excluded(self) -> pd.DataFrame:
        """Orders the window left out, by reason."""
        return self.summary.excluded

    @property
    def scored_sql(self) -> str:
        """SQL for the scored customers, in the summary's engine."""
        return rfm_scored_sql(self.summary.scoreable, self.thresholds, self.settings.tier_cuts)

    @functools.cached_property
    def customers(self) -> pd.DataFrame:
        customers = edge_customers(self.summary.engine.fetch(
            f"SELECT customer, {', '.join(self.summary.contacts)}, recency_days, frequency, cents, first_day, "
            f"last_day, r, f, m, rfm_score, rfm_code FROM ({self.scored_sql}) AS scored "
            "ORDER BY rfm_score DESC, cents DESC, customer"))
        # Tier and segment by the customer's cell in rfm_grid (the same SQL rule, run on the 27 cells): text for
        # a million customers costs more to sort and fetch than everything else together.
        grid = rfm_grid(self.settings.tier_cuts)
        cell = 9 * (customers["r"].to_numpy() - 1) + 3 * (customers["f"].to_numpy() - 1) + customers["m"].to_numpy() - 1
        return customers.assign(
            tier=pd.Categorical.from_codes(grid["tier"].cat.codes.to_numpy()[cell], categories=list(TIERS)),
            segment=pd.array(grid["segment"].to_numpy()[cell], dtype="str"),
        )


def analyze(orders: pd.DataFrame | Engine, settings: Settings) -> Analysis:
    """Canonical orders (``clv.report.ORDER_COLUMNS``, or an engine holding them) -> the full analysis."""
    engine = DuckEngine.of_orders(orders) if isinstance(orders, pd.DataFrame) else orders
    window = rfm_window(engine, settings)
    return score(rfm_summary(engine, window), retention(engine, window.as_of), settings)


def score(summary: Summary, retention: Retention | None, settings: Settings) -> Analysis:
    """A per-customer summary -> scores, tiers, segments and lifetime values.

    This is the part a change of method, tier cuts, lifespan, margin or CAC reruns.
    ``retention`` may be None, left uncomputed, unless the settings take the
    lifespan from churn.
    """
    scores = rfm_scores(summary, settings.method)
    lifespan, source, lifespan_warning = _lifespan(retention, settings)
    inputs = ValueInputs(
        window_length_days=summary.window.length_days,
        lifespan_years=lifespan,
        margin=settings.margin,
        conversion_rate=settings.conversion_rate,
        cac=settings.acquisition_cost,
    )
    cells = (rfm_grid(settings.tier_cuts)
             .merge(rfm_cell_sums(summary, scores.thresholds), on=["r", "f", "m"], how="left")
             .fillna({column: 0 for column in _SUMS}))
    return Analysis(
        settings=settings,
        summary=summary,
        thresholds=scores.thresholds,
        cuts=scores.cuts,
        tiers=clv_from_sums(cells.groupby("tier", observed=True)[_SUMS].sum(), "tier", list(TIERS), inputs),
        segments=clv_from_sums(cells.groupby("segment")[_SUMS].sum(), "segment", list(SEGMENT_NAMES), inputs),
        retention=retention,
        repeat_rate=repeat_rate(summary),
        lifespan_years=lifespan,
        lifespan_source=source,
        lifespan_warning=lifespan_warning,
        warnings=scores.warnings + ((lifespan_warning,) if lifespan_warning else ()),
    )


_SUMS = ["customers", "orders", "cents"]


def _lifespan(retention: Retention | None, settings: Settings) -> tuple[float, str, str | None]:
    """The lifespan to use, where it came from, and a warning when churn could not give one."""
    if not settings.lifespan_from_churn:
        return settings.lifespan_years, "assumed", None
    if retention is None:
        raise ValueError("lifespan_from_churn needs the retention: compute it (clv.retention.retention)")
    if retention.lifespan_years is not None:
        return retention.lifespan_years, "from churn", None
    why = (
        "no customer bought in the year before the last one"
        if retention.churn_rate is None
        else "at least as many earlier customers bought this year as bought the year before, so none count as lost"
    )
    return (settings.lifespan_years, "assumed",
            f"Your orders cannot give a lifespan yet ({why}), so CLV uses the assumed "
            f"{settings.lifespan_years:g} years.")

