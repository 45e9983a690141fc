"""Campaign lists: only customers who agreed where the file says, in the formats campaign tools take."""

import hashlib
import io
import re

import openpyxl
import pandas as pd
import pytest

from clv.analysis import analyze
from clv.campaign import campaign_audience, campaign_hashes, campaign_list
from clv.export import CUSTOMER_COLUMNS, customers_export, to_csv, workbook
from clv.load import read_orders
from clv.settings import Settings

SHOPIFY = (
    "Name,Email,Financial Status,Created at,Subtotal,Lineitem name,Billing Name,Accepts Marketing\n"
    "#1,ann@shop.test,paid,2026-01-05 10:00:00 -0700,80.00,Beans,Ann Marie Lee,yes\n"
    "#2,bob@shop.test,paid,2026-02-11 10:00:00 -0700,45.00,Beans,Bob Ray,no\n"
    "#3,cy@shop.test,paid,2026-03-30 10:00:00 -0700,20.00,Beans,,\n"          # says nothing, has no name
    "#4,di@shop.test,paid,2026-03-01 10:00:00 -0700,150.00,Beans,Di,no\n"
    "#5,di@shop.test,paid,2026-06-30 10:00:00 -0700,150.00,Beans,Di,yes\n"   # said no, then yes: yes
    "#6,,paid,2026-06-01 10:00:00 -0700,30.00,Beans,Ed Hale,yes\n"            # agreed, but no e-mail
)


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """The store's customer file rows, best first, with their consent."""
    return customers_export(analyze(read_orders(SHOPIFY.encode()).orders, Settings()), consent=True)


def test_only_customers_who_agreed_are_kept_and_the_others_counted(rows):
    audience = campaign_audience(rows)
    assert sorted(audience.customers["customer"]) == ["Ed Hale", "ann@shop.test", "di@shop.test"]
    assert (audience.declined, audience.unknown, audience.left_out, audience.file_tells) == (1, 1, 2, True)
    assert list(audience.customers.columns) == CUSTOMER_COLUMNS  # the customer file's columns, no more


def test_everyone_can_be_asked_for_and_nobody_is_left_out(rows):
    audience = campaign_audience(rows, everyone=True)
    assert len(audience.customers) == 5
    assert (audience.declined, audience.unknown, audience.left_out) == (1, 1, 0)


def test_a_file_that_does_not_say_keeps_everyone(rows):
    audience = campaign_audience(rows.drop(columns="accepts_marketing"))
    assert len(audience.customers) == 5
    assert (audience.file_tells, audience.left_out) == (False, 0)


def test_the_customer_file_never_carries_consent(rows):
    analysis = analyze(read_orders(SHOPIFY.encode()).orders, Settings())
    assert list(customers_export(analysis).columns) == CUSTOMER_COLUMNS
    assert rows.columns[-1] == "accepts_marketing"


def test_a_list_tool_gets_first_and_last_names_and_tags(rows):
    listed = campaign_list(campaign_audience(rows, everyone=True).customers).set_index("email")
    # Ed Hale has no e-mail address: a list tool cannot take him.
    assert sorted(listed.index) == ["ann@shop.test", "bob@shop.test", "cy@shop.test", "di@shop.test"]
    assert listed.loc["ann@shop.test", ["first_name", "last_name"]].tolist() == ["Ann", "Marie Lee"]
    assert listed.loc["di@shop.test", ["first_name", "last_name"]].tolist() == ["Di", ""]
    assert listed.loc["cy@shop.test", ["first_name", "last_name"]].tolist() == ["", ""]
    tier, segment = rows.set_index("customer").loc["ann@shop.test", ["tier", "segment"]]
    assert listed.loc["ann@shop.test", "tags"] == f"{tier} tier, {segment}"


def test_the_list_file_has_the_tools_header_and_blanks_for_missing_names():
    rows = pd.DataFrame({"email": ["cy@shop.test", "cy@shop.test", "=x@shop.test"], "name": [None, "Cy Dunn", "Eve"],
                         "tier": ["Low", "Low", "High"], "segment": ["Lost", "Lost", "Champions"]})
    assert to_csv(campaign_list(rows)).decode() == (
        "email,first_name,last_name,tags\n"
        'cy@shop.test,,,"Low tier, Lost"\n'           # once, from its first row: a missing name is blank
        "'=x@shop.test,Eve,,\"High tier, Champions\"\n"  # text that would start a formula is defused
    )


def test_an_audience_file_holds_each_address_normalised_and_hashed():
    rows = pd.DataFrame({"email": [" John_Smith@gmail.com", "john_smith@gmail.com ", None, "not an address",
                                   "ann.lee@gmail.com"]})
    hashed = campaign_hashes(rows)
    assert list(hashed.columns) == ["Email"]
    # Meta's published example for its normalisation, checked here with hashlib too.
    john = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"
    assert hashlib.sha256(b"john_smith@gmail.com").hexdigest() == john
    assert hashed["Email"].tolist() == [john, hashlib.sha256(b"ann.lee@gmail.com").hexdigest()]
    # The dots of a Gmail address stay: Google no longer requires removing them and Meta never did.
    assert hashed["Email"].iloc[1] != hashlib.sha256(b"annlee@gmail.com").hexdigest()


def test_campaign_files_of_the_audience_hold_only_those_who_agreed(rows):
    audience = campaign_audience(rows).customers
    assert sorted(campaign_list(audience)["email"]) == ["ann@shop.test", "di@shop.test"]
    expected = {hashlib.sha256(address.encode()).hexdigest() for address in ("ann@shop.test", "di@shop.test")}
    assert set(campaign_hashes(audience)["Email"]) == expected


def test_every_download_writes_a_missing_name_or_e_mail_as_blank(rows):
    # Cy Dunn's orders give no name, Ed Hale's no e-mail: no download may say "None" or "nan" for them.
    audience = campaign_audience(rows, everyone=True).customers
    files = [to_csv(audience), to_csv(campaign_list(audience)), to_csv(campaign_hashes(audience))]
    assert not any(re.search(rb"\b(None|nan|NaN|<NA>)\b", data) for data in files)
    sheet = openpyxl.load_workbook(io.BytesIO(workbook({"Customers": audience})))["Customers"]
    words = [cell.value for cell in sheet[1]]
    by_customer = {row[0].value: dict(zip(words, (cell.value for cell in row))) for row in sheet.iter_rows(min_row=2)}
    assert by_customer["cy@shop.test"]["Name"] is None and by_customer["Ed Hale"]["E-mail"] is None
