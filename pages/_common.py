"""What every page shares: the sidebar settings, the data source, the cached core calls, formatting.

Pages call ``current_view()`` first: it draws the sidebar, reads the orders (the
sample store until the user uploads a file) and runs the analysis with the
settings the sidebar shows. Nothing here computes the method; it calls ``clv``.

Caching: each stage of ``clv.analysis`` is cached on only what it depends on,
so that moving a setting re-scores without re-reading the file:

    _read       the file's bytes (keyed by their SHA-256, taken once at upload),
                the column mapping and the date order
    _summary    + as_of and window_days        (rfm_window, rfm_summary)
    _retention  + the window's as-of day       (retention)
    _cohorts    + the window's as-of day       (cohorts)
    _score      + the whole Settings object    (score; Settings is frozen and hashable)

Big tables go in as ``_``-prefixed arguments, which ``st.cache_data`` does not
hash; the explicit ``data_key`` stands for them.

Whose data is in which cache: the sample store is public and the same for
everyone, so its entries sit in one global cache that every session shares. An
upload is one person's customers: its entries go to a cache of that session only
(``scope="session"``), which Streamlit drops when the session disconnects, and
which no other session can be served from.

The big tables (orders, summaries, analyses, the customer list) are kept as
they are, in ``st.cache_resource``: ``st.cache_data`` pickles a result when it
stores it and hands out an unpickled copy on every hit, which took 0.6 s of a
settings change at 1M customers. Those caches are bounded by entries (per
session for the session caches): two files, four summaries, four analyses, two
customer lists. Nothing may change a cached table: pages only derive new ones
from them. The small ones (the raw table's head, retention, cohorts) stay in
``st.cache_data``, bounded by pickled size too (``server.maxCacheDataSize`` in
``.streamlit/config.toml`` caps those together).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
import logging
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from clv.analysis import Analysis, score
from clv.columns import detect_columns
from clv.errors import OrdersError
from clv.export import customers_export
from clv.load import read_orders, read_table
from clv.report import Loaded
from clv.retention import Retention, cohorts, retention
from clv.rfm import Summary, rfm_summary, rfm_window
from clv.sample import SAMPLE_PATH
from clv.settings import METHODS, TIER_COLOURS, TIERS, Settings

DATA_PAGE = "pages/data.py"
UPLOAD_LIMIT_MB: int = st.get_option("server.maxUploadSize")
"""The largest upload, in MB (Streamlit's unit: 2**20 bytes), from ``.streamlit/config.toml``. The widget
enforces it in the browser and the server on the request; ``take_upload`` checks it again."""
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)  # the as-of date picker's bounds
SAMPLE_NAME = "Fernwood Coffee & Tea"
SAMPLE_KEY = "sample:"  # how the sample store's cache keys begin; an upload's are its SHA-256

# ---------------------------------------------------------------------------
# The view: every setting a link can carry, its default and how it is written in the URL.


@dataclass(frozen=True)
class _Field:
    default: Any
    parse: Callable[[str | list[str]], Any]  # URL text -> widget value; ValueError when it makes no sense
    text: Callable[[Any], str | list[str]] = str  # widget value -> URL text
    in_url: bool = True


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in options:
            raise ValueError(value)
        return value

    return parse


def _number(low: float, high: float, kind: type = float) -> Callable[[str], float]:
    def parse(value: str) -> float:
        number = kind(float(value)) if kind is int else float(value)
        if not low <= number <= high:
            raise ValueError(value)
        return number

    return parse


def _optional_number(low: float, high: float, kind: type = float) -> Callable[[str], float | None]:
    inner = _number(low, high, kind)
    return lambda value: None if value == "" else inner(value)


def _tiers(value: str) -> tuple[int, int]:
    medium, high = (int(part) for part in value.split("-"))
    if not 4 <= medium < high <= 9:
        raise ValueError(value)
    return medium, high


def _flag(value: str) -> bool:
    if value not in ("0", "1"):
        raise ValueError(value)
    return value == "1"


def _day(value: str) -> dt.date:
    day = dt.date.fromisoformat(value)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(value)
    return day


def _plain(number: float | None) -> str:
    return "" if number is None else f"{number:g}"


WINDOWS = {
    "90": "Last 90 days",
    "180": "Last 180 days (6 months)",
    "365": "Last 365 days (1 year)",
    "730": "Last 730 days (2 years)",
    "all": "All history",
    "custom": "Custom number of days",
}
METHOD_LABELS = {"quantile": "Thirds of the customers (quantile)", "range": "Thirds of the value range (range)"}
DATE_ORDERS = {
    "auto": "Automatic",
    "month-first": "Month first (03/04 = March 4)",
    "day-first": "Day first (03/04 = 3 April)",
}
CAC_MODES = {"spend": "Marketing spend and new customers", "cac": "My acquisition cost (CAC)"}

VIEW: dict[str, _Field] = {
    "method": _Field("quantile", _choice(METHODS)),
    "window": _Field("365", _choice(tuple(WINDOWS))),
    "days": _Field(365, _number(1, 36_500, int)),
    "as_of": _Field(None, _day, lambda day: day.isoformat()),
    "tiers": _Field((5, 7), _tiers, lambda cuts: f"{cuts[0]}-{cuts[1]}"),
    "lifespan": _Field(3.0, _number(0.1, 100), _plain),
    "churn": _Field(False, _flag, lambda on: "1" if on else "0"),
    "margin": _Field(100.0, _number(1, 100), _plain),
    "currency": _Field("", lambda text: text[:5]),
    "mask": _Field(False, _flag, lambda on: "1" if on else "0"),
    "cac_mode": _Field("spend", _choice(tuple(CAC_MODES))),
    "spend": _Field(None, _optional_number(0, 1e12), _plain),
    "new": _Field(None, _optional_number(0, 1e9, int), _plain),
    "cac": _Field(None, _optional_number(0, 1e9), _plain),
    "conv": _Field(2.0, _number(0.01, 100), _plain),
    "date_order": _Field("auto", _choice(tuple(DATE_ORDERS)), in_url=False),
}
"""Widget keys are the URL's parameter names. Values are what the widgets hold (margin and
conversion rate in percent); ``settings_from_view`` turns them into one ``Settings``."""


def _from_url(key: str, field: _Field) -> Any:
    if not field.in_url or key not in st.query_params:
        return field.default
    try:
        return field.parse(st.query_params[key])
    except (ValueError, TypeError):  # a hand-edited link: ignore what cannot be read
        return field.default


def _keep_view() -> None:
    """Give every view widget its value before any widget is drawn.

    The first run of a session takes the values from the URL (a shared link).
    Later runs write each value back under its own key: a widget's value is
    otherwise dropped when its page is left, and every page draws the same
    sidebar, so the settings follow the user from page to page.
    """
    if "_opened_with" not in st.session_state:
        st.session_state["_opened_with"] = tuple(k for k, f in VIEW.items() if f.in_url and k in st.query_params)
    for key, field in VIEW.items():
        st.session_state[key] = st.session_state[key] if key in st.session_state else _from_url(key, field)


def _write_url() -> None:
    """The URL holds the settings that differ from the defaults (the page is the URL's path)."""
    wanted = {
        key: field.text(st.session_state[key])
        for key, field in VIEW.items()
        if field.in_url and st.session_state[key] != field.default
    }
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def reset_view() -> None:
    for key, field in VIEW.items():
        if field.in_url:
            st.session_state[key] = field.default


def set_churn(on: bool) -> None:
    """A button's callback: take the lifespan from churn (or not) everywhere."""
    st.session_state["churn"] = on


def settings_from_view() -> Settings:
    """The widgets' values -> one Settings (raises OrdersError for combinations that make no sense)."""
    state = st.session_state
    window = state["window"]
    by_spend = state["cac_mode"] == "spend"
    return Settings(
        window_days=None if window == "all" else int(state["days"] if window == "custom" else window),
        as_of=state["as_of"],
        method=state["method"],
        tier_cuts=tuple(state["tiers"]),
        lifespan_years=float(state["lifespan"]),
        lifespan_from_churn=bool(state["churn"]),
        margin=float(state["margin"]) / 100,
        marketing_spend=state["spend"] if by_spend else None,
        new_customers=int(state["new"]) if by_spend and state["new"] is not None else None,
        cac=None if by_spend else state["cac"],
        conversion_rate=float(state["conv"]) / 100,
    )


def _sidebar(source: Source, report_currencies: tuple[str, ...]) -> None:
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
                      min_value=FIRST_DAY, max_value=LAST_DAY,
                      help="The day the analysis looks back from. Empty: the latest order date in the file.")
        st.slider("Tier cut points (RFM score, 3-9)", min_value=4, max_value=9, key="tiers",
                  help="Lowest score of Medium and of High. The default 5 and 7 gives "
                       "Low 3-4, Medium 5-6, High 7-9.")
        medium, high = st.session_state["tiers"]
        if medium < high:
            st.caption(f"Low 3-{medium - 1} · Medium {medium}-{high - 1} · High {high}-9")

        st.markdown("**Lifetime value**")
        st.number_input("Customer lifespan (years)", min_value=0.1, max_value=100.0, step=0.5, format="%.1f",
                        key="lifespan", disabled=st.session_state["churn"],
                        help="How long a customer keeps buying. The method's estimate for a young store is 3 years.")
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
    _write_url()


