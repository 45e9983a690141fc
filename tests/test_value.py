"""Lifetime value per group, checked against figures worked out by hand."""

import numpy as np
import pandas as pd
import pytest

from clv.value import ValueInputs, clv_from_sums

# High: 2 customers, 6 orders, 600.00; Low: 1 customer, 1 order, 50.00; Medium: nobody.
SUMS = pd.DataFrame({"customers": [2, 1], "orders": [6, 1], "cents": [60000, 5000]}, index=["High", "Low"])


def clv_table(sums, groups, inputs):
    return clv_from_sums(sums, "tier", groups, inputs)


def test_every_column_of_the_method_table():
    table = clv_table(SUMS, ["High", "Medium", "Low"], ValueInputs(730, 3.0, 0.5, 0.1, cac=25.0))
    high = table.set_index("tier").loc["High"]
    assert (high.customers, high.orders, high.revenue) == (2, 6, 600.0)
    assert high.aov == 100.0                      # 600 / 6
    assert high.purchase_frequency == 3.0         # 6 / 2
    assert high.customer_value == 300.0           # 100 x 3, per 730-day window
    assert high.annual_customer_value == 150.0    # 300 x 365 / 730
    assert high.clv == 225.0                      # 150 x 3 years x 50% margin
    assert high.max_cpc == 22.5                   # 225 x 10%
    assert (high.cac, high.clv_minus_cac, high.ltv_cac) == (25.0, 200.0, 9.0)
    assert high.share_customers == pytest.approx(2 / 3) and high.share_revenue == pytest.approx(600 / 650)


def test_all_row_pools_every_customer():
    table = clv_table(SUMS, ["High", "Medium", "Low"], ValueInputs(365, 3.0, 1.0, 0.02))
    everyone = table.iloc[-1]
    assert everyone.tier == "All"
    assert (everyone.customers, everyone.orders, everyone.revenue) == (3, 7, 650.0)
    assert everyone.aov == pytest.approx(650 / 7)
    assert everyone.clv == pytest.approx(650 / 3 * 3)


def test_an_empty_group_is_shown_with_zeros_and_blank_ratios():
    table = clv_table(SUMS, ["High", "Medium", "Low"], ValueInputs(365, 3.0, 1.0, 0.02))
    medium = table.set_index("tier").loc["Medium"]
    assert (medium.customers, medium.orders, medium.revenue) == (0, 0, 0.0)
    assert np.isnan(medium.aov) and np.isnan(medium.clv)


def test_without_cac_the_acquisition_columns_are_blank():
    table = clv_table(SUMS, ["High", "Medium", "Low"], ValueInputs(365, 3.0, 1.0, 0.02))
    assert table[["cac", "clv_minus_cac", "ltv_cac"]].isna().all().all()


def test_the_method_example_cpc_of_a_100_clv_at_10_percent_is_10():
    one = pd.DataFrame({"customers": [1], "orders": [1], "cents": [10000]}, index=["High"])
    table = clv_table(one, ["High"], ValueInputs(365, 1.0, 1.0, 0.10))
    assert table.loc[0, "clv"] == 100.0 and table.loc[0, "max_cpc"] == 10.0
