"""The DuckDB engine gives what the pandas path gives, value for value, or leaves the file to it."""

import contextlib
import datetime as dt
import io
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clv.read
from clv import duck
from clv.cli import main
from clv.duck import WHITESPACE, scan_file
from clv.engine import ORDERS, DuckEngine
from clv.errors import OrdersError
from clv.load import read_orders
from clv.retention import retention
from clv.rfm import rfm_summary, rfm_window
from clv.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
DAY0 = dt.date(2025, 1, 1)


class Read:
    """What a file gives: its load report, canonical orders (sorted), the window's summary and the retention."""

    def __init__(self, report, engine, knobs):
        self.report = report
        self.orders = engine.fetch(f"SELECT * FROM {ORDERS} ORDER BY ALL").to_pandas()
        window = rfm_window(engine, knobs)
        self.summary = rfm_summary(engine, window)
        self.summary.customers  # fetched while the engine is open
        self.retention = retention(engine, window.as_of)


def summarize_file(path, knobs, mapping=None, strict=False):
    """The file read by DuckDB's own reader (``scan_file``), or None where it leaves the file to the loader."""
    scan = scan_file(path, mapping=mapping, strict=strict)
    return None if scan is None else Read(scan.report, scan.engine, knobs)


def pandas_path(path, knobs, mapping=None):
    loaded = read_orders(path, mapping=mapping)
    return Read(loaded.report, DuckEngine.of_orders(loaded.orders), knobs)


def assert_same(found, expected):
    for field in ("source_format", "columns", "rows_read", "revenue_read", "date_order", "date_order_ambiguous",
                  "currencies", "warnings", "first_date", "last_date"):
        assert getattr(found.report, field) == getattr(expected.report, field), field
    pdt.assert_frame_equal(found.report.excluded, expected.report.excluded)
    pdt.assert_frame_equal(found.orders, expected.orders)
    assert found.summary.window == expected.summary.window
    pdt.assert_frame_equal(found.summary.customers, expected.summary.customers)
    pdt.assert_frame_equal(found.summary.excluded, expected.summary.excluded)
    assert found.retention == expected.retention


def outcome(path, knobs, mapping=None) -> str:
    """Who read the file: "duckdb" (the same answer as pandas), "loader" (DuckDB left it to pandas) or
    "refused" (the pandas path raised, and DuckDB raised the same error or left the file to it)."""
    try:
        expected = pandas_path(path, knobs, mapping)
    except OrdersError as error:
        try:
            assert summarize_file(path, knobs, mapping=mapping) is None
        except OrdersError as raised:
            assert str(raised) == str(error)
        return "refused"
    found = summarize_file(path, knobs, mapping=mapping)
    if found is None:
        return "loader"
    assert_same(found, expected)
    return "duckdb"


