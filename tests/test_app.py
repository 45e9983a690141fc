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

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from google.protobuf.json_format import MessageToDict
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from clv.analysis import analyze
from clv.campaign import campaign_audience, campaign_hashes, campaign_list
from clv.colours import SHAPE_CONTRAST, TEXT_CONTRAST, WHITE, contrast_ratio
from clv.engine import DuckEngine
from clv.export import CUSTOMER_COLUMNS, customers_export, segments_export, to_csv
from clv.headline import headline, quiet_customers
from clv.load import read_orders
from clv.predict import prediction_fit, prediction_inputs, prediction_table
from clv.read import read_into_engine
from clv.sample import SAMPLE_PATH
from clv.settings import TIER_COLOURS, Settings
from clv.share import report_html

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["pages/segments.py", "pages/value.py", "pages/retention.py", "pages/customers.py", "pages/predictions.py",
         "pages/data.py"]
DASHBOARD = PAGES[:-1]  # every page but the data page
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


def words_on_screen(at: AppTest) -> list[str]:
    """Every text the page shows: each element's text, label, help, placeholder and options, the charts' words
    and the tables' cells."""

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [re.sub(r"\\(.)", r"\1", value)]  # as markdown shows it: \$ is $
        if isinstance(value, dict):
            return [text for key, item in value.items() if key not in ("id", "formId", "data")
                    for text in strings(item)]
        if isinstance(value, list):
            return [text for item in value for text in strings(item)]
        return []

    shown = []
    for node in at._tree:
        if getattr(node, "type", None) in ("dataframe", "table"):
            styled = node.proto.arrow_data
            cells = (pa.ipc.open_stream(styled.styler.display_values).read_all().to_pandas()  # as formatted
                     if styled.HasField("styler") else node.value)
            shown.append(str(cells.to_dict()))
        elif getattr(node, "proto", None) is not None:
            shown += strings(MessageToDict(node.proto))
    return shown


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


@pytest.mark.parametrize("page", DASHBOARD, ids=[Path(p).stem for p in DASHBOARD])
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


def test_a_link_restores_the_customer_filters_and_search(at, sample):
    everyone = customers_export(analyze(sample, Settings(method="range")))
    wanted = everyone.loc[(everyone["tier"] == "High") & everyone["m"].between(2, 3)
                          & everyone["email"].str.contains("example.org", case=False, regex=False)]
    assert 1 < len(wanted) < (everyone["tier"] == "High").sum()
    link = {"method": "range", "f_tier": "High", "f_m": "2-3", "f_search": "example.org", "f_sort": "Spend",
            "f_direction": "Lowest"}
    at.query_params.update(link)
    opened(at)
    assert at.query_params == {"method": "range"}  # the Segments page: the customer filters are not its own
    at.switch_page("pages/customers.py").run(timeout=TIMEOUT)
    assert at.multiselect(key="f_tier").value == ["High"]
    assert at.slider(key="f_m").value == (2, 3)
    assert at.text_input(key="f_search").value == "example.org"
    assert at.selectbox(key="f_sort").value == "Spend"
    assert at.get("button_group")[0].value == "Lowest"
    assert any(m.value.startswith(f"**{len(wanted):,}** of {len(everyone):,} customers") for m in at.markdown)
    listed = next(t.value for t in at.dataframe if "customer" in t.value.columns)
    assert listed["monetary"].iloc[0] == wanted["monetary"].min()
    assert at.query_params == link


