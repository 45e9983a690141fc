"""Predicted value (METHOD.md section 9): the inputs on every engine, worked by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from clv.engine import DuckEngine
from clv.predict import prediction_inputs

# As of 2026-06-30.
ORDERS = [  # order, customer, date, amount
    ("o1", "A", "2026-01-01", 10.00),   # A's first purchase day: o1 + o2 = 15.00, one purchase
    ("o2", "A", "2026-01-01", 5.00),
    ("o3", "A", "2026-02-01", 20.00),   # repeat purchase day 1
    ("o4", "A", "2026-03-01", -5.00),   # a return: not a purchase, and not in any day's amount
    ("o5", "A", "2026-04-01", 40.00),   # repeat purchase day 2
    ("o6", "A", "2026-07-05", 99.00),   # after as-of: out
    ("o7", "B", "2026-06-30", 12.34),   # one purchase, on as-of itself
    ("o8", "C", "2026-05-01", 0.00),    # free: not counted, so not C's first purchase
    ("o9", "C", "2026-05-10", 25.00),   # C's first purchase day
    ("o10", "C", "2026-05-10", -3.00),  # a return that day: not counted, the day is 25.00
    ("o11", "C", "2026-06-09", 10.00),
    ("o12", "D", "2026-03-01", -10.00),  # D has returns only: no counted order, no inputs
    ("o13", "E", "2026-07-01", 30.00),   # E's only order is after as-of
]
AS_OF = pd.Timestamp("2026-06-30")


def duckdb_engine(rows):
    frame = pd.DataFrame(rows, columns=["order", "customer", "date", "amount"])
    return DuckEngine.of_orders(frame.assign(date=pd.to_datetime(frame["date"]), rows=1, email=None, name=None))


@pytest.fixture(params=["duckdb", "spark"])
def engine_of(request):
    """A function: order rows -> an engine of the kind named, holding them as canonical orders."""
    if request.param == "duckdb":
        return duckdb_engine
    spark = request.getfixturevalue("spark")
    from clv.spark import spark_engine

    def engine(rows):
        typed = [(customer, order, dt.date.fromisoformat(day), amount) for order, customer, day, amount in rows]
        return spark_engine(spark.createDataFrame(typed, "customer string, order string, date date, amount double"))
    return engine


def test_the_inputs_per_customer(engine_of):
    inputs = prediction_inputs(engine_of(ORDERS), AS_OF)
    expected = pd.DataFrame({
        "customer": ["A", "B", "C"],
        # A: days 01-01, 02-01, 04-01: x = 2, t_x = 31 + 28 + 31 = 90, T = 180 (to 06-30), m = (20 + 40) / 2.
        # B: one day, on as-of. C: days 05-10 and 06-09: x = 1, t_x = 30, T = 51 (21 + 30), m = 10.
        "x": [2, 0, 1],
        "t_x": [90, 0, 30],
        "T": [180, 0, 51],
        "m": [30.0, np.nan, 10.0],
    })
    pdt.assert_frame_equal(inputs.customers, expected, check_dtype=False)
    assert inputs.customers[["x", "t_x", "T"]].dtypes.tolist() == [np.dtype("int64")] * 3


def test_the_collapsed_tables_the_models_are_fitted_from(engine_of):
    rows = ORDERS + [  # F repeats A's (x, t_x, T) and C's spend; G repeats C's (x, t_x, T) with other amounts
        ("o14", "F", "2026-01-01", 1.00), ("o15", "F", "2026-03-15", 2.00), ("o16", "F", "2026-04-01", 58.00),
        ("o17", "G", "2026-05-10", 5.00), ("o18", "G", "2026-06-09", 7.50),
    ]
    inputs = prediction_inputs(engine_of(rows), AS_OF)
    pdt.assert_frame_equal(inputs.frequencies, pd.DataFrame({
        "x": [0, 1, 2], "t_x": [0, 30, 90], "T": [0, 51, 180], "customers": [1, 2, 2]}))
    pdt.assert_frame_equal(inputs.spends, pd.DataFrame({
        "x": [1, 1, 2], "m": [7.5, 10.0, 30.0], "customers": [1, 1, 2]}))


def test_an_earlier_as_of_sees_only_what_was_known_then(engine_of):
    inputs = prediction_inputs(engine_of(ORDERS), pd.Timestamp("2026-03-31"))
    # A: 01-01 and 02-01 (x = 1, t_x = 31, T = 89); D's return is still no purchase.
    pdt.assert_frame_equal(inputs.customers, pd.DataFrame(
        {"customer": ["A"], "x": [1], "t_x": [31], "T": [89], "m": [20.0]}))
