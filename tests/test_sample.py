"""The sample store's export: generated deterministically, shipped unchanged, shaped like Shopify's."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from clv.sample import SAMPLE_PATH, sample_orders_csv

HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount",
    "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku",
    "Billing Name", "Billing City", "Billing Country", "Cancelled at", "Refunded Amount",
    "Id", "Tags", "Source",
]  # fmt: skip
ON_EVERY_ROW = ["Name", "Email", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku"]
MONEY = ["Subtotal", "Shipping", "Taxes", "Total", "Discount Amount", "Refunded Amount"]


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    """The shipped sample file, every field as written."""
    return pd.read_csv(SAMPLE_PATH, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def first_rows(shipped: pd.DataFrame) -> pd.DataFrame:
    """An order's first row carries its Id; later line-item rows do not."""
    return shipped[shipped["Id"] != ""]


def cents(text: pd.Series) -> pd.Series:
    """Text such as "15.90" -> whole cents as integers."""
    return text.str.replace(".", "", regex=False).astype(int)


def test_generator_is_deterministic():
    assert sample_orders_csv() == sample_orders_csv()


def test_another_seed_gives_another_store():
    assert sample_orders_csv(seed=8) != sample_orders_csv()


def test_shipped_file_is_what_the_generator_writes():
    # Regenerate with `python -m clv.sample` after changing the generator.
    assert SAMPLE_PATH.read_bytes() == sample_orders_csv()


def test_shipped_file_is_small_enough_for_the_repo():
    assert SAMPLE_PATH.stat().st_size < 1_500_000


def test_header_is_shopifys():
    header = pd.read_csv(io.BytesIO(sample_orders_csv()), nrows=0).columns.tolist()
    assert header == HEADER


def test_money_has_two_decimals_and_a_dot(first_rows: pd.DataFrame, shipped: pd.DataFrame):
    for column in MONEY:
        assert first_rows[column].str.fullmatch(r"\d+\.\d{2}").all(), column
    assert shipped["Lineitem price"].str.fullmatch(r"\d+\.\d{2}").all()
    assert (first_rows["Currency"] == "USD").all()


def test_total_is_subtotal_plus_shipping_plus_taxes(first_rows: pd.DataFrame):
    total = cents(first_rows["Subtotal"]) + cents(first_rows["Shipping"]) + cents(first_rows["Taxes"])
    pd.testing.assert_series_equal(total, cents(first_rows["Total"]), check_names=False)


def test_subtotal_is_line_items_less_discount(shipped: pd.DataFrame, first_rows: pd.DataFrame):
    line = shipped["Lineitem quantity"].astype(int) * cents(shipped["Lineitem price"])
    items = line.groupby(shipped["Name"]).sum()
    expected = items.loc[first_rows["Name"]].to_numpy() - cents(first_rows["Discount Amount"]).to_numpy()
    assert (cents(first_rows["Subtotal"]).to_numpy() == expected).all()


def test_shipping_is_free_from_fifty_dollars_and_at_the_market(first_rows: pd.DataFrame):
    free = (cents(first_rows["Subtotal"]) >= 5000) | (first_rows["Source"] == "pos")
    expected = free.map({True: "0.00", False: "5.90"})
    pd.testing.assert_series_equal(first_rows["Shipping"], expected, check_names=False)


def test_taxes_are_about_eight_percent(first_rows: pd.DataFrame):
    rate = cents(first_rows["Taxes"]).sum() / cents(first_rows["Subtotal"]).sum()
    assert 0.07 < rate < 0.09


def test_discount_codes_on_about_a_tenth_of_orders(first_rows: pd.DataFrame):
    coded = first_rows["Discount Code"] != ""
    assert 0.07 < coded.mean() < 0.13
    assert (cents(first_rows.loc[coded, "Discount Amount"]) > 0).all()
    assert (first_rows.loc[~coded, "Discount Amount"] == "0.00").all()


def test_later_line_item_rows_leave_order_fields_blank(shipped: pd.DataFrame):
    later = shipped[shipped["Id"] == ""]
    assert len(later) > 1000
    order_fields = [column for column in HEADER if column not in ON_EVERY_ROW]
    assert (later[order_fields] == "").all().all()
    assert (later[["Name", "Created at", "Lineitem name", "Lineitem price"]] != "").all().all()


def test_every_row_of_an_order_repeats_name_email_and_date(shipped: pd.DataFrame):
    per_order = shipped.groupby("Name")[["Email", "Created at"]].nunique()
    assert (per_order == 1).all().all()


