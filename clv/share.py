"""One HTML file that shares an analysis with someone who has neither the orders nor the dashboard.

    report_html(analysis, report, ...) -> str     a whole page, self-contained (METHOD.md section 13)

The page holds the settings and the window, the headline figures, the tier
table in its colours, the cut points, the named segments, the lifetime value
(with CAC where given), retention and cohorts, and the data-quality table, with
interactive Plotly charts. It opens in any browser with no server and no
network: Plotly's JavaScript is embedded once, in the page's head, and nothing
else is fetched (no fonts, images, styles or scripts from elsewhere). It holds
no customer-level rows and no e-mail address unless the caller asks for the
customer list, which is then masked when masking is on. A print stylesheet
starts each part on a new page and never cuts a table row or a chart, so
"Print, Save as PDF" gives a clean document.

The page is a list of ``Section``s, each a heading and blocks (HTML or a
chart) rendered in order. The analysis gives the standard ones; a later
analysis (movement between tiers, behaviour lenses, predicted value) builds its
own ``Section``, with ``html_table`` for its tables, and passes it in ``extra``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Sequence, Union

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from clv.analysis import Analysis
from clv.colours import text_colour
from clv.export import (
    COLUMN_WORDS, SETTINGS_COLUMNS, VALUE_WORDS, customers_export, quality_table, settings_export,
)
from clv.formats import currency_symbol, cuts_in_words, money, number, per_customer, percent, ratio, years
from clv.privacy import is_blank, mask_frame, mask_text
from clv.report import LoadReport
from clv.retention import cohort_matrix, cohorts
from clv.segments import SEGMENTS
from clv.settings import TIER_COLOURS, TIER_OUTLINES
from clv.value import HEALTHY_LTV_CAC

Block = Union[str, go.Figure]
"""A part of a section: HTML (already escaped) or a chart."""

CHART_WIDTH = 680
"""Pixels: an A4 page's width inside its margins, so that a chart prints whole."""
CUSTOMER_ROWS = 10_000
"""The most customers the customer list shows (best first); the customer file has them all."""
COHORTS_SHOWN = 24
"""The latest monthly cohorts the cohort chart shows."""
INK = "#111827"
"""The page's text, and the outline of a bar that is not a tier's."""


@dataclass(frozen=True)
class Section:
    """One part of the report: ``key`` is its anchor in the contents, ``title`` its heading, ``blocks`` what
    it shows, in order."""

    key: str
    title: str
    blocks: tuple[Block, ...]


def report_html(
    analysis: Analysis,
    report: LoadReport,
    *,
    source: str | None = None,
    symbol: str | None = None,
    customers: bool = False,
    mask: bool = False,
    extra: Sequence[Section] = (),
) -> str:
    """The analysis -> a self-contained HTML page (see the module docstring).

    Parameters
    ----------
    analysis : Analysis
        With ``retention`` computed for the retention section (else it says it was not); the monthly
        cohorts come from the orders its engine holds (``clv.retention.cohorts``).
    report : LoadReport
        How the file was read: the settings section and the data-quality table.
    source : str, optional
        The file's name, shown in the title.
    symbol : str, optional
        The currency symbol for money; by default the file's one currency (``report.currencies``),
        else none.
    customers : bool
        Add the customer list (best first, at most ``CUSTOMER_ROWS``): name, e-mail, tier, segment,
        orders and spend in the window, days since the last order.
    mask : bool
        Mask every e-mail address in the customer list ("a***@example.com").
    extra : sequence of Section
        Further sections, drawn after retention and before the data quality, in order.

    Returns
    -------
    str
        The HTML page.
    """
    symbol = currency_symbol(report.currencies, unknown="") if symbol is None else symbol
    sections = [
        _settings_section(analysis, report, source, symbol),
        _headline_section(analysis, symbol),
        _tiers_section(analysis, symbol),
        _cuts_section(analysis, symbol),
        _segments_section(analysis, symbol),
        _value_section(analysis, symbol),
        _retention_section(analysis),
        *extra,
        Section("quality", "Data quality: every row of the file", (
            "<p>The first line is what the analysis counts; every other line was left out, with the revenue it "
            "carried. Together they add up to the whole file.</p>",
            html_table(quality_table(report, analysis), symbol),
        )),
    ]
    if customers:
        sections.append(_customers_section(analysis, symbol, mask))
    title = "Customer value report" + (f": {source}" if source else "")
    return _page(title, analysis, sections)


