"""What a page gets: the View (orders, analysis and how to show them), how a page starts, its banners and
captions, and the error boundary every page runs in.

Dashboard pages call ``page_view()`` first: it keeps the view, reads the orders (the sample store until
the user uploads a file), draws the sidebar and runs the analysis with the settings the sidebar shows,
or stops the page after saying why there is nothing to show.
Nothing here computes the method; it calls ``clv``.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from clv.analysis import Analysis
from clv.errors import OrdersError
from clv.predict import Fit
from clv.read import EngineOrders
from clv.rfm import rfm_window
from clv.settings import Settings
from pages._format import (
    currency_symbol, escape, is_blank, mask_frame, mask_text, money, money_format, percent, plain_symbol,
    plotly_layout, years,
)
from pages._sidebar import lifespan_from_data, sidebar
from pages._source import (
    DATA_PAGE, Source, _cohorts, _customer_list, _prediction_fit, _predicted_list, cached_analysis, current_source,
    data_key, load,
)
from pages._view import METHOD_LABELS, drop_as_of_before, keep_view, settings_from_view, write_url


@dataclass(frozen=True, eq=False)
class View:
    source: Source
    loaded: EngineOrders
    analysis: Analysis
    key: tuple
    symbol: str
    mask: bool

    @property
    def report(self):
        return self.loaded.report

    def cohorts(self) -> pd.DataFrame:
        return _cohorts(self.loaded.engine, self.key, self.analysis.window.as_of)

    def customer_list(self) -> pd.DataFrame:
        """``customers_export(analysis, consent=True)``: the customer file and, where the file says, who agreed to
        marketing; kept while the settings stay (sorting a million customers takes 1 s)."""
        return _customer_list(self.analysis, self.key, self.analysis.settings)

    def prediction_fit(self) -> tuple[Fit | None, str | None]:
        """The predicted-value models fitted on the orders up to as-of (kept across settings), or why not."""
        _, fit, error = _prediction_fit(self.loaded.engine, self.key, self.analysis.window.as_of)
        return fit, error

    def predicted_list(self, horizon_days: int) -> pd.DataFrame:
        """``customer_list()`` (with who agreed to marketing, where the file says) and p_alive, expected_orders,
        expected_order_value and predicted_clv over the horizon, row for row; only after ``prediction_fit()`` gave
        a fit."""
        inputs, fit, _ = _prediction_fit(self.loaded.engine, self.key, self.analysis.window.as_of)
        return _predicted_list(self.analysis, inputs, fit, self.key, self.analysis.settings, horizon_days)

    def money(self, value: float | None) -> str:
        return money(value, self.symbol)

    def money_column(self, label: str, help: str | None = None) -> Any:
        return st.column_config.NumberColumn(label, help=help, format=money_format(self.symbol))

    def emails(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The frame as the screen should show it: e-mails masked in every text column when the user asked
        (a name or a customer id can be an e-mail address too)."""
        return mask_frame(frame) if self.mask else frame

    def email(self, text: object) -> str:
        """Text for the screen: any e-mail address in it masked when the user asked."""
        return on_screen(text, self.mask)


def prepare(page: str) -> tuple[Source, EngineOrders | None, str | None, DeltaGenerator]:
    """Keep the view state, read the current source, draw the sidebar and write the URL (every page starts
    here; ``page`` names the open page, as ``write_url`` takes it). The last value is the sidebar's place for
    ``lifespan_from_data``, to fill once the orders are analysed.

    An as-of date before the first order is dropped, with one message, before the sidebar shows it.
    """
    keep_view()
    source = current_source()
    loaded, error = load(source)
    first_day = None if loaded is None else first_order_day(loaded)
    dropped = None if first_day is None else drop_as_of_before(first_day)
    from_data = sidebar(source, loaded.report.currencies if loaded is not None else (), first_day)
    write_url(page)
    if dropped is not None:
        st.warning(f"The as-of date {dropped:%d %b %Y} is before the first order ({first_day:%d %b %Y}), so the "
                   "analysis looks back from the latest order. To look back from another day, pick one from "
                   f"{first_day:%d %b %Y} on in the sidebar.", icon=":material/event_busy:")
    return source, loaded, error, from_data


def first_order_day(loaded: EngineOrders) -> dt.date | None:
    """The earliest as-of date that can work: the first order's day, where the longest window begins (None: no
    order was kept)."""
    try:
        return rfm_window(loaded.engine, Settings(window_days=None)).first_day.date()
    except OrdersError:
        return None


def masking() -> bool:
    return bool(st.session_state.get("mask"))


def on_screen(text: object, mask: bool | None = None) -> str:
    """Text as the screen shows it: e-mail addresses masked when the user asked (messages can quote a cell)."""
    return mask_text(text) if (masking() if mask is None else mask) else ("" if is_blank(text) else str(text))


