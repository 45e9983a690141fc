"""clv.load and clv.parse: every export layout -> canonical orders, and the report adds up.

Each fixture in tests/fixtures/ is written the way its export is written
(headers, quoting, encoding, line endings); the expected orders below are
worked out by hand from the fixture rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from clv.columns import ROLES, detect_columns, parse_mapping
from clv.errors import OrdersError
from clv.load import read_orders, read_table
from clv.parse import integer_floats_as_text, parse_amounts, parse_dates
from clv.reasons import BAD_AMOUNT, BAD_DATE, CANCELLED, NOT_COMPLETED, NO_CUSTOMER
from clv.report import EXCLUSION_COLUMNS, ORDER_COLUMNS

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FILES = sorted(path.name for path in FIXTURES.iterdir()
                       if path.name not in ("custom_headers.csv", "cdnow_sample.txt"))  # the second: the papers' data


def orders(*rows: tuple) -> pd.DataFrame:
    """Expected canonical orders from (customer, order, date, amount, rows, email, name) tuples."""
    frame = pd.DataFrame(list(rows), columns=ORDER_COLUMNS)
    return frame.astype(
        {"customer": "str", "order": "str", "date": "datetime64[us]", "amount": "float64", "rows": "int64",
         "email": "str", "name": "str"}
    )


def excluded(*rows: tuple) -> pd.DataFrame:
    """Expected exclusions from (reason, rows, orders, revenue) tuples."""
    frame = pd.DataFrame(list(rows), columns=EXCLUSION_COLUMNS)
    return frame.astype({"reason": "str", "rows": "int64", "orders": "int64", "revenue": "float64"})


def assert_report_adds_up(loaded) -> None:
    report = loaded.report
    assert report.rows_read == loaded.orders["rows"].sum() + report.excluded["rows"].sum()
    assert report.revenue_read == pytest.approx(
        loaded.orders["amount"].sum() + report.excluded["revenue"].sum(), abs=0.005
    )


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


D = pd.Timestamp


def test_the_report_spans_every_order_with_a_readable_date():
    loaded = read_orders(csv_bytes(
        "customer_id,order_id,order_date,amount\n"
        "a,1,2026-03-01,10.00\n"
        ",2,2026-01-15,5.00\n"          # no customer: left out, but its date is the file's first
        "b,3,someday,7.00\n"            # no readable date: no part of the span
        "a,4,2026-04-30,-2.00\n"        # a return: its date counts all the same
    ))
    assert (loaded.report.first_date, loaded.report.last_date) == (D("2026-01-15"), D("2026-04-30"))


# ---------------------------------------------------------------------------
# Shopify


def test_a_shopify_refund_beyond_the_products_takes_the_order_to_0_not_below():
    # #2001: 40.00 of products, 44.00 refunded (the 4.00 beyond was shipping): 0, not -4.00.
    # #2002: 40.00 of products, 15.00 refunded: 25.00.
    with open(FIXTURES / "shopify_orders_export.csv", newline="", encoding="utf-8") as file:
        header = next(csv.reader(file))
    written = io.StringIO()
    lines = csv.DictWriter(written, fieldnames=header)
    lines.writeheader()
    for name, email, refunded in (("#2001", "ann@example.com", "44.00"), ("#2002", "bob@example.com", "15.00")):
        lines.writerow({"Name": name, "Email": email, "Financial Status": "partially_refunded", "Subtotal": "40.00",
                        "Shipping": "4.00", "Total": "44.00", "Created at": "2026-05-10 10:00:00 -0700",
                        "Refunded Amount": refunded})
    loaded = read_orders(written.getvalue().encode(), filename="orders_export.csv")
    assert loaded.report.source_format == "Shopify orders export"
    assert loaded.orders.set_index("order")["amount"].to_dict() == {"#2001": 0.0, "#2002": 25.0}


def test_shopify_line_items_make_one_order_with_refunds_and_cancellations():
    loaded = read_orders(FIXTURES / "shopify_orders_export.csv")

    # #1001 was created 2026-05-10 23:18 -0700 (05-11 in UTC): the date as written is kept.
    # #1002: Subtotal 72.00 (after the 8.00 discount) - Refunded Amount 30.00.
    # #1005: "Ann@Example.com" is the same customer as "ann@example.com".
    # #1006: financial status refunded -> 0 (the 44.00 refund included 4.00 shipping).
    expected = orders(
        ("ann@example.com", "#1001", D("2026-05-10"), 50.00, 2, "ann@example.com", "Ann Lee"),
        ("bob@example.com", "#1002", D("2026-05-11"), 42.00, 1, "bob@example.com", "Bob Brown"),
        ("ann@example.com", "#1005", D("2026-06-01"), 18.50, 2, "ann@example.com", "Ann Lee"),
        ("eve@example.com", "#1006", D("2026-06-02"), 0.00, 1, "eve@example.com", "Eve Evans"),
    )
    assert_frame_equal(loaded.orders.drop(columns="accepts_marketing"), expected)
    assert loaded.orders["accepts_marketing"].tolist() == [False] * 4  # "Accepts Marketing" is "no" throughout
    # #1007 has neither e-mail nor billing name; #1003 is voided (25.00), #1004 cancelled and refunded (0).
    assert_frame_equal(loaded.report.excluded, excluded((NO_CUSTOMER, 1, 1, 12.00), (CANCELLED, 2, 2, 25.00)))
    report = loaded.report
    assert report.source_format == "Shopify orders export"
    assert report.columns["amount"] == "Subtotal - Refunded Amount"
    assert report.columns["customer"] == "Email, else Billing Name"
    assert (report.rows_read, report.revenue_read) == (9, 147.50)
    assert report.currencies == ("USD",)
    assert report.warnings == ()


def test_shopify_columns_are_found_by_name_not_position():
    table = read_table(FIXTURES / "shopify_orders_export.csv")
    shuffled = table[list(reversed(table.columns))].assign(**{"Lineitem weight": "0.4", "Customer tags": "b2b"})
    shuffled.insert(3, "Shipping Carrier", "UPS")
    buffer = io.StringIO()
    shuffled.to_csv(buffer, index=False)

    loaded = read_orders(buffer.getvalue().encode(), filename="orders_export_2.csv")

    assert_frame_equal(loaded.orders, read_orders(FIXTURES / "shopify_orders_export.csv").orders)
    assert loaded.report.source_format == "Shopify orders export"


# ---------------------------------------------------------------------------
# Marketing consent


def test_shopify_marketing_consent_is_read_per_order_and_said_where_unclear():
    loaded = read_orders(csv_bytes(
        "Name,Email,Financial Status,Created at,Subtotal,Lineitem name,Billing Name,Accepts Marketing\n"
        "#1,ann@x.test,paid,2026-01-01 10:00:00 -0700,10.00,Mug,Ann Lee,yes\n"
        "#1,,,2026-01-01 10:00:00 -0700,,Tea,,\n"                       # a line item: the order's first says yes
        "#2,bob@x.test,paid,2026-01-02 10:00:00 -0700,20.00,Mug,Bob Ray,No\n"
        "#3,cy@x.test,paid,2026-01-03 10:00:00 -0700,30.00,Mug,Cy Dunn,TRUE\n"
        "#4,di@x.test,paid,2026-01-04 10:00:00 -0700,40.00,Mug,Di Moss,maybe\n"
        "#5,ed@x.test,paid,2026-01-05 10:00:00 -0700,50.00,Mug,Ed Hale,\n"
    ))
    assert loaded.orders["accepts_marketing"].tolist() == [True, False, True, pd.NA, pd.NA]
    assert loaded.orders["accepts_marketing"].dtype == "boolean"
    assert loaded.report.columns["accepts_marketing"] == "Accepts Marketing"
    assert loaded.report.warnings == ("Some rows of 'Accepts Marketing' say neither yes nor no (e.g. 'maybe'): they "
                                      "do not tell whether the customer agreed to marketing.",)


@pytest.mark.parametrize(
    ("header", "values", "expected"),
    [
        ("Accepts Marketing,Accepts Email Marketing", ["no,yes", "yes,no"], [True, False]),
        ("_mailchimp_woocommerce_is_subscribed", ["1", "0"], [True, False]),
        ("marketing_opt_in", ["y", "not_subscribed"], [True, False]),
    ],
    ids=["e-mail-marketing-wins", "woocommerce-mailchimp", "table"],
)
def test_the_consent_column_is_found_by_its_words(header, values, expected):
    text = f"customer_id,order_id,order_date,amount,{header}\n" + "".join(
        f"c{i},{i},2026-01-0{i + 1},5.00,{value}\n" for i, value in enumerate(values))
    assert read_orders(csv_bytes(text)).orders["accepts_marketing"].tolist() == expected


def test_a_file_without_a_consent_column_has_no_consent():
    loaded = read_orders(FIXTURES / "woocommerce_order_export.csv")
    assert "accepts_marketing" not in loaded.orders.columns and "accepts_marketing" not in loaded.report.columns


# ---------------------------------------------------------------------------
# WooCommerce


def test_woocommerce_analytics_statuses():
    loaded = read_orders(FIXTURES / "woocommerce_analytics_orders.csv")

    expected = orders(
        ("Ann Lee", "1201", D("2026-05-10"), 45.5, 1, None, "Ann Lee"),
        ("Bob Brown", "1202", D("2026-05-11"), 18.0, 1, None, "Bob Brown"),
        ("Ann Lee", "1203", D("2026-05-12"), 0.0, 1, None, "Ann Lee"),  # refunded: kept at 0
        ("Eve Evans", "1206", D("2026-05-15"), 20.0, 1, None, "Eve Evans"),  # on-hold counts, as in Analytics
        ("Ann Lee", "1207", D("2026-05-16"), 24.5, 1, None, "Ann Lee"),
    )
    assert_frame_equal(loaded.orders, expected)
    assert_frame_equal(loaded.report.excluded, excluded((CANCELLED, 1, 1, 30.0), (NOT_COMPLETED, 1, 1, 12.0)))
    assert loaded.report.source_format == "WooCommerce Analytics orders"
    assert loaded.report.revenue_read == 150.0


def test_woocommerce_order_export_net_sales_guests_and_statuses():
    loaded = read_orders(FIXTURES / "woocommerce_order_export.csv")

    # Net = order_subtotal - discount_total. 502 is a guest (customer_id 0) whose e-mail
    # belongs to customer 7; 503 is a guest known only by e-mail.
    expected = orders(
        ("7", "501", D("2026-05-10"), 45.00, 1, "ann@example.com", "Ann Lee"),
        ("7", "502", D("2026-05-11"), 20.00, 1, "ann@example.com", "Ann Lee"),
        ("guest@example.com", "503", D("2026-05-12"), 15.00, 1, "guest@example.com", "Gus Tee"),
        ("9", "504", D("2026-05-13"), 0.00, 1, "bob@example.com", "Bob Brown"),  # wc-refunded
        ("9", "508", D("2026-05-17"), 1200.00, 1, "bob@example.com", "Bob Brown"),  # wc-on-hold
    )
    assert_frame_equal(loaded.orders, expected)
    # 506 wc-cancelled (40); 505 wc-pending (12) and 507 wc-checkout-draft (8, no customer either).
    assert_frame_equal(loaded.report.excluded, excluded((CANCELLED, 1, 1, 40.0), (NOT_COMPLETED, 2, 2, 20.0)))
    assert loaded.report.columns["amount"] == "order_subtotal - discount_total"
    assert loaded.report.currencies == ("EUR",)
    assert loaded.report.revenue_read == 1340.0


@pytest.mark.parametrize(
    ("text", "amounts", "label"),
    [
        (
            "order_id,order_date,status,order_total,order_shipping,order_tax,customer_id,billing_email\n"
            "1,2026-05-01,Completed,59.50,4.50,5.00,3,a@example.com\n"
            "2,2026-05-02,Refunded,20.00,0.00,0.00,3,a@example.com\n"
            "3,2026-05-03,Pending payment,10.00,0.00,0.00,4,b@example.com\n",
            [50.0, 0.0],
            "order_total - order_shipping - order_tax",
        ),
        (
            "order_id,order_date,status,order_total,customer_id,billing_email\n"
            "1,2026-05-01,wc-completed,59.50,3,a@example.com\n"
            "2,2026-05-02,wc-refunded,20.00,3,a@example.com\n"
            "3,2026-05-03,wc-failed,10.00,4,b@example.com\n",
            [59.5, 0.0],
            "order_total",
        ),
    ],
    ids=["total-minus-shipping-and-tax", "total-only"],
)
def test_woocommerce_export_amount_rules(text, amounts, label):
    loaded = read_orders(csv_bytes(text))

    assert loaded.orders["amount"].tolist() == amounts
    assert loaded.report.columns["amount"] == label
    assert_frame_equal(loaded.report.excluded, excluded((NOT_COMPLETED, 1, 1, 10.0)))


def test_order_totals_repeated_on_every_line_item_count_once():
    text = (
        "order_id,order_date,status,order_total,customer_id,line_item\n"
        "1,2026-05-01,wc-completed,30.00,3,Mug\n"
        "1,2026-05-01,wc-completed,30.00,3,Teapot\n"
        "2,2026-05-02,wc-completed,12.00,4,Mug\n"
    )
    loaded = read_orders(csv_bytes(text))

    assert loaded.orders[["order", "amount", "rows"]].values.tolist() == [["1", 30.0, 2], ["2", 12.0, 1]]
    assert_report_adds_up(loaded)


# ---------------------------------------------------------------------------
# UCI Online Retail I and II


def test_uci_online_retail():
    loaded = read_orders(FIXTURES / "uci_online_retail.csv")

    # 536365: 6 x 2.55 + 6 x 3.39; 536367: 32 x 1.69 + POSTAGE 18.00 (postage is a product row here).
    # C-invoices are returns: negative orders that net against the customer's money.
    expected = orders(
        ("17850", "536365", D("2010-12-01"), 35.64, 2, None, None),
        ("17850", "536366", D("2010-12-01"), 11.10, 1, None, None),
        ("13047", "536367", D("2010-12-01"), 72.08, 2, None, None),
        ("14527", "C536379", D("2010-12-01"), -27.50, 1, None, None),
        ("13047", "537226", D("2010-12-13"), 4.25, 1, None, None),
        ("13047", "C537251", D("2010-12-13"), -4.25, 1, None, None),
    )
    assert_frame_equal(loaded.orders, expected)
    # 536414 (56 x 0.00) and 536544 (2.51 + 2 x 2.51) have no CustomerID.
    assert_frame_equal(loaded.report.excluded, excluded((NO_CUSTOMER, 3, 2, 7.53)))
    report = loaded.report
    assert report.source_format == "UCI Online Retail"
    assert report.columns == {
        "customer": "CustomerID", "order": "InvoiceNo", "date": "InvoiceDate", "amount": "Quantity x UnitPrice"
    }
    assert (report.date_order, report.date_order_ambiguous) == ("month-first", False)  # 12/13/2010
    assert (report.rows_read, report.revenue_read) == (11, 98.85)


def test_uci_online_retail_ii():
    loaded = read_orders(FIXTURES / "uci_online_retail_ii.csv")

    expected = orders(
        ("13085", "489434", D("2009-12-01"), 164.40, 2, None, None),  # 12 x 6.95 + 12 x 6.75
        ("13085", "489435", D("2009-12-01"), 30.60, 1, None, None),
        ("13078", "489436", D("2009-12-01"), 59.50, 1, None, None),
        ("16321", "C489449", D("2009-12-01"), -35.40, 1, None, None),
        ("12682", "489520", D("2009-12-02"), 1.50, 1, None, None),
    )
    assert_frame_equal(loaded.orders, expected)
    assert_frame_equal(loaded.report.excluded, excluded((NO_CUSTOMER, 1, 1, 0.0)))
    assert loaded.report.source_format == "UCI Online Retail II"
    assert loaded.report.revenue_read == 220.60


def test_unreadable_amount_leaves_out_the_row_not_the_order():
    text = (
        "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
        "1,A,Mug,2,2009-12-01 07:45:00,3.00,7.0,France\n"
        "1,B,Bowl,1,2009-12-01 07:45:00,n/a,7.0,France\n"
        "2,C,Lamp,1,2009-12-02 08:00:00,??,8.0,France\n"
    )
    loaded = read_orders(csv_bytes(text))

    assert_frame_equal(loaded.orders, orders(("7", "1", D("2009-12-01"), 6.0, 1, None, None)))
    # Row 2 goes alone (0 orders); invoice 2 has no readable amount left, so it goes as an order.
    assert_frame_equal(loaded.report.excluded, excluded((BAD_AMOUNT, 2, 1, 0.0)))
    assert_report_adds_up(loaded)


# ---------------------------------------------------------------------------
# Plain tables


def test_table_semicolons_decimal_commas_day_first_cp1252():
    loaded = read_orders(FIXTURES / "orders_semicolon_cp1252.csv")

    # Total - Shipping - VAT: 1.234,50 - 4,50 - 200,00 = 1030; 59,90 - 4,90 - 9,00 = 46; (12,00) is a credit.
    expected = orders(
        ("C001", "A-100", D("2026-05-03"), 1030.00, 1, "anna@example.de", "Jürgen Müller"),
        ("C002", "A-101", D("2026-05-15"), 46.00, 1, None, "Zoë Brandt"),
        ("C001", "A-102", D("2026-05-20"), -12.00, 1, "anna@example.de", "Jürgen Müller"),
        ("C002", "A-106", D("2026-06-05"), 20.00, 1, None, "Zoë Brandt"),
    )
    assert_frame_equal(loaded.orders, expected)
    # A-103 has no customer, A-104 the amount "abc", A-105 the date 31.06.2026.
    assert_frame_equal(
        loaded.report.excluded,
        excluded((NO_CUSTOMER, 1, 1, 30.0), (BAD_DATE, 1, 1, 10.0), (BAD_AMOUNT, 1, 1, 0.0)),
    )
    report = loaded.report
    assert report.source_format == "Table of orders, columns found by their headers"
    assert report.columns["amount"] == "Total - Shipping - VAT"
    assert (report.date_order, report.date_order_ambiguous) == ("day-first", False)
    assert report.currencies == ("EUR",)
    assert report.revenue_read == 1124.00


def test_table_tab_separated_utf8_bom_quantity_times_price():
    loaded = read_orders(FIXTURES / "pos_tab_utf8_bom.tsv")

    expected = orders(
        ("zoe@example.com", "T1", D("2026-04-13"), 19.98, 1, "zoe@example.com", None),
        ("zoe@example.com", "T2", D("2026-04-14"), 25.00, 1, "zoe@example.com", None),
        ("yan@example.com", "T3", D("2026-05-02"), 14.50, 2, "yan@example.com", None),
        ("yan@example.com", "T4", D("2026-05-03"), 0.00, 1, "yan@example.com", None),  # blank quantity
    )
    assert_frame_equal(loaded.orders, expected)
    assert loaded.report.columns["amount"] == "quantity x unit_price"
    assert loaded.report.date_order == "month-first"
    assert loaded.report.currencies == ("$",)


def test_table_without_order_ids_makes_each_row_an_order():
    loaded = read_orders(csv_bytes("Customer,Date,Revenue\nA,2026-01-02,10\nA,2026-01-02,5\nB,2026-01-03,7\n"))

    assert loaded.orders[["customer", "order", "amount"]].values.tolist() == [
        ["A", "1", 10.0], ["A", "2", 5.0], ["B", "3", 7.0]
    ]
    assert loaded.report.columns["order"] == "(each row is an order)"


def test_xlsx_with_real_datetimes_and_text_dates(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Orders"
    sheet.append(["Order ID", "Customer", "Order Date", "Amount"])
    sheet.append([5001, 1001, dt.datetime(2026, 3, 4, 9, 30), 12.5])
    sheet.append([5002, "C-7", dt.datetime(2026, 3, 4), 1234.56])
    sheet.append([5003, 1001, "2026-03-05", "€19.90"])  # typed as text
    workbook.create_sheet("Notes").append(["ignored"])
    path = tmp_path / "orders.xlsx"
    workbook.save(path)

    loaded = read_orders(path)

    expected = orders(
        ("1001", "5001", D("2026-03-04"), 12.5, 1, None, None),
        ("C-7", "5002", D("2026-03-04"), 1234.56, 1, None, None),
        ("1001", "5003", D("2026-03-05"), 19.9, 1, None, None),
    )
    assert_frame_equal(loaded.orders, expected)


def test_parquet_with_float_ids_and_datetimes(tmp_path):
    table = pd.DataFrame(
        {
            "invoice_no": ["10", "10", "11", "12"],
            "customer_id": [13085.0, 13085.0, np.nan, 12682.0],
            "invoice_date": pd.to_datetime(
                ["2010-12-01 08:26", "2010-12-01 08:26", "2010-12-02 10:00", "2010-12-03 00:00"]
            ),
            "sales": [10.5, 4.5, 3.0, 8.0],
        }
    )
    path = tmp_path / "orders.parquet"
    table.to_parquet(path)

    loaded = read_orders(path.read_bytes())  # no file name: told from the content

    expected = orders(
        ("13085", "10", D("2010-12-01"), 15.0, 2, None, None),
        ("12682", "12", D("2010-12-03"), 8.0, 1, None, None),
    )
    assert_frame_equal(loaded.orders, expected)
    assert_frame_equal(loaded.report.excluded, excluded((NO_CUSTOMER, 1, 1, 3.0)))


@pytest.mark.parametrize(
    "as_source",
    [
        lambda path: str(path),
        lambda path: path,
        lambda path: path.read_bytes(),
        lambda path: io.BytesIO(path.read_bytes()),
        lambda path: gzip.compress(path.read_bytes()),
    ],
    ids=["str-path", "Path", "bytes", "file-like", "gzip"],
)
def test_every_kind_of_source_reads_the_same(as_source):
    path = FIXTURES / "uci_online_retail_ii.csv"

    loaded = read_orders(as_source(path), filename="upload.csv")

    assert_frame_equal(loaded.orders, read_orders(path).orders)


def test_read_table_is_all_text_with_blanks():
    table = read_table(FIXTURES / "uci_online_retail.csv")

    assert table.shape == (11, 8)
    assert set(table.dtypes.astype(str)) == {"str"}
    assert table.loc[6, "CustomerID"] == ""
    assert table.loc[0, "CustomerID"] == "17850.0"


# ---------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("texts", "expected", "order"),
    [
        (["13/04/2026", "02/05/2026"], ["2026-04-13", "2026-05-02"], "day-first"),
        (["04/13/2026", "05/02/2026"], ["2026-04-13", "2026-05-02"], "month-first"),
        (["13.04.26", "02.05.26 10:00"], ["2026-04-13", "2026-05-02"], "day-first"),
        (["2026-04-13 10:00:00 +0200", "2026/5/2"], ["2026-04-13", "2026-05-02"], "year-first"),
        (["1 Dec 2010", "Dec 2, 2010", "Wed, 15 Dec 2010 08:00"], ["2010-12-01", "2010-12-02", "2010-12-15"], None),
        (["40513", "40514.75"], ["2010-12-01", "2010-12-02"], "year-first"),  # Excel serial days
        # Both evidences: day-first reads 3 rows, month-first 1, so day-first wins.
        (["13/04/2026", "14/04/2026", "15/04/2026", "04/20/2026"], ["2026-04-13", "2026-04-14", "2026-04-15", None],
         "day-first"),
    ],
    ids=["day-first", "month-first", "two-digit-years", "year-first", "month-names", "excel-serial", "majority"],
)
def test_date_layouts_are_decided_from_the_whole_column(texts, expected, order):
    parsed = parse_dates(pd.Series(texts, dtype="str"))

    assert parsed.values.tolist() == [pd.Timestamp(value) if value else pd.NaT for value in expected]
    if order:
        assert parsed.order == order
    assert not parsed.ambiguous


@pytest.mark.parametrize(
    ("date_order", "dates", "order"),
    [
        ("auto", ["2026-03-04", "2026-05-06", "2026-07-08"], "month-first"),
        ("day-first", ["2026-04-03", "2026-06-05", "2026-08-07"], "day-first"),
        ("month-first", ["2026-03-04", "2026-05-06", "2026-07-08"], "month-first"),
    ],
    ids=["auto", "day-first", "month-first"],
)
def test_ambiguous_dates_follow_date_order(date_order, dates, order):
    loaded = read_orders(FIXTURES / "ambiguous_dates.csv", date_order=date_order)

    assert loaded.orders["date"].tolist() == [pd.Timestamp(value) for value in dates]
    assert (loaded.report.date_order, loaded.report.date_order_ambiguous) == (order, True)
    if date_order == "auto":
        (warning,) = loaded.report.warnings
        assert "read month-first" in warning and "read them day-first" in warning and "--" not in warning


def test_ambiguous_dates_in_a_decimal_comma_file_are_day_first():
    loaded = read_orders(csv_bytes("Order;Customer;Date;Amount\n1;A;03/04/2026;10,50\n2;B;05/06/2026;3,00\n"))

    assert loaded.orders["date"].tolist() == [pd.Timestamp("2026-04-03"), pd.Timestamp("2026-06-05")]
    assert (loaded.report.date_order, loaded.report.date_order_ambiguous) == ("day-first", True)


def test_date_order_that_the_file_contradicts_is_not_used():
    loaded = read_orders(FIXTURES / "uci_online_retail.csv", date_order="day-first")

    assert loaded.report.date_order == "month-first"
    assert loaded.orders["date"].max() == pd.Timestamp("2010-12-13")
    assert any("day-first reading was not used" in warning for warning in loaded.report.warnings)


# ---------------------------------------------------------------------------
# Amounts


@pytest.mark.parametrize(
    ("texts", "values", "decimal_comma"),
    [
        (["$1,234.56", "12.50", "(3.00)", "4.00-", "-5"], [1234.56, 12.5, -3.0, -4.0, -5.0], False),
        (["€1.234,56", "12,5", "(3,00 €)", "1 234,50", "EUR 7"], [1234.56, 12.5, -3.0, 1234.5, 7.0], True),
        (["1\u00a0234,50 €", "2\u202f000,00"], [1234.5, 2000.0], True),
        (["CHF 1'234.50", "1’000.25"], [1234.5, 1000.25], False),
        (["1,234", "12"], [1234.0, 12.0], False),  # 1,234 alone: a thousands separator
        (["1,234", "12,50"], [1.234, 12.5], True),  # ... unless the column writes decimal commas
        (["1e-05", "2.5E+2"], [0.00001, 250.0], False),  # Excel's text for small and large numbers
    ],
    ids=["point", "comma", "non-breaking-spaces", "apostrophes", "thousands", "comma-column", "exponent"],
)
def test_amount_formats(texts, values, decimal_comma):
    parsed = parse_amounts(pd.Series(texts, dtype="str"))

    assert parsed.values.tolist() == pytest.approx(values)
    assert parsed.decimal_comma is decimal_comma
    assert not parsed.bad.any()


def test_blank_and_unreadable_amounts_are_told_apart():
    parsed = parse_amounts(pd.Series(["", "$ -", "12..5", "abc", "(3", "7"], dtype="str"))

    assert parsed.blank.tolist() == [True, True, False, False, False, False]
    assert parsed.bad.tolist() == [False, False, True, True, True, False]


def test_several_currencies_are_reported_and_warned_about():
    loaded = read_orders(csv_bytes("Order,Customer,Date,Amount\n1,A,2026-01-02,€10.00\n2,B,2026-01-03,£5.00\n"))

    assert loaded.report.currencies == ("EUR", "GBP")
    assert any("Several currencies" in warning for warning in loaded.report.warnings)
    assert loaded.orders["amount"].tolist() == [10.0, 5.0]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["13085.0", "", "12346.0"], ["13085", "", "12346"]),
        (["13085.0", "12346.5"], ["13085.0", "12346.5"]),
        (["7.0", "A7"], ["7.0", "A7"]),
    ],
    ids=["integers-as-floats", "real-decimals", "mixed-text"],
)
def test_float_looking_ids_become_text_only_when_the_whole_column_is_integers(texts, expected):
    assert integer_floats_as_text(pd.Series(texts, dtype="str")).tolist() == expected


@settings(max_examples=60, deadline=None)
@given(
    cents=st.lists(st.integers(min_value=-10**9, max_value=10**9), min_size=1, max_size=8),
    style=st.sampled_from(["1,234.56", "1.234,56", "1 234,56", "1234.56", "$1,234.56", "1.234,56 €", "(1,234.56)"]),
)
def test_amounts_written_in_one_style_read_back_exactly(cents, style):
    def write(value: int) -> str:
        whole, part = divmod(abs(value), 100)
        grouped = f"{whole:,}"
        if style in ("1.234,56", "1.234,56 €"):
            text = grouped.replace(",", ".") + f",{part:02d}"
        elif style == "1 234,56":
            text = grouped.replace(",", "\u00a0") + f",{part:02d}"
        elif style == "1234.56":
            text = f"{whole}.{part:02d}"
        else:
            text = f"{grouped}.{part:02d}"
        text = {"$1,234.56": "$" + text, "1.234,56 €": text + " €"}.get(style, text)
        if value < 0:
            return f"({text})" if style == "(1,234.56)" else "-" + text
        return text

    parsed = parse_amounts(pd.Series([write(value) for value in cents], dtype="str"))

    assert parsed.values.tolist() == pytest.approx([value / 100 for value in cents])


# ---------------------------------------------------------------------------
# Naming columns


def test_user_mapping_names_columns_the_detection_cannot_find():
    mapping = {"customer": "Kunde", "order": "Beleg", "date": "datum", "amount": "Betrag"}  # any case

    loaded = read_orders(FIXTURES / "custom_headers.csv", mapping=mapping)

    expected = orders(
        ("K-1", "R-1", D("2026-01-05"), 19.99, 1, None, None),
        ("K-2", "R-2", D("2026-01-06"), 5.00, 1, None, None),
        ("K-1", "R-3", D("2026-02-01"), 7.50, 1, None, None),
    )
    assert_frame_equal(loaded.orders, expected)
    assert loaded.report.source_format == "Table of orders, columns named by you"
    assert loaded.report.columns == {"customer": "Kunde", "order": "Beleg", "date": "Datum", "amount": "Betrag"}


def test_mapped_role_overrides_detection_and_the_rest_is_still_detected():
    loaded = read_orders(FIXTURES / "shopify_orders_export.csv", mapping={"amount": "Total"})

    # Total (with shipping and taxes) - Refunded Amount: 59.00, 72.00 - 30.00, 23.50, 0 (refunded).
    assert loaded.orders["amount"].tolist() == [59.0, 42.0, 23.5, 0.0]
    assert loaded.orders["order"].tolist() == ["#1001", "#1002", "#1005", "#1006"]
    assert loaded.report.columns["amount"] == "Total - Refunded Amount"


def test_mapping_quantity_and_price_multiplies_them():
    loaded = read_orders(
        FIXTURES / "shopify_orders_export.csv", mapping={"quantity": "Lineitem quantity", "price": "Lineitem price"}
    )

    # #1001: 2 x 15.00 + 1 x 20.00; #1002: 80.00 - 30.00 refunded; #1005: 3 x 4.00 + 6.50.
    assert loaded.orders["amount"].tolist() == [50.0, 50.0, 18.5, 0.0]


def test_mapping_a_missing_column_lists_the_files_columns():
    with pytest.raises(OrdersError, match=r"no column 'Preis' \(named for amount\).*Kunde, Beleg, Datum, Betrag"):
        read_orders(FIXTURES / "custom_headers.csv", mapping={"amount": "Preis"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("customer=Email,order=Name,date=Created at,amount=Subtotal",
         {"customer": "Email", "order": "Name", "date": "Created at", "amount": "Subtotal"}),
        (" Quantity = Lineitem quantity , price=Lineitem price ",
         {"quantity": "Lineitem quantity", "price": "Lineitem price"}),
    ],
    ids=["four-roles", "spaces-and-case"],
)
def test_parse_mapping(text, expected):
    assert parse_mapping(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("customer", r"role=COLUMN"),
        ("buyer=Email", r"Unknown role 'buyer'"),
        ("date=Created at,date=Paid at", r"mapped twice"),
        ("amount=", r"role=COLUMN"),
        ("", r"empty"),
    ],
    ids=["no-equals", "unknown-role", "twice", "no-column", "empty"],
)
def test_parse_mapping_errors(text, message):
    with pytest.raises(OrdersError, match=message):
        parse_mapping(text)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("shopify_orders_export.csv",
         {"order": "Name", "date": "Created at", "amount": "Subtotal", "email": "Email", "name": "Billing Name",
          "accepts_marketing": "Accepts Marketing"}),
        ("uci_online_retail.csv",
         {"customer": "CustomerID", "order": "InvoiceNo", "date": "InvoiceDate", "quantity": "Quantity",
          "price": "UnitPrice"}),
        ("orders_semicolon_cp1252.csv",
         {"customer": "Customer", "order": "Order #", "date": "Order Date", "amount": "Total", "email": "E-mail",
          "name": "Customer Name"}),
    ],
    ids=["shopify", "uci", "table"],
)
def test_detect_columns_prefills_every_role(fixture, expected):
    found = detect_columns(list(read_table(FIXTURES / fixture).columns))

    assert found == {role: expected.get(role) for role in ROLES}


# ---------------------------------------------------------------------------
# The report adds up, whatever the file


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=FIXTURE_FILES)
def test_rows_and_revenue_add_up(fixture):
    loaded = read_orders(FIXTURES / fixture)

    assert_report_adds_up(loaded)
    consent = ["accepts_marketing"] if "accepts_marketing" in loaded.report.columns else []
    assert list(loaded.orders.columns) == ORDER_COLUMNS + consent
    assert (loaded.orders["date"] == loaded.orders["date"].dt.normalize()).all()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3", "4", ""]),
            st.sampled_from(["A", "B", ""]),
            st.sampled_from(["2026-01-02", "2026-01-03 10:00", "", "someday"]),
            st.sampled_from(["10.00", "-2.50", "", "oops", "0.10"]),
            st.sampled_from(["completed", "cancelled", "pending", "refunded", "", "shipped"]),
        ),
        max_size=15,
    )
)
@example([("", "", "", "", ""), ("1", "A", "2026-01-02", "10.00", "completed")])
def test_rows_and_revenue_add_up_for_any_mix_of_problems(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["order_id", "customer_id", "order_date", "amount", "status"])
    writer.writerows([("0", "Z", "2026-01-01", "1.00", "completed"), *rows])

    loaded = read_orders(buffer.getvalue().encode())

    assert_report_adds_up(loaded)
    blank = sum(all(cell == "" for cell in row) for row in rows)  # an entirely blank line is no row of data
    assert loaded.report.rows_read == len(rows) + 1 - blank


# ---------------------------------------------------------------------------
# Files that cannot become orders


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"is empty"),
        (b"\r\n\r\n", r"is empty"),
        (b"order_id,customer_id,order_date,amount\r\n", r"headers but no rows"),
        (bytes(range(256)) * 16, r"not a table this tool can read"),
        (b"PK\x03\x04" + bytes(64), r"not an Excel \.xlsx workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), r"old Excel \.xls"),
        (b"sku,colour\nMUG-B,blue\n", r"No column looks like a customer, an order date or an amount"),
        (b"customer,amount\nA,10\n", r"No column looks like an order date.*Name the date column"),
        (b"order_id,customer,date,amount\n1,A,soon,10\n2,B,later,5\n", r"No date in column 'date' could be read"),
        (b"order_id,customer,date,amount\n1,A,2026-01-02,ten\n", r"No amount in column 'amount' could be read"),
        (b"order_id,customer,date,amount\n1,,2026-01-02,10\n", r"No row has a customer"),
    ],
    ids=["empty", "blank-lines", "header-only", "binary", "zip-not-xlsx", "old-xls", "no-usable-columns",
         "no-date-column", "dates-unreadable", "amounts-unreadable", "no-customers"],
)
def test_unusable_files_raise_a_message_to_act_on(data, message):
    with pytest.raises(OrdersError, match=message) as raised:
        read_orders(data, filename="orders.csv")

    assert "\n" not in str(raised.value)


def test_missing_path_says_so(tmp_path):
    with pytest.raises(OrdersError, match=r"no file at"):
        read_orders(tmp_path / "nowhere.csv")


def _zip_bomb(member: str) -> bytes:
    """A zip whose one member unzips to 300 MiB of zeros (about 300 KB zipped)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open(member, "w", force_zip64=True) as stream:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                stream.write(chunk)
    return buffer.getvalue()


