"""The dashboard as a store owner meets it, through Streamlit's AppTest.

Expected numbers come from the core (``analyze(read_orders(...))``) computed
here, never from the page, so a page that drew the wrong table would fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import pickle
import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from clv.analysis import analyze
from clv.colours import SHAPE_CONTRAST, TEXT_CONTRAST, WHITE, contrast_ratio
from clv.engine import DuckEngine
from clv.export import customers_export, segments_export, to_csv
from clv.load import read_orders
from clv.read import read_into_engine
from clv.sample import SAMPLE_PATH
from clv.settings import TIER_COLOURS, Settings

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["pages/segments.py", "pages/value.py", "pages/retention.py", "pages/customers.py", "pages/data.py"]
TIMEOUT = 30


def shopify_csv() -> bytes:
    """A small Shopify orders export: nine customers, one cancelled order, one two-line order, euros."""
    header = ("Name,Email,Financial Status,Created at,Subtotal,Currency,Lineitem name,Lineitem quantity,"
              "Lineitem price,Billing Name,Cancelled at,Refunded Amount")
    people = [
        ("ann@shop.test", "Ann Lee", ["2026-01-05", "2026-03-02", "2026-05-20", "2026-06-25"], 80),
        ("bob@shop.test", "Bob Ray", ["2026-02-11", "2026-06-01"], 45),
        ("cy@shop.test", "Cy Dunn", ["2025-08-30"], 20),
        ("di@shop.test", "Di Moss", ["2026-06-28", "2026-06-29", "2026-06-30"], 150),
        ("ed@shop.test", "Ed Hale", ["2025-12-24"], 300),
        ("flo@shop.test", "Flo Park", ["2026-04-04", "2026-04-18"], 12),
        ("gus@shop.test", "Gus Tan", ["2025-10-10"], 60),
        ("hal@shop.test", "Hal Ng", ["2026-06-15"], 25),
        ("ivy@shop.test", "Ivy Cho", ["2026-05-05", "2026-05-06"], 33),
    ]
    lines, number = [header], 1000
    for email, name, dates, amount in people:
        for day in dates:
            number += 1
            lines.append(f"#{number},{email},paid,{day} 10:00:00 +0100,{amount:.2f},EUR,Beans,1,{amount:.2f},"
                         f"{name},,0.00")
    lines.append(f"#{number},{people[-1][0]},,{people[-1][2][-1]} 10:00:00 +0100,,,Mug,1,5.00,,,")
    lines.append("#2000,ann@shop.test,voided,2026-06-01 10:00:00 +0100,99.00,EUR,Beans,1,99.00,Ann Lee,"
                 "2026-06-02 10:00:00 +0100,0.00")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return read_orders(SAMPLE_PATH).orders


@pytest.fixture
def at() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def opened(at: AppTest, page: str | None = None) -> AppTest:
    at.run(timeout=TIMEOUT)
    if page is not None:
        at.switch_page(page).run(timeout=TIMEOUT)
    assert not at.exception, [e.message for e in at.exception]
    return at


def tier_table(at: AppTest) -> pd.DataFrame:
    return next(t.value for t in at.dataframe if {"Tier", "Customers"} <= set(t.value.columns)).set_index("Tier")


def tier_counts(analysis) -> dict[str, int]:
    return dict(zip(analysis.tiers["tier"], analysis.tiers["customers"]))


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    opened(at, "pages/data.py")
    at.file_uploader[0].set_value((name, data, "text/csv"))
    at.run(timeout=TIMEOUT)
    assert not at.exception, [e.message for e in at.exception]
    return at


# --- Every page, sample store ------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=[Path(p).stem for p in PAGES])
def test_every_page_runs_on_the_sample_store(at, page):
    opened(at, page)
    assert not at.error
    assert at.title[0].value
    assert "Sample store: Fernwood Coffee & Tea" in [c.value for c in at.sidebar.caption]


@pytest.mark.parametrize("page", PAGES[:4], ids=[Path(p).stem for p in PAGES[:4]])
def test_dashboard_pages_say_the_sample_is_a_sample(at, page):
    opened(at, page)
    assert any("You are looking at a sample store" in m.value for m in at.markdown)


def test_the_tier_table_shows_the_cores_counts(at, sample):
    expected = analyze(sample, Settings())
    table = tier_table(opened(at))
    assert table["Customers"].to_dict() == tier_counts(expected)
    assert list(table.index) == ["High", "Medium", "Low", "All"]
    assert table.loc["All", "CLV"] == pytest.approx(expected.tiers.set_index("tier").loc["All", "clv"])


def test_a_setting_change_rescores_everywhere(at, sample):
    quantile, ranged = analyze(sample, Settings()), analyze(sample, Settings(method="range"))
    assert tier_counts(quantile) != tier_counts(ranged)  # otherwise this test could not tell them apart
    opened(at)
    at.radio(key="method").set_value("range").run(timeout=TIMEOUT)
    assert tier_table(at)["Customers"].to_dict() == tier_counts(ranged)
    at.switch_page("pages/value.py").run(timeout=TIMEOUT)
    assert at.radio(key="method").value == "range"
    assert tier_table(at)["Customers"].to_dict() == tier_counts(ranged)


def test_changing_a_setting_does_not_read_the_file_again(at, monkeypatch):
    from pages import _source

    calls = []

    def counting(*args, **kwargs):
        calls.append(1)
        return read_into_engine(*args, **kwargs)

    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setattr(_source, "read_into_engine", counting)
    opened(at)
    at.radio(key="method").set_value("range").run(timeout=TIMEOUT)
    at.slider(key="tiers").set_value((4, 8)).run(timeout=TIMEOUT)
    at.switch_page("pages/customers.py").run(timeout=TIMEOUT)
    assert not at.exception
    assert len(calls) == 1


# --- The URL ---------------------------------------------------------------------------------


def test_a_link_sets_the_widgets_and_the_numbers(at, sample):
    at.query_params.update(
        {"method": "range", "window": "custom", "days": "400", "tiers": "4-8", "lifespan": "2", "margin": "40"}
    )
    opened(at)
    assert at.radio(key="method").value == "range"
    assert at.selectbox(key="window").value == "custom"
    assert at.number_input(key="days").value == 400
    assert at.slider(key="tiers").value == (4, 8)
    expected = analyze(sample, Settings(method="range", window_days=400, tier_cuts=(4, 8), lifespan_years=2.0,
                                        margin=0.4))
    table = tier_table(at)
    assert table["Customers"].to_dict() == tier_counts(expected)
    assert table.loc["All", "CLV"] == pytest.approx(expected.tiers.set_index("tier").loc["All", "clv"])
    assert any("This link carries settings only" in c.value for c in at.caption)


def test_settings_are_written_to_the_url_and_defaults_left_out(at):
    opened(at)
    assert at.query_params == {}
    at.radio(key="method").set_value("range").run(timeout=TIMEOUT)
    at.toggle(key="mask").set_value(True).run(timeout=TIMEOUT)
    assert at.query_params == {"method": "range", "mask": "1"}
    at.radio(key="method").set_value("quantile").run(timeout=TIMEOUT)
    assert at.query_params == {"mask": "1"}


def test_a_link_that_makes_no_sense_falls_back_to_the_defaults(at, sample):
    at.query_params.update({"method": "magic", "tiers": "9-4", "days": "abc", "margin": "250", "as_of": "1980-01-01"})
    opened(at)
    assert not at.error
    assert at.radio(key="method").value == "quantile"
    assert at.slider(key="tiers").value == (5, 7)
    assert at.date_input(key="as_of").value is None
    assert tier_table(at)["Customers"].to_dict() == tier_counts(analyze(sample, Settings()))


# --- Settings a person can get wrong ---------------------------------------------------------


def test_tier_cuts_that_collide_show_the_message_not_a_traceback(at):
    opened(at)
    at.slider(key="tiers").set_value((6, 6)).run(timeout=TIMEOUT)
    assert not at.exception
    assert "Tier cuts must satisfy" in at.error[0].value
    assert at.info  # the page's guard


def test_an_as_of_date_before_the_first_order_is_explained(at):
    opened(at, "pages/retention.py")
    at.date_input(key="as_of").set_value(dt.date(2001, 1, 1)).run(timeout=TIMEOUT)
    assert not at.exception
    assert "before the first order" in at.error[0].value


def test_the_currency_symbol_is_for_display(at):
    opened(at)
    at.text_input(key="currency").set_value("€").run(timeout=TIMEOUT)
    assert metric(at, "Average order value").startswith("€")


# --- Masking -----------------------------------------------------------------------------------


def test_masking_hides_e_mails_on_screen(at):
    opened(at, "pages/customers.py")
    emails = next(t.value for t in at.dataframe if "email" in t.value.columns)["email"].dropna()
    assert emails.str.contains(r"^[^*]{2,}@", regex=True).all()  # visible before masking
    at.toggle(key="mask").set_value(True).run(timeout=TIMEOUT)
    emails = next(t.value for t in at.dataframe if "email" in t.value.columns)["email"].dropna()
    assert emails.str.fullmatch(r"\w\*\*\*@[\w.-]+").all()
    options = at.selectbox(key="f_customer").options
    assert any("***@" in option for option in options)
    assert not any(re.search(r"\w\w@", option) for option in options)
    assert "***@" in at.text[0].value and not re.search(r"\w\w+@", at.text[0].value)
    assert any("Downloads keep the real e-mail addresses" in c.value for c in at.caption)


# --- Downloads ---------------------------------------------------------------------------------


@pytest.fixture
def made(monkeypatch) -> dict:
    """File name -> the function that makes a download button's bytes, for every button drawn from now on."""
    made = {}
    original = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return made


