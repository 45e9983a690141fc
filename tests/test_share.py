"""The HTML report: what it holds, what it never holds, and that it needs nothing from elsewhere."""

import re

import pandas as pd
import pytest

from clv import share
from clv.analysis import analyze, score
from clv.colours import text_colour
from clv.engine import DuckEngine
from clv.export import customers_export
from clv.formats import money, ratio
from clv.load import read_orders
from clv.rfm import rfm_summary, rfm_window
from clv.sample import SAMPLE_PATH
from clv.settings import TIER_COLOURS, Settings
from clv.share import Section, html_table, report_html

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@pytest.fixture(scope="module")
def loaded():
    return read_orders(SAMPLE_PATH)


@pytest.fixture(scope="module")
def analysis(loaded):
    return analyze(loaded.orders, Settings(cac=40.0))


@pytest.fixture(scope="module")
def page(loaded, analysis) -> str:
    return report_html(analysis, loaded.report, source="sample_store.csv")


@pytest.fixture(scope="module")
def emails(loaded) -> set[str]:
    return set(loaded.orders["email"].dropna())


def body(page: str) -> str:
    """The page without its head (where Plotly's JavaScript is)."""
    return page.split("</head>", 1)[1]


def test_the_tier_table_holds_each_tiers_figures_in_its_colour(page, analysis):
    rows = re.findall(r"<tr[^>]*>(?:(?!</tr>).)*</tr>", body(page))
    for tier, colour in TIER_COLOURS.items():
        figures = analysis.tiers.set_index("tier").loc[tier]
        row = next(r for r in rows if f">{tier}</td>" in r and "$" in r)  # the tier table's, not the value table's
        assert f"background:{colour};color:{text_colour(colour)}" in row  # the row in the tier's own colour
        assert f">{int(figures['customers']):,}<" in row
        assert f">{money(figures['clv'], '$')}<" in row
        assert f">{money(figures['revenue'], '$')}<" in row


def test_every_part_is_there(page):
    for title in ("Settings, window and file", "Headline figures", "Tiers: who is worth the most",
                  "How the scores were cut", "Named segments", "Lifetime value and acquisition cost",
                  "Retention and cohorts", "Data quality: every row of the file"):
        assert f"<h2>{title}</h2>" in page
    assert "Champions" in page and "Reward them" in page
    assert ">Shopify orders export<" in page and ">7,095<" in page  # the file read and its rows
    assert "Counted in the analysis" in page


def test_plotly_is_embedded_once_and_nothing_is_fetched(page):
    assert page.count("plotly.js v") == 1
    assert page.count("Plotly.newPlot(") == 5  # tier shares, segments, CLV per tier, LTV : CAC, cohorts
    assert not re.search(r"<(script|img|iframe)[^>]*\bsrc=", page)
    assert not re.search(r"<link\b", page)
    assert not re.search(r"url\(", body(page))


def test_no_customer_row_and_no_e_mail_by_default(page, emails):
    assert len(emails) > 1000
    assert not set(EMAIL.findall(page)) & emails
    assert "<h2>Customers</h2>" not in page


def test_the_customer_list_is_masked_when_masking_is_on(loaded, analysis, emails):
    page = report_html(analysis, loaded.report, customers=True, mask=True)
    assert "<h2>Customers</h2>" in page
    assert not set(EMAIL.findall(page)) & emails
    listed = customers_export(analysis)
    assert body(page).count("***@") == listed["email"].notna().sum()


def test_the_customer_list_shows_the_addresses_when_masking_is_off(loaded, analysis, emails):
    shown = set(EMAIL.findall(report_html(analysis, loaded.report, customers=True))) & emails
    assert shown == set(customers_export(analysis)["email"].dropna())


def test_a_long_customer_list_is_cut_and_says_so(loaded, analysis, monkeypatch):
    monkeypatch.setattr(share, "CUSTOMER_ROWS", 3)
    page = report_html(analysis, loaded.report, customers=True)
    assert f"The first 3 of {len(analysis.customers):,} customers, best first." in page


def test_later_analyses_add_their_own_sections(loaded, analysis):
    extra = Section("movement", "Movement between tiers", (
        html_table(pd.DataFrame({"tier": ["High"], "customers": [12]})),))
    page = report_html(analysis, loaded.report, extra=[extra])
    order = [page.index(f"<h2>{title}</h2>") for title in
             ("Retention and cohorts", "Movement between tiers", "Data quality: every row of the file")]
    assert order == sorted(order)
    assert "<a href='#movement'>Movement between tiers</a>" in page


def test_without_cac_there_is_no_ratio_and_without_retention_the_page_says_so(loaded):
    engine = DuckEngine.of_orders(loaded.orders)
    analysis = score(rfm_summary(engine, rfm_window(engine, Settings())), None, Settings())
    page = report_html(analysis, loaded.report)
    assert "<h2>Lifetime value</h2>" in page and "LTV : CAC" not in page
    assert "Retention was not computed for this report." in page
    assert page.count("Plotly.newPlot(") == 4  # tier shares, segments, CLV per tier, cohorts


def test_it_prints_a_part_per_page_without_cutting_tables(page):
    style = page[page.index("@media print"):]
    assert "section { break-before: page; }" in style
    assert ".table, .chart, .figures, tr { break-inside: avoid; }" in style


def test_with_cac_the_ratio_is_judged_and_a_cac_of_0_is_said_to_mean_nothing(loaded, analysis, page):
    ltv_cac = analysis.tiers.set_index("tier").loc["All", "ltv_cac"]
    assert f"LTV : CAC is {ratio(ltv_cac)}: at or above the 3 : 1 healthy mark." in page
    free = report_html(analyze(loaded.orders, Settings(cac=0.0)), loaded.report)
    assert "The acquisition cost is 0, so the LTV : CAC ratio has no meaning." in free
    assert free.count("Plotly.newPlot(") == 4  # no LTV : CAC chart