def test_the_link_drops_what_no_longer_applies(at):
    at.query_params.update({"days": "200", "spend": "500", "cac_mode": "cac", "cac": "20", "f_direction": "Lowest"})
    opened(at)
    assert at.query_params == {"cac_mode": "cac", "cac": "20"}  # days without a custom window, spend without its mode
    at.selectbox(key="window").set_value("custom").run(timeout=TIMEOUT)
    assert at.number_input(key="days").value == 365  # not the stale 200
    at.number_input(key="days").set_value(200).run(timeout=TIMEOUT)
    assert at.query_params["days"] == "200"
    at.selectbox(key="window").set_value("90").run(timeout=TIMEOUT)
    assert at.query_params == {"window": "90", "cac_mode": "cac", "cac": "20"}
    at.switch_page("pages/customers.py").run(timeout=TIMEOUT)
    at.selectbox(key="f_sort").set_value("Orders").run(timeout=TIMEOUT)
    assert at.query_params["f_sort"] == "Orders" and "f_direction" not in at.query_params
    at.get("button_group")[0].set_value("Lowest").run(timeout=TIMEOUT)
    assert at.query_params["f_direction"] == "Lowest"
    at.selectbox(key="f_sort").set_value("Best first").run(timeout=TIMEOUT)
    assert not {"f_sort", "f_direction"} & set(at.query_params)  # the order means nothing for "best first"


# --- Settings a person can get wrong ---------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "moved", "after"),
    [((5, 7), (7, 7), (6, 7)), ((5, 7), (5, 5), (5, 6)), ((5, 7), (6, 6), (6, 7)), ((8, 9), (9, 9), (8, 9))],
    ids=["medium-onto-high", "high-onto-medium", "both", "at-the-top"],
)
def test_the_tier_handles_cannot_meet(at, sample, before, moved, after):
    opened(at)
    at.slider(key="tiers").set_value(before).run(timeout=TIMEOUT)
    at.slider(key="tiers").set_value(moved).run(timeout=TIMEOUT)
    assert not at.exception and not at.error and not at.warning
    assert at.slider(key="tiers").value == after
    assert tier_table(at)["Customers"].to_dict() == tier_counts(analyze(sample, Settings(tier_cuts=after)))
    assert at.query_params["tiers"] == f"{after[0]}-{after[1]}"


def dropped_as_of(day: str, first: dt.date) -> str:
    return (f"The as-of date {day} is before the first order ({first:%d %b %Y}), so the analysis looks back from "
            f"the latest order. To look back from another day, pick one from {first:%d %b %Y} on in the sidebar.")


def test_an_as_of_date_before_the_first_order_cannot_be_picked_and_a_link_s_is_dropped(at, sample):
    first = sample["date"].min().date()
    at.query_params["as_of"] = "2001-01-01"
    opened(at)
    assert at.date_input(key="as_of").min == first  # the picker offers no earlier day
    assert not at.exception and not at.error and not at.info
    assert [w.value for w in at.warning] == [dropped_as_of("01 Jan 2001", first)]
    assert at.date_input(key="as_of").value is None
    assert "as_of" not in at.query_params
    assert tier_table(at)["Customers"].to_dict() == tier_counts(analyze(sample, Settings()))  # the page is kept
    at.switch_page("pages/retention.py").run(timeout=TIMEOUT)
    assert not at.warning  # said once


def test_an_as_of_date_kept_from_the_sample_is_dropped_for_a_file_that_starts_later(at):
    opened(at)
    at.date_input(key="as_of").set_value(dt.date(2025, 1, 1)).run(timeout=TIMEOUT)
    upload(at, "orders_export.csv", shopify_csv())
    assert [w.value for w in at.warning] == [dropped_as_of("01 Jan 2025", dt.date(2025, 8, 30))]
    assert not at.error


def test_a_window_with_no_customer_says_what_to_change_once(at):
    opened(at)
    at.date_input(key="as_of").set_value(dt.date(2030, 1, 1))
    at.selectbox(key="window").set_value("90").run(timeout=TIMEOUT)
    assert not at.exception and not at.error and not at.info
    assert [w.value for w in at.warning] == [
        "No customer has an order from 04 Oct 2029 to 01 Jan 2030. Choose a longer window in the sidebar, or an "
        "as-of date closer to your orders."
    ]


def test_the_currency_symbol_is_for_display(at):
    opened(at)
    at.text_input(key="currency").set_value("€").run(timeout=TIMEOUT)
    assert metric(at, "Average order value").startswith("€")


