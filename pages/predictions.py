"""Predictions: who will buy again, what they will be worth, who is slipping away (METHOD.md section 9)."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from clv.campaign import campaign_audience
from clv.export import model_export, to_csv
from clv.predict import prediction_groups, valuable_and_slipping
from clv.settings import TIER_COLOURS, TIERS
from pages import _format as fmt
from pages._page import chart, page_view
from pages._view import HORIZONS

SHOWN_ROWS = 1_000  # the slipping list on screen; the download holds every row

st.title("Predictions")
view = page_view("predictions")
analysis = view.analysis
fit, why_not = view.prediction_fit()
if fit is None:
    st.warning(fmt.escape(view.email(why_not)), icon=":material/info:")
    st.info("The tiers and their lifetime value on the other pages do not need the models: they are all still "
            "there.")
    st.stop()

horizon = st.segmented_control("Look ahead", list(HORIZONS), format_func=HORIZONS.get, key="horizon",
                               required=True, help="How far ahead expected orders and predicted value reach. "
                                                   "Changing it does not refit the models.")
customers = view.predicted_list(horizon)  # the customer list, best first, with the four predicted columns
margin = analysis.settings.margin
span = HORIZONS[horizon]

# --- Headline -------------------------------------------------------------------------------
with st.container(horizontal=True):
    st.metric(f"Predicted value, next {span}", view.money(customers["predicted_clv"].sum()), border=True,
              help=f"Expected orders × expected order value × margin ({fmt.percent(margin)}), over this window's "
                   "customers.")
    st.metric(f"Expected orders, next {span}", f"{customers['expected_orders'].sum():,.0f}", border=True)
with st.container(horizontal=True):
    st.metric("Average P(alive)", fmt.percent(customers["p_alive"].mean()), border=True,
              help="The model's probability that a customer has not left for good, averaged over the customers.")
    st.metric("Customers scored", f"{len(customers):,}", border=True)

# --- Predicted against past value, per tier ---------------------------------------------------
st.header("Predicted against this year's pace, per tier", divider="gray")
groups = prediction_groups(customers["tier"], customers, list(TIERS)).set_index("group")
tiers = analysis.tiers.set_index("tier")
pace = tiers["annual_customer_value"] * horizon / 365 * margin  # what the tiers' CLV assumes, over the horizon
table = (
    groups.loc[[*TIERS, "All"], ["customers", "p_alive", "expected_orders", "predicted_clv"]]
    .assign(pace=pace, clv=tiers["clv"])
    .rename_axis("Tier").reset_index()
    .rename(columns={"customers": "Customers", "p_alive": "Average P(alive)", "expected_orders": "Expected orders",
                     "predicted_clv": f"Predicted value per customer, {span}",
                     "pace": f"At this year's pace, {span}", "clv": "CLV over the lifespan (tiers)"})
)
money_columns = [c for c in table.columns if "value" in c or "pace" in c or "CLV" in c]
st.dataframe(fmt.tier_rows(table, {"Customers": "{:,.0f}", "Average P(alive)": fmt.percent,
                                   "Expected orders": "{:,.0f}", **{c: view.money for c in money_columns}},
                           column="Tier"), hide_index=True)

figure = go.Figure()
shown = table.loc[table["Tier"] != "All"]
figure.add_bar(x=shown["Tier"], y=shown[f"At this year's pace, {span}"], name="At this year's pace",
               marker_color="#94A3B8", hovertemplate=f"%{{x}}: {view.symbol}%{{y:,.2f}} a customer<extra></extra>")
figure.add_bar(x=shown["Tier"], y=shown[f"Predicted value per customer, {span}"], name="Predicted",
               marker_color=[TIER_COLOURS[t] for t in shown["Tier"]],
               hovertemplate=f"%{{x}}: {view.symbol}%{{y:,.2f}} a customer<extra></extra>")
figure.update_layout(barmode="group")
figure.update_yaxes(tickprefix=view.symbol, tickformat=",.0f")
chart(f"Value per customer over the next {span} ({view.symbol})", figure, 320, legend=True)
st.caption(
    "At this year's pace: the tier's annual value × the horizon × margin, what the tiers' CLV assumes every "
    "customer keeps doing. Predicted: the models' expected orders × expected order value × margin, which expect "
    "some customers to have left and others to slow down."
)

# --- P(alive) ----------------------------------------------------------------------------------
st.header("How likely they are still customers", divider="gray")
edges = np.linspace(0, 1, 11)
figure = go.Figure()
for tier in TIERS:
    counts, _ = np.histogram(customers.loc[customers["tier"] == tier, "p_alive"].to_numpy(), bins=edges)
    figure.add_bar(x=edges[:-1] + 0.05, y=counts, width=0.1, name=tier, marker_color=TIER_COLOURS[tier],
                   customdata=[f"{lo:.0%} to {hi:.0%}" for lo, hi in zip(edges[:-1], edges[1:])],
                   hovertemplate=f"{tier}, P(alive) %{{customdata}}: %{{y:,}} customers<extra></extra>")
figure.update_layout(barmode="stack", bargap=0, xaxis_title="P(alive)", yaxis_title="Customers")
figure.update_xaxes(tickformat=".0%", range=[0, 1])
fmt.outline_tiers(figure)
chart("Customers by their probability of still being a customer", figure, 300, legend=True)
st.caption("Customers who bought once have P(alive) 1 under the model (it lets a customer leave only after a "
           "repeat purchase); regular buyers who have gone quiet for longer than usual score lowest.")

# --- Valuable and slipping ---------------------------------------------------------------------
st.header("Valuable and slipping", divider="gray")
threshold = st.slider("P(alive) below", min_value=5, max_value=95, step=5, format="%d%%",
                      key="slipping_below", help="Customers in the top third by spend (M = 3) whose probability "
                                                 "of still being a customer is below this.")
slipping = valuable_and_slipping(customers, threshold / 100)
st.markdown(f"**{len(slipping):,}** customers spent the most in the window (M = 3) and are less than "
            f"{threshold}% likely to still be customers: a list for a win-back campaign.")
columns = {
    "name": st.column_config.TextColumn("Name"),
    "email": st.column_config.TextColumn("E-mail"),
    "tier": st.column_config.TextColumn("Tier"),
    "monetary": view.money_column("Spend in the window"),
    "last_order_date": st.column_config.DateColumn("Last order", format="YYYY-MM-DD"),
    "frequency": st.column_config.NumberColumn("Orders", format="%,d"),
    "p_alive": st.column_config.NumberColumn("P(alive)", format="percent"),
    "predicted_clv": view.money_column(f"Predicted value, {span}"),
    "customer": st.column_config.TextColumn("Customer"),
}
st.dataframe(view.emails(slipping.head(SHOWN_ROWS)), hide_index=True, column_config=columns,
             column_order=list(columns), height=min(420, 35 * (len(slipping.head(SHOWN_ROWS)) + 1) + 3))
if len(slipping) > SHOWN_ROWS:
    st.caption(f"The first {SHOWN_ROWS:,} of {len(slipping):,} are shown; the download holds all of them.")
# A win-back list is an e-mail campaign's: only those who agreed to marketing, where the file says.
reach = campaign_audience(slipping)
st.download_button(
    f"Download {len(reach.customers):,} for a win-back campaign (CSV)", lambda: to_csv(reach.customers),
    file_name="valuable_and_slipping.csv", mime="text/csv", icon=":material/download:", on_click="ignore",
    disabled=reach.customers.empty,
)
st.caption("The columns of the customer file with the four predicted ones after them"
           + (f", without the {fmt.customers(reach.left_out)} who did not agree to marketing e-mails or about whom "
              "your file says nothing." if reach.left_out else ".")
           + (" The download keeps the real e-mail addresses." if view.mask else ""))

# --- The fit ---------------------------------------------------------------------------------------
st.header("The models in plain words", divider="gray")
purchases, spend = fit.purchases, fit.spend
per_year = 365 * purchases.r / purchases.alpha
leave = purchases.a / (purchases.a + purchases.b)
average_order = spend.p * spend.gamma / (spend.q - 1)
st.markdown(
    f"Fitted on every counted order up to {fit.as_of:%d %b %Y} of **{purchases.customers:,}** customers "
    f"(BG/NBD, for how often they buy and whether they are still customers) and the **{spend.customers:,}** who "
    f"came back on a later day (Gamma-Gamma, for how much they spend):\n"
    f"- while they are customers, they buy on average **{per_year:.1f} times a year**, some much more and many "
    f"much less;\n"
    f"- after each repeat purchase about **{leave:.0%}** of customers stop buying for good;\n"
    f"- an order is worth **{fmt.escape(view.money(average_order))}** on average. A customer's own average "
    f"counts for more the more often they have bought; customers who bought once get this average."
)
model = model_export(fit).rename(columns={"model": "Model", "parameter": "Parameter", "value": "Value"})
with st.expander("The fitted numbers"):
    shown_as = {"customers": "{:,.0f}", "log_likelihood": "{:,.1f}"}
    st.dataframe(model.assign(Value=[shown_as.get(p, "{:.4g}").format(v) for p, v in zip(model["Parameter"],
                                                                                          model["Value"])]),
                 hide_index=True)
    st.caption("BG/NBD: purchase rates ~ Gamma(r, alpha), alpha in days; dropout after each repeat purchase ~ "
               "Beta(a, b). Gamma-Gamma: order values ~ Gamma(p, nu), nu ~ Gamma(q, gamma). Log-likelihoods "
               "in days and in the currency.")
st.caption(
    "What the models cannot see: seasons, promotions, price changes or a store's growth; they learn from the "
    "rhythm of each customer's past purchases only. On the CDNOW data the papers use, the same models expected "
    "1,653 repeat purchases in the 39 weeks after the fit and 1,882 came: read the numbers as a careful guess. "
    "They are refitted only when the data or the as-of date change: margin, horizon and tiers reuse the fit."
)
