"""Predicted value (METHOD.md section 9): the inputs on every engine and the models' formulas, worked by hand;
the fits against the papers' own numbers on the CDNOW sample."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from scipy.optimize import approx_fprime
from scipy.special import hyp2f1

from clv.engine import DuckEngine
from clv.errors import OrdersError
from clv.predict import (
    BgNbd, Fit, GammaGamma, bgnbd_expected_purchases, bgnbd_fit, bgnbd_log_likelihood, bgnbd_p_alive,
    gamma_gamma_fit, gamma_gamma_log_likelihood, gamma_gamma_mean, prediction_fit, prediction_inputs, predictions,
)

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


def test_spark_collapses_what_duckdb_collapses(spark):
    # 3,000 random orders (returns, free orders, several a day) over 400 customers: the same tables on both.
    from clv.spark import spark_engine

    rng = np.random.default_rng(15)
    n = 3000
    days = (AS_OF - pd.to_timedelta(rng.integers(0, 900, n), unit="D")).strftime("%Y-%m-%d")
    amounts = np.round(rng.lognormal(3, 1, n) * rng.choice([1, 1, 1, 1, -1, 0], n), 2)
    rows = [(f"o{i}", f"c{rng.integers(0, 400)}", days[i], float(amounts[i])) for i in range(n)]
    typed = [(customer, order, dt.date.fromisoformat(day), amount) for order, customer, day, amount in rows]
    on_spark = prediction_inputs(spark_engine(spark.createDataFrame(
        typed, "customer string, order string, date date, amount double")), AS_OF)
    on_duckdb = prediction_inputs(duckdb_engine(rows), AS_OF)
    pdt.assert_frame_equal(on_spark.frequencies, on_duckdb.frequencies)
    pdt.assert_frame_equal(on_spark.spends, on_duckdb.spends)
    pdt.assert_frame_equal(on_spark.customers, on_duckdb.customers, check_dtype=False)
    assert on_duckdb.spends["customers"].sum() > 100


# The models, on cases small enough to work by hand ---------------------------------------------------------------

def test_the_bgnbd_likelihood_by_hand():
    # r = alpha = a = b = 1, so G(r + x) alpha^r / G(r) = x! and B(1, 1) = 1.
    # x = 0, T = 1: B(1, 1) / (1 + 1)^1 = 1/2.
    # x = 1, t_x = 1, T = 2: B(1, 2) / 3^2 + B(2, 1) / 2^2 = (1/2)(1/9) + (1/2)(1/4) = 13/72.
    # x = 2, t_x = 1, T = 3: 2 [B(1, 3) / 4^3 + B(2, 2) / 2^3] = 2 [(1/3)(1/64) + (1/6)(1/8)] = 1/96 + 1/24 = 5/96.
    got = bgnbd_log_likelihood(1.0, 1.0, 1.0, 1.0, np.array([0, 1, 2]), np.array([0, 1, 1]), np.array([1, 2, 3]))
    assert got == pytest.approx(np.log([1 / 2, 13 / 72, 5 / 96]), rel=1e-12)


def test_the_gamma_gamma_likelihood_by_hand():
    # p = 1, q = 2, gamma = 1: one amount of 1 has density G(3) / (G(1) G(2)) 1^2 1^0 1^1 / 2^3 = 1/4; two amounts
    # averaging 1 (p x = 2): G(4) / (G(2) G(2)) 1 * 1^1 * 2^2 / 3^4 = 6 * 4 / 81 = 8/27.
    got = gamma_gamma_log_likelihood(1.0, 2.0, 1.0, np.array([1, 2]), np.array([1.0, 1.0]))
    assert got == pytest.approx(np.log([1 / 4, 8 / 27]), rel=1e-12)


MODEL = BgNbd(r=2.0, alpha=1.0, a=2.0, b=1.0, log_likelihood=0.0, customers=0)
"""With a = 2 and r = b + 1 the 2F1 of eq. 10 is 2F1(0, 1; .; z) = 1, so E[Y(t)] = (2 + x) z P(alive),
z = t / (alpha + T + t): figures a person can check."""


@pytest.mark.parametrize(
    ("x", "t_x", "T", "p_alive"),
    [(0, 0, 0, 1.0), (0, 0, 400, 1.0), (1, 1, 1, 1 / 3), (1, 1, 3, 1 / 17), (2, 4, 4, 1 / 2)],
    ids=["x=0 new", "x=0 long ago", "x=1 just now", "x=1 two days silent", "x=2 just now"],
)
def test_p_alive_by_hand(x, t_x, T, p_alive):
    # The odds of having dropped out are a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x), and none for x = 0:
    # x=1, t_x=T=1: 2/1 (2/2)^3 = 2; x=1, t_x=1, T=3: 2 (4/2)^3 = 16; x=2, t_x=T=4: 2/2 (5/5)^4 = 1.
    assert bgnbd_p_alive(MODEL, [x], [t_x], [T])[0] == pytest.approx(p_alive, rel=1e-12)


@pytest.mark.parametrize(
    ("t", "x", "t_x", "T", "expected"),
    [(0.0, 0, 0, 0, 0.0), (0.0, 3, 5, 9, 0.0), (1.0, 0, 0, 0, 2 * 1 / 2), (3.0, 0, 0, 0, 2 * 3 / 4),
     (2.0, 1, 1, 1, 3 * 2 / 4 * 1 / 3), (6.0, 2, 4, 4, 4 * 6 / 11 * 1 / 2)],
    ids=["t=0 new", "t=0 repeat", "new 1 day", "new 3 days", "x=1", "x=2"],
)
def test_expected_purchases_by_hand(t, x, t_x, T, expected):
    # (2 + x) z P(alive), z = t / (alpha + T + t); P(alive) as in the test above.
    assert bgnbd_expected_purchases(MODEL, t, [x], [t_x], [T])[0] == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_expected_purchases_begin_at_the_rate_of_a_live_customer():
    # Over a short horizon a customer buys at P(alive) x E[lambda | x, T] = P(alive) (r + x) / (alpha + T) a day.
    model = BgNbd(r=0.243, alpha=30.9, a=0.793, b=2.426, log_likelihood=0.0, customers=0)
    x, t_x, T = np.array([0, 1, 5, 40]), np.array([0, 20, 100, 300]), np.array([10, 200, 150, 310])
    rate = bgnbd_p_alive(model, x, t_x, T) * (model.r + x) / (model.alpha + T)
    assert bgnbd_expected_purchases(model, 1e-6, x, t_x, T) / 1e-6 == pytest.approx(rate, rel=1e-5)


def naive_expected_purchases(model, t, x, t_x, T):
    """Eq. 10 evaluated as printed, the way that fails for heavy buyers."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * bracket * bgnbd_p_alive(model, x, t_x, T)