def test_a_customers_first_order_is_their_first_ever_and_window_figures_say_so(at):
    # Marcus Allen's first order in the sample is 2024-11-03, before the default window (from 2025-11-01).
    opened(at, "pages/customers.py")
    picker = at.selectbox(key="f_customer")
    picker.set_value(next(o for o in picker.options if o.startswith("Marcus Allen"))).run(timeout=TIMEOUT)
    figures = {m.label: m.value for m in at.metric}
    assert figures["First order ever"] == "03 Nov 2024"
    assert figures["Orders in the window"] == "14"
    assert "Spend in the window" in figures


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
    assert labels[-4:] == ["Download report (HTML)", "Download segments (CSV)", "Download customers (CSV)",
                           "Download Excel workbook"]
    expected = analyze(sample, Settings())
    assert made["segments.csv"]() == to_csv(segments_export(expected))
    assert made["customers.csv"]() == to_csv(customers_export(expected))
    assert made["rfm_clv.xlsx"]()[:2] == b"PK"  # an .xlsx is a zip file


def test_the_report_download_is_the_cores_report(at, sample, made):
    opened(at)
    expected = analyze(sample, Settings())
    report = read_orders(SAMPLE_PATH).report
    assert made["customer_value_report.html"]() == report_html(
        expected, report, source="Fernwood Coffee & Tea", symbol="$")


def test_the_report_carries_the_customer_list_only_when_asked_and_masked_when_masking(at, sample, made):
    opened(at)
    assert "<h2>Customers</h2>" not in made["customer_value_report.html"]()
    at.toggle(key="mask").set_value(True).run(timeout=TIMEOUT)
    at.checkbox(key="report_customers").check().run(timeout=TIMEOUT)
    page = made["customer_value_report.html"]()
    assert "<h2>Customers</h2>" in page and "E-mail addresses are masked." in page
    assert not set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", page)) & set(sample["email"].dropna())


def test_the_customer_list_filters_searches_and_exports_its_rows(at, sample, made):
    everyone = customers_export(analyze(sample, Settings()), consent=True)
    high = everyone.loc[everyone["tier"] == "High"]
    opened(at, "pages/customers.py")
    at.multiselect(key="f_tier").set_value(["High"]).run(timeout=TIMEOUT)
    assert any(m.value.startswith(f"**{len(high):,}** of {len(everyone):,} customers") for m in at.markdown)
    at.text_input(key="f_search").set_value("EXAMPLE.ORG").run(timeout=TIMEOUT)
    wanted = high.loc[high["email"].str.contains("example.org", case=False, regex=False)
                      | high["customer"].str.contains("example.org", case=False, regex=False)]
    agreed = wanted.loc[wanted["accepts_marketing"].fillna(False).astype(bool), CUSTOMER_COLUMNS]
    assert 0 < len(agreed) < len(wanted) < len(high)
    assert made["customers_selection.csv"]() == to_csv(agreed)


def test_campaign_downloads_hold_only_customers_who_agreed_unless_asked(at, sample, made):
    everyone = customers_export(analyze(sample, Settings()), consent=True)
    agreed = everyone.loc[everyone["accepts_marketing"].fillna(False).astype(bool), CUSTOMER_COLUMNS]
    declined = int((~everyone["accepts_marketing"]).fillna(False).sum())
    assert 0 < declined == len(everyone) - len(agreed)  # the sample says yes or no for everyone
    opened(at, "pages/customers.py")
    assert any(f"The downloads hold the {len(agreed):,} customers who agreed to marketing e-mails. Left out: "
               f"{declined:,} customers who did not agree." == c.value for c in at.caption)
    assert made["customers_selection.csv"]() == to_csv(agreed)
    assert made["email_list.csv"]() == to_csv(campaign_list(agreed))
    assert made["ads_audience_sha256.csv"]() == to_csv(campaign_hashes(agreed))
    assert [b.label for b in at.get("download_button")][:2] == [f"Download {len(agreed):,} (CSV)",
                                                                 f"Download {len(agreed):,} (Excel)"]

    at.checkbox(key="f_everyone").check().run(timeout=TIMEOUT)
    assert made["customers_selection.csv"]() == to_csv(everyone[CUSTOMER_COLUMNS])
    assert any(f"The downloads include {declined:,} customers who did not agree" in w.value for w in at.warning)