def write(tmp_path, text, name="orders.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_whitespace_is_what_str_strip_removes():
    assert WHITESPACE == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


# ---------------------------------------------------------------------------
# Small files whose answer is known


PLAIN = """customer_id,order_id,order_date,amount
c1,1,2026-12-30 10:00:00,100.00
c1,2,2026-12-31T08:15:00-07:00,50.00
c2,3,2026-06-01,30.00
c3,4,2026-01-01 23:59:59,20.00
c3,5,2026-01-02,-5.00
,6,2026-03-03,99.00
c4,7,,12.50
 C5 ,8,2025-01-01,15
c6,9,2026-05-05,-3
"""


def test_a_plain_file_reads_as_the_loader_reads_it(tmp_path):
    path = write(tmp_path, PLAIN)
    assert outcome(path, Settings()) == "duckdb"
    found = summarize_file(path, Settings())
    customers = found.summary.customers.set_index("customer")
    assert customers.loc["c1", ["recency_days", "frequency", "monetary"]].tolist() == [0, 2, 150.0]
    assert customers.loc["c3", "monetary"] == 15.0 and "C5" not in customers.index  # C5 bought before the window
    excluded = found.report.excluded.set_index("reason")
    assert excluded.loc["no customer", "revenue"] == 99.0 and excluded.loc["unreadable date", "orders"] == 1
    returns_only = found.summary.excluded.set_index("reason").loc["customer with no positive order in the window"]
    assert returns_only["orders"] == 1


@pytest.mark.parametrize(
    "knobs",
    [Settings(), Settings(window_days=None), Settings(window_days=30), Settings(as_of=dt.date(2026, 6, 1)),
     Settings(as_of=dt.date(2027, 3, 1), window_days=365), Settings(as_of=dt.date(2026, 1, 1), window_days=1)],
    ids=["default", "all-history", "30-days", "as-of-inside", "as-of-after", "first-day"],
)
def test_windows_and_as_of_dates(tmp_path, knobs):
    assert outcome(write(tmp_path, PLAIN), knobs) == "duckdb"


def test_an_as_of_before_the_first_order_is_the_same_error(tmp_path):
    path = write(tmp_path, PLAIN)
    with pytest.raises(OrdersError, match="before the first order"):
        summarize_file(path, Settings(as_of=dt.date(2020, 1, 1)))
    assert outcome(path, Settings(as_of=dt.date(2020, 1, 1))) == "refused"


LINE_ITEMS = """Order ID;Customer;E-mail;Customer Name;Date;Net Sales;Note
A-1;  K7 ;Ann@Example.com ; Ann Lee;2026-03-01 10:00:00;10.50;"gift, wrapped"
A-1;;;;2026-03-01 09:00:00;4.50;
A-2;0;zoe@example.com;Zoë;2026-03-02;20;
A-3;;ZOE@example.com;;2026-04-02;-20.00;"x""y"
A-4;;ann@example.com;;2026-04-05;7;
A-5;;;Bo;2026-04-06;;
A-6;;;;2026-04-07;1.00;

A-7;K8;;\u00a0Cy\u3000;2026-04-08;2.25;
;;;;;;
"""


def test_line_items_guests_emails_and_names(tmp_path):
    path = write(tmp_path, LINE_ITEMS, "orders.csv")
    assert outcome(path, Settings(window_days=None)) == "duckdb"
    found = summarize_file(path, Settings(window_days=None)).summary.customers.set_index("customer")
    # A guest's e-mail takes the id it has on another row; names and e-mails come trimmed, e-mails lower-cased.
    ann = found.loc["K7", ["frequency", "monetary", "email", "name"]].tolist()
    assert ann == [2, 22.0, "ann@example.com", "Ann Lee"]
    assert found.loc["zoe@example.com", ["frequency", "monetary"]].tolist() == [1, 0.0]  # a purchase, then its return
    assert found.loc["K8", "name"] == "Cy" and "Bo" not in found.index  # Bo's only order has no amount


def test_a_file_without_order_ids_has_one_order_per_row(tmp_path):
    path = write(tmp_path, "email,date,amount\r\nA@x.com,2026-01-01,5\r\na@x.com,2026-01-01,7\r\n,2026-01-02,3\r\n")
    assert outcome(path, Settings()) == "duckdb"
    assert summarize_file(path, Settings()).summary.customers["frequency"].tolist() == [2]


def test_columns_named_by_the_caller(tmp_path):
    path = write(tmp_path, "Kunde|Beleg|Datum|Betrag\nK-1|R-1|2026-01-05|19.99\nK-2|R-2|2026-01-06|5.00\n")
    mapping = {"customer": "Kunde", "order": "Beleg", "date": "Datum", "amount": "Betrag"}
    assert outcome(path, Settings(), mapping) == "duckdb"
    found = summarize_file(path, Settings(), mapping=mapping)
    assert found.report.source_format == "Table of orders, columns named by you"


def test_a_bom_and_quoted_fields(tmp_path):
    text = '\ufeffcustomer_id,order_id,order_date,amount\n"c,1",1,2026-01-01,1.00\n"c""2",2,"2026-01-02",2\n'
    assert outcome(write(tmp_path, text), Settings()) == "duckdb"


def test_a_date_out_of_layout_after_the_head_is_read_as_text(tmp_path, monkeypatch):
    # The head says "2026-05-10 13:22:10", so DuckDB parses the dates as timestamps; a later date with an
    # offset makes it read them again as text, and the answer stays the loader's.
    monkeypatch.setattr("clv.duck.SAMPLE_BYTES", 150_000)
    rows = [f"c{i % 700},{i},2025-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d}:00,{i % 97}.5"
            for i in range(8_000)]
    rows[-1] = "c1,late,2026-01-01T08:00:00+02:00,12.00"
    path = write(tmp_path, "customer_id,order_id,order_date,amount\n" + "\n".join(rows) + "\n")
    assert outcome(path, Settings()) == "duckdb"


@pytest.mark.parametrize("late_customer, expected", [("c1", "duckdb"), ("c2", "loader")])
def test_an_order_id_repeated_after_the_head_is_checked_like_any_line_items(
        tmp_path, monkeypatch, late_customer, expected):
    # The head names every order once, so the first read skips the checks that need two rows of an order;
    # order 1 comes back at the end: on the same customer's row it is one order of two rows (DuckDB's
    # answer, read again with every check), on another customer's row the rows disagree (the loader's).
    monkeypatch.setattr("clv.duck.SAMPLE_BYTES", 150_000)
    rows = [f"c{i % 700},{i},2025-{1 + i % 12:02d}-{1 + i % 28:02d},{i % 97}.5" for i in range(8_000)]
    rows.append(f"{late_customer},1,2025-12-30,3.25")
    path = write(tmp_path, "customer_id,order_id,order_date,amount\n" + "\n".join(rows) + "\n")
    source = duck._qualify(path, None)
    assert source.one_row_orders, "the head should show one row per order"
    assert outcome(path, Settings()) == expected


@pytest.mark.parametrize("late_customer, late_order, expected", [
    ("A7", "late", "duckdb"), ("9.0", "late", "loader"), ("A7", "8001.0", "loader"), ("9.0", "8001.0", "loader")])
def test_ids_the_head_shows_as_floats_are_checked_on_every_row(
        tmp_path, monkeypatch, late_customer, late_order, expected):
    # Every id in the head is a whole number written as a float ("7.0"), and the loader rewrites a column
    # whose ids are all so: the head cannot settle it, and every row is checked. One id written otherwise
    # after the head keeps its column as written (DuckDB's answer); none sends the file to the loader.
    monkeypatch.setattr("clv.duck.SAMPLE_BYTES", 150_000)
    rows = [f"{i % 700}.0,{i}.0,2025-{1 + i % 12:02d}-{1 + i % 28:02d},{i % 97}.5" for i in range(8_000)]
    rows.append(f"{late_customer},{late_order},2025-12-30,3.25")
    path = write(tmp_path, "customer_id,order_id,order_date,amount\n" + "\n".join(rows) + "\n")
    source = duck._qualify(path, None)
    assert not source.customer_ids_kept and not source.order_ids_kept
    assert outcome(path, Settings()) == expected


def test_an_id_in_the_head_written_otherwise_settles_that_no_id_is_rewritten(tmp_path):
    path = write(tmp_path, "customer_id,order_id,order_date,amount\n7.0,1.0,2026-04-13,5\n0,A2,2026-04-13,5\n")
    source = duck._qualify(path, None)
    assert source.customer_ids_kept and source.order_ids_kept  # "0" (a guest) and "A2" are not floats
    path = write(tmp_path, "customer_id,order_id,order_date,amount\n7.0,1.0,2026-04-13,5\n , ,2026-04-13,5\n")
    source = duck._qualify(path, None)
    assert not source.customer_ids_kept and not source.order_ids_kept  # blanks settle nothing


@pytest.mark.parametrize("text, plain", [
    (b"", True), (b"a,b\n1,2\n", True), (b'a,b\n"1",2\n', True), (b'a,b\n "1",2\n', False),
    (b'a,b\n"1" ,2\n', False), (b"a,b\n" + b"1,2\n" * 3_000_000 + b'3, "4"\n', False)],
    ids=["empty", "no-quotes", "quoted", "space-before", "space-after", "far-down"])
def test_a_space_next_to_a_quote_is_found_anywhere_in_the_file(tmp_path, text, plain):
    path = tmp_path / "orders.csv"
    path.write_bytes(text)
    assert duck._quotes_are_plain(path) == plain


def test_one_row_orders_stand_when_no_two_order_hashes_are_equal():
    assert duck._all_differ(np.array([7, 3, 5], dtype=np.uint64))
    assert not duck._all_differ(np.array([7, 3, 7], dtype=np.uint64))
    assert duck._all_differ(np.array([], dtype=np.uint64))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("0123456789-: T\t+./Z")), min_size=8, max_size=22).map("".join)
       | st.sampled_from(["2026-5-3 1:2:3", " 2026-05-03 10:00:00", "2026-05-03\t10:00:00", "0226-05-03 10:00:00",
                          "2026-05-03 24:00:00", "2026-02-29 10:00:00", "2024-02-29 10:00:00", "2026-5-3"]))
