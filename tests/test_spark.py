"""clv.spark: order tables on Spark read into canonical orders, and the method run there.

The method itself is pinned by hand-worked figures in tests/test_method.py, on
Spark as on DuckDB. Here: Spark's own reader (paths, tables, column names, rows
of one order) and the command line on Spark, compared with what the loader reads
from the same file. The Spark tests share one local session (tests/conftest.py)
and skip when pyspark (or Java) is missing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from clv.analysis import analyze
from clv.engine import DuckEngine
from clv.errors import OrdersError
from clv.report import ORDER_COLUMNS
from clv.settings import Settings
from clv.spark import read_orders_spark, spark_engine

pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

AS_OF = dt.date(2026, 6, 30)


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


def assert_same(spark, lines: list[tuple], settings: Settings) -> pd.DataFrame:
    """The lines read by Spark and analysed there == their canonical orders analysed by DuckDB; the customers."""
    expected = analyze(DuckEngine.of_orders(canonical(lines)), settings)
    got = analyze(spark_engine(spark_orders(spark, lines)), settings)
    pd.testing.assert_frame_equal(got.customers, expected.customers, check_exact=True)
    pd.testing.assert_frame_equal(got.tiers, expected.tiers, check_exact=True)
    pd.testing.assert_frame_equal(got.cuts, expected.cuts, check_exact=True)
    return got.customers.set_index("customer")


def test_rows_of_an_order_are_summed_first(spark):
    lines = [
        ("a", "o1", day(3), 30.0), ("a", "o1", day(4), 20.0), ("a", "o1", day(2), -5.0),  # 45, dated day(4)
        ("a", "o2", day(1), 10.0), ("a", "o2", day(1), -10.0),  # nets to 0: not an order
        ("b", "o3", day(7), 0.333), ("b", "o3", day(7), 0.333), ("b", "o3", day(7), 0.334),  # 1.00
        ("c", "o4", day(400), 99.0), ("c", "o4", day(100), 1.0),  # dated day(400): before the window
        ("c", "o5", day(9), 12.345), ("d", "o6", day(8), 0.125),  # half cents round to even
    ]
    got = assert_same(spark, lines, Settings())
    assert got.loc["a", ["frequency", "monetary", "recency_days"]].tolist() == [1, 45.0, 3]  # as_of = day(1)
    assert got.loc["b", "monetary"] == 1.0
    assert got.loc["c", "frequency"] == 1
    assert got.loc["d", "monetary"] == 0.12


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
    # Rows of one order, whole amounts that tie, returns: Spark's reader and the loader make the same orders.
    got = assert_same(spark, random_lines(2000, seed=11), settings)
    assert len(got) > 200 and set(got["tier"]) == {"High", "Medium", "Low"}


def test_read_orders_spark_maps_columns_of_a_csv(spark, tmp_path):
    lines = random_lines(300, seed=5)
    path = tmp_path / "export.csv"
    pd.DataFrame(lines, columns=["Client", "Invoice", "Day", "Net"]).assign(
        Day=lambda t: t["Day"] + " 13:22:10"
    ).to_csv(path, index=False)
    orders = read_orders_spark(spark, str(path), {"customer": "Client", "order": "Invoice", "date": "Day",
                                                  "amount": "Net"})
    got = analyze(spark_engine(orders), Settings())
    expected = analyze(DuckEngine.of_orders(canonical(lines)), Settings())
    pd.testing.assert_frame_equal(got.customers, expected.customers, check_exact=True)
    pd.testing.assert_frame_equal(got.tiers, expected.tiers, check_exact=True)


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
    customers = analyze(spark_engine(orders), Settings()).customers
    assert customers[["customer", "frequency"]].values.tolist() == [["a", 2]]
    blanks = tmp_path / "blank-ids.csv"
    blanks.write_text("customer,order,date,amount\na,,2026-01-02,5\na, ,2026-01-02,7\na,o1,2026-01-01,1\n")
    customers = analyze(spark_engine(read_orders_spark(spark, str(blanks))), Settings()).customers
    assert customers["frequency"].tolist() == [3]


def test_read_orders_spark_names_what_is_missing(spark, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("who,when,total\na,2026-01-02,5\n")
    with pytest.raises(OrdersError, match="no customer or date column; its columns are who, when, total"):
        read_orders_spark(spark, str(path))
    with pytest.raises(OrdersError, match="has no column 'Email'"):
        read_orders_spark(spark, str(path), {"customer": "Email"})


def test_the_command_line_on_spark_writes_the_embedded_engines_files(spark, tmp_path):
    from clv.cli import main

    rng = np.random.default_rng(11)
    n = 400
    orders = pd.DataFrame({
        "customer_id": [f"c{i}" for i in rng.integers(0, 90, n)],
        "order_id": [f"o{i}" for i in range(n)],
        "order_date": (pd.Timestamp("2025-01-01")
                       + pd.to_timedelta(rng.integers(0, 700, n), unit="D")).strftime("%Y-%m-%d"),
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