def test_heavy_buyers_get_a_number_where_the_printed_formula_gives_none():
    # A customer who bought on 301 days in a row, over the next ten years, with the paper's parameters in days.
    # As printed, 2F1(300.2, 302.4; 302.2; 0.92) overflows while its factor underflows: NaN. The reference value
    # is eq. 10 as printed, evaluated with mpmath at 50 digits.
    model = BgNbd(r=0.243, alpha=30.9, a=0.793, b=2.426, log_likelihood=0.0, customers=0)
    with np.errstate(all="ignore"):
        assert np.isnan(naive_expected_purchases(model, 3650.0, 300, 300, 300))
    got = bgnbd_expected_purchases(model, 3650.0, [300], [300], [300])[0]
    assert got == pytest.approx(977.6534975345324, rel=1e-9)
    # Sensible: below what 0.907 a day (her rate, (r + x) / (alpha + T)) for 3650 days would give if she never left.
    assert got < 3650 * (model.r + 300) / (model.alpha + 300)


def test_where_scipy_gives_no_2f1_the_series_does():
    # With r = 0.5 and a = 1.5 the transformed 2F1 has C - A - B = 0, where scipy returns NaN above z = 0.9.
    # Reference: eq. 10 as printed, mpmath at 50 digits.
    model = BgNbd(r=0.5, alpha=10.0, a=1.5, b=5.0, log_likelihood=0.0, customers=0)
    assert np.isnan(hyp2f1(model.a + model.b - 1 - model.r, model.a - 1, model.a + model.b + 300 - 1, 0.92))
    got = bgnbd_expected_purchases(model, 3650.0, [300], [300], [300])[0]
    assert got == pytest.approx(436.58648045520787, rel=1e-9)