def current_view(page: str) -> View | None:
    """Sidebar, orders and analysis for the dashboard pages; None, after one message saying what to change,
    when there is nothing to show."""
    source, loaded, error, from_data = prepare(page)
    if loaded is None:
        st.error(escape(on_screen(error)))
        st.page_link(DATA_PAGE, label="Fix it on the data page: choose the columns or another file",
                     icon=":material/build:")
        return None
    try:
        settings = settings_from_view()
        analysis = cached_analysis(loaded, data_key(source), settings)
    except OrdersError as error:
        st.error(escape(on_screen(error)))
        st.page_link(DATA_PAGE, label="See how the file was read on the data page", icon=":material/build:")
        return None
    lifespan_from_data(from_data, analysis.retention)
    if analysis.customers.empty:
        window = analysis.window
        st.warning(f"No customer has an order from {window.first_day:%d %b %Y} to {window.as_of:%d %b %Y}. "
                   "Choose a longer window in the sidebar, or an as-of date closer to your orders.",
                   icon=":material/event_busy:")
        return None
    return View(source, loaded, analysis, data_key(source), chosen_symbol(loaded), bool(st.session_state["mask"]))


def page_view(page: str, caption: bool = True) -> View:
    """The start of every dashboard page (``page``: its name, as ``write_url`` takes it): sidebar, view, the
    sample banner and (unless ``caption`` is False) the window's caption. Stops the page when there is
    nothing to show (``current_view`` has said why)."""
    view = current_view(page)
    if view is None:
        st.stop()
    sample_banner(view)
    if caption:
        window_caption(view)
    return view


def chosen_symbol(loaded: EngineOrders) -> str:
    """The sidebar's currency symbol, else the file's."""
    return plain_symbol(st.session_state["currency"]) or currency_symbol(loaded.report.currencies)


def sample_banner(view: View) -> None:
    """Say plainly when the numbers are the sample store's, and how to see one's own."""
    if not view.source.sample:
        return
    with st.container(border=True):
        st.markdown(
            ":material/storefront: **You are looking at a sample store:** Fernwood Coffee & Tea, a made-up "
            "coffee roaster. Upload your own export (Shopify, WooCommerce, any CSV, Excel or Parquet) "
            "to see your customers."
        )
        if st.session_state.get("_opened_with"):
            st.caption("This link carries settings only, never customer data: upload your file to see your data "
                       "with these settings.")
        st.page_link(DATA_PAGE, label="Upload your file", icon=":material/upload_file:")


def window_caption(view: View) -> None:
    a = view.analysis
    window = a.window
    span = "all history" if window.all_history else f"{window.length_days:,} days"
    cuts = a.settings.tier_cuts
    st.caption(
        f"Orders from {window.first_day:%d %b %Y} to {window.as_of:%d %b %Y} ({span}) · "
        f"scores: {METHOD_LABELS[a.settings.method].lower()} · High from {cuts[1]}, Medium from {cuts[0]} · "
        f"lifespan {years(a.lifespan_years)} ({a.lifespan_source}) · margin {percent(a.settings.margin)}"
        + (": CLV is revenue, not profit" if a.settings.margin == 1 else "")
    )


def chart(title: str, figure: Any, height: int = 380, legend: bool = False) -> None:
    """A chart under its title, in the one look of ``plotly_layout``. The title is page text, so it wraps."""
    st.markdown(f"**{escape(title)}**")
    st.plotly_chart(plotly_layout(figure, height, legend))


def show_warnings(messages: tuple[str, ...] | list[str]) -> None:
    for message in messages:
        st.warning(escape(on_screen(message)), icon=":material/info:")


_LOG = logging.getLogger(__name__)


def _where(error: BaseException) -> str:
    """An exception's kind and the last lines it passed, for each exception in its chain; never its message."""
    parts = []
    while error is not None and len(parts) < 4:
        frames = traceback.extract_tb(error.__traceback__)[-3:]
        place = " < ".join(f"{Path(frame.filename).name}:{frame.lineno}" for frame in reversed(frames))
        parts.append(f"{type(error).__name__} at {place}")
        error = error.__cause__ or error.__context__
    return "; caused by ".join(parts)


def run_page(page: Any) -> None:
    """Run the chosen page; a bug shows one short message, never a traceback.

    The log gets the kind of error and where it happened, not its message: a message can quote
    a customer's e-mail or name from the file.
    """
    try:
        page.run()
    except Exception as error:  # the page boundary: st.stop and st.rerun are not Exceptions and pass through
        _LOG.error("Page %s failed: %s", getattr(page, "title", "?"), _where(error))
        st.error("Something went wrong while drawing this page. Change a setting or reload the page; "
                 "if it happens again, please report it.", icon=":material/error:")