def test_what_the_typed_date_reader_accepts_the_loader_reads_as_the_same_day(tmp_path_factory, text):
    import duckdb

    from clv.duck import _DATE_LAYOUTS, _EARLIEST, _LATEST
    from clv.parse import parse_dates

    path = tmp_path_factory.mktemp("dates") / "dates.csv"
    path.write_text("d\n" + text + "\n" if "\n" not in text else "d\n")
    for _, sql_type, option in _DATE_LAYOUTS.values():
        try:
            read = duckdb.sql(f"SELECT CAST(d AS DATE) FROM read_csv('{path}', header = true, auto_detect = false, "
                              f"delim = ',', quote = '\"', columns = {{'d': '{sql_type}'}}, {option})").fetchall()
        except duckdb.Error:
            continue
        day = read[0][0] if read else None
        if day is None or not _EARLIEST <= str(day) <= _LATEST:
            continue
        assert parse_dates(pd.Series([text])).values.iloc[0].date() == day, text


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(list("0123456789.-+ eE_\t,$") + ["\xa0", "00", "99"]), min_size=1, max_size=9).map(
    "".join))
def test_an_amount_duckdb_takes_is_the_amount_the_loader_reads(text):
    import duckdb

    from clv.duck import _CENTS, _ODD_AMOUNT
    from clv.parse import parse_amounts

    cents, odd = duckdb.execute(f"SELECT cents, {_ODD_AMOUNT} FROM (SELECT a, {_CENTS} AS cents FROM "
                                "(SELECT CAST($a AS VARCHAR) AS a))", {"a": text}).fetchall()[0]
    if not odd:
        loaded = parse_amounts(pd.Series([text]))
        assert not loaded.bad.iloc[0] and round(loaded.values.iloc[0] * 100) == cents, text