def test_the_transformed_formula_is_the_printed_one_where_that_works():
    model = BgNbd(r=0.243, alpha=30.9, a=0.793, b=2.426, log_likelihood=0.0, customers=0)
    x = np.array([0, 0, 1, 2, 5, 10, 30, 100])
    t_x = np.array([0, 0, 10, 50, 200, 300, 350, 364])
    T = np.array([5, 700, 30, 100, 365, 365, 365, 365])
    for t in (1.0, 30.0, 365.0, 3650.0):
        assert bgnbd_expected_purchases(model, t, x, t_x, T) == pytest.approx(
            naive_expected_purchases(model, t, x, t_x, T), rel=1e-9)


def test_the_expected_order_value_by_hand():
    # p = 1, q = 3, gamma = 10: the population mean is p gamma / (q - 1) = 5; a customer with two repeat purchases
    # averaging 20 gets (1 (10 + 2 * 20)) / (1 * 2 + 3 - 1) = 12.5, a weighted mean of 5 and 20.
    got = gamma_gamma_mean(GammaGamma(1.0, 3.0, 10.0, 0.0, 0), np.array([0, 2]), np.array([np.nan, 20.0]))
    assert got.tolist() == [5.0, 12.5]


def test_predicted_value_is_orders_times_order_value_times_margin():
    fit = Fit(AS_OF, MODEL, GammaGamma(1.0, 3.0, 10.0, 0.0, 0))
    inputs = pd.DataFrame({"x": [0, 1], "t_x": [0, 1], "T": [0, 1], "m": [np.nan, 20.0]}, index=[7, 3])
    got = predictions(fit, inputs, horizon_days=2, margin=0.4)
    # New: 2 * 2/3 orders at 5.00; x=1: 0.5 orders (above) at (10 + 20) / (1 + 3 - 1) = 10.00.
    expected = pd.DataFrame({"p_alive": [1.0, 1 / 3], "expected_orders": [4 / 3, 0.5],
                             "expected_order_value": [5.0, 10.0], "predicted_clv": [4 / 3 * 5 * 0.4, 0.5 * 10 * 0.4]},
                            index=[7, 3])
    pdt.assert_frame_equal(got, expected, rtol=1e-12)


@pytest.mark.parametrize("model", ["bgnbd", "gamma_gamma"])
def test_the_gradients_the_fits_use_are_the_likelihoods(model):
    from clv.predict import _bgnbd_objective, _ByX, _Days, _gamma_gamma_objective

    rng = np.random.default_rng(15)
    weights = rng.integers(1, 5, 50).astype(float)
    if model == "bgnbd":
        x = rng.integers(0, 20, 50).astype(float)
        T = rng.integers(1, 400, 50).astype(float)
        t_x = np.floor(T * rng.uniform(0, 1, 50)) * (x > 0)
        data = (_ByX.of(x, weights), _Days.of(t_x), _Days.of(T))
        objective, point = _bgnbd_objective, np.log([0.4, 25.0, 0.8, 2.5])
        value = -(weights @ bgnbd_log_likelihood(0.4, 25.0, 0.8, 2.5, x, t_x, T)) / weights.sum()
    else:
        x = rng.integers(1, 20, 50).astype(float)
        m = rng.lognormal(3, 0.5, 50)
        data = (_ByX.of(x, weights), np.log(m), x * m)
        objective, point = _gamma_gamma_objective, np.log([6.0, 3.5, 15.0])
        value = -(weights @ gamma_gamma_log_likelihood(6.0, 3.5, 15.0, x, m)) / weights.sum()
    assert objective(point, *data)[0] == pytest.approx(value, rel=1e-12)  # the likelihood, as written out
    numeric = approx_fprime(point, lambda log_params: objective(log_params, *data)[0], 1e-7)
    assert objective(point, *data)[1] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


# Proof against the papers: the CDNOW sample -------------------------------------------------------------------------

