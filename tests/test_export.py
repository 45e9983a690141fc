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
    CUSTOMER_COLUMNS, SEGMENT_COLUMNS, _pandas_csv, customers_export, quality_table, safe_text, segments_export,
    to_csv, to_excel, workbook,
)
from clv.reasons import NO_CUSTOMER
from clv.report import LoadReport
from clv.settings import TIER_COLOURS, Settings


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


def test_a_column_of_whole_and_fractional_numbers_keeps_the_whole_ones_whole():
    # The model file's value column holds counts beside parameters; text beside it still gets defused.
    frame = pd.DataFrame({"what": ["-r", "customers"], "value": pd.Series([0.25, 2349], dtype="object")})
    assert to_csv(frame).decode() == "what,value\n'-r,0.25\ncustomers,2349\n"


def test_excel_writes_text_never_formulas_and_colours_tiers(analysis):
    book = openpyxl.load_workbook(io.BytesIO(to_excel(analysis)))
    assert book.sheetnames == ["Tiers", "Named segments", "Customers", "Cut points", "Settings"]
    sheet = book["Customers"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == "=HYPERLINK(1)"]
    assert cells and cells[0].data_type == "s"
    tiers = {row[0].value: row[0].fill.fgColor.rgb for row in book["Tiers"].iter_rows(min_row=2)}
    assert tiers["High"].endswith("E5484D") and tiers["Low"].endswith("FACC15")


EUROS = LoadReport(
    source_format="Shopify orders export", columns={}, rows_read=9, revenue_read=150.0,
    excluded=pd.DataFrame({"reason": [NO_CUSTOMER], "rows": [2], "orders": [1], "revenue": [0.0]}),
    currencies=("EUR",), first_date=pd.Timestamp("2025-12-30"), last_date=pd.Timestamp("2026-01-09"),
)


@pytest.fixture()
def book(analysis):
    return openpyxl.load_workbook(io.BytesIO(to_excel(analysis, EUROS, source="orders_export.csv")))


def header(sheet) -> list[str]:
    return [cell.value for cell in next(sheet.iter_rows(max_row=1))]


def rows(sheet) -> dict[object, dict[str, openpyxl.cell.Cell]]:
    """First column's value -> that row's cells by header."""
    words = header(sheet)
    return {row[0].value: dict(zip(words, row)) for row in sheet.iter_rows(min_row=2)}


def test_the_workbook_has_a_sheet_for_each_part_of_the_report(book):
    assert book.sheetnames == ["Tiers", "Named segments", "Customers", "Cut points", "Data quality", "Settings"]


def test_workbook_headers_are_words_not_column_names(book):
    assert header(book["Tiers"])[:6] == ["Tier", "Customers", "Share of customers", "Orders", "Revenue",
                                         "Share of revenue"]
    assert {"Orders in the window", "Spend in the window", "Days since the last order", "First order",
            "E-mail"} <= set(header(book["Customers"]))
    assert header(book["Named segments"])[:3] == ["Segment", "Who they are", "What to do"]
    assert header(book["Settings"]) == ["Setting", "Value"]
    assert "share_customers" not in header(book["Tiers"])


def test_money_is_money_and_shares_are_percentages(book, analysis):
    everyone = rows(book["Tiers"])["All"]
    # 150.00 of revenue from 3 customers; the file is in euros.
    assert everyone["Revenue"].value == 150.0
    assert everyone["Revenue"].number_format == '"€"#,##0.00;-"€"#,##0.00'
    assert everyone["Share of customers"].value == 1.0 and everyone["Share of customers"].number_format == "0.0%"
    assert everyone["Gross margin"].number_format == "0.0%"
    assert everyone["Customers"].number_format == "#,##0"
    customer = rows(book["Customers"])["cy"]
    assert customer["Spend in the window"].value == 100.0
    assert customer["Spend in the window"].number_format.startswith('"€"')
    assert customer["First order"].number_format == "yyyy-mm-dd"


def test_cut_points_are_in_the_unit_of_their_measure(book):
    sheet = book["Cut points"]
    words = header(sheet)
    by_measure = {}
    for row in sheet.iter_rows(min_row=2):
        by_measure.setdefault(row[0].value, dict(zip(words, row)))
    assert set(by_measure) == {"Recency (days since the last order)", "Frequency (orders)", "Money (spend)"}
    assert by_measure["Money (spend)"]["Lowest value"].number_format.startswith('"€"')
    assert by_measure["Frequency (orders)"]["Lowest value"].number_format == "#,##0"


def test_the_settings_sheet_says_the_window_and_the_file_read(book, analysis):
    facts = {name: cells["Value"] for name, cells in rows(book["Settings"]).items()}
    assert facts["File"].value == "orders_export.csv"
    assert facts["Read as"].value == "Shopify orders export"
    assert facts["Rows read"].value == 9
    assert facts["Orders dated from"].value.date() == dt.date(2025, 12, 30)
    assert facts["Orders dated to"].value.date() == dt.date(2026, 1, 9)
    assert facts["Window to (as of)"].value.date() == dt.date(2026, 1, 9)
    assert facts["Window length"].value == "365 days"
    assert facts["Gross margin"].value == 1.0 and facts["Gross margin"].number_format == "0.0%"
    assert facts["Currency"].value == "EUR"


def test_the_named_segments_sheet_lists_every_segment_then_all(book):
    named = rows(book["Named segments"])
    assert list(named)[-1] == "All" and len(named) == 12
    assert named["Champions"]["What to do"].value.startswith("Reward them")


def test_the_data_quality_sheet_words_its_reasons(book):
    quality = rows(book["Data quality"])
    assert list(quality) == ["Counted in the analysis", "No customer"]
    assert quality["Counted in the analysis"]["File rows"].value == 7  # the 9 rows read less the 2 left out


def test_a_long_customer_list_keeps_its_tier_colours_and_blank_contacts():
    many = orders(*[(f"c{i}", str(i), f"2026-0{1 + i % 6}-{1 + i % 28:02d}", float(5 + i % 90)) for i in range(5_200)])
    many = many.assign(email=many["email"].where(many.index % 7 != 0), name=None)
    table = customers_export(analyze(many, Settings()))
    sheet = openpyxl.load_workbook(io.BytesIO(workbook({"Customers": table}, "$")))["Customers"]
    words = header(sheet)
    tier, email, name = words.index("Tier"), words.index("E-mail"), words.index("Name")
    listed = list(sheet.iter_rows(min_row=2))
    assert len(listed) == 5_200
    assert all(row[tier].fill.fgColor.rgb.endswith(TIER_COLOURS[row[tier].value][1:]) for row in listed)
    assert {row[name].value for row in listed} == {None}
    assert sum(row[email].value is None for row in listed) == 743  # c0, c7, ..., c5194


def test_the_csv_files_keep_their_column_names(analysis):
    assert to_csv(segments_export(analysis)).decode().split("\n")[0] == ",".join(SEGMENT_COLUMNS)
    assert to_csv(customers_export(analysis)).decode().split("\n")[0] == ",".join(CUSTOMER_COLUMNS)


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
_floats = st.one_of(st.floats(allow_nan=True, allow_infinity=False, width=64),
                    st.sampled_from([0.1, 1e-7, 1e16, -0.0, 150.0]))


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
