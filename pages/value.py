"""Lifetime value: CLV per tier and per named segment with its parts, and what a new customer may cost."""

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from clv.settings import TIER_COLOURS, TIER_OUTLINES
from clv.value import HEALTHY_LTV_CAC
from pages import _format as fmt
from pages._page import chart, page_view, show_warnings
from pages._view import CAC_MODES

st.title("Lifetime value")
view = page_view("lifetime-value")
show_warnings(view.analysis.warnings)

analysis = view.analysis
money = lambda value: view.money(value)  # noqa: E731
everyone = analysis.tiers.set_index("tier").loc["All"]
window_days = analysis.window.length_days

PARTS = {  # CLV next to the customers, so that a phone shows it; then its parts in the formula's order
    "customers": "Customers", "clv": "CLV", "aov": "Average order value", "purchase_frequency": "Orders per customer",
    "customer_value": "Customer value (window)", "annual_customer_value": "Annual value",
    "lifespan_years": "Lifespan", "margin": "Margin",
}
PART_FORMATS = {
    "Customers": "{:,.0f}", "Average order value": money, "Orders per customer": fmt.per_customer,
    "Customer value (window)": money, "Annual value": money, "Lifespan": fmt.years, "Margin": fmt.percent,
    "CLV": money,
}

# --- Per tier --------------------------------------------------------------------
st.header("CLV per tier", divider="gray")
st.markdown(
    f"**CLV = average order value × orders per customer × 365 / {window_days:,} days × lifespan × margin.** "
    f"For all customers: {fmt.escape(view.money(everyone['aov']))} "
    f"× {fmt.per_customer(everyone['purchase_frequency'])} × 365 / {window_days:,} "
    f"× {fmt.years(everyone['lifespan_years'])} × {fmt.escape(fmt.percent(everyone['margin']))} "
    f"= **{fmt.escape(view.money(everyone['clv']))}**."
)
if analysis.settings.margin == 1:
    st.info("The margin is 100%, so this CLV is revenue, not profit. Enter your gross margin in the sidebar to see "
            "the profit a customer brings.", icon=":material/info:")
tiers = analysis.tiers.rename(columns={"tier": "Tier", **PARTS})[["Tier", *PARTS.values()]]
st.dataframe(fmt.tier_rows(tiers, PART_FORMATS, column="Tier"), hide_index=True)

per_tier = analysis.tiers.loc[analysis.tiers["tier"] != "All"]
figure = px.bar(
    per_tier, x="tier", y="clv", color="tier", color_discrete_map=TIER_COLOURS,
    category_orders={"tier": fmt.TIER_ORDER},
    text=per_tier["clv"].map(money),
    custom_data=["aov", "purchase_frequency", "annual_customer_value"],
    labels={"tier": "Tier", "clv": f"CLV ({view.symbol})"},
)
figure.update_traces(
    textposition="outside", cliponaxis=False,
    hovertemplate=(f"%{{x}}: CLV {view.symbol}%{{y:,.2f}}<br>AOV {view.symbol}%{{customdata[0]:,.2f}} · "
                   f"%{{customdata[1]:.2f}} orders per customer<br>annual value {view.symbol}%{{customdata[2]:,.2f}}"
                   "<extra></extra>"),
)
figure.add_hline(y=everyone["clv"], line_dash="dash", line_color="#475569",
                 annotation_text=f"All customers {view.money(everyone['clv'])}", annotation_position="top right")
figure.update_yaxes(tickprefix=view.symbol, tickformat=",.0f", range=fmt.room_for_labels(per_tier["clv"]))
fmt.outline_tiers(figure)
chart(f"Customer lifetime value per tier ({view.symbol})", figure, 320)

# --- Per named segment -------------------------------------------------------------
st.header("CLV per named segment", divider="gray")
segments = analysis.segments.loc[analysis.segments["segment"] != "All"].sort_values("clv", ascending=True)
figure = px.bar(
    segments.dropna(subset=["clv"]), x="clv", y="segment", orientation="h",
    text=segments.dropna(subset=["clv"])["clv"].map(money),
    labels={"clv": f"CLV ({view.symbol})", "segment": ""},
    color_discrete_sequence=["#2E6F95"],
)
figure.update_traces(textposition="outside", cliponaxis=False,
                     hovertemplate=f"%{{y}}: CLV {view.symbol}%{{x:,.2f}}<extra></extra>")
figure.update_xaxes(tickprefix=view.symbol, tickformat=",.0f", range=fmt.room_for_labels(segments["clv"]))
chart(f"Customer lifetime value per named segment ({view.symbol})", figure, 380)
same_for_all = ("lifespan_years", "margin")  # one value for every segment: said in the caption, not repeated
parts = {key: label for key, label in PARTS.items() if key not in same_for_all}
bought = analysis.segments.loc[analysis.segments["customers"] > 0]
st.dataframe(
    bought[["segment", *parts]].rename(columns={"segment": "Segment", **parts}).style
    .apply(lambda row: ["font-weight: 700; background-color: #F1F5F9" if row["Segment"] == "All" else ""] * len(row),
           axis=1)
    .format({label: PART_FORMATS[label] for label in parts.values()}),
    hide_index=True,
    height=35 * (len(bought) + 1) + 3,
    column_config={"Segment": st.column_config.TextColumn("Segment", pinned=True)},
)
st.caption(f"Every segment has the same lifespan ({fmt.years(analysis.lifespan_years)}) and margin "
           f"({fmt.percent(analysis.settings.margin)}). Segments with no customers in this window are left out; the "
           "All row is every customer.")