# tests/fixtures/cdnow_sample.txt is CDNOW_sample.txt as shipped in the lifetimes 0.11.3 wheel
# (lifetimes/datasets/CDNOW_sample.txt; the package is MIT-licensed, "Copyright (c) 2015, Cameron Davidson-Pilon").
# It is the 1/10th sample of CDNOW's first-quarter-1997 cohort that Fader & Hardie's papers use, documented in
# Hardie's "Notes on the CDNOW Master Data Set" (brucehardie.com/notes/026/): 6,919 purchases by 2,357 customers,
# 1997-01-01 to 1998-06-30, one purchase a line: master id, sample id, date, CDs bought, dollar value.
CDNOW = Path(__file__).parent / "fixtures" / "cdnow_sample.txt"
CALIBRATION_END = pd.Timestamp("1997-09-30")  # the papers' 39-week calibration period


def cdnow_engine(free_purchases_count: bool) -> DuckEngine:
    """The CDNOW purchases as canonical orders, each line its own order.

    The papers count every purchase, 8 customers' only purchase of $0.00 too; METHOD.md counts orders above 0.
    ``free_purchases_count`` gives those 8 a cent, which feeds the models the papers' inputs.
    """
    lines = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["master", "customer", "date", "cds", "amount"],
                        dtype={"customer": "str", "date": "str"})
    amount = lines["amount"].where(lines["amount"] > 0, 0.01) if free_purchases_count else lines["amount"]
    return DuckEngine.of_orders(pd.DataFrame({
        "customer": lines["customer"], "order": lines.index.astype("str"), "date": pd.to_datetime(lines["date"]),
        "amount": amount, "rows": 1, "email": None, "name": None}))


@pytest.fixture(scope="module")
def papers_inputs():
    return prediction_inputs(cdnow_engine(free_purchases_count=True), CALIBRATION_END)


def test_the_cdnow_inputs_are_the_papers(papers_inputs):
    customers = papers_inputs.customers
    # Purchases on one day are one purchase: 2,457 repeat purchases by 2,357 customers (FHL 2005, section 4),
    # 946 of whom came back (the Gamma-Gamma paper's sample).
    assert (len(customers), customers["x"].sum(), (customers["x"] > 0).sum()) == (2357, 2457, 946)
    # Customer 1 bought on 1997-01-01, 01-18 (29.73) and 08-02 (14.96), then in December, after the calibration:
    # t_x = 213 days (30.43 weeks), T = 272 days (38.86 weeks), m = (29.73 + 14.96) / 2.
    first = customers.set_index("customer").loc["0001"]
    assert first[["x", "t_x", "T"]].tolist() == [2, 213, 272]
    assert first["m"] == pytest.approx(22.345)


def test_the_bgnbd_fit_is_the_papers(papers_inputs):
    # FHL 2005, table 1: r = 0.243, alpha = 4.414 weeks, a = 0.793, b = 2.426, LL = -9,582.4 (in weeks).
    model = bgnbd_fit(papers_inputs.frequencies)
    assert (round(model.r, 3), round(model.alpha / 7, 3), round(model.a, 3), round(model.b, 3)) == (
        0.243, 4.414, 0.793, 2.426)
    assert round(model.alpha, 1) == 30.9 and model.customers == 2357
    frequencies = papers_inputs.frequencies
    assert model.log_likelihood == pytest.approx(frequencies["customers"] @ bgnbd_log_likelihood(
        model.r, model.alpha, model.a, model.b, frequencies["x"], frequencies["t_x"], frequencies["T"]), abs=1e-6)
    assert round(model.log_likelihood, 1) == -14363.5  # in days; in weeks it is this + ln(7) x sum(x):
    assert round(model.log_likelihood + np.log(7) * 2457, 1) == -9582.4


def test_the_unit_of_time_moves_alpha_and_the_likelihood_only(papers_inputs):
    days = bgnbd_fit(papers_inputs.frequencies)
    weeks = bgnbd_fit(papers_inputs.frequencies.assign(t_x=lambda t: t["t_x"] / 7, T=lambda t: t["T"] / 7))
    assert (weeks.r, weeks.alpha * 7, weeks.a, weeks.b) == pytest.approx((days.r, days.alpha, days.a, days.b), rel=1e-5)
    assert weeks.log_likelihood == pytest.approx(days.log_likelihood + np.log(7) * 2457, abs=1e-4)