def test_downloads_are_the_command_lines_files(at, sample, made):
    opened(at)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download segments (CSV)", "Download customers (CSV)", "Download Excel workbook"]
    expected = analyze(sample, Settings())
    assert made["segments.csv"]() == to_csv(segments_export(expected))
    assert made["customers.csv"]() == to_csv(customers_export(expected))
    assert made["rfm_clv.xlsx"]()[:2] == b"PK"  # an .xlsx is a zip file


def test_the_customer_list_filters_searches_and_exports_its_rows(at, sample, made):
    everyone = customers_export(analyze(sample, Settings()))
    high = everyone.loc[everyone["tier"] == "High"]
    opened(at, "pages/customers.py")
    at.multiselect(key="f_tier").set_value(["High"]).run(timeout=TIMEOUT)
    assert any(m.value.startswith(f"**{len(high):,}** of {len(everyone):,} customers") for m in at.markdown)
    at.text_input(key="f_search").set_value("EXAMPLE.ORG").run(timeout=TIMEOUT)
    wanted = high.loc[high["email"].str.contains("example.org", case=False, regex=False)
                      | high["customer"].str.contains("example.org", case=False, regex=False)]
    assert 0 < len(wanted) < len(high)
    assert made["customers_selection.csv"]() == to_csv(wanted)


