"""The method of METHOD.md sections 2-8 on one small store, every figure worked out by hand, on every engine.

The orders below exercise each rule at its boundary. The expected tables are
written out by hand (the working is in the comments), not computed by another
engine: DuckDB and Spark must each reproduce them exactly.

As of 2026-06-30 with a 30-day window, orders dated 2026-05-31 < date <= 2026-06-30 count.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from clv.analysis import analyze
from clv.engine import DuckEngine
from clv.reasons import AFTER_AS_OF, BEFORE_WINDOW, RETURNS_ONLY
from clv.retention import cohorts
from clv.settings import Settings

ORDERS = [  # order, customer, date, amount, email
    ("o1", "A", "2026-06-30", 100.00, "zed@a.example"),  # on as_of: in; same day as o2 with another e-mail
    ("o2", "A", "2026-06-30", 50.00, "amy@a.example"),   # of the two, the greater text wins: zed@
    ("o3", "A", "2025-12-01", 20.00, None),              # before the window
    ("o16", "A", "2025-05-05", 10.00, None),             # A's first order ever
    ("o4", "B", "2026-06-01", 30.00, None),              # the window's first day: in
    ("o5", "B", "2026-06-10", -50.00, None),             # a return larger than the purchase: money -20
    ("o6", "C", "2026-05-31", 70.00, None),              # the day before the window: out
    ("o7", "C", "2026-06-20", 40.00, "c@c.example"),
    ("o8", "C", "2026-06-25", 0.00, None),               # nets to 0: not an order, and not C's latest
    ("o9", "D", "2026-06-15", -10.00, None),             # D's only order in the window is a return
    ("o10", "D", "2026-01-15", 25.00, None),
    ("o11", "E", "2026-06-20", 40.00, None),
    ("o12", "E", "2026-06-28", 40.00, None),
    ("o13", "F", "2026-07-01", 99.00, None),             # after as_of: out
    ("o14", "F", "2026-06-20", 40.00, None),
    ("o15", "G", "2025-06-30", 60.00, None),             # bought last year only, on the retention period's eve
]
AS_OF = dt.date(2026, 6, 30)
SETTINGS = Settings(window_days=30, as_of=AS_OF)


def duckdb_engine(spark, rows):
    frame = pd.DataFrame(rows, columns=["order", "customer", "date", "amount", "email"])
    return DuckEngine.of_orders(frame.assign(date=pd.to_datetime(frame["date"]), rows=1, name=None))


def spark_engine(spark, rows):
    from clv.spark import spark_engine

    typed = [(customer, order, dt.date.fromisoformat(day), amount, email)
             for order, customer, day, amount, email in rows]
    return spark_engine(spark.createDataFrame(
        typed, "customer string, order string, date date, amount double, email string"))


@pytest.fixture(params=["duckdb", "spark"])
def engine_of(request):
    """A function: order rows -> an engine of the kind named, holding them as canonical orders."""
    if request.param == "duckdb":
        return lambda rows: duckdb_engine(None, rows)
    spark = request.getfixturevalue("spark")
    return lambda rows: spark_engine(spark, rows)


def customers_of(analysis) -> pd.DataFrame:
    return analysis.customers.set_index("customer")


def test_the_window_and_the_per_customer_figures(engine_of):
    analysis = analyze(engine_of(ORDERS), SETTINGS)
    assert (analysis.window.first_day, analysis.window.as_of) == (pd.Timestamp("2026-06-01"), pd.Timestamp(AS_OF))
    got = customers_of(analysis)
    assert sorted(got.index) == ["A", "B", "C", "E", "F"]  # D: returns only in the window; G: nothing in it
    expected = pd.DataFrame(
        {
            # A: o1 + o2 (two orders, one day); B: o4 counted, o5 nets; C: o7 (o6 before, o8 free);
            # E: o11, o12; F: o14 (o13 after as_of).
            "recency_days": [0, 29, 10, 2, 10],
            "frequency": [2, 1, 1, 2, 1],
            "monetary": [150.0, -20.0, 40.0, 80.0, 40.0],
            "first_order_date": pd.to_datetime(["2025-05-05", "2026-06-01", "2026-05-31", "2026-06-20", "2026-06-20"]),
            "last_order_date": pd.to_datetime(["2026-06-30", "2026-06-01", "2026-06-20", "2026-06-28", "2026-06-20"]),
        },
        index=pd.Index(["A", "B", "C", "E", "F"], name="customer"),
    )
    pdt.assert_frame_equal(got.loc[expected.index, expected.columns], expected, check_dtype=False)
    assert got.loc["A", "email"] == "zed@a.example" and got.loc["C", "email"] == "c@c.example"
    assert pd.isna(got.loc["B", "email"])


def test_what_the_window_leaves_out(engine_of):
    excluded = analyze(engine_of(ORDERS), SETTINGS).excluded
    expected = pd.DataFrame({
        "reason": [AFTER_AS_OF, BEFORE_WINDOW, RETURNS_ONLY],
        "rows": [1, 5, 1],
        "orders": [1, 5, 1],                 # o13 | o3, o6, o10, o15, o16 | o9
        "revenue": [99.0, 185.0, -10.0],     # 20 + 70 + 25 + 60 + 10 = 185
    })
    pdt.assert_frame_equal(excluded.reset_index(drop=True), expected, check_dtype=False)


def test_quantile_scores_tiers_and_segments(engine_of):
    # n = 5, so scores cut at the 2nd and 4th smallest keys (ceil(5/3), ceil(10/3)).
    # Recency keys (minus days) -29, -10, -10, -2, 0: above -10 scores 2, above -2 scores 3.
    # Orders 1, 1, 1, 2, 2: above 1 scores 2, above 2 scores 3 (nobody: ties leave F=3 empty).
    # Money -20, 40, 40, 80, 150: above 40 scores 2, above 80 scores 3.
    analysis = analyze(engine_of(ORDERS), SETTINGS)
    got = customers_of(analysis).loc[["A", "B", "C", "E", "F"]]
    assert got["r"].tolist() == [3, 1, 1, 2, 1]
    assert got["f"].tolist() == [2, 1, 1, 2, 1]
    assert got["m"].tolist() == [3, 1, 1, 2, 1]
    assert got["rfm_code"].tolist() == [323, 111, 111, 222, 111]
    assert got["tier"].tolist() == ["High", "Low", "Low", "Medium", "Low"]
    assert got["segment"].tolist() == ["Potential loyalists", "Lost", "Lost", "Need attention", "Lost"]
    assert analysis.customers["customer"].tolist() == ["A", "E", "C", "F", "B"]  # best first, ties by customer
    assert any("F=3" in warning for warning in analysis.warnings)
    cuts = analysis.cuts.set_index(["variable", "score"])
    assert cuts.loc["recency_days", ["customers", "lower", "upper"]].values.tolist() == [[3, 10, 29], [1, 2, 2],
                                                                                         [1, 0, 0]]
    assert cuts.loc[("monetary", 1), ["lower", "upper", "threshold"]].tolist() == [-20.0, 40.0, -20.0]
    assert cuts.loc[("frequency", 3), "customers"] == 0


def test_range_scores(engine_of):
    # Days 0..29: R=3 where 3(29 - d) >= 58 (d <= 9), R=2 where 3(29 - d) >= 29 (d <= 19).
    # Orders 1..2: F=3 where 3(f - 1) >= 2, so 2 orders; F=2 never.
    # Money -20..150: M=3 where 3(m + 20) >= 340 (m >= 93.34), M=2 where 3(m + 20) >= 170 (m >= 36.67).
    analysis = analyze(engine_of(ORDERS), SETTINGS.with_(method="range"))
    got = customers_of(analysis).loc[["A", "B", "C", "E", "F"]]
    assert got["r"].tolist() == [3, 1, 2, 3, 2]
    assert got["f"].tolist() == [3, 1, 1, 3, 1]
    assert got["m"].tolist() == [3, 1, 2, 2, 2]
    assert got["tier"].tolist() == ["High", "Low", "Medium", "High", "Medium"]
    assert got["segment"].tolist() == ["Champions", "Lost", "About to sleep", "Champions", "About to sleep"]
    thresholds = analysis.cuts.set_index(["variable", "score"])["threshold"]
    assert thresholds.loc["recency_days"].tolist() == pytest.approx([29, 29 - 29 / 3, 29 - 58 / 3])
    assert thresholds.loc["monetary"].tolist() == pytest.approx([-20, -20 + 170 / 3, -20 + 340 / 3])


def test_lifetime_value_per_tier(engine_of):
    # High A: 150 in 2 orders: AOV 75, 2 orders each, 150 in 30 days = 1825 a year, x 3 years = 5475.
    # Medium E: 80 in 2 orders: 80 x 365 / 30 x 3 = 2920. Low B, C, F: 60 in 3 orders: 20 x 365 / 30 x 3 = 730.
    # All: 290 in 7 orders by 5 customers: 58 each, x 365 / 30 x 3 = 2117.
    tiers = analyze(engine_of(ORDERS), SETTINGS).tiers.set_index("tier")
    assert tiers["customers"].tolist() == [1, 1, 3, 5]
    assert tiers["orders"].tolist() == [2, 2, 3, 7]
    assert tiers["revenue"].tolist() == [150.0, 80.0, 60.0, 290.0]
    assert tiers["aov"].tolist() == pytest.approx([75.0, 40.0, 20.0, 290 / 7])
    assert tiers["clv"].tolist() == pytest.approx([5475.0, 2920.0, 730.0, 2117.0])


def test_retention_repeat_rate_and_the_lifespan_it_gives(engine_of):
    # Counted orders up to 2026-06-30. Bought in the year to 2025-06-30: A (2025-05-05), G (on 2025-06-30 itself,
    # so in that year, not in the next). In the year to 2026-06-30: A, B, C, D, E, F; new among them (first
    # order after 2025-06-30): B, C, D, E, F.
    analysis = analyze(engine_of(ORDERS), SETTINGS.with_(lifespan_from_churn=True))
    kept = analysis.retention
    assert (kept.customers_start, kept.customers_end, kept.new_customers) == (2, 6, 5)
    assert (kept.retention_rate, kept.churn_rate) == (0.5, 0.5)
    assert (analysis.lifespan_years, analysis.lifespan_source) == (2.0, "from churn")
    assert analysis.repeat_rate == pytest.approx(2 / 5)  # A and E have two orders in the window


def test_cohorts():
    engine = duckdb_engine(None, ORDERS)
    table = cohorts(engine, pd.Timestamp(AS_OF)).set_index(["cohort", "months_since"])
    # A's cohort, May 2025: A alone, buying again in December 2025 (7 months on) and June 2026 (13).
    may = table.loc[pd.Timestamp("2025-05-01")]
    assert may["customers"].unique().tolist() == [1]
    assert may.index[may["active"] > 0].tolist() == [0, 7, 13]
    # June 2026: B, E and F; May 2026: C, who came back in June.
    assert table.loc[(pd.Timestamp("2026-06-01"), 0), ["customers", "active"]].tolist() == [3, 3]
    assert table.loc[pd.Timestamp("2026-05-01"), "share"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("method", ["quantile", "range"])
def test_a_single_distinct_value_scores_2_and_says_so(engine_of, method):
    rows = [(f"o{i}", who, "2026-06-20", amount, None) for i, (who, amount) in enumerate(
        [("a", 10.0), ("b", 20.0), ("c", 30.0)])]
    analysis = analyze(engine_of(rows), SETTINGS.with_(method=method))
    got = customers_of(analysis)
    assert got["r"].tolist() == got["f"].tolist() == [2, 2, 2]  # one day, one order each
    assert sorted(got["m"]) == [1, 2, 3]
    assert sum("same number of orders" in w or "same recency" in w for w in analysis.warnings) == 2


def test_money_is_added_in_cents_whatever_the_order(engine_of):
    # 0.1 + 0.2 is 0.30000000000000004 in floating point; in cents it ties with 0.3.
    rows = [("o1", "a", "2026-06-20", 0.1, None), ("o2", "a", "2026-06-21", 0.2, None),
            ("o3", "b", "2026-06-21", 0.3, None)]
    got = customers_of(analyze(engine_of(rows), SETTINGS))
    assert got["monetary"].tolist() == [0.3, 0.3] and len(set(got["m"])) == 1
    assert np.all(got["monetary"].to_numpy() == 0.3)
