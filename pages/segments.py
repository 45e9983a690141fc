"""Segments: the tier table, how the scores were cut, where customers sit, the named segments."""

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from clv.campaign import campaign_audience
from clv.colours import BLACK, text_colour
from clv.export import CUSTOMER_COLUMNS, segments_export, to_csv, to_excel
from clv.formats import cuts_in_words
from clv.headline import headline, quiet_customers
from clv.rfm import rfm_cells
from clv.segments import SEGMENTS
from clv.settings import TIER_COLOURS, TIER_OUTLINES
from clv.share import CUSTOMER_ROWS, report_html
from pages import _format as fmt
from pages._page import chart, page_view, show_warnings
from pages._view import HEAT_COLOURS, TREE_COLOURS

MEASURES = {"recency_days": "Recency", "frequency": "Frequency", "monetary": "Money"}

st.title("Segments")
view = page_view("segments")
analysis = view.analysis
customers = analysis.customers
everyone = analysis.tiers.set_index("tier").loc["All"]

# --- The headline: what the best customers bring, and who of them to win back --------------------------------
top = headline(analysis.tiers, customers, analysis.window.length_days)
if top.customers == 0:
    said = (f"No customer reaches the {top.tier} tier (an RFM score of {analysis.settings.tier_cuts[1]} or more) "
            "in this window.")
else:
    brought = "" if top.share_revenue is None else f" brought **{fmt.percent(top.share_revenue)} of revenue**"
    said = (f"Your {top.tier} tier: **{fmt.customers(top.customers)} ({fmt.percent(top.share_customers)})**"
            f"{brought} in the window.")
    if top.quiet_days is not None and top.quiet == 0:
        said += f" Every one of them bought in the last {top.quiet_days} days."
    elif top.quiet_days is not None:
        said += (f" **{top.quiet:,} of them {'has' if top.quiet == 1 else 'have'} not bought for {top.quiet_days} "
                 "days or more:** export them to win them back.")
with st.container(border=True, horizontal=True, vertical_alignment="center"):
    st.markdown(said)
    if top.quiet:  # the file is made on the click: the customer list takes a second at a million customers
        # A win-back list is an e-mail campaign's: only those who agreed to marketing, where the file says.
        reach = campaign_audience(quiet_customers(customers, top.tier, top.quiet_days))
        st.download_button(
            f"Export these {len(reach.customers):,} (CSV)",
            lambda: to_csv(campaign_audience(quiet_customers(view.customer_list(), top.tier,
                                                             top.quiet_days)).customers),
            file_name=f"{top.tier.lower()}_not_bought_for_{top.quiet_days}_days.csv", mime="text/csv",
            icon=":material/download:", on_click="ignore", type="primary", width="content",
            disabled=reach.customers.empty,
            help="The customer file's columns (as in Downloads below), these customers only"
                 + (f", without the {fmt.customers(reach.left_out)} who did not agree to marketing e-mails or about "
                    "whom your file says nothing." if reach.left_out else ".")
                 + (" It keeps the real e-mail addresses." if view.mask else ""),
        )
show_warnings(analysis.warnings)

# --- At a glance -------------------------------------------------------------
# Three key figures a row, or as many as fit: two on a phone, where st.columns would stack them one a row.
with st.container(horizontal=True):
    st.metric("Customers", f"{int(everyone['customers']):,}", border=True)
    st.metric("Revenue in the window", view.money(everyone["revenue"]), border=True)
    st.metric("Orders", f"{int(everyone['orders']):,}", border=True)
with st.container(horizontal=True):
    st.metric("Average order value", view.money(everyone["aov"]), border=True)
    st.metric("Repeat customers", fmt.percent(analysis.repeat_rate), border=True,
              help="Share of customers with two or more orders in the window.")
    st.metric("Lifetime value per customer", view.money(everyone["clv"]), border=True,
              help="Average CLV over all customers; the Lifetime value page shows how it is built.")

# --- Tiers -------------------------------------------------------------------
st.header("Tiers: who is worth the most", divider="gray")
tiers = analysis.tiers.rename(columns={
    "tier": "Tier", "customers": "Customers", "share_customers": "Share of customers", "revenue": "Revenue",
    "share_revenue": "Share of revenue", "aov": "Average order value", "purchase_frequency": "Orders per customer",
    "clv": "CLV",
})[["Tier", "Customers", "CLV", "Share of customers", "Share of revenue", "Revenue", "Average order value",
    "Orders per customer"]]  # the key columns first: a phone shows only the first three