def html_table(table: pd.DataFrame, symbol: str = "", group: str | None = "tier", long: bool = False) -> str:
    """A table of the files' columns -> an HTML table with headers in words and values formatted by kind
    (``clv.export.COLUMN_WORDS``; other columns as text).

    ``group`` names the column of the groups (tier, segment): a tier's row is in its colour, its text
    black or white as reads better on it (``clv.colours.text_colour``), and the All row is bold.
    ``long``: a table that may break across printed pages (its rows never do). A settings table
    (``SETTINGS_COLUMNS``) shows each value by its own kind.
    """
    names = [name for name in table.columns if not (name == "kind" and list(table.columns) == SETTINGS_COLUMNS)]
    kinds = [COLUMN_WORDS.get(name, (name, "text"))[1] for name in names]
    head = "".join(f"<th class='{_align(kind)}'>{html.escape(COLUMN_WORDS.get(name, (str(name),))[0])}</th>"
                   for name, kind in zip(names, kinds))
    rows = []
    for values in table.itertuples(index=False, name=None):
        row = dict(zip(table.columns, values))
        cells = []
        for name, kind in zip(names, kinds):
            value, shown = row[name], kind
            if kind == "by row":
                shown = row["kind"]
            elif kind == "cut":
                shown = "money" if row["variable"] == "monetary" else "count"
            text = html.escape(_text(VALUE_WORDS.get(name, {}).get(value, value), shown, symbol))
            cells.append(f"<td class='{_align(kind)}{' group' if name == group else ''}'>{text}</td>")
        band = row.get(group) if group is not None else None
        style = (f" style='background:{TIER_COLOURS[band]};color:{text_colour(TIER_COLOURS[band])}'"
                 if band in TIER_COLOURS else "")
        strong = " class='all'" if band == "All" else ""
        rows.append(f"<tr{strong}{style}>{''.join(cells)}</tr>")
    breaks = " long" if long else ""
    return (f"<div class='table{breaks}'><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


# ---------------------------------------------------------------------------
# The standard sections


def _settings_section(analysis: Analysis, report: LoadReport, source: str | None, symbol: str) -> Section:
    blocks: list[Block] = [html_table(settings_export(analysis, report, source), symbol)]
    notes = tuple(report.warnings) + analysis.warnings
    if notes:  # a message can quote a cell of the file: e-mail addresses in it are masked, always
        blocks.append("<p>Notes:</p><ul>" + "".join(f"<li>{html.escape(mask_text(note))}</li>" for note in notes)
                      + "</ul>")
    return Section("settings", "Settings, window and file", tuple(blocks))


def _headline_section(analysis: Analysis, symbol: str) -> Section:
    everyone = analysis.tiers.set_index("tier").loc["All"]
    high = analysis.tiers.set_index("tier").loc["High"]
    figures = [
        ("Customers", f"{int(everyone['customers']):,}"),
        ("Revenue in the window", money(everyone["revenue"], symbol)),
        ("Orders in the window", f"{int(everyone['orders']):,}"),
        ("Average order value", money(everyone["aov"], symbol)),
        ("Repeat customers", percent(analysis.repeat_rate)),
        ("Lifetime value per customer", money(everyone["clv"], symbol)),
    ]
    cards = "".join(f"<div class='figure'><div class='label'>{html.escape(label)}</div>"
                    f"<div class='number'>{html.escape(value)}</div></div>" for label, value in figures)
    sentence = (f"{int(high['customers']):,} High-tier customers ({percent(high['share_customers'])} of all) "
                f"brought {percent(high['share_revenue'])} of the revenue in the window.")
    return Section("headline", "Headline figures", (f"<div class='figures'>{cards}</div>",
                                                     f"<p>{html.escape(sentence)}</p>"))


def _tiers_section(analysis: Analysis, symbol: str) -> Section:
    table = analysis.tiers[["tier", "customers", "share_customers", "orders", "revenue", "share_revenue", "aov",
                            "purchase_frequency", "annual_customer_value", "clv"]]
    medium, high = analysis.settings.tier_cuts
    shares = analysis.tiers.loc[analysis.tiers["tier"] != "All"]
    chart = go.Figure([
        go.Bar(name=row["tier"], y=["Revenue", "Customers"], x=[row["share_revenue"], row["share_customers"]],
               orientation="h",
               marker={"color": TIER_COLOURS[row["tier"]], "line": {"color": TIER_OUTLINES[row["tier"]], "width": 1}},
               text=[percent(row["share_revenue"]), percent(row["share_customers"])],
               textposition="inside", insidetextanchor="middle",
               textfont={"color": text_colour(TIER_COLOURS[row["tier"]])},
               hovertemplate=f"{row['tier']}: %{{x:.1%}} of %{{y}}<extra></extra>")
        for _, row in shares.iterrows()
    ])
    chart.update_layout(barmode="stack", legend_title_text="Tier", legend_traceorder="normal")
    chart.update_xaxes(tickformat=".0%", range=[0, 1])
    return Section("tiers", "Tiers: who is worth the most", (
        f"<p>A customer's RFM score is R + F + M, from 3 to 9: High from {high}, Medium from {medium}, Low below. "
        "CLV = annual customer value × lifespan × margin.</p>",
        html_table(table, symbol),
        _layout(chart, "Share of customers and of revenue by tier", 260, legend=True),
    ))


def _cuts_section(analysis: Analysis, symbol: str) -> Section:
    shown = cuts_in_words(analysis.cuts, symbol).rename(
        columns={"values": "Values these customers have", "begins": "Score begins at"})
    return Section("cuts", "How the scores were cut", (
        f"<p>Each customer scores 1 (least valuable) to 3 (most valuable) on each measure, by "
        f"{html.escape(VALUE_WORDS['method'][analysis.settings.method])}.</p>",
        html_table(shown, symbol),
    ))


def _segments_section(analysis: Analysis, symbol: str) -> Section:
    named = SEGMENTS.merge(analysis.segments, on="segment", how="right")  # as analysed, not rounded for a file
    held = named.loc[(named["segment"] != "All") & (named["customers"] > 0)].iloc[::-1]
    chart = go.Figure(go.Bar(
        x=held["customers"], y=held["segment"], orientation="h", marker={"color": "#2E6F95"},
        text=[f"{n:,}" for n in held["customers"]], textposition="outside", cliponaxis=False,
        customdata=[money(v, symbol) for v in held["clv"]],
        hovertemplate="%{y}: %{x:,} customers, CLV %{customdata}<extra></extra>",
    ))
    chart.update_xaxes(title="Customers")
    return Section("segments", "Named segments", (
        "<p>A second lens over the 27 RFM codes: each code belongs to one named segment.</p>",
        html_table(named[["segment", "customers", "share_revenue", "clv", "description", "action"]], symbol,
                   group="segment"),
        _layout(chart, "Customers per named segment", 60 + 34 * max(len(held), 1)),
    ))


def _value_section(analysis: Analysis, symbol: str) -> Section:
    everyone = analysis.tiers.set_index("tier").loc["All"]
    cac = analysis.settings.acquisition_cost
    columns = ["tier", "aov", "purchase_frequency", "customer_value", "annual_customer_value", "clv", "max_cpc"]
    columns += ["cac", "clv_minus_cac", "ltv_cac"] if cac is not None else []
    per_tier = analysis.tiers.loc[analysis.tiers["tier"] != "All"]
    chart = go.Figure(go.Bar(
        x=per_tier["tier"], y=per_tier["clv"],
        marker={"color": [TIER_COLOURS[t] for t in per_tier["tier"]],
                "line": {"color": [TIER_OUTLINES[t] for t in per_tier["tier"]], "width": 1}},
        text=[money(v, symbol) for v in per_tier["clv"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{x}: CLV %{y:,.2f}<extra></extra>",
    ))
    chart.update_yaxes(title=f"CLV ({symbol})" if symbol else "CLV", rangemode="tozero")
    margin = analysis.settings.margin
    blocks: list[Block] = [
        f"<p>CLV = average order value × orders per customer × 365 / {analysis.window.length_days:,} days × "
        f"{years(analysis.lifespan_years)} of lifespan ({html.escape(analysis.lifespan_source)}) × "
        f"{percent(margin)} margin" + (", so CLV is on revenue, not profit" if margin == 1 else "")
        + f". For all customers: {html.escape(money(everyone['clv'], symbol))}. The most to pay per click is CLV × "
        f"the ad conversion rate ({percent(analysis.settings.conversion_rate)}).</p>",
        html_table(analysis.tiers[columns], symbol),
        _layout(chart, "Customer lifetime value per tier", 320),
    ]
    if cac is not None and pd.isna(everyone["ltv_cac"]):  # a CAC of 0 divides nothing
        blocks.append("<p>The acquisition cost is 0, so the LTV : CAC ratio has no meaning.</p>")
    elif cac is not None:
        ltv_cac, ratios = everyone["ltv_cac"], analysis.tiers.dropna(subset=["ltv_cac"])
        bars = {**TIER_COLOURS, "All": "#64748B"}
        verdict = "at or above" if ltv_cac >= HEALTHY_LTV_CAC else "below"
        blocks.append(f"<p>With an acquisition cost of {html.escape(money(cac, symbol))}, LTV : CAC is "
                      f"{ratio(ltv_cac)}: {verdict} the {ratio(HEALTHY_LTV_CAC)} healthy mark.</p>")
        chart = go.Figure(go.Bar(
            x=ratios["tier"], y=ratios["ltv_cac"],
            marker={"color": [bars[t] for t in ratios["tier"]],
                    "line": {"color": [TIER_OUTLINES.get(t, INK) for t in ratios["tier"]], "width": 1}},
            text=[ratio(v) for v in ratios["ltv_cac"]], textposition="inside", insidetextanchor="end",
            textfont={"color": [text_colour(bars[t]) for t in ratios["tier"]]},
            hovertemplate="%{x}: LTV : CAC %{y:.2f}<extra></extra>",
        ))
        # Behind the bars, whose labels sit inside them: the mark never strikes through a label.
        chart.add_hline(y=HEALTHY_LTV_CAC, line_dash="dash", line_color="#15803D", layer="below")
        chart.update_yaxes(title="LTV : CAC", rangemode="tozero")
        title = f"LTV : CAC per tier; the dashed line is the {ratio(HEALTHY_LTV_CAC)} healthy mark"
        blocks.append(_layout(chart, title, 320))
    return Section("value", "Lifetime value" + (" and acquisition cost" if cac is not None else ""), tuple(blocks))


def _retention_section(analysis: Analysis) -> Section:
    kept = analysis.retention
    blocks: list[Block] = [f"<p>Repeat customers (two or more orders in the window): "
                           f"{percent(analysis.repeat_rate)}.</p>"]
    if kept is None:
        blocks.append("<p>Retention was not computed for this report.</p>")
    else:
        facts = pd.DataFrame({
            "setting": ["Period", "Customers at start", "Customers at end", "New customers", "Retention rate",
                        "Churn rate", "Lifespan from churn"],
            "value": [f"{kept.period_start:%d %b %Y} to {kept.period_end:%d %b %Y}", kept.customers_start,
                      kept.customers_end, kept.new_customers, kept.retention_rate, kept.churn_rate,
                      kept.lifespan_years],
            "kind": ["text", "count", "count", "count", "percent", "percent", "years"],
        })
        blocks += [html_table(facts), "<p>Retention = (customers at end − new customers) / customers at start; a "
                   "customer is someone who bought in the period (customers at start: in the period before).</p>"]
    monthly = cohorts(analysis.summary.engine, analysis.window.as_of)
    if not monthly.empty:
        matrix = cohort_matrix(monthly).tail(COHORTS_SHOWN)
        sizes = monthly.loc[monthly["months_since"] == 0].set_index("cohort")["customers"].reindex(matrix.index)
        later = matrix.drop(columns=0, errors="ignore").dropna(axis="columns", how="all")
        chart = go.Figure(go.Heatmap(
            z=later.to_numpy(), x=[f"+{m}" for m in later.columns],
            y=[f"{c:%b %Y} · {n:,} new" for c, n in zip(matrix.index, sizes)],
            colorscale="Blues", zmin=0, colorbar={"title": {"text": "Still buying"}, "tickformat": ".0%"},
            hovertemplate="%{y}<br>%{x} months after the first order: %{z:.1%} bought<extra></extra>",
            xgap=1, ygap=1,
        ))
        chart.update_yaxes(autorange="reversed", type="category", title="Month of first order")
        chart.update_xaxes(type="category", title="Months after the first order")
        blocks.append(_layout(chart, "Share of each month's new customers who bought again N months later",
                              max(320, 22 * len(matrix) + 140)))
    return Section("retention", "Retention and cohorts", tuple(blocks))


def _customers_section(analysis: Analysis, symbol: str, mask: bool) -> Section:
    everyone = customers_export(analysis)
    listed = everyone.head(CUSTOMER_ROWS)[["name", "email", "tier", "segment", "frequency", "monetary",
                                           "recency_days"]]
    listed = mask_frame(listed) if mask else listed
    shown = (f"The first {len(listed):,} of {len(everyone):,} customers, best first."
             if len(everyone) > len(listed) else f"All {len(everyone):,} customers, best first.")
    return Section("customers", "Customers", (
        f"<p>{shown}" + (" E-mail addresses are masked." if mask else "") + "</p>",
        html_table(listed, symbol, long=True),
    ))


# ---------------------------------------------------------------------------
# The page


def _page(title: str, analysis: Analysis, sections: list[Section]) -> str:
    window = analysis.window
    span = "all history" if window.all_history else f"{window.length_days:,} days"
    contents = "".join(f"<li><a href='#{s.key}'>{html.escape(s.title)}</a></li>" for s in sections)
    body = []
    charts = 0
    for section in sections:
        parts = []
        for block in section.blocks:
            if isinstance(block, go.Figure):
                charts += 1
                parts.append("<div class='chart'>" + block.to_html(
                    full_html=False, include_plotlyjs=False, div_id=f"chart-{charts}",
                    default_width=f"{CHART_WIDTH}px", default_height=f"{block.layout.height}px",
                    config={"displaylogo": False, "responsive": False}) + "</div>")
            else:
                parts.append(block)
        body.append(f"<section id='{section.key}'><h2>{html.escape(section.title)}</h2>{''.join(parts)}</section>")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style><script>{get_plotlyjs()}</script></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p class='window'>Orders from {window.first_day:%d %b %Y} to "
        f"{window.as_of:%d %b %Y} ({span})</p><nav class='contents'><ol>{contents}</ol></nav></header>"
        f"{''.join(body)}</body></html>\n"
    )


def _layout(figure: go.Figure, title: str, height: int, legend: bool = False) -> go.Figure:
    """One look for every chart, at a width that prints whole."""
    return figure.update_layout(
        template="plotly_white", width=CHART_WIDTH, height=height, showlegend=legend,
        title={"text": html.escape(title), "x": 0, "xanchor": "left", "font": {"size": 15}},
        margin={"l": 10, "r": 20, "t": 70 if legend else 50, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "color": INK},
    )


def _text(value: object, kind: str, symbol: str) -> str:
    """A value as the report writes it, by its kind (``COLUMN_WORDS``), with the helper the dashboard uses for
    that kind (``clv.formats``); "–" for a missing number, "" for missing text."""
    if is_blank(value):
        return "" if kind == "text" else "–"
    write = {"money": lambda v: money(v, symbol), "percent": percent, "count": number, "per customer": per_customer,
             "years": years, "ratio": ratio, "date": lambda v: f"{pd.Timestamp(v):%d %b %Y}"}.get(kind, str)
    return write(value)


def _align(kind: str) -> str:
    return "text" if kind in ("text", "date", "by row") else "number"


_STYLE = """
:root { color-scheme: light; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827;
       max-width: 860px; margin: 0 auto; padding: 24px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #CBD5E1; }
.window { color: #374151; margin: 0 0 12px; }
nav.contents ol { columns: 2; padding-left: 20px; margin: 0; }
nav.contents a { color: #1D4ED8; }
.table { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 4px 6px; border-bottom: 1px solid #E5E7EB; vertical-align: top; }
th { background: #F1F5F9; text-align: left; font-weight: 600; vertical-align: bottom; }
th.number, td.number { text-align: right; }
td.number, td.group { white-space: nowrap; }
tr.all td { font-weight: 700; background: #F1F5F9; }
.figures { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; margin: 8px 0; }
.figure { border: 1px solid #CBD5E1; border-radius: 6px; padding: 8px 12px; }
.figure .label { color: #374151; font-size: 13px; }
.figure .number { font-size: 22px; font-weight: 600; }
.chart { margin: 8px 0 16px; }
.chart > div { margin: 0 auto; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  nav.contents { display: none; }
  section { break-before: page; }
  section:first-of-type { break-before: auto; }
  h2 { break-after: avoid; }
  table { font-size: 10px; }
  .table { overflow: visible; }
  .table, .chart, .figures, tr { break-inside: avoid; }
  .table.long { break-inside: auto; }
  thead { display: table-header-group; }
}
"""