# --- Acquisition -----------------------------------------------------------------------
st.header("Acquisition: what may a new customer cost?", divider="gray")
inputs = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
inputs[0].radio("I know", list(CAC_MODES), key="cac_mode", format_func=CAC_MODES.get)
if st.session_state["cac_mode"] == "spend":
    inputs[1].number_input(f"Marketing spend ({fmt.escape(view.symbol)})", min_value=0.0, step=100.0, value=None,
                           key="spend", placeholder="e.g. 5000", help="What you spent on marketing over a period.")
    inputs[2].number_input("New customers won", min_value=0, step=10, value=None, key="new",
                           placeholder="e.g. 200", help="New customers in the same period.")
else:
    inputs[1].number_input(f"CAC per customer ({fmt.escape(view.symbol)})", min_value=0.0, step=1.0, value=None,
                           key="cac", placeholder="e.g. 25")
inputs[3].number_input("Ad conversion rate (%)", min_value=0.01, max_value=100.0, step=0.5, format="%.2f", key="conv",
                       help="Share of ad clicks that become customers; sets the most you may pay per click.")

cac = analysis.settings.acquisition_cost
if cac is None:
    st.info("Enter your marketing spend and the new customers it won (or your CAC) to compare CLV with what "
            "a customer costs. The maximum cost per click below needs only the conversion rate.")
else:
    ratio = everyone["ltv_cac"]
    with st.container(horizontal=True):
        st.metric("Acquisition cost (CAC)", view.money(cac), border=True)
        st.metric("CLV − CAC (all customers)", view.money(everyone["clv_minus_cac"]), border=True,
                  help="Return on acquisition: what a customer brings beyond what it cost to win.")
        st.metric("LTV : CAC (all customers)", fmt.ratio(ratio), border=True)
    if ratio != ratio:
        st.warning("CAC is 0, so the LTV : CAC ratio has no meaning.")
    elif ratio >= HEALTHY_LTV_CAC:
        st.success(f"Healthy: LTV : CAC is {fmt.ratio(ratio)}, at or above the {fmt.ratio(HEALTHY_LTV_CAC)} mark.",
                   icon=":material/check_circle:")
    else:
        st.error(f"Below the {fmt.ratio(HEALTHY_LTV_CAC)} mark: LTV : CAC is {fmt.ratio(ratio)}. Spend less per new "
                 "customer or raise their value.", icon=":material/warning:")

    # Each ratio is written under its bar and the mark is named in the title: text drawn on the plot would sit
    # on a bar or on the dashed line, whatever the numbers.
    ratios = analysis.tiers.dropna(subset=["ltv_cac"])
    written = [fmt.ratio(v) for v in ratios["ltv_cac"]]
    figure = go.Figure(go.Bar(
        x=ratios["tier"], y=ratios["ltv_cac"], customdata=written,
        marker_color=[TIER_COLOURS.get(t, "#64748B") for t in ratios["tier"]],
        marker_line={"color": [TIER_OUTLINES.get(t, "#64748B") for t in ratios["tier"]], "width": fmt.OUTLINE_WIDTH},
        hovertemplate="%{x}: LTV : CAC %{customdata}<extra></extra>",
    ))
    figure.add_hline(y=HEALTHY_LTV_CAC, line_dash="dash", line_color="#15803D")
    figure.update_yaxes(title="LTV : CAC (CLV / CAC)", rangemode="tozero")
    figure.update_xaxes(title="Tier", tickmode="array", tickvals=list(ratios["tier"]),
                        ticktext=[f"<b>{tier}</b><br>{text}" for tier, text in zip(ratios["tier"], written)],
                        tickfont={"size": 13, "color": "#1F2937"})
    chart(f"LTV : CAC per tier; the dashed line is the {fmt.ratio(HEALTHY_LTV_CAC)} healthy mark", figure, 340)

st.subheader("The most to pay per click, per tier")
economics = {"tier": "Tier", "clv": "CLV", "max_cpc": "Max cost per click"}
if cac is not None:
    economics |= {"cac": "CAC", "clv_minus_cac": "CLV − CAC", "ltv_cac": "LTV : CAC"}
st.dataframe(
    fmt.tier_rows(
        analysis.tiers[list(economics)].rename(columns=economics),
        {"CLV": money, "Max cost per click": money, "CAC": money, "CLV − CAC": money, "LTV : CAC": fmt.ratio},
        column="Tier",
    ),
    hide_index=True,
    width="content",
)
st.caption(f"Max cost per click = CLV × conversion rate ({fmt.number(analysis.settings.conversion_rate * 100)}%): "
           "bid at most this much per click to win a customer of that tier.")