def test_one_to_four_line_items_per_order(shipped: pd.DataFrame):
    assert set(shipped.groupby("Name").size()) == {1, 2, 3, 4}


def test_orders_are_numbered_from_1001_in_time_order(first_rows: pd.DataFrame):
    number = first_rows["Name"].str.removeprefix("#").astype(int)
    assert number.tolist() == list(range(1001, 1001 + len(first_rows)))
    created = pd.to_datetime(first_rows["Created at"], format="%Y-%m-%d %H:%M:%S %z", utc=True)
    assert created.is_monotonic_increasing
    assert (first_rows["Id"].astype(int).diff().dropna() > 0).all()


def test_dates_span_thirty_months_ending_october_2026(first_rows: pd.DataFrame):
    day = pd.to_datetime(first_rows["Created at"].str[:10])
    assert day.min().strftime("%Y-%m") == "2024-05"
    assert day.max() == pd.Timestamp("2026-10-31")


def test_offsets_follow_pacific_daylight_saving(shipped: pd.DataFrame):
    wall_clock = pd.to_datetime(shipped["Created at"].str[:19])
    offset = wall_clock.dt.tz_localize("America/Los_Angeles").dt.strftime("%z")
    pd.testing.assert_series_equal(offset, shipped["Created at"].str[-5:], check_names=False)
    assert set(offset) == {"-0700", "-0800"}


@pytest.mark.parametrize("year", [2024, 2025])
def test_november_and_december_are_the_busiest_months_of_the_year(first_rows: pd.DataFrame, year: int):
    day = pd.to_datetime(first_rows["Created at"].str[:10])
    busiest = day[day.dt.year == year].dt.month.value_counts().index[:2]
    assert set(busiest) == {11, 12}


def test_the_store_grows(first_rows: pd.DataFrame):
    day = pd.to_datetime(first_rows["Created at"].str[:10])
    first_half = ((day >= "2025-01-01") & (day < "2025-07-01")).sum()
    a_year_later = ((day >= "2026-01-01") & (day < "2026-07-01")).sum()
    assert a_year_later > 1.1 * first_half


def test_cancelled_orders_are_voided_or_refunded(first_rows: pd.DataFrame):
    cancelled = first_rows[first_rows["Cancelled at"] != ""]
    assert 0.01 < len(cancelled) / len(first_rows) < 0.03
    assert set(cancelled["Financial Status"]) == {"voided", "refunded"}
    refunded = cancelled[cancelled["Financial Status"] == "refunded"]
    assert (refunded["Refunded Amount"] == refunded["Total"]).all()
    assert (cancelled["Cancelled at"] > cancelled["Created at"]).all()


def test_refunds_are_partial_or_full(first_rows: pd.DataFrame):
    kept = first_rows[first_rows["Cancelled at"] == ""]
    refund, total = cents(kept["Refunded Amount"]), cents(kept["Total"])
    partly = kept["Financial Status"] == "partially_refunded"
    fully = kept["Financial Status"] == "refunded"
    assert 0.02 < (partly | fully).mean() < 0.04
    assert ((refund > 0) & (refund < total))[partly].all()
    assert (refund == total)[fully].all()
    assert (refund == 0)[~partly & ~fully].all()


def test_point_of_sale_orders_have_a_name_but_no_email(first_rows: pd.DataFrame):
    no_email = first_rows[first_rows["Email"] == ""]
    assert 5 <= len(no_email) <= 30
    assert (no_email["Source"] == "pos").all()
    assert (no_email["Billing Name"] != "").all()


def test_emails_are_fictional_and_sometimes_messy(first_rows: pd.DataFrame):
    email = first_rows.loc[first_rows["Email"] != "", "Email"]
    clean = email.str.strip().str.lower()
    assert clean.str.fullmatch(r"[a-z0-9._]+@example\.(com|org|net)").all()
    assert (email != email.str.strip()).any()
    assert (email.str.strip() != clean).any()


def test_customers_are_skewed(first_rows: pd.DataFrame):
    email = first_rows["Email"].str.strip().str.lower()
    orders = first_rows[email != ""].groupby(email[email != ""]).size()
    assert 1400 <= len(orders) <= 1600
    assert 4000 <= len(first_rows) <= 5000
    assert 0.5 < (orders == 1).mean() < 0.75  # many one-time buyers
    assert (orders >= 12).sum() >= 100  # a loyal core
