"""Window, per-customer summary, scores and tiers on tables small enough to check by hand."""

import datetime as dt

import pandas as pd
import pandas.testing as pdt
import pytest

from clv.engine import DuckEngine
from clv.errors import OrdersError
from clv.reasons import AFTER_AS_OF, BEFORE_WINDOW, RETURNS_ONLY
from clv.report import empty_exclusions
from clv.rfm import Summary, rfm_scored_sql, rfm_scores, rfm_summary, rfm_tiered_sql, rfm_window
from clv.settings import Settings


def orders(*rows):
    """(customer, order, date, amount) tuples -> an engine holding them as canonical orders, one file row each."""
    frame = pd.DataFrame(rows, columns=["customer", "order", "date", "amount"])
    return DuckEngine.of_orders(frame.assign(date=pd.to_datetime(frame["date"]), rows=1, email=None, name=None))


def test_window_defaults_to_a_year_back_from_the_latest_order():
    window = rfm_window(orders(("a", "1", "2025-01-01", 5.0), ("a", "2", "2026-06-30", 5.0)), Settings())
    assert window.as_of == pd.Timestamp("2026-06-30")
    assert window.first_day == pd.Timestamp("2025-07-01")
    assert window.length_days == 365


def test_all_history_runs_from_the_first_order_inclusive():
    window = rfm_window(orders(("a", "1", "2026-01-01", 5.0), ("a", "2", "2026-01-31", 5.0)),
                        Settings(window_days=None))
    assert (window.first_day, window.length_days) == (pd.Timestamp("2026-01-01"), 31)


def test_as_of_before_the_first_order_is_refused():
    with pytest.raises(OrdersError, match="before the first order"):
        rfm_window(orders(("a", "1", "2026-01-01", 5.0)), Settings(as_of=dt.date(2025, 1, 1)))


def test_window_edges_count_the_last_day_and_not_the_day_before_the_first():
    # as_of 2026-01-10, 10-day window: 2025-12-31 < date <= 2026-01-10 count.
    data = orders(
        ("a", "1", "2025-12-31", 7.0),   # on the start: out
        ("a", "2", "2026-01-01", 10.0),  # first day: in
        ("a", "3", "2026-01-10", 20.0),  # as_of: in
        ("a", "4", "2026-01-11", 40.0),  # after as_of: out
    )
    window = rfm_window(data, Settings(window_days=10, as_of=dt.date(2026, 1, 10)))
    summary = rfm_summary(data, window)
    row = summary.customers.iloc[0]
    assert (row.frequency, row.monetary, row.recency_days) == (2, 30.0, 0)
    excluded = summary.excluded.set_index("reason")
    assert excluded.loc[BEFORE_WINDOW, "revenue"] == 7.0
    assert excluded.loc[AFTER_AS_OF, "revenue"] == 40.0


def test_returns_net_against_money_and_never_add_orders():
    data = orders(
        ("a", "1", "2026-01-01", 100.0),
        ("a", "R1", "2026-01-05", -150.0),  # a return larger than the purchase
        ("a", "2", "2026-01-03", 0.0),      # a free order is not an order
        ("b", "3", "2026-01-02", 30.0),
        ("c", "R2", "2026-01-04", -20.0),   # only a return in the window
    )
    summary = rfm_summary(data, rfm_window(data, Settings(as_of=dt.date(2026, 1, 10))))
    expected = pd.DataFrame(
        {
            "customer": ["a", "b"],
            "recency_days": [9, 8],
            "frequency": [1, 1],
            "monetary": [-50.0, 30.0],
            "last_order_date": pd.to_datetime(["2026-01-01", "2026-01-02"]),
        }
    )
    got = summary.customers[["customer", "recency_days", "frequency", "monetary", "last_order_date"]]
    pdt.assert_frame_equal(got, expected, check_dtype=False)
    returns_only = summary.excluded.set_index("reason").loc[RETURNS_ONLY]
    assert (returns_only["orders"], returns_only["revenue"]) == (1, -20.0)


def test_money_is_summed_in_cents_so_equal_spend_ties():
    data = orders(("a", "1", "2026-01-01", 0.1), ("a", "2", "2026-01-02", 0.2), ("b", "3", "2026-01-02", 0.3))
    customers = rfm_summary(data, rfm_window(data, Settings())).customers
    assert customers["monetary"].tolist() == [0.3, 0.3]


def test_contacts_are_the_latest_non_blank_ones():
    frame = pd.DataFrame({"customer": "a", "order": ["1", "2"], "date": pd.to_datetime(["2026-01-01", "2026-02-01"]),
                          "amount": 5.0, "rows": 1, "email": ["old@example.com", None], "name": ["Ann", "Ann Lee"]})
    data = DuckEngine.of_orders(frame)
    row = rfm_summary(data, rfm_window(data, Settings())).customers.iloc[0]
    assert (row.email, row["name"]) == ("old@example.com", "Ann Lee")


def test_marketing_consent_is_the_latest_order_that_gives_it():
    frame = pd.DataFrame({
        "customer": ["a", "a", "b", "b", "c", "c", "d"], "order": list("1234567"),
        "date": pd.to_datetime(["2026-01-01", "2026-02-01",     # a said yes, then no
                                "2026-02-01", "2026-02-01",     # b said yes and no the same day: yes
                                "2026-01-01", "2026-02-01",     # c said yes, then placed an order that does not say
                                "2026-02-01"]),                 # d never says
        "amount": 5.0, "rows": 1, "email": None, "name": None,
        "accepts_marketing": pd.array([True, False, False, True, True, None, None], dtype="boolean")})
    data = DuckEngine.of_orders(frame)
    customers = rfm_summary(data, rfm_window(data, Settings())).customers
    assert customers["accepts_marketing"].dtype == "boolean"
    assert customers["accepts_marketing"].tolist() == [False, True, True, pd.NA]