# ---------------------------------------------------------------------------
# The data source: the sample store until the user uploads a file.


@dataclass(frozen=True)
class Source:
    """What the analysis reads. ``key`` stands for the content in every cache key."""

    name: str
    key: str
    sample: bool

    @property
    def data(self) -> Any:
        return SAMPLE_PATH if self.sample else st.session_state["_upload"]["data"]


def uploader_key() -> str:
    """The uploader's key; a new key empties the uploader when the user goes back to the sample."""
    return f"upload_{st.session_state.get('_uploads', 0)}"


def take_upload(key: str) -> None:
    """The file uploader's callback: keep the file for the whole session, whatever page is open.

    A file over the limit is refused here too: the widget's limit is only the browser's word.
    """
    uploaded = st.session_state.get(key)
    st.session_state["_too_large"] = None
    if uploaded is None:  # removed from the uploader: keep analysing it until the user picks the sample
        return
    if uploaded.size > UPLOAD_LIMIT_MB * 2**20:
        st.session_state["_too_large"] = (uploaded.name, uploaded.size)
        return
    use_bytes(uploaded.name, uploaded.getvalue())


def too_large() -> str | None:
    """What to say about the last file refused for its size, if any: one line, with the command line to use."""
    refused = st.session_state.get("_too_large")
    if refused is None:
        return None
    name, size = refused
    command = f'python -m clv "{name.replace("`", "").replace(chr(34), "")}" --segments-out segments.csv'
    return (f"{escape(name)} is {size / 2**20:,.0f} MB, more than the {UPLOAD_LIMIT_MB} MB this dashboard reads. "
            f"Run the command line on large files instead: `{command} --customers-out customers.csv`")