def test_a_long_customer_list_shows_its_first_rows_and_downloads_them_all(at, made):
    rows = [f"c{i},{i},2026-0{1 + i % 6}-{1 + i % 28:02d},{5 + i % 90}.25" for i in range(10_050)]
    data = ("customer_id,order_id,order_date,amount\n" + "\n".join(rows) + "\n").encode()
    upload(at, "many.csv", data)
    at.switch_page("pages/customers.py").run(timeout=TIMEOUT)
    assert not at.exception
    listed = next(t.value for t in at.dataframe if "customer" in t.value.columns)
    assert len(listed) == 10_000
    assert any("The first 10,000 of these 10,050 customers are shown" in c.value for c in at.caption)
    assert made["customers_selection.csv"]().count(b"\n") == 10_051  # the header and every customer


# --- Uploads -------------------------------------------------------------------------------------


def test_an_uploaded_export_replaces_the_sample_everywhere(at):
    data = shopify_csv()
    loaded = read_orders(data, filename="orders_export.csv")
    expected = analyze(loaded.orders, Settings())
    upload(at, "orders_export.csv", data)
    assert not at.error
    assert r"Your file: orders\_export\.csv" in [c.value for c in at.sidebar.caption]  # escaped markdown
    assert metric(at, "Rows read") == f"{loaded.report.rows_read:,}"
    report = loaded.report
    assert any(f"Its orders run from {report.first_date:%d %b %Y} to {report.last_date:%d %b %Y}." in m.value
               for m in at.markdown)
    for page in PAGES[:4]:
        at.switch_page(page).run(timeout=TIMEOUT)
        assert not at.exception, page
        assert not at.error, page
        assert not any("You are looking at a sample store" in m.value for m in at.markdown)
    at.switch_page("pages/segments.py").run(timeout=TIMEOUT)
    assert tier_table(at)["Customers"].to_dict() == tier_counts(expected)
    assert metric(at, "Average order value").startswith("€")  # the file's currency