def test_a_long_customer_list_shows_its_first_rows_and_downloads_them_all(at, made):
    rows = [f"c{i},{i},2026-0{1 + i % 6}-{1 + i % 28:02d},{5 + i % 90}.25" for i in range(10_050)]
    data = ("customer_id,order_id,order_date,amount\n" + "\n".join(rows) + "\n").encode()
    upload(at, "many.csv", data)
    at.switch_page("pages/customers.py").run(timeout=TIMEOUT)
    assert not at.exception
    listed = next(t.value for t in at.dataframe if "customer" in t.value.columns)
    assert len(listed) == 10_000
    assert any("The first 10,000 of these 10,050 customers are shown" in c.value for c in at.caption)
    # The file says nothing about consent: everyone is in the downloads, and the page says why.
    assert any(c.value.startswith("Your file does not say who agreed to marketing e-mails") for c in at.caption)
    assert made["customers_selection.csv"]().count(b"\n") == 10_051  # the header and every customer
    # Too many rows to colour on screen: the page says so, and the workbook keeps every row's colour.
    assert any(c.value.startswith("Tiers are coloured on screen for lists of up to 5,000") for c in at.caption)
    sheet = openpyxl.load_workbook(io.BytesIO(made["customers_selection.xlsx"]()))["Customers"]
    tier = [cell.value for cell in sheet[1]].index("Tier")
    colours = {(row[tier].value, row[tier].fill.fgColor.rgb[-6:]) for row in sheet.iter_rows(min_row=2)}
    assert colours == {(name, colour[1:]) for name, colour in TIER_COLOURS.items()}


# --- Predictions ---------------------------------------------------------------------------------


def predicted_customers(sample: pd.DataFrame, horizon_days: int = 365, margin: float = 1.0) -> pd.DataFrame:
    """The core's customer file with its predictions, as ``python -m clv --predict`` writes it, and who agreed
    to marketing."""
    engine = DuckEngine.of_orders(sample)
    analysis = analyze(engine, Settings(margin=margin))
    inputs = prediction_inputs(engine, analysis.window.as_of)
    predicted = prediction_table(prediction_fit(inputs), inputs, analysis.customers["customer"], horizon_days,
                                 margin)
    return customers_export(analysis, predicted, consent=True)


def test_the_predictions_are_the_cores(at, sample):
    expected = predicted_customers(sample)
    opened(at, "pages/predictions.py")
    assert not at.error and not at.warning
    assert metric(at, "Predicted value, next 1 year") == f"${expected['predicted_clv'].sum():,.2f}"
    assert metric(at, "Expected orders, next 1 year") == f"{expected['expected_orders'].sum():,.0f}"
    table = next(t.value for t in at.dataframe if "Average P(alive)" in t.value.columns).set_index("Tier")
    assert table["Customers"].to_dict() == expected["tier"].value_counts().reindex(
        ["High", "Medium", "Low"]).to_dict() | {"All": len(expected)}
    assert table.loc["All", "Average P(alive)"] == pytest.approx(expected["p_alive"].mean(), abs=1e-4)
    assert table.loc["High", "Predicted value per customer, 1 year"] == pytest.approx(
        expected.loc[expected["tier"] == "High", "predicted_clv"].mean(), abs=0.01)