def test_a_workbook_that_unzips_far_beyond_its_size_is_not_opened():
    with pytest.raises(OrdersError, match="far more than an order export"):
        read_orders(_zip_bomb("xl/worksheets/sheet1.xml"), filename="orders.xlsx")


def test_a_gzip_bomb_is_not_unzipped_past_the_cap(monkeypatch):
    monkeypatch.setattr("clv.load.MAX_UNZIPPED_BYTES", 1 << 20)
    with pytest.raises(OrdersError, match="unzips to more than"):
        read_orders(gzip.compress(b"customer,order,date,amount\n" + b"0" * (2 << 20)), filename="orders.csv.gz")


# ---------------------------------------------------------------------------
# One store, written the ways real exports write it: every variant reads to the same orders.

_STORE = [  # customer, order, (year, month, day), amount in cents
    ("Zoë Müller", "1001", (2026, 3, 4), 123450),
    ("Zoë Müller", "1002", (2026, 3, 29), 1999),
    ("François Núñez", "1003", (2026, 10, 25), 250),
    ("Søren Ødegård", "1004", (2026, 12, 31), -4000),
    ("Søren Ødegård", "1005", (2026, 1, 13), 100000),
]


def _variant(date_of, amount_of, *, delimiter=",", encoding="utf-8", newline="\n", notes=False) -> bytes:
    header = ["Customer", "Order ID", "Order Date", "Amount"] + (["Notes"] if notes else [])
    lines = [delimiter.join(header)]
    for customer, order, ymd, cents in _STORE:
        cells = [customer, order, date_of(*ymd), amount_of(cents)]
        if notes:
            cells.append(f'"gift wrap{newline}ring the bell, {customer}"')
        lines.append(delimiter.join(f'"{c}"' if delimiter in c and not c.startswith('"') else c for c in cells))
    return (newline.join(lines) + newline).encode(encoding)


