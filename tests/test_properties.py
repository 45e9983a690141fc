"""Properties that hold for any order table, checked on generated ones (hypothesis)."""

import datetime as dt
import io

import numpy as np
import pandas as pd
import pandas.testing as pdt
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clv.analysis import analyze
from clv.engine import DuckEngine
from clv.errors import OrdersError
from clv.load import read_orders
from clv.report import empty_exclusions
from clv.rfm import Summary, rfm_scored_sql, rfm_scores
from clv.segments import SEGMENT_NAMES
from clv.settings import TIERS, Settings
from clv.value import ValueInputs, clv_from_sums

DAY0 = dt.date(2025, 1, 1)

order_rows = st.lists(
    st.tuples(
        st.sampled_from([f"c{i}" for i in range(12)]),
        st.integers(min_value=0, max_value=500),                       # days after DAY0
        st.integers(min_value=-5_000, max_value=50_000).map(lambda c: c / 100),  # amount in cents
    ),
    min_size=1,
    max_size=60,
)
knobs = st.builds(
    Settings,
    window_days=st.sampled_from([None, 30, 180, 365]),
    method=st.sampled_from(["quantile", "range"]),
    tier_cuts=st.sampled_from([(5, 7), (4, 8), (6, 9)]),
)


def frame(rows):
    table = pd.DataFrame(rows, columns=["customer", "day", "amount"])
    return pd.DataFrame(
        {
            "customer": table["customer"],
            "order": [f"o{i}" for i in range(len(table))],
            "date": pd.to_datetime(DAY0) + pd.to_timedelta(table["day"], unit="D"),
            "amount": table["amount"],
            "rows": 1,
            "email": pd.NA,
            "name": pd.NA,
        }
    )


def analysis_or_none(orders, knob):
    try:
        return analyze(orders, knob)
    except OrdersError:
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_rows, knobs, st.randoms())
def test_invariants_of_any_order_table(rows, knob, random):
    orders = frame(rows)
    result = analyze(orders, knob)
    customers = result.customers
    assert customers["customer"].is_unique
    assert customers[["r", "f", "m"]].isin([1, 2, 3]).all().all()
    assert (customers["frequency"] >= 1).all()
    tiers = result.tiers.set_index("tier")
    assert tiers.loc[["High", "Medium", "Low"], "customers"].sum() == tiers.loc["All", "customers"] == len(customers)
    assert round(tiers.loc[["High", "Medium", "Low"], "revenue"].sum(), 2) == round(tiers.loc["All", "revenue"], 2)
    # Counted plus left out is everything the orders carried.
    total = round(orders["amount"].sum(), 2)
    assert round(customers["monetary"].sum() + result.excluded["revenue"].sum(), 2) == total
    # score adds up per RFM cell first: the tables are those of grouping every customer (the definition).
    inputs = ValueInputs(result.window.length_days, result.lifespan_years, knob.margin, knob.conversion_rate)
    sums = customers.assign(cents=(customers["monetary"] * 100).round().astype("int64"))
    for by, groups, table in (("tier", list(TIERS), result.tiers), ("segment", list(SEGMENT_NAMES), result.segments)):
        grouped = sums.groupby(by, observed=True).agg(customers=("frequency", "size"), orders=("frequency", "sum"),
                                                      cents=("cents", "sum"))
        pdt.assert_frame_equal(table, clv_from_sums(grouped, by, groups, inputs))

    shuffled = orders.sample(frac=1, random_state=random.randint(0, 2**32 - 1)).reset_index(drop=True)
    again = analyze(shuffled, knob)
    pdt.assert_frame_equal(result.customers, again.customers)
    pdt.assert_frame_equal(result.tiers, again.tiers)
    pdt.assert_frame_equal(result.cuts, again.cuts)


customer_tables = st.lists(
    st.tuples(st.integers(0, 400), st.integers(1, 20), st.integers(-10_000, 100_000)),
    min_size=2,
    max_size=40,
)


def scored(customers: pd.DataFrame, method: str) -> pd.DataFrame:
    """Customers (recency_days, frequency, cents) -> their scores, in the order given."""
    engine = DuckEngine()
    engine.put("customers_test", customers.assign(customer=[f"{i:04d}" for i in range(len(customers))]))
    summary = Summary(None, engine, "customers_test", empty_exclusions())
    thresholds = rfm_scores(summary, method).thresholds
    return engine.fetch(f"{rfm_scored_sql(summary.scoreable, thresholds, (5, 7))} ORDER BY customer").to_pandas()


@settings(max_examples=200, deadline=None)
@given(customer_tables, st.sampled_from(["quantile", "range"]), st.data())
def test_more_money_never_lowers_m_and_a_later_order_never_lowers_r(table, method, data):
    customers = pd.DataFrame(table, columns=["recency_days", "frequency", "cents"])
    before = scored(customers, method)
    who = data.draw(st.integers(0, len(customers) - 1))
    richer = customers.copy()
    richer.loc[who, "cents"] += data.draw(st.integers(1, 50_000))
    assert scored(richer, method).loc[who, "m"] >= before.loc[who, "m"]
    fresher = customers.copy()
    fresher.loc[who, "recency_days"] = data.draw(st.integers(0, int(customers.loc[who, "recency_days"])))
    assert scored(fresher, method).loc[who, "r"] >= before.loc[who, "r"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([None, "orders.csv", "orders.xlsx", "orders.parquet"]))
@example(b"\r!", None)  # a lone carriage return once crashed the delimiter sniffer
def test_the_loader_returns_orders_or_its_own_error(data, filename):
    try:
        loaded = read_orders(io.BytesIO(data), filename=filename)
    except OrdersError:
        return
    assert list(loaded.orders.columns)[:4] == ["customer", "order", "date", "amount"]


text_cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(text_cells, text_cells, text_cells, text_cells), min_size=1, max_size=8))
def test_the_loader_survives_any_text_under_real_headers(rows):
    csv = "customer_id,order_id,order_date,amount\n" + "\n".join(
        ",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows
    )
    try:
        loaded = read_orders(csv.encode("utf-8"), filename="orders.csv")
    except OrdersError:
        return
    report = loaded.report
    assert loaded.orders["rows"].sum() + report.excluded["rows"].sum() == report.rows_read
    assert np.isclose(loaded.orders["amount"].sum() + report.excluded["revenue"].sum(), report.revenue_read, atol=0.01)


@settings(max_examples=300, deadline=None)
@given(st.one_of(*(st.lists(st.integers(low, high), min_size=1, max_size=60)
                   for low, high in [(0, 6), (-50, 50), (-10**12, 10**12)])))
def test_quantile_scores_equal_the_method_definition(values):
    # METHOD.md: w = how many are strictly less valuable; score = 1 + (3w >= n) + (3w >= 2n). Money as cents
    # in narrow, medium and wide spans (the running count of clv.rfm runs over distinct values).
    array = np.array(values)
    n = len(array)
    below = np.array([(array < x).sum() for x in array])
    expected = 1 + (3 * below >= n).astype(int) + (3 * below >= 2 * n).astype(int)
    if len(set(values)) == 1:
        expected[:] = 2  # a single distinct value carries no information
    customers = pd.DataFrame({"recency_days": 1, "frequency": 1, "cents": array})
    assert scored(customers, "quantile")["m"].tolist() == expected.tolist()
