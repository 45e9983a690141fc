"""The headline's figures, on tables small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from clv.headline import Headline, headline, quiet_customers

# Five customers: three High (last orders 10, 90 and 200 days ago), one Medium and one Low long gone.
CUSTOMERS = pd.DataFrame({
    "customer": ["ann", "bob", "cy", "di", "ed"],
    "tier": ["High", "High", "High", "Medium", "Low"],
    "recency_days": [10, 90, 200, 150, 300],
    "monetary": [500.0, 300.0, 200.0, 150.0, 50.0],
})
# Their tier table: High has 3 of 5 customers (60%) and 1,000 of 1,200 revenue (5/6).
TIERS = pd.DataFrame({
    "tier": ["High", "Medium", "Low", "All"],
    "customers": [3, 1, 1, 5],
    "share_customers": [0.6, 0.2, 0.2, 1.0],
    "revenue": [1000.0, 150.0, 50.0, 1200.0],
    "share_revenue": [1000 / 1200, 150 / 1200, 50 / 1200, 1.0],
})


def test_quiet_customers_are_the_tier_s_customers_with_no_order_for_the_days():
    # bob's last order is exactly 90 days old: quiet; di and ed are quiet but not High.
    assert_frame_equal(quiet_customers(CUSTOMERS), CUSTOMERS.iloc[[1, 2]])
    assert quiet_customers(CUSTOMERS, days=91)["customer"].tolist() == ["cy"]
    assert quiet_customers(CUSTOMERS, tier="Low")["customer"].tolist() == ["ed"]


def test_the_headline_counts_the_tier_and_its_quiet_customers():
    assert headline(TIERS, CUSTOMERS, window_days=365) == Headline(
        tier="High", customers=3, share_customers=0.6, share_revenue=1000 / 1200, quiet_days=90, quiet=2,
    )


@pytest.mark.parametrize("window_days", [30, 90])
def test_a_window_no_longer_than_the_quiet_days_has_no_quiet_figure(window_days):
    figures = headline(TIERS, CUSTOMERS, window_days)
    assert (figures.quiet_days, figures.quiet) == (None, 0)


def test_an_empty_tier_and_a_window_without_revenue():
    tiers = TIERS.assign(
        customers=[0, 4, 1, 5], share_customers=[0.0, 0.8, 0.2, 1.0], share_revenue=[np.nan] * 4,
    )
    customers = CUSTOMERS.assign(tier=["Medium"] * 4 + ["Low"])
    assert headline(tiers, customers, window_days=365) == Headline(
        tier="High", customers=0, share_customers=0.0, share_revenue=None, quiet_days=90, quiet=0,
    )