def use_bytes(name: str, data: bytes) -> None:
    """Analyse these bytes from now on (a new file starts with automatic columns and dates)."""
    st.session_state["_upload"] = {"name": name, "data": data, "key": hashlib.sha256(data).hexdigest()}
    st.session_state["_mapping"] = None
    st.session_state["date_order"] = "auto"


def use_sample() -> None:
    st.session_state["_uploads"] = st.session_state.get("_uploads", 0) + 1
    st.session_state["_too_large"] = None
    st.session_state["_upload"] = None
    st.session_state["_mapping"] = None
    st.session_state["date_order"] = "auto"


def current_source() -> Source:
    upload = st.session_state.get("_upload")
    if upload is None:
        return Source(SAMPLE_NAME, f"{SAMPLE_KEY}{SAMPLE_PATH.stat().st_mtime_ns}", sample=True)
    return Source(upload["name"], upload["key"], sample=False)


def current_mapping() -> tuple[tuple[str, str], ...] | None:
    return st.session_state.get("_mapping")


def data_key(source: Source) -> tuple:
    """Everything the canonical orders depend on: the content, the column mapping and the date order."""
    return source.key, source.name, current_mapping(), st.session_state["date_order"]


def _cached(entries: int, size: str | None, spinner: bool | str = False) -> Callable:
    """Cache a stage twice: in one global cache for the sample store, in the session's own cache for uploads.

    The wrapped function takes a ``key`` argument: the source key, or ``data_key(...)``, whose first
    item is the source key. ``size`` bounds the pickled bytes kept (for a session cache: per session);
    None keeps the result itself, not a pickled copy (``st.cache_resource``): for what is never changed.
    """

    def wrap(function: Callable) -> Callable:
        if size is None:
            bounds = {"max_entries": entries, "show_spinner": spinner}
            shared = st.cache_resource(**bounds)(function)
            private = st.cache_resource(scope="session", **bounds)(function)
        else:
            bounds = {"max_entries": entries, "max_size": size, "show_spinner": spinner}
            shared = st.cache_data(**bounds)(function)
            private = st.cache_data(scope="session", **bounds)(function)
        signature = inspect.signature(function)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            key = signature.bind(*args, **kwargs).arguments["key"]
            sample = (key if isinstance(key, str) else key[0]).startswith(SAMPLE_KEY)
            return (shared if sample else private)(*args, **kwargs)

        return call

    return wrap