def test_the_gamma_gamma_fit_is_the_papers(papers_inputs):
    # FHL 2005 ("RFM and CLV"), and Fader & Hardie 2013: p = 6.25, q = 3.74, gamma = 15.44, on the 946 customers
    # with a repeat purchase in the calibration period, m being the mean of their repeat purchases there (the first
    # purchase left out; a day's purchases are one). That is exactly this module's m.
    spends = papers_inputs.spends
    model = gamma_gamma_fit(spends)
    assert (round(model.p, 2), round(model.q, 2), round(model.gamma, 2), model.customers) == (6.25, 3.74, 15.44, 946)
    assert model.log_likelihood == pytest.approx(spends["customers"] @ gamma_gamma_log_likelihood(
        model.p, model.q, model.gamma, spends["x"], spends["m"]), abs=1e-6)


def test_the_39_week_forecast_is_the_papers_and_misses_as_it_did(papers_inputs):
    # Over the 39 weeks after the calibration the model expects 1,653 repeat purchases from these customers; 1,882
    # purchase days came (the paper's figure 4 compares the same totals by x).
    fit = prediction_fit(papers_inputs)
    expected = predictions(fit, papers_inputs.customers, horizon_days=273)["expected_orders"].sum()
    assert round(expected) == 1653
    lines = pd.read_csv(CDNOW, sep=r"\s+", header=None, usecols=[1, 2], names=["customer", "date"])
    assert len(lines.loc[lines["date"] > 19970930].drop_duplicates()) == 1882


def test_the_counted_orders_leave_out_the_free_purchases():
    # The METHOD.md rule (orders above 0) drops the 8 customers whose only purchase was $0.00; the fit moves a little.
    inputs = prediction_inputs(cdnow_engine(free_purchases_count=False), CALIBRATION_END)
    fit = prediction_fit(inputs)
    got = fit.purchases
    assert (got.customers, round(got.r, 4), round(got.alpha, 2), round(got.a, 4), round(got.b, 3)) == (
        2349, 0.2439, 30.96, 0.7925, 2.423)
    assert fit.spend.customers == 946 and round(fit.spend.p, 2) == 6.25


# When there is too little to fit ------------------------------------------------------------------------------------

def test_fewer_than_100_repeat_customers_get_a_message_and_no_numbers():
    rows = [(f"o{i}", f"c{i}", "2026-01-01", 10.0) for i in range(500)]
    rows += [(f"r{i}", f"c{i}", "2026-02-01", 10.0) for i in range(99)]
    with pytest.raises(OrdersError, match="at least 100 customers who bought again.* have 99"):
        prediction_fit(prediction_inputs(duckdb_engine(rows), AS_OF))


def test_a_fit_that_runs_off_gets_a_message_and_no_numbers():
    # 200 customers who each bought every 10 days and are all still buying: nobody is seen to leave, so the
    # dropout probability runs off to 0 (a -> 0 or b -> infinity) and no maximum exists inside.
    days = pd.date_range("2026-01-01", "2026-06-30", freq="10D")
    rows = [(f"o{i}-{d:%j}", f"c{i}", f"{d:%Y-%m-%d}", 10.0 + i % 7) for i in range(200) for d in days]
    with pytest.raises(OrdersError, match="purchase model .BG/NBD. did not"):
        prediction_fit(prediction_inputs(duckdb_engine(rows), pd.Timestamp(days[-1])))


def test_a_spend_model_with_no_variety_gets_a_message_and_no_numbers():
    # Every repeat customer's purchases average 10.00: nothing tells customers' spend apart, and p runs off.
    with pytest.raises(OrdersError, match="spend model .Gamma-Gamma. did not settle"):
        gamma_gamma_fit(pd.DataFrame({"x": [1, 2, 3], "m": [10.0, 10.0, 10.0], "customers": [50, 50, 50]}))


def test_spend_too_spread_out_for_an_average_gets_a_message_and_no_numbers():
    # Amounts spread over orders of magnitude (lognormal, sigma 3) fit q below 1: the model's mean is infinite.
    m = np.random.default_rng(0).lognormal(3, 3, 300)
    with pytest.raises(OrdersError, match=r"found q = 0\.4\d*, at most 1"):
        gamma_gamma_fit(pd.DataFrame({"x": 1, "m": m, "customers": 1}))