def test_a_horizon_margin_or_tier_change_does_not_refit(at, sample, monkeypatch):
    from pages import _source

    calls = []

    def counting(inputs):
        calls.append(1)
        return prediction_fit(inputs)

    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setattr(_source, "prediction_fit", counting)
    opened(at, "pages/predictions.py")
    at.segmented_control(key="horizon").set_value(180).run(timeout=TIMEOUT)
    at.number_input(key="margin").set_value(40.0).run(timeout=TIMEOUT)
    at.slider(key="tiers").set_value((4, 8)).run(timeout=TIMEOUT)
    assert not at.exception
    expected = predicted_customers(sample, horizon_days=180, margin=0.4)
    assert metric(at, "Predicted value, next 6 months") == f"${expected['predicted_clv'].sum():,.2f}"
    assert at.query_params["horizon"] == "180"  # a link carries the horizon too
    assert len(calls) == 1


def test_valuable_and_slipping_customers_are_listed_and_downloaded(at, sample, made):
    everyone = predicted_customers(sample)
    slipping = everyone.loc[(everyone["m"] == 3) & (everyone["p_alive"] < 0.3)].sort_values(
        "monetary", ascending=False, kind="stable")
    assert 0 < len(slipping) < (everyone["m"] == 3).sum()  # otherwise the test could not tell the filter works
    opened(at, "pages/predictions.py")
    at.slider(key="slipping_below").set_value(30).run(timeout=TIMEOUT)
    assert any(m.value.startswith(f"**{len(slipping):,}** customers spent the most") for m in at.markdown)
    agreed = campaign_audience(slipping).customers  # a win-back list: only those who agreed to marketing
    assert made["valuable_and_slipping.csv"]() == to_csv(agreed)


def test_too_little_data_to_predict_says_why_and_shows_no_numbers(at):
    upload(at, "orders_export.csv", shopify_csv())  # nine customers: too few came back to fit anything
    at.switch_page("pages/predictions.py").run(timeout=TIMEOUT)
    assert not at.exception and not at.error
    assert any("at least 100 customers who bought again" in w.value for w in at.warning)
    assert not at.metric


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
    for page in DASHBOARD:
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
    assert len(at.error) == 1 and not at.info  # one message saying what to do, nothing under it


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
    assert any("read **month first (03/04/2026 is March 4)**" in c.value for c in at.caption)
    at.radio(key="date_order").set_value("day-first").run(timeout=TIMEOUT)
    assert not at.exception
    assert any("read **day first (03/04/2026 is 3 April)**" in c.value for c in at.caption)
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


# --- A store owner's words (issue 14, item 6) -------------------------------------------------------------


def test_segments_opens_with_a_headline_from_the_data_and_its_export(at, sample, made):
    expected = analyze(sample, Settings())
    top = headline(expected.tiers, expected.customers, expected.window.length_days)
    quiet = quiet_customers(customers_export(expected))
    assert top.quiet == len(quiet) > 0
    opened(at)
    assert at.markdown[1].value == (  # the first thing under the sample banner
        f"Your High tier: **{top.customers:,} customers ({top.share_customers:.1%})** brought "
        f"**{top.share_revenue:.1%} of revenue** in the window. **{len(quiet):,} of them have not bought for 90 "
        "days or more:** export them to win them back."
    )
    # A win-back list is a campaign's: only those who agreed to marketing (the sample says yes or no for all).
    agreed = quiet_customers(customers_export(expected, consent=True))
    agreed = agreed.loc[agreed["accepts_marketing"].astype(bool), CUSTOMER_COLUMNS]
    assert 0 < len(agreed) < len(quiet)
    assert at.get("download_button")[0].label == f"Export these {len(agreed):,} (CSV)"
    assert made["high_not_bought_for_90_days.csv"]() == to_csv(agreed)


def test_the_headline_of_a_short_window_and_of_an_empty_high_tier(at):
    opened(at)
    at.selectbox(key="window").set_value("90").run(timeout=TIMEOUT)
    assert at.markdown[1].value.startswith("Your High tier: ") and "not bought" not in at.markdown[1].value
    assert not any(b.label.startswith("Export these") for b in at.get("download_button"))
    # One order each: everyone scores F=2, so no RFM score reaches 9.
    rows = [f"c{i},{i},2026-0{1 + i}-10,{10 * (i + 1)}.00" for i in range(6)]
    upload(at, "once.csv", ("customer_id,order_id,order_date,amount\n" + "\n".join(rows) + "\n").encode())
    at.slider(key="tiers").set_value((8, 9))
    at.switch_page("pages/segments.py").run(timeout=TIMEOUT)
    assert at.markdown[0].value == "No customer reaches the High tier (an RFM score of 9 or more) in this window."


