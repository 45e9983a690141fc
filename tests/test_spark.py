"""clv.spark gives what clv.analysis.analyze gives, value for value.

The Spark tests share one local session (``local[2]``) and skip when pyspark
(or Java) is missing; the order-statistic rule itself is checked on numpy
without Spark.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from clv.analysis import analyze
from clv.errors import OrdersError
from clv.report import ORDER_COLUMNS
from clv.rfm import quantile_ranks
from clv.settings import Settings
from clv.spark import (
    CUSTOMER_COLUMNS,
    order_statistics,
    read_orders_spark,
    rfm_spark,
)

pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

AS_OF = dt.date(2026, 6, 30)
TEXT = ["customer", "email", "name", "tier", "segment", "first_order_date", "last_order_date"]
INTEGERS = ["recency_days", "frequency", "r", "f", "m", "rfm_score", "rfm_code"]
BOTH = pytest.mark.parametrize("method", ["quantile", "range"])


# --- the rule, on numpy --------------------------------------------------------------------------


@pytest.mark.parametrize("n", range(1, 40))
def test_quantile_ranks_are_ranks(n):
    k1, k2 = quantile_ranks(n)
    assert 1 <= k1 <= k2 <= n
    assert (3 * k1 >= n > 3 * (k1 - 1)) and (3 * k2 >= 2 * n > 3 * (k2 - 1))


# --- Spark ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    try:
        session = (
            SparkSession.builder.master("local[2]")
            .appName("clv-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.adaptive.enabled", "false")  # re-planning costs more than it saves on tiny tables
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
    except Exception as error:  # no Java, or a JVM that will not start
        pytest.skip(f"Spark could not start: {error}")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def day(days_before: int) -> str:
    return (AS_OF - dt.timedelta(days=days_before)).isoformat()


def canonical(lines: list[tuple]) -> pd.DataFrame:
    """Order lines (customer, order, date, amount[, email]) -> canonical orders, as clv.load makes them."""
    columns = ["customer", "order", "date", "amount", "email"][: len(lines[0])]
    frame = pd.DataFrame(lines, columns=columns)
    if "email" not in frame:
        frame = frame.assign(email=None)
    return (
        frame.assign(date=pd.to_datetime(frame["date"]))
        .groupby("order", sort=False)
        .agg(customer=("customer", "min"), date=("date", "min"), amount=("amount", "sum"),
             rows=("amount", "size"), email=("email", "min"))
        .reset_index()
        .assign(name=None)
        .loc[:, ORDER_COLUMNS]
    )


def spark_orders(spark, lines: list[tuple]):
    email = len(lines[0]) == 5
    rows = [(c, o, dt.date.fromisoformat(d), float(a), *rest) for c, o, d, a, *rest in lines]
    return spark.createDataFrame(
        rows, "customer string, order string, date date, amount double" + (", email string" if email else "")
    )


def normal(customers: pd.DataFrame) -> pd.DataFrame:
    """Sorted by customer, integers as int64, text and dates as objects with None for blanks."""
    table = customers.loc[:, CUSTOMER_COLUMNS].sort_values("customer").reset_index(drop=True)
    return table.assign(
        **{c: pd.to_datetime(table[c]).dt.date for c in ("first_order_date", "last_order_date")}
    ).pipe(
        lambda t: t.assign(
            **{c: t[c].astype(object).where(t[c].notna(), None) for c in TEXT},
            **{c: t[c].astype("int64") for c in INTEGERS},
            monetary=t["monetary"].astype("float64"),
        )
    )


def collected(customers) -> pd.DataFrame:
    return pd.DataFrame.from_records([row.asDict() for row in customers.collect()], columns=CUSTOMER_COLUMNS)


def assert_same(spark, lines: list[tuple], settings: Settings) -> pd.DataFrame:
    """rfm_spark on the lines == analyze on their canonical orders; returns the customers."""
    expected = analyze(canonical(lines), settings)
    customers, tiers = rfm_spark(spark_orders(spark, lines), settings)
    got = normal(collected(customers))
    pd.testing.assert_frame_equal(got, normal(expected.customers), check_exact=True)
    pd.testing.assert_frame_equal(tiers, expected.tiers, check_exact=True)
    return got.set_index("customer")


def test_ties_in_quantile_share_a_score(spark):
    # frequencies 1, 1, 1, 2, 5, 9 -> f 1, 1, 1, 2, 3, 3; spend ties at 100 over a, b, c
    counts = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 5, "g": 9}
    lines = [
        (c, f"{c}{i}", day(i), 100.0 / n if c in "abc" else 10.0)
        for c, n in counts.items() for i in range(n)
    ]
    got = assert_same(spark, lines, Settings())
    assert got["f"].tolist() == [1, 1, 1, 2, 3, 3]
    assert got.loc[["a", "b", "c"], "m"].nunique() == 1


def test_values_on_a_range_cut_score_higher(spark):
    # money 10, 40, 70, 100: cuts at 40 and 70; days 0, 3, 6, 9: cuts at 3 and 6 days
    lines = [(c, c, day(days), amount) for c, days, amount in [("a", 0, 10), ("b", 3, 40), ("c", 6, 70), ("d", 9, 100)]]
    got = assert_same(spark, lines, Settings(method="range"))
    assert got["m"].tolist() == [1, 2, 3, 3]
    assert got["r"].tolist() == [3, 3, 2, 1]
    assert_same(spark, lines, Settings(method="quantile"))


@BOTH
def test_a_single_value_scores_2(spark, method):
    lines = [(c, c, day(5), 25.0) for c in "abcde"]
    got = assert_same(spark, lines, Settings(method=method))
    assert set(got["r"]) == set(got["f"]) == set(got["m"]) == {2}


@BOTH
def test_returns_net_against_money_and_are_no_orders(spark, method):
    lines = [
        ("bigreturn", "o1", day(10), 50.0), ("bigreturn", "r1", day(5), -80.0),
        ("onlyreturns", "r2", day(3), -20.0),
        ("netzero", "o2", day(40), 30.0), ("netzero", "o3", day(2), 20.0), ("netzero", "r3", day(1), -20.0),
        ("plain", "o4", day(100), 60.0), ("plain", "o5", day(200), 15.5),
    ]
    got = assert_same(spark, lines, Settings(method=method))
    assert "onlyreturns" not in got.index
    assert got.loc["bigreturn", ["frequency", "monetary"]].tolist() == [1, -30.0]


@BOTH
def test_rows_of_an_order_are_summed_first(spark, method):
    lines = [
        ("a", "o1", day(3), 30.0), ("a", "o1", day(4), 20.0), ("a", "o1", day(2), -5.0),  # 45, dated day(4)
        ("a", "o2", day(1), 10.0), ("a", "o2", day(1), -10.0),  # nets to 0: not an order
        ("b", "o3", day(7), 0.333), ("b", "o3", day(7), 0.333), ("b", "o3", day(7), 0.334),  # 1.00
        ("c", "o4", day(400), 99.0), ("c", "o4", day(100), 1.0),  # dated day(400): before the window
        ("c", "o5", day(9), 12.345), ("d", "o6", day(8), 0.125),  # half cents round to even
    ]
    got = assert_same(spark, lines, Settings(method=method))
    assert got.loc["a", ["frequency", "monetary", "recency_days"]].tolist() == [1, 45.0, 3]  # as_of = day(1)
    assert got.loc["b", "monetary"] == 1.0
    assert got.loc["c", "frequency"] == 1


@pytest.mark.parametrize(
    "settings",
    [Settings(), Settings(as_of=dt.date(2026, 6, 1)), Settings(window_days=None), Settings(window_days=1),
     Settings(window_days=30, method="range", tier_cuts=(6, 8))],
    ids=["default", "as-of", "all-history", "one-day", "30-days-range"],
)
def test_window_edges(spark, settings):
    lines = [
        ("edge", "o1", day(365), 80.0), ("edge", "o2", day(364), 10.0),
        ("out", "o3", day(365), 70.0), ("late", "o4", day(-0), 5.0), ("late", "o5", day(29), 40.0),
        ("june", "o6", "2026-06-01", 20.0), ("after", "o7", "2026-06-02", 30.0), ("early", "o8", day(900), 9.0),
        ("early", "o9", day(30), 7.0),
    ]
    assert_same(spark, lines, settings)


def random_lines(n_orders: int, seed: int) -> list[tuple]:
    rng = np.random.default_rng(seed)
    customers = rng.integers(0, 300, n_orders)
    days = rng.integers(0, 700, n_orders)
    whole = rng.random(n_orders) < 0.3  # whole amounts make ties in money
    amounts = np.where(whole, rng.integers(5, 60, n_orders), np.round(rng.lognormal(3.5, 1.0, n_orders), 2))
    amounts = np.where(rng.random(n_orders) < 0.05, -amounts, amounts)
    lines = []
    for i in range(n_orders):
        parts = int(rng.integers(1, 4))
        share = np.round(amounts[i] / parts, 2)
        pieces = [share] * (parts - 1) + [round(amounts[i] - share * (parts - 1), 2)]
        lines += [(f"C{customers[i]:04d}", f"O{i:05d}", day(int(days[i])), float(p)) for p in pieces]
    return lines


@pytest.mark.parametrize(
    "settings",
    [Settings(), Settings(method="range"), Settings(window_days=None, method="quantile", margin=0.4, cac=20.0)],
    ids=["quantile", "range", "all-history"],
)
def test_random_2000_orders(spark, settings):
    got = assert_same(spark, random_lines(2000, seed=11), settings)
    assert len(got) > 200 and set(got["tier"]) == {"High", "Medium", "Low"}


def test_order_statistics_narrow_down_exactly(spark):
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.integers(-10**5, 10**5, 300), np.full(40, 12345), rng.integers(-5, 5, 60)])
    frame = spark.createDataFrame([(int(v),) for v in values], "x long")
    ranks = [1, 2, 133, 134, 267, 399, 400]
    # 50 buckets per round: four rounds narrow a range of 2e5 down to single values
    found = order_statistics(frame, {"x": ranks}, {"x": (int(values.min()), int(values.max()))}, buckets=50)
    ordered = np.sort(values)
    assert found["x"] == {k: int(ordered[k - 1]) for k in ranks}


def test_contacts_are_the_latest_non_blank(spark):
    lines = [
        ("a", "o1", day(5), 10.0, "old@example.com"), ("a", "o2", day(2), 10.0, None),
        ("a", "o3", day(2), 10.0, "new@example.com"), ("b", "o4", day(1), 5.0, None),
    ]
    got = assert_same(spark, lines, Settings())
    assert got["email"].tolist() == ["new@example.com", None]


def test_read_orders_spark_maps_columns_of_a_csv(spark, tmp_path):
    lines = random_lines(300, seed=5)
    path = tmp_path / "export.csv"
    pd.DataFrame(lines, columns=["Client", "Invoice", "Day", "Net"]).assign(
        Day=lambda t: t["Day"] + " 13:22:10"
    ).to_csv(path, index=False)
    orders = read_orders_spark(spark, str(path), {"customer": "Client", "order": "Invoice", "date": "Day",
                                                  "amount": "Net"})
    customers, tiers = rfm_spark(orders, Settings())
    expected = analyze(canonical(lines), Settings())
    pd.testing.assert_frame_equal(normal(collected(customers)), normal(expected.customers), check_exact=True)
    pd.testing.assert_frame_equal(tiers, expected.tiers, check_exact=True)


def test_read_orders_spark_reads_parquet_and_tables(spark, tmp_path):
    lines = [("a", "o1", day(3), 10.0), ("b", "o2", day(2), 20.0), ("b", "o3", day(1), 30.0)]
    spark_orders(spark, lines).withColumnRenamed("customer", "Customer").write.parquet(str(tmp_path / "orders"))
    from_path = read_orders_spark(spark, str(tmp_path / "orders"))
    spark_orders(spark, lines).createOrReplaceTempView("shop_orders")
    from_table = read_orders_spark(spark, "shop_orders")
    for orders in (from_path, from_table):
        assert orders.columns == ["customer", "order", "date", "amount"]
        assert sorted(orders.collect()) == sorted(spark_orders(spark, lines).collect())


def test_read_orders_spark_without_order_ids_makes_each_row_an_order(spark, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("customer,date,amount\na,2026-01-02,5\na,2026-01-02,7\nb,2026-01-03 10:00:00,x\n")
    orders = read_orders_spark(spark, str(path))
    rows = orders.collect()
    assert len({row["order"] for row in rows}) == 3
    assert [row["amount"] for row in rows] == [5.0, 7.0, None]
    customers, _ = rfm_spark(orders, Settings())
    assert sorted((row["customer"], row["frequency"]) for row in customers.collect()) == [("a", 2)]
    blanks = tmp_path / "blank-ids.csv"
    blanks.write_text("customer,order,date,amount\na,,2026-01-02,5\na, ,2026-01-02,7\na,o1,2026-01-01,1\n")
    customers, _ = rfm_spark(read_orders_spark(spark, str(blanks)), Settings())
    assert [row["frequency"] for row in customers.collect()] == [3]


def test_read_orders_spark_names_what_is_missing(spark, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("who,when,total\na,2026-01-02,5\n")
    with pytest.raises(OrdersError, match="no customer or date column; its columns are who, when, total"):
        read_orders_spark(spark, str(path))
    with pytest.raises(OrdersError, match="has no column 'Email'"):
        read_orders_spark(spark, str(path), {"customer": "Email"})


def test_rfm_spark_refuses_what_it_cannot_do(spark):
    orders = spark_orders(spark, [("a", "o1", day(3), 10.0)])
    with pytest.raises(OrdersError, match="lifespan"):
        rfm_spark(orders, Settings(lifespan_from_churn=True))
    with pytest.raises(OrdersError, match="before the first order"):
        rfm_spark(orders, Settings(as_of=dt.date(2020, 1, 1)))


def test_the_command_line_on_spark_writes_the_embedded_engines_files(spark, tmp_path):
    from clv.cli import main

    rng = np.random.default_rng(11)
    n = 400
    orders = pd.DataFrame({
        "customer_id": [f"c{i}" for i in rng.integers(0, 90, n)],
        "order_id": [f"o{i}" for i in range(n)],
        "order_date": (pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")).strftime("%Y-%m-%d"),
        "amount": np.round(rng.lognormal(3, 1, n) * rng.choice([1, 1, 1, -1], n), 2),
    })
    path = tmp_path / "orders.csv"
    orders.to_csv(path, index=False)
    files = {}
    for engine in ("pandas", "spark"):
        out = tmp_path / engine
        out.mkdir()
        assert main([str(path), "--engine", engine, "--customers-out", str(out / "customers.csv"),
                     "--segments-out", str(out / "segments.csv")]) == 0
        files[engine] = {name: (out / name).read_bytes() for name in ("customers.csv", "segments.csv")}
    assert files["spark"]["segments.csv"] == files["pandas"]["segments.csv"]
    assert files["spark"]["customers.csv"] == files["pandas"]["customers.csv"]
