"""Customers: filter, search and sort the customer list, look at one customer, export a campaign list."""


import streamlit as st

from clv.campaign import campaign_audience, campaign_hashes, campaign_list
from clv.export import to_csv, workbook
from clv.segments import SEGMENT_NAMES, SEGMENTS
from clv.settings import TIERS
from pages import _format as fmt
from pages._page import page_view
from pages._view import DIRECTIONS, SORTS

STYLED_ROWS = 5_000  # colouring cells is slow beyond this; longer lists show the tier as text
SHOWN_ROWS = 10_000  # rows sent to the browser: a million would be 100 MB per redraw; the downloads hold them all
PICKABLE = 1_000
BADGE = {"High": "red", "Medium": "orange", "Low": "yellow"}

st.title("Customers")
view = page_view("customers", caption=False)
analysis = view.analysis
table = view.customer_list()  # best first; its rows are what the campaign files hold

# --- Filters (their values come from the link, and stay while the user visits other pages) ------------------
with st.container(border=True):
    top = st.columns([1, 1, 2])
    tiers = top[0].multiselect("Tier", list(TIERS), key="f_tier", placeholder="All tiers")
    segments = top[1].multiselect("Segment", list(SEGMENT_NAMES), key="f_segment", placeholder="All segments")
    search = top[2].text_input("Search customer, e-mail or name", key="f_search",
                               placeholder="e.g. anna, or @example.org",
                               help="Any part of it; upper or lower case. A search for an e-mail address is not "
                                    "put in the address bar, so a shared link never carries one.")
    bottom = st.columns([1, 1, 1, 1.5, 1.5])
    ranges = {
        score: bottom[i].slider(f"{score.upper()} score", 1, 3, key=f"f_{score}")
        for i, score in enumerate(("r", "f", "m"))
    }
    sort = bottom[3].selectbox("Sort by", list(SORTS), key="f_sort",
                               help="Best first: highest RFM score, then the most spend.")
    direction = bottom[4].segmented_control("Order", DIRECTIONS, format_func=lambda side: f"{side} first",
                                            required=True, key="f_direction", disabled=SORTS[sort] is None)

chosen = table
if tiers:
    chosen = chosen.loc[chosen["tier"].isin(tiers)]
if segments:
    chosen = chosen.loc[chosen["segment"].isin(segments)]
for score, (low, high) in ranges.items():
    chosen = chosen.loc[chosen[score].between(low, high)]
if search.strip():
    needle = search.strip()
    found = False
    for column in ("customer", "email", "name"):
        found = found | chosen[column].astype("string").str.contains(needle, case=False, regex=False).fillna(False)
    chosen = chosen.loc[found]
if SORTS[sort] is not None:
    chosen = chosen.sort_values(SORTS[sort], ascending=direction == "Lowest", kind="stable",
                                na_position="last")

spent = f" · {fmt.escape(view.money(chosen['monetary'].sum()))} spent in the window" if len(chosen) else ""
st.markdown(f"**{len(chosen):,}** of {len(table):,} customers{spent}")

shown = view.emails(chosen.head(SHOWN_ROWS))
columns = {
    "customer": st.column_config.TextColumn("Customer"),
    "email": st.column_config.TextColumn("E-mail"),
    "accepts_marketing": st.column_config.CheckboxColumn("Agreed to marketing",
                                                         help="Blank where your file says nothing."),
    "name": st.column_config.TextColumn("Name"),
    "tier": st.column_config.TextColumn("Tier"),
    "segment": st.column_config.TextColumn("Segment", width="medium"),
    "rfm_code": st.column_config.NumberColumn("RFM code", format="%d"),
    "rfm_score": st.column_config.NumberColumn("RFM score", format="%d"),
    "r": "R", "f": "F", "m": "M",
    "frequency": st.column_config.NumberColumn("Orders in the window", format="%,d"),
    "monetary": view.money_column("Spend in the window"),
    "recency_days": st.column_config.NumberColumn("Days since last order", format="%,d"),
    "first_order_date": st.column_config.DateColumn("First order ever", format="YYYY-MM-DD"),
    "last_order_date": st.column_config.DateColumn("Last order", format="YYYY-MM-DD"),
}
order = ["name", "email", "accepts_marketing", "tier", "segment", "rfm_code", "rfm_score", "r", "f", "m", "frequency",
         "monetary", "recency_days", "first_order_date", "last_order_date", "customer"]
styled = len(shown) <= STYLED_ROWS
if styled:
    shown = fmt.tier_cells(shown, {"monetary": lambda v: view.money(v)})
st.dataframe(shown, hide_index=True, column_config=columns, column_order=order,
             height=min(420, 35 * (len(chosen) + 1) + 3))
if len(chosen) > SHOWN_ROWS:
    st.caption(f"The first {SHOWN_ROWS:,} of these {len(chosen):,} customers are shown; sort, filter or search to see "
               "others. The downloads below hold all of them.")
if not styled:
    st.caption(f"Tiers are coloured on screen for lists of up to {STYLED_ROWS:,} customers (colouring more would "
               "slow the page): filter to see the colours. The Excel download keeps them for every row.")