def test_the_cut_points_say_who_gets_each_score(at, sample):
    cuts = analyze(sample, Settings()).cuts.set_index(["variable", "score"])
    opened(at)
    shown = next(t.value for t in at.dataframe if "Measure" in t.value.columns).set_index(["Measure", "score"])
    r3, r2, f3, m1 = (cuts.loc[key] for key in [("recency_days", 3), ("recency_days", 2), ("frequency", 3),
                                                 ("monetary", 1)])
    assert shown.loc[("Recency", 3)].tolist() == [
        r3["customers"], f"last order {r3['lower']:.0f} to {r3['upper']:.0f} days ago",
        f"last order {r3['threshold']:.0f} days ago or less"]
    assert shown.loc[("Recency", 2), "Cut"] == f"last order {r2['threshold']:.0f} days ago or less"
    assert shown.loc[("Recency", 1), "Cut"] == "–"  # score 1 is everyone else, not "begins at 364 days"
    assert shown.loc[("Frequency", 3), "Cut"] == f"{f3['threshold']:.0f} orders or more"
    assert shown.loc[("Money", 1), "Values"] == f"${m1['lower']:,.2f} to ${m1['upper']:,.2f}"


JARGON = re.compile(r"(?<![\w-])--[a-z]|Recognised as|recognised headers|year-first|Score begins|scores by quantile")


def test_the_pages_speak_a_store_owners_words(at):
    ambiguous = b"Customer,Order,Date,Amount\nann,1,03/04/2026,10\nbob,2,05/06/2026,20\nann,3,07/08/2026,5\n"
    seen = {}
    opened(at)
    for page in PAGES:
        at.switch_page(page).run(timeout=TIMEOUT)
        seen[f"sample {page}"] = words_on_screen(at)
    upload(at, "dates.csv", ambiguous)
    seen["ambiguous dates"] = words_on_screen(at)
    upload(at, "sizes.csv", b"colour,size\nred,3\nblue,4\n")
    seen["no usable column"] = words_on_screen(at)
    at.switch_page("pages/segments.py").run(timeout=TIMEOUT)
    seen["no usable column, segments"] = words_on_screen(at)
    found = {where: [t for t in texts if JARGON.search(t)] for where, texts in seen.items()}
    assert not any(found.values()), {where: texts for where, texts in found.items() if texts}
    assert any("File type: **Table of orders, columns found by their headers**" in t for t in seen["ambiguous dates"])
    assert any("Dates were read **month first (03/04/2026 is March 4)**" in t for t in seen["ambiguous dates"])


def test_a_figure_is_rounded_the_same_way_everywhere(at, sample):
    expected = analyze(sample, Settings(lifespan_from_churn=True, cac=33.0))
    everyone = expected.tiers.set_index("tier").loc["All"]
    lifespan, ratio, share = expected.lifespan_years, everyone["ltv_cac"], expected.tiers["share_customers"].iloc[0]
    assert f"{lifespan:.2f}"[-1] != "0" and f"{ratio:.2f}"[-1] != "0"  # else the two roundings could not differ
    opened(at)
    at.toggle(key="churn").set_value(True).run(timeout=TIMEOUT)
    shown = words_on_screen(at)
    at.switch_page("pages/value.py").run(timeout=TIMEOUT)
    at.radio(key="cac_mode").set_value("cac").run(timeout=TIMEOUT)
    at.number_input(key="cac").set_value(33.0).run(timeout=TIMEOUT)
    shown += words_on_screen(at)
    at.switch_page("pages/retention.py").run(timeout=TIMEOUT)
    shown += words_on_screen(at)
    text = "\n".join(shown)
    assert f"{lifespan:.1f} years" in text and f"{lifespan:.2f}" not in text
    assert f"{ratio:.1f} : 1" in text and f"{ratio:.2f}" not in text
    assert f"{share:.1%}" in text and not re.search(rf"(?<![\d.]){share:.0%}", text)
    for money in everyone[["revenue", "clv"]]:
        assert f"${money:,.2f}" in text and not re.search(re.escape(f"${money:,.0f}") + r"(?![.\d])", text)


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
    assert metric(at, "Lifespan in CLV") == "3 years"
    next(b for b in at.button if b.label == "Use the lifespan from churn").click().run(timeout=TIMEOUT)
    assert at.toggle(key="churn").value is True
    assert metric(at, "Lifespan in CLV") == f"{expected.lifespan_years:.1f} years"
    assert metric(at, "Churn rate") == f"{expected.retention.churn_rate:.1%}"