# ---------------------------------------------------------------------------
# Files left to the loader


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("customer_id,order_id,order_date,amount,status\nc1,1,2026-01-01,5,completed\n", "status column"),
        ("customer_id,order_id,order_date,amount\nc1,1,13/04/2026,5\n", "plain grammar"),
        ("customer_id,order_id,order_date,amount\nc1,1,2026-04-13,\"5,50\"\n", "plain grammar"),
        ("customer_id,order_id,order_date,amount\nc1,1,2026-04-13,$5.50\n", "plain grammar"),
        ("customer_id,order_id,order_date,amount\nc1,1,2026-04-13,5.505\n", "plain grammar"),
        ("customer_id,order_id,order_date,amount\nc1,1,2026-04-13,5\nc2,1,2026-04-13,6\n", "disagree on the customer"),
        ("customer_id,order_id,order_date,amount,email\nc1,1,2026-04-13,5,a@x.com\nc1,1,2026-04-13,6,b@x.com\n",
         "disagree on the customer"),
        ("customer_id,order_id,order_date,amount\nc1,,2026-04-13,5\n", "plain grammar"),
        ("customer_id,order_id,order_date,amount\n7.0,1,2026-04-13,5\n8.0,2,2026-04-13,5\n", "decimal point"),
        ("customer_id,order_id,order_date,amount\nc1,1.0,2026-04-13,5\nc2,2.0,2026-04-14,5\n", "every order id"),
        ("customer_id,order_id,order_date,amount\nc1,1, 2026-04-13,5\n", "plain grammar"),
        ("customer_id,order_id,order_date,amount\nc1,1,2026-02-30,5\n", "plain grammar"),
        ("customer_id,order_id,order_date,amount\nc1,1,1600-01-01,5\n", "outside"),
        ('customer_id,order_id,order_date,amount\n "c1",1,2026-04-13,5\n', "quote"),
        ("customer_id,order_id,order_date,amount\nc1,1,2026-04-13,5,extra\n", "refused a row"),
        ("customer_id,order_id,order_date,amount\nc1,1,2026-04-13,5\rc2,2,2026-04-13,5\n", "refused a row"),
        ("customer_id,quantity,price,order_date,amount\nc1,1,5,2026-04-13,5\n", "quantity column"),
        ("customer_id,order_id,order_date,amount,accepts_marketing\nc1,1,2026-04-13,5,yes\n",
         "marketing consent column"),
    ],
    ids=["status", "day-first", "decimal-comma", "currency", "three-decimals", "two-customers", "two-emails",
         "blank-order-id", "float-ids", "float-order-ids", "date-with-space", "no-such-day", "year-1600",
         "space-before-quote", "ragged-row", "bare-carriage-return", "quantity", "consent"],
)
def test_files_outside_the_rules_go_to_the_loader(tmp_path, text, why):
    path = write(tmp_path, text)
    assert summarize_file(path, Settings()) is None
    with pytest.raises(OrdersError, match=why):
        summarize_file(path, Settings(), strict=True)
    try:
        pandas_path(path, Settings())
    except OrdersError:
        pass  # the loader may refuse it too, with its own message


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.iterdir() if p.name != "cdnow_sample.txt"), ids=str)
def test_the_fixtures_are_all_for_the_loader(fixture):  # cdnow_sample.txt is the models' papers' data, not an export
    # Real exports: statuses, refunds, currencies, day-first dates, decimal commas, cp1252, quantity x price.
    assert outcome(FIXTURES / fixture, Settings(window_days=None)) != "duckdb"