# --- Campaign downloads ------------------------------------------------------------------------
if "accepts_marketing" in table.columns:
    everyone = st.checkbox("Include customers who did not agree to marketing", key="f_everyone",
                           persist_state="session",
                           help="Only where you have another reason to contact them, such as an order update.")
else:
    everyone = False
audience = campaign_audience(chosen, everyone)
reachable = audience.customers
if not audience.file_tells:
    st.caption("Your file does not say who agreed to marketing e-mails, so every customer is in the downloads. "
               "Check that they agreed before you send a campaign.")
elif audience.everyone and audience.declined + audience.unknown:
    st.warning(f"The downloads include {fmt.customers(audience.declined + audience.unknown)} who did not agree "
               "to marketing e-mails (or about whom your file says nothing). Send them only what they agreed to.",
               icon=":material/warning:")
elif audience.left_out:
    unknown = (f", and {fmt.customers(audience.unknown)} about whom your file says nothing"
               if audience.unknown else "")
    st.caption(f"The downloads hold the {fmt.customers(len(reachable))} who agreed to marketing e-mails. Left out: "
               f"{fmt.customers(audience.declined)} who did not agree{unknown}.")
else:
    st.caption("Every one of these customers agreed to marketing e-mails.")

with st.container(horizontal=True, vertical_alignment="center"):
    st.download_button(
        f"Download {len(reachable):,} (CSV)", lambda: to_csv(reachable), file_name="customers_selection.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", disabled=reachable.empty,
    )
    st.download_button(
        f"Download {len(reachable):,} (Excel)", lambda: workbook({"Customers": reachable}, view.symbol),
        file_name="customers_selection.xlsx", icon=":material/download:", on_click="ignore", disabled=reachable.empty,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    st.download_button(
        "Klaviyo or Mailchimp list (CSV)", lambda: to_csv(campaign_list(reachable)), file_name="email_list.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", disabled=reachable.empty,
        help="E-mail, first name, last name and tags (tier and segment), one row per address.",
    )
    st.download_button(
        "Meta or Google Ads audience (CSV)", lambda: to_csv(campaign_hashes(reachable)),
        file_name="ads_audience_sha256.csv", mime="text/csv", icon=":material/download:", on_click="ignore",
        disabled=reachable.empty,
        help="The e-mail addresses trimmed, lower-cased and hashed (SHA-256), as Meta Custom Audiences and "
             "Google Customer Match ask: upload it as a customer list.",
    )
st.caption(
    "The CSV and Excel lists have the columns of the full customer file (Segments page), only these rows; "
    "names and e-mails the file does not give are blank."
    + (" Downloads keep the real e-mail addresses." if view.mask else "")
)

# --- One customer --------------------------------------------------------------------------
st.header("One customer", divider="gray")
if chosen.empty:
    st.info("No customer matches these filters. Clear the search or widen the score ranges.")
    st.stop()

people = chosen.head(PICKABLE).set_index("customer")


def label(customer: str) -> str:
    """Name and e-mail (masked when asked); the customer id where there is no e-mail."""
    person = people.loc[customer]
    name = view.email(person["name"])
    contact = view.email(person["email"]) or (view.email(customer) if customer != person["name"] else "")
    return " · ".join(part for part in (name, contact) if part)


if "f_customer" in st.session_state:
    # The browser keeps the text of the picked option until it is told the value again: said every run, the
    # pick's label follows the mask the moment it is switched on.
    st.session_state["f_customer"] = st.session_state["f_customer"]
who = st.selectbox("Customer", list(people.index), format_func=label, key="f_customer",
                   help=f"The first {PICKABLE:,} customers of the list above, in its order." if len(chosen) > PICKABLE
                   else "The customers of the list above, in its order.")
person = people.loc[who]
about = SEGMENTS.set_index("segment").loc[person["segment"]]

st.subheader(fmt.escape(view.email(person["name"]) or "Customer without a name"))
st.badge(f"{person['tier']} tier", color=BADGE[person["tier"]])
# Plain text, not markdown: an address would otherwise become a mailto link.
same = not fmt.is_blank(person["email"]) and str(person["email"]).strip().lower() == str(who).strip().lower()
st.text(f"E-mail: {view.email(person['email']) or 'none in the file'}"
        + ("" if same else f"    Customer id: {view.email(who)}"))
with st.container(horizontal=True):
    st.metric("R · F · M", f"{person['r']} · {person['f']} · {person['m']}", border=True,
              help=f"RFM code {person['rfm_code']}, score {person['rfm_score']} of 9.")
    st.metric("Orders in the window", f"{person['frequency']:,}", border=True)
    st.metric("Spend in the window", view.money(person["monetary"]), border=True)
    st.metric("Days since last order", f"{person['recency_days']:,}", border=True)
with st.container(horizontal=True):
    st.metric("First order ever", f"{person['first_order_date']:%d %b %Y}", border=True,
              help="The first order on or before the as-of date, inside the window or before it.")
    st.metric("Last order", f"{person['last_order_date']:%d %b %Y}", border=True)
    st.metric("RFM score", f"{person['rfm_score']} of 9", border=True)
    st.metric("RFM code", f"{person['rfm_code']}", border=True)
st.markdown(f"**{fmt.escape(person['segment'])}:** {fmt.escape(about['description'])}")
st.info(f"**What to do:** {fmt.escape(about['action'])}", icon=":material/campaign:")