@_cached(entries=2, size=None, spinner="Reading the orders…")
def _read(_data: Any, key: tuple) -> tuple[Loaded | None, str | None]:
    """The file -> canonical orders, or the message that says what to fix. Failures are cached too."""
    _, filename, mapping, date_order = key
    try:
        return read_orders(_data, filename=filename, mapping=dict(mapping) if mapping else None,
                           date_order=date_order), None
    except OrdersError as error:
        return None, str(error)
    except MemoryError:
        return None, "The file is too large for this machine's memory."
    except Exception as error:  # a loader bug must not show the user a traceback
        return None, f"Could not read this file (unexpected {type(error).__name__}). Please report it."


def load(source: Source) -> tuple[Loaded | None, str | None]:
    return _read(source.data, data_key(source))


@_cached(entries=2, size="16MB", spinner="Reading the file…")
def _table(_data: Any, key: str, filename: str) -> tuple[pd.DataFrame | None, dict[str, str | None], str | None]:
    """The raw table's first rows and the detected columns, for the column-mapping step."""
    try:
        table = read_table(_data, filename=filename)
    except OrdersError as error:
        return None, {}, str(error)
    except Exception as error:
        return None, {}, f"Could not read this file (unexpected {type(error).__name__})."
    return table.head(20), detect_columns(list(table.columns)), None


def raw_table(source: Source) -> tuple[pd.DataFrame | None, dict[str, str | None], str | None]:
    return _table(source.data, source.key, source.name)


@_cached(entries=4, size=None, spinner="Summarising customers…")
def _summary(_orders: pd.DataFrame, key: tuple, as_of: dt.date | None, window_days: int | None) -> Summary:
    window = rfm_window(_orders, Settings(window_days=window_days, as_of=as_of))
    return rfm_summary(_orders, window)


@_cached(entries=8, size="1MB")
def _retention(_orders: pd.DataFrame, key: tuple, as_of: pd.Timestamp) -> Retention:
    return retention(_orders, as_of)


@_cached(entries=8, size="16MB")
def _cohorts(_orders: pd.DataFrame, key: tuple, as_of: pd.Timestamp) -> pd.DataFrame:
    return cohorts(_orders, as_of)


@_cached(entries=4, size=None, spinner="Scoring customers…")
def _score(_summary: Summary, _kept: Retention, key: tuple, settings: Settings) -> Analysis:
    return score(_summary, _kept, settings)


@_cached(entries=2, size=None)
def _customer_list(_analysis: Analysis, key: tuple, settings: Settings) -> pd.DataFrame:
    return customers_export(_analysis)