def as_format(data: bytes, kind: str) -> bytes:
    table, buffer = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False), io.BytesIO()
    if kind == "xlsx":
        table.to_excel(buffer, index=False)
    else:
        table.to_parquet(buffer, index=False)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["xlsx", "parquet"])
def test_excel_and_parquet_exports_load_without_a_click(at, kind):
    data = as_format(shopify_csv(), kind)
    expected = analyze(read_orders(data, filename=f"orders.{kind}").orders, Settings())
    upload(at, f"my $shop$ orders.{kind}", data)
    assert not at.error
    assert rf"Your file: my \$shop\$ orders\.{kind}" in [c.value for c in at.sidebar.caption]  # no LaTeX
    at.switch_page("pages/segments.py").run(timeout=TIMEOUT)
    assert tier_table(at)["Customers"].to_dict() == tier_counts(expected)


def test_a_file_that_is_not_orders_shows_the_message_and_the_column_step(at):
    data = b"colour,size\nred,3\nblue,4\n"
    upload(at, "sizes.csv", data)
    assert at.error and "No column looks like" in at.error[0].value
    key = hashlib.sha256(data).hexdigest()
    assert at.selectbox(key=f"map_date_{key}").options[1:] == ["colour", "size"]
    at.switch_page("pages/segments.py").run(timeout=TIMEOUT)
    assert not at.exception
    assert at.error and at.info


def test_naming_the_columns_reads_a_file_the_loader_did_not_recognise(at):
    data = b"Buyer,When,Paid\nann,2026-01-05,10.00\nbob,2026-02-01,25.50\nann,2026-03-09,12.00\n"
    upload(at, "plain.csv", data)
    assert at.error
    key = hashlib.sha256(data).hexdigest()
    at.selectbox(key=f"map_customer_{key}").set_value("Buyer")
    at.selectbox(key=f"map_date_{key}").set_value("When")
    at.selectbox(key=f"map_amount_{key}").set_value("Paid")
    next(b for b in at.button if b.label == "Read the file with these columns").click().run(timeout=TIMEOUT)
    assert not at.exception and not at.error
    expected = read_orders(data, mapping={"customer": "Buyer", "date": "When", "amount": "Paid"})
    assert metric(at, "Orders kept") == f"{len(expected.orders):,}"


def test_dates_that_read_both_ways_get_a_switch(at):
    data = b"Customer,Order,Date,Amount\nann,1,03/04/2026,10\nbob,2,05/06/2026,20\nann,3,07/08/2026,5\n"
    upload(at, "dates.csv", data)
    assert at.radio(key="date_order").value == "auto"
    assert any("read **month-first**" in c.value for c in at.caption)
    at.radio(key="date_order").set_value("day-first").run(timeout=TIMEOUT)
    assert not at.exception
    assert any("read **day-first**" in c.value for c in at.caption)
    expected = analyze(read_orders(data, date_order="day-first").orders, Settings())
    at.switch_page("pages/customers.py").run(timeout=TIMEOUT)
    assert at.selectbox(key="f_customer").value == "ann"  # the best customer comes first
    ann = expected.customers.set_index("customer").loc["ann"]
    assert metric(at, "Last order") == f"{ann['last_order_date']:%d %b %Y}" == "07 Aug 2026"


def test_going_back_to_the_sample(at, sample):
    upload(at, "orders_export.csv", shopify_csv())
    next(b for b in at.button if b.label == "Back to the sample store").click().run(timeout=TIMEOUT)
    at.switch_page("pages/segments.py").run(timeout=TIMEOUT)
    assert tier_table(at)["Customers"].to_dict() == tier_counts(analyze(sample, Settings()))


# --- Lifetime value and retention ----------------------------------------------------------------


