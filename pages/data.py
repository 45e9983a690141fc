"""Your data: upload an export, name its columns when they are not recognised, see how it was read."""

import pandas as pd
import streamlit as st

from clv.errors import OrdersError
from clv.export import quality_table
from pages import _format as fmt
from pages._page import chosen_symbol, masking, on_screen, prepare, show_warnings
from pages._sidebar import lifespan_from_data
from pages._source import (
    UPLOAD_LIMIT_MB, cached_analysis, current_mapping, data_key, raw_table, take_upload, too_large, uploader_key,
    use_sample,
)
from pages._view import DATE_ORDERS, settings_from_view

ROLE_LABELS = {
    "customer": "Customer id",
    "email": "E-mail",
    "name": "Customer name",
    "order": "Order id",
    "date": "Order date",
    "amount": "Amount (net sales)",
    "quantity": "Quantity",
    "price": "Unit price",
}
ROLE_HELP = {
    "customer": "Who bought. Without it, the e-mail and then the name identify the customer.",
    "order": "Without it, every row is its own order.",
    "amount": "Net sales of the row. Without it, quantity × unit price.",
}
USED_LABELS = {**ROLE_LABELS, "status": "Order status", "cancelled": "Cancelled",
               "accepts_marketing": "Agreed to marketing"}
DATES_READ = {
    "year-first": "year, month, day (2026-03-04)",
    "month-first": "month first (03/04/2026 is March 4)",
    "day-first": "day first (03/04/2026 is 3 April)",
}
FORMATS = ["csv", "tsv", "txt", "gz", "xlsx", "parquet"]


def apply_mapping(source_key: str, guesses: dict[str, str | None]) -> None:
    """The mapping button's callback: read the file again with the columns the user changed."""
    picks = {role: st.session_state[f"map_{role}_{source_key}"] for role in ROLE_LABELS}
    changed = tuple((role, column) for role, column in picks.items() if column and column != guesses.get(role))
    st.session_state["_mapping"] = changed or None


st.title("Your data")
source, loaded, error, from_data = prepare("data")

with st.container(border=True):
    key = uploader_key()
    st.file_uploader(
        "Upload your order export", type=FORMATS, key=key, on_change=take_upload, args=(key,),
        max_upload_size=UPLOAD_LIMIT_MB,
        help="Shopify or WooCommerce order exports are recognised as they are; any other table of orders "
             "(CSV with comma, semicolon or tab; Excel .xlsx; Parquet) works when you name its columns below.",
    )
    if source.sample:
        st.caption("Showing the sample store, Fernwood Coffee & Tea. Drop your file above: it is read in memory "
                   "for this session and not saved.")
    else:
        st.markdown(f"Showing **{fmt.escape(source.name)}**.")
        st.button("Back to the sample store", on_click=use_sample, icon=":material/storefront:")

refused = too_large()
if refused:
    st.error(refused, icon=":material/block:")
elif error:
    st.error(fmt.escape(on_screen(error)))

if loaded is None or loaded.report.date_order_ambiguous or st.session_state["date_order"] != "auto":
    st.radio("How to read dates such as 03/04/2026", list(DATE_ORDERS), key="date_order",
             format_func=DATE_ORDERS.get, horizontal=True)
    if loaded is not None and loaded.report.date_order_ambiguous:
        st.caption(f"Nothing in the file tells whether 03/04 is 3 April or March 4: the dates were read "
                   f"**{DATES_READ[loaded.report.date_order]}**. Switch if that is wrong.")

