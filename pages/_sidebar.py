"""The sidebar every page draws: the data source and every setting of the view."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from clv.retention import Retention
from pages._format import currency_symbol, escape, percent, years
from pages._source import DATA_PAGE, Source
from pages._view import FIRST_DAY, LAST_DAY, METHOD_LABELS, WINDOWS, keep_tiers_apart, reset_view, set_churn


def sidebar(source: Source, report_currencies: tuple[str, ...], first_day: dt.date | None) -> DeltaGenerator:
    """``first_day``: the first order's date, the earliest as-of date that can work (None: no orders read).

    Returns the place beside the assumed lifespan where ``lifespan_from_data`` says, once the orders are
    analysed, what the store's own churn gives.
    """
    with st.sidebar:
        st.markdown("**Data**")
        st.caption(("Sample store: " if source.sample else "Your file: ") + escape(source.name))
        st.page_link(DATA_PAGE, label="Upload your orders" if source.sample else "Change file, see data quality",
                     icon=":material/upload_file:")

        st.markdown("**Scoring**")
        st.radio("Score customers 1-3 by", list(METHOD_LABELS), key="method", format_func=METHOD_LABELS.get,
                 help="Quantile: a third of the customers gets each score (ties share a score). "
                      "Range: the spread from smallest to largest value is cut into three equal parts.")
        st.selectbox("Orders that count", list(WINDOWS), key="window", format_func=WINDOWS.get,
                     help="How far back from the as-of date orders count. One year is the method's default.")
        if st.session_state["window"] == "custom":
            st.number_input("Days back", min_value=1, max_value=36_500, step=30, key="days")
        st.date_input("As of", value=None, key="as_of", format="YYYY-MM-DD",
                      min_value=first_day or FIRST_DAY, max_value=LAST_DAY,
                      help="The day the analysis looks back from, on or after the first order. "
                           "Empty: the latest order date in the file.")
        medium, high = st.session_state["tiers"]
        st.slider("Tier cut points (RFM score, 3-9)", min_value=4, max_value=9, key="tiers",
                  on_change=keep_tiers_apart, args=((medium, high),),
                  help="Lowest score of Medium and of High; they cannot be the same. The default 5 and 7 gives "
                       "Low 3-4, Medium 5-6, High 7-9.")
        st.caption(f"Low 3-{medium - 1} · Medium {medium}-{high - 1} · High {high}-9")

        st.markdown("**Lifetime value**")
        st.number_input("Customer lifespan (years)", min_value=0.1, max_value=100.0, step=0.5, format="%.1f",
                        key="lifespan", disabled=st.session_state["churn"],
                        help="How long a customer keeps buying. The method's estimate for a young store is 3 years.")
        from_data = st.container()
        st.toggle("Estimate the lifespan from churn", key="churn",
                  help="1 / annual churn rate, measured on your orders (see the Retention page).")
        st.number_input("Gross margin (%)", min_value=1.0, max_value=100.0, step=5.0, format="%.0f", key="margin",
                        help="100% gives revenue-based CLV; enter your margin for profit-based CLV.")

        st.markdown("**Display and sharing**")
        auto = currency_symbol(report_currencies)
        st.text_input("Currency symbol", key="currency", max_chars=5, placeholder=f"{auto}  (from the file)",
                      help="For display only: amounts are never converted.")
        st.toggle("Mask e-mail addresses", key="mask",
                  help="Shows a***@example.com everywhere on screen, for screen sharing. Downloads keep real e-mails.")
        st.caption("The address bar holds this page and these settings, never your data: copy it to share the view.")
        st.button("Reset settings", on_click=reset_view, icon=":material/restart_alt:")
    return from_data


def lifespan_from_data(place: DeltaGenerator, retention: Retention | None) -> None:
    """Beside the assumed lifespan: the lifespan the store's own churn gives (1 / annual churn), and one click to
    use it. ``retention``: over the year to the as-of date."""
    suggested = None if retention is None else retention.lifespan_years
    with place:
        if suggested is None:
            st.caption("Your orders cannot suggest a lifespan yet: that needs customers from the year before the "
                       "last, and some of them not coming back.")
        elif st.session_state["churn"]:
            st.caption(f"CLV uses {years(suggested)}, from your churn of {percent(retention.churn_rate)} a year.")
        else:
            st.caption(f"Your data suggests {years(suggested)}: "
                       f"1 / your churn of {percent(retention.churn_rate)} a year.")
            st.button(f"Use {years(suggested)}", on_click=set_churn, args=(True,), icon=":material/autorenew:",
                      help="Takes the lifespan from your churn on every page (the switch below).")