def test_acquisition_inputs_give_the_verdict(at, sample):
    opened(at, "pages/value.py")
    assert at.info  # no CAC yet
    at.radio(key="cac_mode").set_value("cac").run(timeout=TIMEOUT)
    at.number_input(key="cac").set_value(10.0).run(timeout=TIMEOUT)
    healthy = analyze(sample, Settings(cac=10.0)).tiers.set_index("tier").loc["All", "ltv_cac"]
    assert healthy >= 3
    assert metric(at, "LTV : CAC (all customers)") == f"{healthy:.1f} : 1"
    assert at.success and not at.error
    at.number_input(key="cac").set_value(200.0).run(timeout=TIMEOUT)
    poor = analyze(sample, Settings(cac=200.0)).tiers.set_index("tier").loc["All", "ltv_cac"]
    assert poor < 3
    assert "Below the 3 : 1 mark" in at.error[0].value


def test_spend_and_new_customers_make_the_cac(at, sample):
    opened(at, "pages/value.py")
    at.number_input(key="spend").set_value(5000.0)
    at.number_input(key="new").set_value(200).run(timeout=TIMEOUT)
    assert metric(at, "Acquisition cost (CAC)") == "$25.00"


def test_the_lifespan_can_come_from_churn(at, sample):
    expected = analyze(sample, Settings(lifespan_from_churn=True))
    assert expected.lifespan_source == "from churn"
    opened(at, "pages/retention.py")
    assert metric(at, "Lifespan in CLV") == "3.00 years"
    next(b for b in at.button if b.label == "Use the lifespan from churn").click().run(timeout=TIMEOUT)
    assert at.toggle(key="churn").value is True
    assert metric(at, "Lifespan in CLV") == f"{expected.lifespan_years:.2f} years"
    assert metric(at, "Churn rate") == f"{expected.retention.churn_rate:.1%}"


# --- One person's data stays theirs (issue 4) ------------------------------------------------------


def shopify_export(people: list[tuple[str, str]]) -> bytes:
    """A Shopify orders export with one order a month per (e-mail, billing name), three months each."""
    lines = ["Name,Email,Financial Status,Created at,Subtotal,Currency,Billing Name,Cancelled at,Refunded Amount"]
    for i, (email, name) in enumerate(people):
        for month in range(1, 4 + i % 3):
            lines.append(f'#{1000 + 10 * i + month},{email},paid,2026-0{month}-1{i % 9} 10:00:00 +0000,'
                         f'{20 + 7 * i:.2f},USD,"{name}",,0.00')
    return ("\n".join(lines) + "\n").encode()


def cached_values() -> dict[str | None, list[bytes]]:
    """Every value in st.cache_data's and st.cache_resource's memory (pickled), by session id (None: the
    global caches)."""
    from streamlit.runtime.caching import cache_data_api, cache_resource_api

    found: dict[str | None, list[bytes]] = {}
    for session, caches in cache_data_api._data_caches._function_caches.items():
        found.setdefault(session, []).extend(v for cache in caches.values() for v in cache.storage._mem_cache.values())
    for session, caches in cache_resource_api._resource_caches._function_caches.items():
        found.setdefault(session, []).extend(
            held(result.value) for cache in caches.values() for result in cache._mem_cache.values())
    return found


def held(value) -> bytes:
    """A cached value's content as bytes: pickled, or for what holds a DuckDB engine, every table in it."""
    if isinstance(value, tuple):
        return b"".join(held(item) for item in value)
    engine = next((e for e in (value, getattr(value, "engine", None), getattr(getattr(value, "summary", None),
                                                                             "engine", None))
                   if isinstance(e, DuckEngine)), None)
    if engine is None:
        return pickle.dumps(value)
    tables = engine.fetch("SELECT table_name FROM information_schema.tables")["table_name"].to_pylist()
    return b"".join(engine.fetch(f"SELECT * FROM {table}").to_pandas().to_csv().encode() for table in tables)