if error is not None or st.toggle("Name the columns myself", key="map_open",
                                  help="When a column was not recognised, or the wrong one was used."):
    preview, guesses, table_error = raw_table(source)
    if table_error:
        st.info("The file cannot be read as a table, so there are no columns to name. Export it again as CSV "
                "or Excel.")
    else:
        with st.container(border=True):
            st.subheader("Which column is which?")
            st.caption("Pre-filled with what was recognised. Change only what is wrong: customer, order date and "
                       "amount (or quantity and unit price) are needed.")
            options = [None, *preview.columns]
            current = {**guesses, **dict(current_mapping() or ())}
            grid = st.columns(4)
            for i, (role, text) in enumerate(ROLE_LABELS.items()):
                grid[i % 4].selectbox(
                    text, options, index=options.index(current.get(role)) if current.get(role) in options else 0,
                    format_func=lambda column: "(not in the file)" if column is None else column,
                    key=f"map_{role}_{source.key}", help=ROLE_HELP.get(role),
                )
            st.button("Read the file with these columns", type="primary", on_click=apply_mapping,
                      args=(source.key, guesses), icon=":material/table_view:")
            st.markdown("**The file's first rows**")
            shown = fmt.mask_frame(preview) if masking() else preview
            st.dataframe(shown, hide_index=True)

if loaded is None:
    st.info("Fix the file above, or go back to the sample store, to see the dashboard.")
    st.stop()

# --- How the file was read ---------------------------------------------------------------
report = loaded.report
symbol = chosen_symbol(loaded)
st.header("How the file was read", divider="gray")
span = ("" if report.first_date is None
        else f" Its orders run from {report.first_date:%d %b %Y} to {report.last_date:%d %b %Y}.")
st.markdown(f"File type: **{fmt.escape(report.source_format)}**.{span}")
with st.container(horizontal=True):
    st.metric("Rows read", f"{report.rows_read:,}", border=True)
    st.metric("Revenue read", fmt.money(report.revenue_read, symbol), border=True,
              help="Net amount of every row whose amount could be read, refunds taken off.")
    st.metric("Orders kept", f"{loaded.orders_kept:,}", border=True,
              help="Orders with a customer, a date and an amount, not cancelled, before any window.")
used = pd.DataFrame({
    "role": [USED_LABELS.get(role, role.capitalize()) for role in report.columns],
    "column": list(report.columns.values()),
})
left, right = st.columns([1, 1], gap="large")
with left:
    st.markdown("**Columns used**")
    st.dataframe(used, hide_index=True,
                 column_config={"role": "What", "column": st.column_config.TextColumn("Column(s) in your file")})
with right:
    st.markdown("**Dates and currency**")
    st.markdown(f"Dates were read **{DATES_READ[report.date_order]}**"
                + (" (the file did not tell; see the switch above)." if report.date_order_ambiguous else "."))
    currencies = ", ".join(report.currencies) or "not stated in the file"
    st.markdown(f"Currency: **{fmt.escape(currencies)}**; amounts are shown with "
                f"**{fmt.escape(symbol)}** (change it in the sidebar).")

# --- What was counted ---------------------------------------------------------------------
st.header("What was counted and what was left out", divider="gray")
try:
    analysis = cached_analysis(loaded, data_key(source), settings_from_view())
except OrdersError as problem:
    st.error(fmt.escape(on_screen(problem)))
    analysis = None
else:
    lifespan_from_data(from_data, analysis.retention)
quality = quality_table(report, analysis)
quality = quality.assign(reason=quality["reason"].replace({"counted": "counted in the analysis"}).str.capitalize())
quality = quality.rename(columns={"reason": "Rows", "rows": "File rows", "orders": "Orders", "revenue": "Revenue"})
with st.container(key="quality"):  # a table rather than a grid: on a phone, each line becomes a card with its counts
    st.table(quality.style.format({"File rows": "{:,.0f}", "Orders": "{:,.0f}",
                                   "Revenue": lambda value: fmt.money(value, symbol)}, na_rep="–").hide(axis="index"))
st.html(fmt.cards_css("quality", list(quality.columns), short=("File rows", "Orders", "Revenue")))
st.caption("The first line is what the analysis counts; every other line is left out, with the revenue it carried. "
           "Together they add up to the whole file. Lines such as 'before the window' follow the sidebar's settings.")
show_warnings(report.warnings)