money = lambda value: view.money(value)  # noqa: E731
st.dataframe(
    fmt.tier_rows(tiers, {
        "Customers": "{:,.0f}", "Share of customers": fmt.percent, "Revenue": money, "Share of revenue": fmt.percent,
        "Average order value": money, "Orders per customer": fmt.per_customer, "CLV": money,
    }, column="Tier"),
    hide_index=True,
)
st.caption(
    "A customer's RFM score is R + F + M, from 3 to 9; the tier cut points are in the sidebar. Orders per "
    "customer is the purchase frequency in the window; CLV = annual customer value × lifespan × margin."
)

share_chart, cut_points = st.columns([2, 3], gap="large")
with share_chart:
    shares = analysis.tiers.loc[analysis.tiers["tier"] != "All"].melt(
        id_vars="tier", value_vars=["share_customers", "share_revenue"], var_name="measure", value_name="share"
    ).replace({"measure": {"share_customers": "Customers", "share_revenue": "Revenue"}})
    figure = px.bar(shares, x="share", y="measure", color="tier", orientation="h",
                    color_discrete_map=TIER_COLOURS, category_orders={"tier": fmt.TIER_ORDER},
                    text=shares["share"].map(fmt.percent),
                    labels={"share": "Share (%)", "measure": "", "tier": "Tier"})
    figure.update_traces(textposition="inside", insidetextanchor="middle")
    fmt.outline_tiers(figure)
    figure.update_xaxes(tickformat=".0%", range=[0, 1])
    chart("Share of customers and of revenue by tier", figure, 260, legend=True)

with cut_points:
    st.markdown("**How the scores were cut**")

    cuts = cuts_in_words(analysis.cuts, view.symbol).rename(columns={"values": "Values", "begins": "Cut"})
    cuts = cuts.assign(variable=cuts["variable"].map(MEASURES)).rename(columns={"variable": "Measure"})
    st.dataframe(
        cuts,
        hide_index=True,
        column_config={
            "score": st.column_config.NumberColumn("Score", help="1 least valuable, 3 most valuable", format="%d"),
            "customers": st.column_config.NumberColumn("Customers", format="%,d"),
            "Values": st.column_config.TextColumn("These customers"),
            "Cut": st.column_config.TextColumn(
                "Who gets this score or better",
                help="Range method: the value range cut into equal thirds. Quantile method: where the third of the "
                     "customers begins. Score 1 is everyone else.",
            ),
        },
    )

# --- Recency x frequency -------------------------------------------------------
st.header("Recency × frequency", divider="gray")
colour_by = st.segmented_control("Colour by", HEAT_COLOURS, required=True, key="heat_colour")
cells = rfm_cells(customers, analysis.settings.tier_cuts, by=("r", "f")).set_index(["r", "f"])
measure = "average" if colour_by == "Average spend" else "revenue"
grid = cells[measure].unstack("f").sort_index(ascending=False)
counts = cells["customers"].unstack("f").sort_index(ascending=False)
# Three short lines ("12,345 / customers / $67"): a third of a phone's width holds them for any store.
labels = np.vectorize(
    lambda n, v: f"{fmt.customers(n).replace(' ', '<br>')}<br>{view.money(v)}" if n else "no<br>customers"
)(counts.to_numpy(), grid.fillna(0).to_numpy())
heat = go.Figure(go.Heatmap(
    z=grid.to_numpy(),
    x=["F1", "F2", "F3"],  # short, so that the cells keep the width (the axis titles say what the scores mean)
    y=["R3", "R2", "R1"],
    text=labels, texttemplate="%{text}", textfont={"color": BLACK, "size": 12}, colorscale=fmt.HEAT_SCALE,
    colorbar=fmt.colorbar_above(f"{colour_by} ({view.symbol})", tickprefix=view.symbol, tickformat=",.0f"),
    hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
))
heat.update_xaxes(title="Frequency score: 1 fewest orders, 3 most", side="bottom")
heat.update_yaxes(title="Recency score: 3 bought most recently", autorange="reversed")
chart("Customers by recency and frequency score, coloured by "
      + ("average spend per customer" if measure == "average" else "total spend of the cell"), heat, 440)