def test_beside_the_assumed_lifespan_the_data_suggests_one_and_one_click_uses_it(at, sample):
    expected = analyze(sample, Settings(lifespan_from_churn=True))
    suggested, churn = expected.retention.lifespan_years, expected.retention.churn_rate
    opened(at, "pages/value.py")
    captions = [c.value for c in at.sidebar.caption]
    assert f"Your data suggests {suggested:.1f} years: 1 / your churn of {churn:.1%} a year." in captions
    next(b for b in at.sidebar.button if b.label == f"Use {suggested:.1f} years").click().run(timeout=TIMEOUT)
    assert at.toggle(key="churn").value is True
    assert tier_table(at).loc["All", "CLV"] == pytest.approx(expected.tiers.set_index("tier").loc["All", "clv"])
    assert f"CLV uses {suggested:.1f} years, from your churn of {churn:.1%} a year." in [
        c.value for c in at.sidebar.caption]
    assert not any(b.label.startswith("Use ") for b in at.sidebar.button)


def test_a_store_too_young_for_churn_is_told_so_beside_the_lifespan(at):
    upload(at, "orders_export.csv", shopify_csv())  # orders from August 2025: no customer in the year before
    assert any(c.value.startswith("Your orders cannot suggest a lifespan yet") for c in at.sidebar.caption)
    assert not any(b.label.startswith("Use ") for b in at.sidebar.button)


def test_a_margin_of_100_percent_says_clv_is_revenue_not_profit(at):
    opened(at, "pages/value.py")
    assert [i.value for i in at.info][0].startswith("The margin is 100%, so this CLV is revenue, not profit.")
    assert at.caption[0].value.endswith("margin 100%: CLV is revenue, not profit")
    at.number_input(key="margin").set_value(40.0).run(timeout=TIMEOUT)
    assert not any("not profit" in i.value for i in at.info)
    assert at.caption[0].value.endswith("margin 40%")


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
    for page in DASHBOARD:
        at.switch_page(page).run(timeout=TIMEOUT)
    values = cached_values()
    session = next(s for s in values if s is not None)
    assert any(b"ann@shop.test" in v for v in values[session])  # the upload is cached, in the session's caches
    assert values.get(None)  # the sample store, read on the first run, is in the global ones
    assert not any(b"ann@shop.test" in v for v in values[None])
    clear_session_data_cache(session)  # what Streamlit does when the session disconnects
    clear_session_resource_cache(session)
    assert not any(b"ann@shop.test" in v for vs in cached_values().values() for v in vs)


def test_a_file_over_the_upload_limit_is_refused_saying_how_to_make_it_fit(at, sample, monkeypatch):
    from pages import _source

    monkeypatch.setattr(_source, "UPLOAD_LIMIT_MB", 1)
    data = shopify_csv() + b"\n" * 2**20
    upload(at, "huge orders.csv", data)
    assert len(at.error) == 1
    message = at.error[0].value
    assert "huge orders\\.csv is 1 MB, more than the 1 MB" in message and "\n" not in message
    assert "compressed as a .csv.gz file" in message and "--" not in message
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
