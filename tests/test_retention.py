"""Repeat rate, retention, churn and cohorts on hand-made order histories."""

import pandas as pd
import pytest

from clv.analysis import score
from clv.engine import DuckEngine
from clv.retention import cohort_matrix, cohorts, repeat_rate, retention
from clv.rfm import rfm_summary, rfm_window
from clv.settings import Settings


def orders(*rows):
    """(customer, date, amount) tuples -> an engine holding them as canonical orders, one order each."""
    frame = pd.DataFrame(rows, columns=["customer", "date", "amount"])
    return DuckEngine.of_orders(frame.assign(date=pd.to_datetime(frame["date"]),
                                             order=[str(i) for i in range(len(frame))], rows=1, email=None, name=None))


AS_OF = pd.Timestamp("2026-12-31")
HISTORY = orders(
    ("a", "2025-02-01", 10.0), ("a", "2026-02-01", 10.0),   # retained
    ("b", "2025-03-01", 10.0),                              # churned
    ("c", "2025-04-01", 10.0), ("c", "2026-05-01", -10.0),  # a return is not a purchase: churned
    ("d", "2026-06-01", 10.0),                              # new this year
    ("e", "2024-06-01", 10.0), ("e", "2026-07-01", 10.0),   # won back after two years
    ("f", "2027-01-05", 10.0),                              # after as_of: ignored
)


def test_retention_follows_the_method_formula():
    kept = retention(HISTORY, AS_OF)
    # start: a, b, c bought in 2025; end: a, d, e bought in 2026; new: d.
    assert (kept.customers_start, kept.customers_end, kept.new_customers) == (3, 3, 1)
    assert kept.retention_rate == pytest.approx(2 / 3)
    assert kept.churn_rate == pytest.approx(1 / 3)
    assert kept.lifespan_years == pytest.approx(3.0)
    assert kept.period_start == pd.Timestamp("2026-01-01")


def test_no_customers_before_the_period_gives_no_rate():
    kept = retention(orders(("a", "2026-06-01", 10.0)), AS_OF)
    assert kept.retention_rate is None and kept.lifespan_years is None


def test_the_lifespan_from_churn_uses_the_retention_and_cannot_go_without_it():
    settings = Settings(as_of=AS_OF.date(), lifespan_from_churn=True)
    summary = rfm_summary(HISTORY, rfm_window(HISTORY, settings))
    analysis = score(summary, retention(HISTORY, AS_OF), settings)
    assert (analysis.lifespan_years, analysis.lifespan_source) == (pytest.approx(3.0), "from churn")
    assert score(summary, None, Settings(as_of=AS_OF.date())).retention is None  # not needed, not computed
    with pytest.raises(ValueError, match="needs the retention"):
        score(summary, None, settings)


def test_repeat_rate_counts_two_or_more_orders():
    history = orders(("a", "2026-01-03", 5.0), ("b", "2026-01-15", 5.0), ("b", "2026-02-15", 5.0),
                     ("c", "2026-02-10", 5.0), ("c", "2026-03-10", 5.0), ("c", "2026-03-11", 5.0))
    assert repeat_rate(rfm_summary(history, rfm_window(history, Settings()))) == pytest.approx(2 / 3)
    nobody = rfm_summary(history, rfm_window(history, Settings(as_of=pd.Timestamp("2027-06-01").date())))
    assert repeat_rate(nobody) is None


def test_cohorts_share_still_buying_by_month():
    history = orders(
        ("a", "2026-01-03", 5.0), ("a", "2026-01-20", 5.0), ("a", "2026-03-02", 5.0),
        ("b", "2026-01-15", 5.0),
        ("c", "2026-02-10", 5.0), ("c", "2026-03-10", 5.0),
    )
    matrix = cohort_matrix(cohorts(history, pd.Timestamp("2026-03-31")))
    jan, feb = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")
    assert matrix.loc[jan].tolist() == [1.0, 0.0, 0.5]
    assert matrix.loc[feb, 0] == 1.0 and matrix.loc[feb, 1] == 1.0
    assert pd.isna(matrix.loc[feb, 2])  # March 2026 + 2 months is after as_of
