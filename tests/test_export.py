"""Exported files: the contracted columns, safe text, numbers that stay numbers."""

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clv.analysis import analyze
from clv.export import (
    CUSTOMER_COLUMNS, _pandas_csv, customers_export, quality_table, safe_text, segments_export, to_csv, to_excel,
)
from clv.reasons import NO_CUSTOMER
from clv.report import LoadReport
from clv.settings import Settings


def orders(*rows):
    frame = pd.DataFrame(rows, columns=["customer", "order", "date", "amount"])
    return frame.assign(date=pd.to_datetime(frame["date"]), rows=1, email=frame["customer"] + "@example.com",
                        name=pd.NA)


ORDERS = orders(
    ("=HYPERLINK(1)", "1", "2026-01-01", 10.0),
    ("bob", "2", "2026-01-02", 20.0), ("bob", "3", "2026-01-09", 20.0),
    ("cy", "4", "2026-01-05", 100.0),
)


@pytest.fixture()
def analysis():
    return analyze(ORDERS, Settings())


def test_segments_export_has_a_row_per_tier_then_all(analysis):
    table = segments_export(analysis)
    assert table.columns[0] == "tier"
    assert table["tier"].tolist() == ["High", "Medium", "Low", "All"]
    assert table["revenue"].iloc[-1] == 150.0 and table["customers"].iloc[-1] == 3


def test_customers_export_has_the_contracted_columns_best_first(analysis):
    table = customers_export(analysis)
    assert list(table.columns) == CUSTOMER_COLUMNS
    assert table["rfm_score"].is_monotonic_decreasing


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"],
                         ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_formula_like_text_is_defused(text):
    assert safe_text(text) == "'" + text


def test_csv_defuses_text_but_keeps_numbers(analysis):
    frame = pd.DataFrame({"who": ["=cmd|' /C calc'!A0", "ann"], "money": [-5.0, 3.0]})
    assert to_csv(frame).decode() == "who,money\n'=cmd|' /C calc'!A0,-5.0\nann,3.0\n"
    customers = pd.read_csv(io.BytesIO(to_csv(customers_export(analysis))))
    assert "'=HYPERLINK(1)" in customers["customer"].tolist()
    assert customers["monetary"].dtype == "float64"


def test_excel_writes_text_never_formulas_and_colours_tiers(analysis):
    book = openpyxl.load_workbook(io.BytesIO(to_excel(analysis)))
    assert book.sheetnames == ["Segments", "Customers", "Cut points"]
    sheet = book["Customers"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == "=HYPERLINK(1)"]
    assert cells and cells[0].data_type == "s"
    tiers = {row[0].value: row[0].fill.fgColor.rgb for row in book["Segments"].iter_rows(min_row=2)}
    assert tiers["High"].endswith("E5484D") and tiers["Low"].endswith("FACC15")


def test_quality_table_adds_up_to_the_file():
    report = LoadReport(
        source_format="test", columns={}, rows_read=6, revenue_read=175.0,
        excluded=pd.DataFrame({"reason": [NO_CUSTOMER], "rows": [2], "orders": [1], "revenue": [25.0]}),
    )
    analysis = analyze(ORDERS, Settings(window_days=7, as_of=pd.Timestamp("2026-01-09").date()))
    table = quality_table(report, analysis).set_index("reason")
    # Orders 1 (2026-01-01) and 2 (2026-01-02) fall before the 7-day window; 3 and 4 count.
    assert table.loc["counted", "rows"] == 2 and table.loc["counted", "revenue"] == 120.0
    assert table["rows"].sum() == 6 and table["revenue"].sum() == 175.0
    assert analysis.customers["monetary"].sum() == table.loc["counted", "revenue"]


# The fast CSV writer must give exactly the bytes pandas' writer gives (it replaced it for speed).
_texts = st.text(alphabet=st.sampled_from(list("ab ,\"'\n\r\t=+-@é€;")), max_size=6)
_floats = st.one_of(st.floats(allow_nan=True, allow_infinity=False, width=64), st.sampled_from([0.1, 1e-7, 1e16, -0.0, 150.0]))


@settings(max_examples=200, deadline=None)
@given(st.data(), st.integers(min_value=2, max_value=30))
def test_the_fast_csv_writer_writes_what_pandas_writes(data, n):
    table = pd.DataFrame(
        {
            "text": pd.array(data.draw(st.lists(st.one_of(_texts, st.none()), min_size=n, max_size=n)), dtype="str"),
            "money": data.draw(st.lists(_floats, min_size=n, max_size=n)),
            "count": data.draw(st.lists(st.integers(-10**12, 10**12), min_size=n, max_size=n)),
            "day": [dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in data.draw(
                st.lists(st.integers(0, 3000), min_size=n, max_size=n))],
        }
    )
    assert to_csv(table) == _pandas_csv(table)


def test_every_customer_keeps_their_own_figures_in_the_export():
    # Best-first reordering once paired customers with other customers' dates.
    rows = [(f"c{i}", str(i), f"2026-0{1 + i % 9}-{10 + i % 17}", float(7 * i % 50 + 1)) for i in range(40)]
    analysis = analyze(orders(*rows), Settings())
    exported = customers_export(analysis).set_index("customer")
    expected = analysis.customers.set_index("customer")
    for column in ("first_order_date", "last_order_date"):
        assert (exported[column] == expected[column].dt.date.reindex(exported.index)).all(), column
    for column in ("recency_days", "frequency", "monetary", "rfm_score", "segment"):
        assert (exported[column] == expected[column].reindex(exported.index)).all(), column