# --- Named segments ------------------------------------------------------------
st.header("Named segments", divider="gray")
st.caption("A second lens over the 27 RFM codes: each code belongs to one named segment.")
paint = st.segmented_control("Colour the codes by", TREE_COLOURS, required=True, key="tree_colour")
all_codes = rfm_cells(customers, analysis.settings.tier_cuts)
codes = all_codes.loc[all_codes["customers"] > 0]
named = analysis.segments.loc[(analysis.segments["segment"] != "All") & (analysis.segments["customers"] > 0)]
by_segment = named[["segment", "customers"]]
segment_average = named.set_index("segment")["customer_value"]  # revenue per customer in the window
if paint == "Tier":
    code_colours = [TIER_COLOURS[t] for t in codes["tier"]]
    marker = {"colors": [fmt.SEGMENT_TILE] * len(by_segment) + code_colours,
              "line": {"color": [fmt.SEGMENT_OUTLINE] * len(by_segment) + [TIER_OUTLINES[t] for t in codes["tier"]],
                       "width": fmt.OUTLINE_WIDTH}}
    text_colours = [text_colour(c) for c in marker["colors"]]
else:
    marker = {"colors": list(segment_average.reindex(by_segment["segment"])) + list(codes["average"]),
              "colorscale": fmt.HEAT_SCALE, "showscale": True,
              "colorbar": fmt.colorbar_above(f"Average spend ({view.symbol})", tickprefix=view.symbol)}
    text_colours = BLACK
tree = go.Figure(go.Treemap(
    ids=list(by_segment["segment"]) + [f"{s}/{c}" for s, c in zip(codes["segment"], codes["rfm_code"])],
    labels=list(by_segment["segment"]) + [f"RFM {c}" for c in codes["rfm_code"]],
    parents=[""] * len(by_segment) + list(codes["segment"]),
    values=list(by_segment["customers"]) + list(codes["customers"]),
    branchvalues="total",
    marker=marker,
    textfont={"color": text_colours},
    text=[fmt.customers(n) for n in list(by_segment["customers"]) + list(codes["customers"])],
    texttemplate="<b>%{label}</b><br>%{text}",
    hovertemplate="%{label}<br>%{text}<extra></extra>",
))
chart("Named segments sized by customers; inside, their RFM codes coloured by "
      + ("tier (red High, orange Medium, yellow Low)" if paint == "Tier" else "average spend"), tree, 480)

segments = SEGMENTS.merge(analysis.segments, on="segment", how="left").rename(columns={
    "segment": "Segment", "customers": "Customers", "clv": "CLV", "share_revenue": "Share of revenue",
    "action": "What to do", "description": "Who they are",
})[["Segment", "Customers", "CLV", "Share of revenue", "What to do", "Who they are"]]
with st.container(key="named_segments"):
    st.table(segments.style.format({"Customers": "{:,.0f}", "Share of revenue": fmt.percent, "CLV": money},
                                   na_rep="–")
             .hide(axis="index"))
st.html(fmt.cards_css("named_segments", list(segments.columns), short=("Customers", "CLV", "Share of revenue")))

with st.expander("The 27 RFM codes"):
    st.dataframe(
        all_codes[["r", "f", "m", "rfm_code", "segment", "tier", "customers", "average"]],
        hide_index=True,
        column_config={
            "r": "R", "f": "F", "m": "M",
            "rfm_code": st.column_config.NumberColumn("RFM code", format="%d"),
            "segment": "Segment", "tier": "Tier",
            "customers": st.column_config.NumberColumn("Customers", format="%,d"),
            "average": view.money_column("Average spend"),
        },
    )
    st.caption("Codes with no customers still show the segment and tier they would belong to.")

# --- Distributions -------------------------------------------------------------
st.header("Distributions", divider="gray")
p99 = customers["monetary"].quantile(0.99)
above = int((customers["monetary"] > p99).sum())


