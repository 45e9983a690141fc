"""The data source and the cached core calls: the sample store until the user uploads a file.

Caching: each stage of ``clv.analysis`` is cached on only what it depends on,
so that moving a setting re-scores without re-reading the file:

    _read       the file's bytes (keyed by their SHA-256, taken once at upload),
                the column mapping and the date order: the canonical orders in an
                embedded DuckDB (``clv.read``), the only copy of them
    _summary    + as_of and window_days        (rfm_window, rfm_summary)
    _retention  + the window's as-of day       (retention)
    _cohorts    + the window's as-of day       (cohorts)
    _score      + the whole Settings object    (score; Settings is frozen and hashable)
    _prediction_fit  + the window's as-of day  (prediction_inputs, prediction_fit: no refit for
                                               margin, horizon or tier changes)
    _predicted_list  + Settings and the horizon (the customer list with its predictions)

Big tables go in as ``_``-prefixed arguments, which ``st.cache_data`` does not
hash; the explicit ``data_key`` stands for them.

Whose data is in which cache: the sample store is public and the same for
everyone, so its entries sit in one global cache that every session shares. An
upload is one person's customers: its entries go to a cache of that session only
(``scope="session"``), which Streamlit drops when the session disconnects, and
which no other session can be served from.

The big tables (engines, summaries, analyses, the customer list) are kept as
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
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
import streamlit as st

from clv.analysis import Analysis, score
from clv.columns import detect_columns
from clv.errors import OrdersError
from clv.export import customers_export
from clv.engine import DuckEngine
from clv.predict import Fit, Inputs, prediction_fit, prediction_inputs, prediction_table
from clv.load import read_table
from clv.read import EngineOrders, read_into_engine
from clv.retention import Retention, cohorts, retention
from clv.rfm import Summary, rfm_summary, rfm_window
from clv.sample import SAMPLE_PATH
from clv.settings import Settings
from pages._format import escape

DATA_PAGE = "pages/data.py"
UPLOAD_LIMIT_MB: int = st.get_option("server.maxUploadSize")
"""The largest upload, in MB (Streamlit's unit: 2**20 bytes), from ``.streamlit/config.toml``. The widget
enforces it in the browser and the server on the request; ``take_upload`` checks it again."""
SAMPLE_NAME = "Fernwood Coffee & Tea"
SAMPLE_KEY = "sample:"  # how the sample store's cache keys begin; an upload's are its SHA-256


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
    """What to say about the last file refused for its size, if any: one line saying how to make it fit."""
    refused = st.session_state.get("_too_large")
    if refused is None:
        return None
    name, size = refused
    return (f"{escape(name)} is {size / 2**20:,.0f} MB, more than the {UPLOAD_LIMIT_MB} MB this dashboard reads. "
            "Upload it compressed as a .csv.gz file (a fraction of the size), export a shorter period, or have "
            "the command-line tool, python -m clv, read it on your computer.")


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
def _read(_data: Any, key: tuple) -> tuple[EngineOrders | None, str | None]:
    """The file -> its canonical orders in an engine, or the message that says what to fix. Failures are
    cached too."""
    _, filename, mapping, date_order = key
    try:
        return read_into_engine(_data, filename=filename, mapping=dict(mapping) if mapping else None,
                                date_order=date_order), None
    except OrdersError as error:
        return None, str(error)
    except MemoryError:
        return None, "The file is too large for this machine's memory."
    except Exception as error:  # a loader bug must not show the user a traceback
        return None, f"Could not read this file (unexpected {type(error).__name__}). Please report it."


def load(source: Source) -> tuple[EngineOrders | None, str | None]:
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
def _summary(_engine: DuckEngine, key: tuple, as_of: dt.date | None, window_days: int | None) -> Summary:
    window = rfm_window(_engine, Settings(window_days=window_days, as_of=as_of))
    return rfm_summary(_engine, window)


@_cached(entries=8, size="1MB")
def _retention(_engine: DuckEngine, key: tuple, as_of: pd.Timestamp) -> Retention:
    return retention(_engine, as_of)


@_cached(entries=8, size="16MB")
def _cohorts(_engine: DuckEngine, key: tuple, as_of: pd.Timestamp) -> pd.DataFrame:
    return cohorts(_engine, as_of)


@_cached(entries=4, size=None, spinner="Scoring customers…")
def _score(_summary: Summary, _retention: Retention, key: tuple, settings: Settings) -> Analysis:
    return score(_summary, _retention, settings)


@_cached(entries=2, size=None)
def _customer_list(_analysis: Analysis, key: tuple, settings: Settings) -> pd.DataFrame:
    return customers_export(_analysis, consent=True)


@_cached(entries=4, size=None, spinner="Fitting the prediction models…")
def _prediction_fit(_engine: DuckEngine, key: tuple, as_of: pd.Timestamp) -> tuple[Inputs, Fit | None, str | None]:
    """The models fitted on the orders up to as-of, or the message that says why not (cached too)."""
    inputs = prediction_inputs(_engine, as_of)
    try:
        return inputs, prediction_fit(inputs), None
    except OrdersError as error:
        return inputs, None, str(error)


@_cached(entries=2, size=None, spinner="Predicting…")
def _predicted_list(_analysis: Analysis, _inputs: Inputs, _fit: Fit, key: tuple, settings: Settings,
                    horizon_days: int) -> pd.DataFrame:
    """``customers_export`` with who agreed to marketing and the predictions over ``horizon_days`` (margin from the
    settings)."""
    predicted = prediction_table(_fit, _inputs, _analysis.customers["customer"], horizon_days, settings.margin)
    return customers_export(_analysis, predicted, consent=True)


def cached_analysis(loaded: EngineOrders, key: tuple, settings: Settings) -> Analysis:
    """Canonical orders -> the analysis, through the caches (raises OrdersError, e.g. an as-of date too early)."""
    orders = loaded.engine
    summary = _summary(orders, key, settings.as_of, settings.window_days)
    retention = _retention(orders, key, summary.window.as_of)
    return _score(summary, retention, key, settings)