def test_an_upload_is_cached_in_its_session_only(at):
    from streamlit.runtime.caching import clear_session_data_cache, clear_session_resource_cache

    st.cache_data.clear()
    st.cache_resource.clear()
    upload(at, "orders_export.csv", shopify_csv())
    for page in PAGES[:4]:
        at.switch_page(page).run(timeout=TIMEOUT)
    values = cached_values()
    session = next(s for s in values if s is not None)
    assert any(b"ann@shop.test" in v for v in values[session])  # the upload is cached, in the session's caches
    assert values.get(None)  # the sample store, read on the first run, is in the global ones
    assert not any(b"ann@shop.test" in v for v in values[None])
    clear_session_data_cache(session)  # what Streamlit does when the session disconnects
    clear_session_resource_cache(session)
    assert not any(b"ann@shop.test" in v for vs in cached_values().values() for v in vs)


def test_a_file_over_the_upload_limit_is_refused_with_the_command_line(at, sample, monkeypatch):
    from pages import _source

    monkeypatch.setattr(_source, "UPLOAD_LIMIT_MB", 1)
    data = shopify_csv() + b"\n" * 2**20
    upload(at, "huge orders.csv", data)
    assert len(at.error) == 1
    message = at.error[0].value
    assert "huge orders\\.csv is 1 MB, more than the 1 MB" in message and "\n" not in message
    assert 'python -m clv "huge orders.csv" --segments-out' in message
    assert "Sample store: Fernwood Coffee & Tea" in [c.value for c in at.sidebar.caption]  # the file was not taken
    at.switch_page("pages/segments.py").run(timeout=TIMEOUT)
    assert tier_table(at)["Customers"].to_dict() == tier_counts(analyze(sample, Settings()))


def _zip() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("orders.csv", "Customer,Date,Amount\nann,2026-01-05,10\n")
    return buffer.getvalue()


BAD_FILES = {
    "empty": ("orders.csv", b""),
    "binary garbage": ("orders.csv", bytes(range(256)) * 40),
    "renamed zip": ("orders.xlsx", _zip()),
    "header only": ("orders_export.csv", shopify_csv().splitlines()[0] + b"\n"),
}