def analyse(loaded: Loaded, key: tuple, settings: Settings) -> Analysis:
    """Canonical orders -> the analysis, through the caches (raises OrdersError, e.g. an as-of date too early)."""
    summary = _summary(loaded.orders, key, settings.as_of, settings.window_days)
    kept = _retention(loaded.orders, key, summary.window.as_of)
    return _score(summary, kept, key, settings)


# ---------------------------------------------------------------------------
# What a page gets.


@dataclass(frozen=True, eq=False)
class View:
    source: Source
    loaded: Loaded
    analysis: Analysis
    key: tuple
    symbol: str
    mask: bool

    @property
    def report(self):
        return self.loaded.report

    def cohorts(self) -> pd.DataFrame:
        return _cohorts(self.loaded.orders, self.key, self.analysis.window.as_of)

    def customer_list(self) -> pd.DataFrame:
        """``customers_export(analysis)``, kept while the settings stay (sorting a million customers takes 1 s)."""
        return _customer_list(self.analysis, self.key, self.analysis.settings)

    def money(self, value: float | None, decimals: int = 2) -> str:
        return money(value, self.symbol, decimals)

    def money_column(self, label: str, help: str | None = None, decimals: int = 2) -> Any:
        return st.column_config.NumberColumn(label, help=help, format=money_format(self.symbol, decimals))

    def emails(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The frame as the screen should show it: e-mails masked in every text column when the user asked
        (a name or a customer id can be an e-mail address too)."""
        return mask_frame(frame) if self.mask else frame

    def email(self, text: object) -> str:
        """Text for the screen: any e-mail address in it masked when the user asked."""
        return on_screen(text, self.mask)


def prepare() -> tuple[Source, Loaded | None, str | None]:
    """Keep the view state, read the current source and draw the sidebar (every page starts here)."""
    _keep_view()
    source = current_source()
    loaded, error = load(source)
    _sidebar(source, loaded.report.currencies if loaded is not None else ())
    return source, loaded, error


def masking() -> bool:
    return bool(st.session_state.get("mask"))


def on_screen(text: object, mask: bool | None = None) -> str:
    """Text as the screen shows it: e-mail addresses masked when the user asked (messages can quote a cell)."""
    return mask_text(text) if (masking() if mask is None else mask) else ("" if is_blank(text) else str(text))


def current_view() -> View | None:
    """Sidebar, orders and analysis for the dashboard pages; None (after saying why) when there is nothing to show."""
    source, loaded, error = prepare()
    if loaded is None:
        st.error(escape(on_screen(error)))
        st.page_link(DATA_PAGE, label="Fix it on the data page: choose the columns or another file",
                     icon=":material/build:")
        return None
    try:
        settings = settings_from_view()
        analysis = analyse(loaded, data_key(source), settings)
    except OrdersError as error:
        st.error(escape(on_screen(error)))
        return None
    if analysis.customers.empty:
        st.warning("No customer has an order in this window. Choose a longer window or a later as-of date.")
        return None
    return View(source, loaded, analysis, data_key(source), chosen_symbol(loaded), bool(st.session_state["mask"]))


def chosen_symbol(loaded: Loaded) -> str:
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
        f"scores by {a.settings.method} · High from {cuts[1]}, Medium from {cuts[0]} · "
        f"lifespan {a.lifespan_years:.2f} years ({a.lifespan_source}) · margin {a.settings.margin:.0%}"
    )


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


# ---------------------------------------------------------------------------
# Formatting: numbers, tier colours, safe text.

_SYMBOLS = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "CAD": "CA$", "AUD": "A$",
    "NZD": "NZ$", "HKD": "HK$", "SGD": "S$", "MXN": "MX$", "BRL": "R$", "CHF": "CHF", "SEK": "kr",
    "NOK": "kr", "DKK": "kr", "PLN": "zł", "CNY": "¥", "TRY": "₺", "ILS": "₪", "THB": "฿", "ZAR": "R",
}


def currency_symbol(currencies: tuple[str, ...]) -> str:
    """The file's one currency as a symbol; "$" when the file names none or several."""
    if len(currencies) != 1:
        return "$"
    code = currencies[0]
    return _SYMBOLS.get(code) or plain_symbol(code) or "$"


def plain_symbol(text: str) -> str:
    """A currency symbol fit for every place it is drawn: at most 5 characters, none that charts read as
    markup (<, >, &) or templates (%, {, }). Markdown still needs ``escape``."""
    return re.sub(r"[<>&%{}\s]", "", str(text))[:5]


def _with_symbol(symbol: str, number: str) -> str:
    return f"{symbol} {number}" if symbol[-1:].isalpha() else f"{symbol}{number}"


def money(value: float | None, symbol: str, decimals: int = 2) -> str:
    if value is None or pd.isna(value):
        return "–"
    text = _with_symbol(symbol, f"{abs(value):,.{decimals}f}")
    return f"-{text}" if value < 0 else text


def money_format(symbol: str, decimals: int = 2) -> str:
    """A printf format for st.column_config.NumberColumn, e.g. "$%,.2f"."""
    return _with_symbol(symbol.replace("%", "%%"), f"%,.{decimals}f")


def customers(count: int) -> str:
    """1 -> "1 customer", 1200 -> "1,200 customers"."""
    return f"{count:,} customer" + ("" if count == 1 else "s")


def percent(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.{decimals}%}"


def text_colour(background: str) -> str:
    """White on red, near-black on orange and yellow."""
    return "#FFFFFF" if background == TIER_COLOURS["High"] else "#1F2937"


def tier_rows(frame: pd.DataFrame, formats: dict[str, str | Callable], column: str = "tier") -> Styler:
    """A tier table with each tier's row in its colour and the All row in bold."""

    def colour(row: pd.Series) -> list[str]:
        tier = row[column]
        if tier in TIER_COLOURS:
            style = f"background-color: {TIER_COLOURS[tier]}; color: {text_colour(TIER_COLOURS[tier])}"
        else:
            style = "font-weight: 700; background-color: #F1F5F9"
        return [style] * len(row)

    present = {column: how for column, how in formats.items() if column in frame.columns}
    return frame.style.apply(colour, axis=1).format(na_rep="–").format(present, na_rep="–")


def tier_cells(frame: pd.DataFrame, formats: dict[str, str | Callable], column: str = "tier") -> Styler:
    """A table with only the tier column coloured (long tables of customers)."""

    def colour(tier: object) -> str:
        if tier in TIER_COLOURS:
            return f"background-color: {TIER_COLOURS[tier]}; color: {text_colour(TIER_COLOURS[tier])}"
        return ""

    return frame.style.map(colour, subset=[column]).format(na_rep="–").format(formats, na_rep="–")


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$:])")


def escape(text: object) -> str:
    """User text for st.markdown: no markdown, no LaTeX ($), no HTML."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


_EMAIL = re.compile(r"(?<![\w.+-])([\w])[\w.%+'-]*@(?=[\w-]+(?:\.[\w-]+)+)")


def is_blank(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def mask_text(value: object) -> str:
    """"anna.lee@example.com" -> "a***@example.com"; other text as it is."""
    return "" if is_blank(value) else _EMAIL.sub(r"\1***@", str(value))


def mask_frame(frame: pd.DataFrame, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every e-mail address in the given text columns (all text columns by default) masked."""
    chosen = [c for c in (columns if columns is not None else frame.columns) if c in frame.columns]
    text = [c for c in chosen if pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object]
    return frame.assign(**{c: frame[c].map(mask_text, na_action="ignore") for c in text})


def plotly_layout(figure, title: str, height: int = 380, legend: bool = False):
    """One look for every chart: the title says what is shown, the legend (if any) sits under it."""
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top", "yref": "container",
               "font": {"size": 16}},
        height=height,
        margin={"l": 10, "r": 10, "t": 84 if legend else 56, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        showlegend=legend,
    )
    return figure


TIER_ORDER = list(TIERS)
