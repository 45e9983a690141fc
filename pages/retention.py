"""Retention: repeat customers, retention and churn over a year, the lifespan they give, monthly cohorts."""

import plotly.graph_objects as go
import streamlit as st

from clv.colours import BLACK
from clv.retention import cohort_matrix
from pages import _format as fmt
from pages._page import chart, page_view, show_warnings
from pages._view import set_churn

COHORTS_SHOWN = 24
COHORT_LABELS, CELL = 140, 26  # px: the month labels; a cell that holds "100%" at 10 px

st.title("Retention")
view = page_view("retention")

analysis = view.analysis
kept = analysis.retention

# --- Who comes back ----------------------------------------------------------------
st.header("Who comes back", divider="gray")
with st.container(horizontal=True):
    st.metric("Repeat-customer rate", fmt.percent(analysis.repeat_rate), border=True,
              help="Share of the window's customers with two or more orders.")
    st.metric("Retention rate", fmt.percent(kept.retention_rate), border=True,
              help="(Customers at end − new customers) / customers at start. Customers won back after a "
                   "longer absence count as retained, so it can pass 100%.")
    st.metric("Churn rate", fmt.percent(kept.churn_rate), border=True, help="1 − retention rate.")
with st.container(horizontal=True):
    st.metric("Customers at start", f"{kept.customers_start:,}", border=True,
              help=f"Bought in the {kept.period_days} days before the period.")
    st.metric("Customers at end", f"{kept.customers_end:,}", border=True, help="Bought in the period.")
    st.metric("New customers", f"{kept.new_customers:,}", border=True, help="First order ever in the period.")
st.caption(f"Period: {kept.period_start:%d %b %Y} to {kept.period_end:%d %b %Y} ({kept.period_days} days), "
           f"compared with the {kept.period_days} days before it. A customer is someone who bought in that time.")
if kept.retention_rate is None:
    st.info("No customer bought in the year before the period, so retention and churn cannot be measured yet.")

# --- Lifespan ---------------------------------------------------------------------------
st.header("Customer lifespan used in CLV", divider="gray")
left, right = st.columns(2)
left.metric("Lifespan in CLV", fmt.years(analysis.lifespan_years), border=True,
            help="Assumed (set in the sidebar) or estimated from churn as 1 / annual churn rate.")
left.caption(f"Source: {analysis.lifespan_source}.")
from_churn = kept.lifespan_years
right.metric("From churn (1 / annual churn)", fmt.years(from_churn), border=True)
if st.session_state["churn"]:
    right.button(f"Use the assumed {fmt.years(st.session_state['lifespan'])} instead", on_click=set_churn,
                 args=(False,), icon=":material/undo:")
else:
    right.button("Use the lifespan from churn", on_click=set_churn, args=(True,),
                 icon=":material/autorenew:", type="primary", disabled=from_churn is None)
show_warnings([analysis.lifespan_warning] if analysis.lifespan_warning else [])

# --- Cohorts ------------------------------------------------------------------------------
st.header("Monthly cohorts", divider="gray")
table = view.cohorts()
if table.empty:
    st.info("No counted orders up to the as-of date, so there are no cohorts to show.")
    st.stop()
matrix = cohort_matrix(table).tail(COHORTS_SHOWN)
sizes = table.loc[table["months_since"] == 0].set_index("cohort")["customers"].reindex(matrix.index)
later = matrix.drop(columns=0, errors="ignore").dropna(axis="columns", how="all")
figure = go.Figure(go.Heatmap(
    z=later.to_numpy(),
    x=[f"+{m}" for m in later.columns],
    y=[f"{c:%b %Y} · {n:,} new" for c, n in zip(matrix.index, sizes)],
    text=[["" if v != v else fmt.percent(v) for v in row] for row in later.to_numpy()],
    texttemplate="%{text}", textfont={"size": 10, "color": BLACK},
    colorscale=fmt.HEAT_SCALE, zmin=0, colorbar=fmt.colorbar_above("Still buying", tickformat=".0%"),
    hovertemplate="%{y}<br>%{x} months after the first order: %{z:.1%} bought<extra></extra>",
    xgap=1, ygap=1,
))
figure.update_yaxes(autorange="reversed", title="Month of first order", type="category")
figure.update_xaxes(title="Months after the first order", type="category")
with st.container(key="cohorts"):
    chart(f"Share of each month's new customers who bought again N months later (last {len(matrix)} cohorts)",
          figure, max(360, 28 * len(matrix) + 140))
st.html(fmt.hide_heatmap_text_css("cohorts", narrow=COHORT_LABELS + CELL * later.shape[1]))
every = table["cohort"].nunique()
st.caption((f"The last {len(matrix)} of {every} cohorts. " if every > len(matrix) else "")
           + "Month 0 (the first order) is always 100% and is left out so the later months are readable.")
