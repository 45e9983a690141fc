"""clv.read: every way in ends as canonical orders in DuckDB, by DuckDB's reader where it can."""

import io

import pandas as pd
import pytest

import clv.read
from clv.engine import ORDERS
from clv.errors import OrdersError
from clv.read import read_into_engine

PLAIN = "customer_id,order_id,order_date,amount\nc1,1,2026-01-05,10.00\nc1,2,2026-02-05,5.50\nc2,3,2026-02-06,7.25\n"


def no_loader(*args, **kwargs):
    raise AssertionError("the general loader was not needed")


@pytest.mark.parametrize("kind", ["path", "bytes", "file"])
def test_a_plain_csv_goes_straight_into_duckdb_however_it_comes(kind, tmp_path, monkeypatch):
    path = tmp_path / "orders.csv"
    path.write_text(PLAIN)
    source = {"path": path, "bytes": PLAIN.encode(), "file": io.BytesIO(PLAIN.encode())}[kind]
    monkeypatch.setattr(clv.read, "read_orders", no_loader)
    read = read_into_engine(source)
    assert read.orders_kept == 3
    assert read.report.rows_read == 3 and read.report.revenue_read == 22.75
    orders = read.engine.fetch(f"SELECT customer, cents FROM {ORDERS} ORDER BY cents").to_pylist()
    assert orders == [{"customer": "c1", "cents": 550}, {"customer": "c2", "cents": 725},
                      {"customer": "c1", "cents": 1000}]


def test_other_files_are_read_by_the_loader_and_copied_in(tmp_path):
    buffer = io.BytesIO()
    pd.read_csv(io.StringIO(PLAIN), dtype=str).to_parquet(buffer)
    read = read_into_engine(buffer.getvalue(), filename="orders.parquet")
    assert read.orders_kept == 3 and read.report.revenue_read == 22.75


def test_the_loader_can_be_asked_for_and_duckdb_can_be_insisted_on(monkeypatch):
    day_first = "customer_id,order_id,order_date,amount\nc1,1,13/04/2026,5\n"
    assert read_into_engine(day_first.encode()).orders_kept == 1  # DuckDB gives it back; the loader reads it
    with pytest.raises(OrdersError, match="cannot read this file exactly"):
        read_into_engine(day_first.encode(), reader="duckdb")
    calls = []
    real = clv.read.read_orders
    monkeypatch.setattr(clv.read, "read_orders", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    assert read_into_engine(PLAIN.encode(), reader="loader").orders_kept == 3
    assert calls == [1]