@pytest.mark.parametrize(("name", "data"), list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_a_bad_file_gets_one_line_and_no_traceback(at, name, data):
    upload(at, name, data)
    for page in ("pages/data.py", "pages/segments.py", "pages/customers.py"):
        at.switch_page(page).run(timeout=TIMEOUT)
        assert not at.exception, page
        assert len(at.error) == 1, (page, [e.value for e in at.error])
        assert at.error[0].value and "\n" not in at.error[0].value
        assert "Traceback" not in at.error[0].value


def test_a_bug_in_a_page_shows_a_short_message_and_logs_no_customer_data(at, monkeypatch, caplog):
    import clv.rfm

    def broken(*args, **kwargs):
        raise RuntimeError("cannot place ann@shop.test (Ann Lee)")

    monkeypatch.setattr(clv.rfm, "rfm_cells", broken)
    with caplog.at_level("DEBUG"):
        opened(at)  # no exception element
    assert len(at.error) == 1
    assert "Something went wrong" in at.error[0].value and "ann@shop.test" not in at.error[0].value
    assert "RuntimeError" in caplog.text and "segments.py" in caplog.text
    assert "ann@shop.test" not in caplog.text and "Ann Lee" not in caplog.text


def test_the_url_never_carries_customer_data(at):
    people = [("zoe.quill@shop.test", "Zoe Quill"), ("yan.oak@shop.test", "Yan Oak"), ("xi.pine@shop.test", "Xi Pine")]
    upload(at, "orders_export.csv", shopify_export(people))
    at.switch_page("pages/customers.py").run(timeout=TIMEOUT)
    at.text_input(key="f_search").set_value("zoe.quill@shop.test").run(timeout=TIMEOUT)
    at.selectbox(key="f_customer").set_value("zoe.quill@shop.test").run(timeout=TIMEOUT)
    at.radio(key="method").set_value("range").run(timeout=TIMEOUT)
    at.text_input(key="currency").set_value("zoe").run(timeout=TIMEOUT)  # typed by the user: not from the file
    assert at.query_params["method"] == "range"
    url = repr(dict(at.query_params)).lower()
    for email, name in people:
        assert email not in url and name.lower() not in url and "quill" not in url


def test_masking_covers_names_that_are_e_mails_and_every_page(at):
    people = [("ann@shop.test", "ann.lee@work.test"), ("bob@shop.test", "Bob Ray"), ("cy@shop.test", "Cy Dunn")]
    upload(at, "orders_export.csv", shopify_export(people))
    at.toggle(key="mask").set_value(True).run(timeout=TIMEOUT)
    full_address = re.compile(r"\w\w+@[\w-]+\.test")
    for page in PAGES:
        at.switch_page(page).run(timeout=TIMEOUT)
        shown = [str(t.value.to_dict()) for t in at.dataframe]
        shown += [e.value for kind in ("markdown", "caption", "text", "subheader", "error", "warning")
                  for e in at.get(kind)]
        shown += [str(box.options) for box in at.selectbox]
        assert not any(full_address.search(text) for text in shown), (page, [s for s in shown if "@" in s])
    at.switch_page("pages/data.py").run(timeout=TIMEOUT)
    at.toggle(key="map_open").set_value(True).run(timeout=TIMEOUT)  # the file's first rows
    preview = next(t.value for t in at.dataframe if "Email" in t.value.columns)
    assert not full_address.search(str(preview.to_dict())) and "a***@work.test" in str(preview.to_dict())
    at.switch_page("pages/customers.py").run(timeout=TIMEOUT)
    assert any("a***@work.test" in option for option in at.selectbox(key="f_customer").options)


def test_names_with_markdown_and_latex_are_shown_as_text(at):
    people = [("m@shop.test", "$x^2$ **md** <b>bold</b>"), ("n@shop.test", "Ned Bay")]
    upload(at, "orders_export.csv", shopify_export(people))
    at.switch_page("pages/customers.py").run(timeout=TIMEOUT)
    at.selectbox(key="f_customer").set_value("m@shop.test").run(timeout=TIMEOUT)
    assert at.subheader[0].value == r"\$x^2\$ \*\*md\*\* \<b\>bold\</b\>"


# --- Colours -------------------------------------------------------------------------------------------


def drawn_shapes(spec: dict) -> list[tuple[str, str | None, str | None]]:
    """(fill, outline, colour of the text inside) of every bar and tile of a Plotly figure painted in one colour
    (not by a scale)."""
    shapes = []
    for trace in spec["data"]:
        marker = trace.get("marker", {})
        if trace["type"] == "bar":
            fills = marker.get("color")
            font = trace.get("insidetextfont") or trace.get("textfont") or {}
            text = font.get("color", "unset") if trace.get("textposition") == "inside" and "text" in trace else None
        elif trace["type"] == "treemap":
            fills, text = marker.get("colors"), trace.get("textfont", {}).get("color", "unset")
        else:
            continue
        count = len(fills) if isinstance(fills, list) else 1
        each = lambda value: value if isinstance(value, list) else [value] * count  # noqa: E731
        outlines = each(marker.get("line", {}).get("color"))
        shapes += [shape for shape in zip(each(fills), outlines, each(text)) if str(shape[0]).startswith("#")]
    return shapes


@pytest.mark.parametrize("page", ["pages/segments.py", "pages/value.py"], ids=["segments", "value"])
def test_bars_and_tiles_stand_out_and_their_text_reads(at, page):
    at.query_params.update({"cac_mode": "cac", "cac": "20"})  # the LTV : CAC chart too
    opened(at, page)
    shapes = [shape for chart in at.get("plotly_chart") for shape in drawn_shapes(json.loads(chart.proto.spec))]
    assert {fill for fill, _, _ in shapes} >= set(TIER_COLOURS.values())
    for fill, outline, text in shapes:
        assert max(contrast_ratio(fill, WHITE), contrast_ratio(outline or fill, WHITE)) >= SHAPE_CONTRAST, fill
        assert text is None or contrast_ratio(text, fill) >= TEXT_CONTRAST, (fill, text)


# --- A phone's width ------------------------------------------------------------------------------------


def test_the_heatmap_cells_hold_lines_short_enough_for_a_phone(at):
    # A cell is a third of the chart, about 95 px on a 390 px phone: ten characters at 12 px.
    opened(at)
    heat = next(trace for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]
                if trace["type"] == "heatmap")
    lines = [line for row in heat["text"] for cell in row for line in cell.split("<br>")]
    assert "customers" in lines and max(map(len, lines)) <= 10, lines