# ---------------------------------------------------------------------------
# Generated files: the same answer as pandas, whatever the file holds

PEOPLE = [  # (customer id, e-mail, name) as a store writes them
    ("C1", "ann@x.com", "Ann Lee"),
    ("c1", None, "Ann L."),
    ("17", "Bob@Y.org", None),
    (None, "cy@z.net", "Cy"),
    (None, None, "Dee Dee"),
    ("Eve@X.com", None, "Eve"),
    ("0", "fay@x.com", "Fay"),
    ("Zoë", "zoe@x.com", "Zoë Brandt"),
]
TIMES = ["", " 13:22:10", "T08:00:00Z", " 10:00:00 -0700", "T23:59:59.123+05:30", " 00:00"]
HEADERS = {"customer": "customer_id", "email": "email", "name": "customer_name", "order": "order_id",
           "date": "order_date", "amount": "amount", "note": "note"}


def padded(rng: random.Random, text: str, delimiter: str) -> str:
    spaces = [c for c in WHITESPACE if c not in "\r\n" + delimiter]
    return "".join(rng.choices(spaces, k=rng.randint(0, 2))) + text + "".join(rng.choices(spaces, k=rng.randint(0, 2)))


def amount_text(rng: random.Random, mess: float) -> str:
    if rng.random() < 0.08:
        return ""
    cents = rng.randint(-3_000, 40_000) if rng.random() < 0.9 else 0
    text = f"{cents / 100:.2f}"
    if cents % 100 == 0 and rng.random() < 0.5:
        text = str(cents // 100)
    elif cents % 10 == 0 and rng.random() < 0.5:
        text = text[:-1]
    if rng.random() < mess:
        text = rng.choice(["1,234.50", "€5", "1e3", "12.345", " 5", "-", "(3.00)"])
    return text


def date_text(rng: random.Random, mess: float) -> str:
    if rng.random() < 0.05:
        return ""
    day = DAY0 + dt.timedelta(days=rng.randint(0, 500))
    text = day.isoformat() + rng.choice(TIMES)
    if rng.random() < mess:
        text = rng.choice([day.strftime("%d/%m/%Y"), " " + text, "2025-02-30", "soon", "  "])
    return text


def generated_file(seed: int, wild: bool) -> tuple[str, Settings]:
    """A plain export: chosen columns, persons placing orders of 1-3 rows, with the loader's quirks on the way.

    ``wild``: now and then (how often depends on the file) a value outside the plain grammar, or rows of an
    order naming different customers.
    """
    rng = random.Random(seed)
    mess = rng.choice([0.0, 0.01, 0.05]) if wild else 0.0
    delimiter = rng.choice([",", ",", ";", "\t", "|"])
    roles = [role for role, chance in (("customer", 0.85), ("email", 0.5), ("name", 0.4), ("order", 0.85),
                                       ("note", 0.3)) if rng.random() < chance]
    if not {"customer", "email", "name"} & set(roles):
        roles.append("customer")
    roles += ["date", "amount"]
    rng.shuffle(roles)
    people = rng.sample(PEOPLE, rng.randint(1, len(PEOPLE)))
    rows = []
    for number in range(rng.randint(1, 25)):
        person = rng.choice(people)
        order = f"O{number}"
        for line in range(rng.randint(1, 3) if "order" in roles else 1):
            rows.append(person_row(rng, person, order, roles, delimiter, full=line == 0, mess=mess))
        if rng.random() < 0.05:
            rows.append({role: "" for role in roles})  # a fully blank row
    rng.shuffle(rows)
    header = [HEADERS[role] for role in roles]
    lines = [header] + [[row[role] for role in roles] for row in rows]
    newline = rng.choice(["\n", "\r\n"])
    text = ("\ufeff" if rng.random() < 0.2 else "") + newline.join(
        delimiter.join(field(value, delimiter) for value in line) for line in lines) + newline
    knobs = Settings(
        window_days=rng.choice([None, 30, 365]),
        as_of=rng.choice([None, None, DAY0 + dt.timedelta(days=rng.randint(-30, 560))]),
    )
    return text, knobs


def person_row(rng, person, order, roles, delimiter, full, mess):
    """One row of an order of ``person``: it names them (id, else e-mail, else name) or nobody, never someone else."""
    pid, email, name = person
    kinds = {"customer": pid is not None and pid != "0" and "customer" in roles,
             "email": email is not None and "email" in roles, "name": name is not None and "name" in roles}
    shown = dict.fromkeys(("customer", "email", "name"), False)
    if full:
        shown.update(kinds)
    elif rng.random() < 0.15:
        pass  # a line naming nobody: the order's customer comes from its other rows
    elif kinds["customer"] and rng.random() < 0.7:
        shown.update(customer=True, email=kinds["email"] and rng.random() < 0.5,
                     name=kinds["name"] and rng.random() < 0.5)
    elif kinds["email"]:
        shown.update(email=True, name=kinds["name"] and rng.random() < 0.5)  # a guest line: its e-mail gives the id
    elif kinds["name"] and not kinds["customer"]:
        shown.update(name=True)
    else:
        shown.update(kinds)
    if rng.random() < 4 * mess:  # rows of an order may then disagree
        shown = {kind: value is not None and rng.random() < 0.5
                 for kind, value in (("customer", pid), ("email", email), ("name", name))}
    row = {"order": padded(rng, order, delimiter) if rng.random() < 0.2 else order,
           "date": date_text(rng, mess), "amount": amount_text(rng, mess),
           "note": rng.choice(["", "gift", "a, b", 'x"y', "=1+2"])}
    cid = pid if shown["customer"] else rng.choice(["", "  ", "0"] if pid == "0" else ["", "  "])
    if pid and "@" in pid and shown["customer"]:
        cid = rng.choice([pid, pid.upper(), pid.lower()])
    row["customer"] = padded(rng, cid, delimiter) if cid and rng.random() < 0.3 else cid
    mail = rng.choice([email, email.upper(), email.title()]) if shown["email"] else ""
    row["email"] = padded(rng, mail, delimiter) if mail and rng.random() < 0.3 else mail
    row["name"] = (padded(rng, name, delimiter) if rng.random() < 0.3 else name) if shown["name"] else ""
    return row


def field(value: str, delimiter: str) -> str:
    if any(c in value for c in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def outcome_of_text(text: str, knobs: Settings) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.csv"
        path.write_bytes(text.encode("utf-8"))
        return outcome(path, knobs)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_generated_plain_files_read_exactly_as_pandas_reads_them(seed):
    text, knobs = generated_file(seed, wild=False)
    # Within the rules every file is DuckDB's, but for one the loader refuses (then both refuse alike).
    assert outcome_of_text(text, knobs) != "loader", text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_generated_messy_files_read_exactly_or_go_to_the_loader(seed):
    outcome_of_text(*generated_file(seed, wild=True))


def test_messy_files_still_exercise_the_engine_not_only_the_fallback():
    outcomes = [outcome_of_text(*generated_file(seed, wild=True)) for seed in range(40)]
    assert outcomes.count("duckdb") >= 8 and outcomes.count("loader") >= 8


# ---------------------------------------------------------------------------
# The command line


def test_engine_duckdb_refuses_a_file_it_cannot_read_exactly(tmp_path, capsys):
    path = write(tmp_path, "customer_id,order_id,order_date,amount\nc1,1,13/04/2026,5\n")
    assert main([str(path), "--engine", "duckdb"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: The DuckDB engine cannot read this file exactly") and "--engine" in err
    assert main([str(path), "--engine", "auto"]) == 0  # the loader reads it


def test_auto_reads_a_plain_file_with_duckdb(tmp_path, monkeypatch):
    def no_loader(*args, **kwargs):
        raise AssertionError("the loader was not needed")

    monkeypatch.setattr(clv.read, "read_orders", no_loader)
    assert main([str(write(tmp_path, PLAIN))]) == 0


def orders_file(path: Path, n_orders: int = 12_000, seed: int = 7) -> Path:
    """About 20k rows: line items, returns, blank amounts, e-mails on some rows, timestamps."""
    rng = np.random.default_rng(seed)
    customer = rng.integers(0, 3_000, n_orders)
    lines = rng.integers(1, 3, n_orders)
    order = np.repeat(np.arange(n_orders), lines)
    who = customer[order]
    seconds = rng.integers(0, 3 * 365 * 86_400, n_orders)[order]
    sign = np.where(rng.random(len(order)) < 0.04, -1, 1)
    cents = np.round(rng.lognormal(3.5, 1, len(order)) * 100).astype(int) * sign
    table = pd.DataFrame({
        "order_id": [f"#{o}" for o in order],
        "customer_id": [f"C{c:05d}" for c in who],
        "email": np.where((who % 3 == 0) & (rng.random(len(order)) < 0.8), [f"c{c}@Shop.example" for c in who], ""),
        "order_date": (np.datetime64("2023-01-01T00:00:00") + seconds.astype("timedelta64[s]")).astype(str),
        "amount": np.where(rng.random(len(order)) < 0.01, "", [f"{c / 100:.2f}" for c in cents]),
    })
    table["order_date"] = table["order_date"].str.replace("T", " ")
    table.to_csv(path, index=False)
    return path


def test_both_engines_write_the_same_files(tmp_path, capsys):
    source = orders_file(tmp_path / "orders.csv")
    outputs = {}
    for engine in ("duckdb", "pandas"):
        customers, segments = tmp_path / f"customers-{engine}.csv", tmp_path / f"segments-{engine}.csv"
        assert main([str(source), "--engine", engine, "--customers-out", str(customers),
                     "--segments-out", str(segments), "--lifespan-from-churn"]) == 0
        outputs[engine] = (customers.read_bytes(), segments.read_bytes(), capsys.readouterr().out)
    assert outputs["duckdb"] == outputs["pandas"]
    assert len(pd.read_csv(tmp_path / "customers-duckdb.csv")) > 1_000


def command_line_outputs(path: Path, engine: str, *flags: str) -> tuple:
    """What ``python -m clv PATH --engine ENGINE FLAGS`` gives: exit status, printout, error, customer and
    segment files."""
    customers, segments = path.with_name(f"customers-{engine}.csv"), path.with_name(f"segments-{engine}.csv")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(path), "--engine", engine, "--customers-out", str(customers),
                       "--segments-out", str(segments), *flags])
    files = tuple(file.read_bytes() if file.exists() else None for file in (customers, segments))
    return (status, out.getvalue(), err.getvalue(), *files)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_the_command_line_writes_from_duckdb_the_bytes_pandas_writes(seed):
    # The command line keeps the customers in DuckDB, scores their numbers and has DuckDB write the file.
    text, knobs = generated_file(seed, wild=False)
    flags = ["--window-days", "all" if knobs.window_days is None else str(knobs.window_days),
             "--method", ("quantile", "range")[seed % 2], "--tiers", ("5,7", "4,8", "6,6")[seed % 3]]
    flags += ["--as-of", knobs.as_of.isoformat()] if knobs.as_of else []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.csv"
        path.write_bytes(text.encode("utf-8"))
        assert command_line_outputs(path, "auto", *flags) == command_line_outputs(path, "pandas", *flags)


HOSTILE = ["=SUM(A1)", "-5", "+x", "@me", "a,b", 'say"hi"!', "two\nlines", "tab\there", "Zoë €", "'q'", "semi;colon",
           "back\\slash", "C1", "c1", "C10", "C2", "ÿ", "\u3000wide\u3000"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(HOSTILE), st.sampled_from([h for h in HOSTILE if h.isascii()] + [""]),
                          st.integers(1, 4),
                          st.sampled_from([500, 1000, 1999, 2500])), min_size=1, max_size=30))
def test_hostile_text_and_ties_are_written_by_duckdb_as_pandas_writes_them(people):
    # Defused formulas, quoting, names and e-mails (ASCII: DuckDB leaves others to the loader), and the order
    # among equal scores and money (by customer).
    lines = ["customer_id,email,customer_name,order_id,order_date,amount"]
    for number, (who, mail, day, cents) in enumerate(people):
        mail = f"{mail}@x.com" if mail else ""
        lines.append(",".join(field(value, ",") for value in (
            who, mail, who[::-1], f"O{number}", f"2026-01-{day:02d} 10:00:00", f"{cents / 100:.2f}")))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.csv"
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
        duck = command_line_outputs(path, "duckdb")
        assert duck[0] == 0, duck[2]
        assert duck == command_line_outputs(path, "pandas")


def test_engine_is_a_command_line_choice():
    done = subprocess.run([sys.executable, "-m", "clv", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert "--engine {auto,duckdb,pandas" in done.stdout