def _euros(cents: int) -> str:
    whole, rest = divmod(abs(cents), 100)
    return ("-" if cents < 0 else "") + f"{whole:,}".replace(",", ".") + f",{rest:02d} €"


_VARIANTS = {
    "clean": _variant(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", lambda c: f"{c / 100:.2f}"),
    "cp1252-semicolon-decimal-comma-day-first-crlf": _variant(
        lambda y, m, d: f"{d:02d}.{m:02d}.{y}", _euros, delimiter=";", encoding="cp1252", newline="\r\n"
    ),
    "bom-tab-month-first-dollars-thousands": _variant(
        lambda y, m, d: f"{m}/{d}/{y} 10:15 AM",
        lambda c: ("-" if c < 0 else "") + f"${abs(c) / 100:,.2f}",
        delimiter="\t", encoding="utf-8-sig",
    ),
    "latin1-quoted-newlines-space-thousands": _variant(
        lambda y, m, d: f"{d}/{m}/{y}",
        lambda c: f"{c / 100:,.2f}".replace(",", " ").replace(".", ",") + " EUR",
        delimiter=";", encoding="latin-1", notes=True,
    ),
    # Offsets differ and the clocks change on 29 March and 25 October: the date as written counts.
    "mixed-utc-offsets-across-dst": _variant(
        lambda y, m, d: f"{y}-{m:02d}-{d:02d}T23:30:00" + ("+02:00" if 3 < m < 11 else "-08:00"),
        lambda c: f"{c / 100:.2f}",
    ),
    "accounting-negatives": _variant(
        lambda y, m, d: f"{y}-{m:02d}-{d:02d}", lambda c: f"({-c / 100:.2f})" if c < 0 else f"{c / 100:.2f}"
    ),
}


@pytest.mark.parametrize("name", [n for n in _VARIANTS if n != "clean"])
def test_every_way_of_writing_the_store_reads_to_the_same_orders(name):
    expected = read_orders(_VARIANTS["clean"], filename="clean.csv").orders
    got = read_orders(_VARIANTS[name], filename=f"{name}.csv").orders
    columns = ["customer", "order", "date", "amount"]
    assert_frame_equal(
        got[columns].sort_values("order", ignore_index=True), expected[columns].sort_values("order", ignore_index=True)
    )
    assert expected["amount"].round(2).tolist() == [1234.5, 19.99, 2.5, -40.0, 1000.0]