def histogram(values: np.ndarray, scores: np.ndarray, edges: np.ndarray, score: str, axis: str,
              whole: bool = False) -> go.Figure:
    """Customers per bin of ``values``, stacked by score. Counted here, so that the browser gets a few
    dozen bars rather than every customer's value (at a million customers: 13 MB per redraw, and 0.5 s).
    ``whole``: one bin per whole number, named by it."""
    figure = go.Figure()
    widths = np.diff(edges)
    middles = edges[:-1] + widths / 2
    names = ([f"{m:,.0f}" for m in middles] if whole
             else [f"{lo:,.0f} to {hi:,.0f}" for lo, hi in zip(edges[:-1], edges[1:])])
    for level in (1, 2, 3):
        counts, _ = np.histogram(values[scores == level], bins=edges)
        figure.add_bar(x=middles, y=counts, width=widths, name=str(level), marker_color=fmt.SCORE_SHADES[level],
                       marker_line={"color": fmt.SCORE_SHADES[3], "width": fmt.OUTLINE_WIDTH},
                       customdata=names, hovertemplate=f"{axis}: %{{customdata}}<br>"
                                                       f"{score}={level}: %{{y:,}} customers<extra></extra>")
    figure.update_layout(barmode="stack", bargap=0, legend_title_text=f"{score} score",
                         xaxis_title=axis, yaxis_title="Customers")
    return figure


def edges_of(values: np.ndarray, bins: int) -> np.ndarray:
    return np.histogram_bin_edges(values, bins=bins) if len(values) else np.array([0.0, 1.0])


recency = customers["recency_days"].to_numpy(dtype="float64")
orders_made = customers["frequency"].to_numpy(dtype="float64")
spend = customers["monetary"].clip(upper=p99).to_numpy(dtype="float64")
left, middle, right = st.columns(3)
with left:
    figure = histogram(recency, customers["r"].to_numpy(), edges_of(recency, 40), "R", "Days since last order")
    chart("Recency: days since the last order", figure, 300, legend=True)
with middle:
    whole = np.arange(orders_made.min(), orders_made.max() + 2) - 0.5 if len(orders_made) else np.array([0.5, 1.5])
    figure = histogram(orders_made, customers["f"].to_numpy(), whole, "F", "Orders in the window", whole=True)
    chart("Frequency: orders per customer", figure, 300, legend=True)
with right:
    figure = histogram(spend, customers["m"].to_numpy(), edges_of(spend, 40), "M",
                       f"Spend in the window ({view.symbol})")
    figure.update_xaxes(tickprefix=view.symbol, tickformat=",.0f")
    chart("Money: spend per customer", figure, 300, legend=True)
st.caption(f"Bars are shaded by score: light 1 (least valuable), dark 3 (most valuable). Spend is clipped at the "
           f"99th percentile ({fmt.escape(view.money(p99))}): the {fmt.customers(above)} above it are counted "
           "in the last bar.")

# --- Downloads -------------------------------------------------------------------
st.header("Downloads", divider="gray")
with st.container(horizontal=True, vertical_alignment="center"):
    with_list = st.checkbox("Customer list", key="report_customers",
                            help=f"Put the best {CUSTOMER_ROWS:,} customers, with their names and e-mails, in the "
                                 "report" + (" (the e-mails masked, as on screen)." if view.mask else "."))
    st.download_button(
        "Download report (HTML)",
        lambda: report_html(analysis, view.report, source=view.source.name, symbol=view.symbol,
                            customers=with_list, mask=view.mask),
        file_name="customer_value_report.html", mime="text/html", icon=":material/description:",
        on_click="ignore", type="primary",
        help="One file for a colleague: it opens in any browser, without this dashboard or an internet connection, "
             "with these settings, tables and charts, and prints to PDF. No customer's name or e-mail is in it "
             "unless you tick the customer list.",
    )
    st.download_button(
        "Download segments (CSV)", lambda: to_csv(segments_export(analysis)), file_name="segments.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore",
        help="The tier table, as the command-line tool writes it.",
    )
    st.download_button(
        "Download customers (CSV)", lambda: to_csv(view.customer_list()[CUSTOMER_COLUMNS]), file_name="customers.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore",
        help="One row per customer, best first, as the command-line tool writes it.",
    )
    st.download_button(
        "Download Excel workbook", lambda: to_excel(analysis, view.report, view.symbol, view.source.name),
        file_name="rfm_clv.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
        on_click="ignore",
        help="Tiers, named segments, customers, cut points, data quality and the settings, headers in words and "
             "tiers in their colours.",
    )
if view.mask:
    st.caption("Downloads keep the real e-mail addresses.")