def test_orders_without_consent_give_customers_without_consent():
    data = orders(("a", "1", "2026-01-01", 5.0))
    assert "accepts_marketing" not in rfm_summary(data, rfm_window(data, Settings())).customers.columns


def customers(recency, frequency, monetary):
    """A summary of customers with these numbers (money in the currency), held by an engine."""
    engine = DuckEngine()
    engine.put("customers_test", pd.DataFrame({
        "customer": [f"c{i}" for i in range(len(recency))], "recency_days": recency, "frequency": frequency,
        "cents": [round(100 * amount) for amount in monetary]}))
    return Summary(None, engine, "customers_test", empty_exclusions())


def scored(summary, method, tier_cuts=(5, 7)):
    """The summary's customers with their scores, in customer order."""
    scores = rfm_scores(summary, method)
    table = summary.engine.fetch(f"{rfm_scored_sql(summary.scoreable, scores.thresholds, tier_cuts)} ORDER BY customer")
    return table.to_pandas(), scores


def money_scores(values, method):
    return scored(customers([1] * len(values), [1] * len(values), [v / 100 for v in values]), method)[0]["m"].tolist()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3, 4, 5, 6], [1, 1, 2, 2, 3, 3]),
        ([1, 1, 1, 1, 2, 3], [1, 1, 1, 1, 3, 3]),  # ties share a score: no 2 at all
        ([5, 1, 5, 1, 9], [2, 1, 2, 1, 3]),
    ],
    ids=["thirds", "ties-leave-a-third-empty", "unsorted"],
)
def test_quantile_scores(values, expected):
    assert money_scores(values, "quantile") == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 4, 7, 10], [1, 2, 3, 3]),  # 4 and 7 sit exactly on the cuts: the better score
        ([1, 3, 6, 10], [1, 1, 2, 3]),
        ([0, 100, 1000], [1, 1, 3]),
    ],
    ids=["on-the-cuts", "between-cuts", "skewed"],
)
def test_range_scores(values, expected):
    assert money_scores(values, "range") == expected


def test_range_recency_is_mirrored_the_worked_example():
    # Recency 0-12 months: the last four months score 3, four to eight months 2, older 1.
    table, _ = scored(customers([0, 4, 5, 8, 9, 12], [1, 2, 3, 4, 5, 6], [1.0] * 5 + [2.0]), "range")
    assert table["r"].tolist() == [3, 3, 2, 2, 1, 1]


def test_quantile_recency_fewer_days_is_better():
    table, _ = scored(customers([10, 20, 30, 40, 50, 60], [1] * 5 + [2], [1.0] * 5 + [2.0]), "quantile")
    assert table["r"].tolist() == [3, 3, 2, 2, 1, 1]


@pytest.mark.parametrize("method", ["quantile", "range"])
def test_a_variable_with_one_value_scores_two_and_says_so(method):
    table, scores = scored(customers([1, 5, 9], [2, 2, 2], [5.0, 6.0, 7.0]), method)
    assert table["f"].tolist() == [2, 2, 2]
    assert any("same number of orders" in w for w in scores.warnings)


def test_an_empty_third_is_reported():
    scores = rfm_scores(customers([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 2, 3], [1.0, 2, 3, 4, 5, 6]), "quantile")
    assert any("F=2" in w for w in scores.warnings)
    cuts = scores.cuts.set_index(["variable", "score"])
    assert cuts.loc[("frequency", 2), "customers"] == 0
    assert (cuts.loc[("frequency", 3), "lower"], cuts.loc[("frequency", 3), "upper"]) == (2, 3)


def test_range_cut_points_are_the_thirds_of_the_range():
    scores = rfm_scores(customers([0, 6, 12], [1, 4, 10], [10.0, 20.0, 40.0]), "range")
    cuts = scores.cuts.set_index(["variable", "score"])["threshold"]
    assert cuts[("frequency", 2)] == 4.0 and cuts[("frequency", 3)] == 7.0
    assert cuts[("recency_days", 3)] == 4.0 and cuts[("recency_days", 2)] == 8.0
    assert cuts[("monetary", 3)] == 30.0


@pytest.mark.parametrize(
    ("tier_cuts", "expected"),
    [((5, 7), ["High", "High", "Medium", "Medium", "Low"]), ((4, 8), ["High", "Medium", "Medium", "Medium", "Medium"])],
    ids=["default-cuts", "moved-cuts"],
)
def test_tiers_follow_the_cuts(tier_cuts, expected):
    cells = " UNION ALL ".join(f"SELECT {i} AS i, {r} AS r, {f} AS f, {m} AS m"
                               for i, (r, f, m) in enumerate([(3, 3, 3), (3, 2, 2), (2, 2, 2), (2, 1, 2), (1, 2, 1)]))
    tiers = DuckEngine().fetch(f"{rfm_tiered_sql(cells, tier_cuts)} ORDER BY i").to_pandas()
    assert tiers["rfm_score"].tolist() == [9, 7, 6, 5, 4]
    assert tiers["rfm_code"].tolist() == [333, 322, 222, 212, 121]
    assert tiers["tier"].tolist() == expected
    assert tiers["segment"].tolist() == ["Champions", "Potential loyalists", "Need attention", "About to sleep",
                                         "Hibernating"]
