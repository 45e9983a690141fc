"""The files a store owner takes away: customer list, segment table, cut points, model fit, workbook.

The command line's ``--customers-out`` / ``--segments-out`` and the dashboard's
downloads are the same tables from the same functions, so they cannot differ.
Files are safe to open in a spreadsheet: a text cell that would start a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return) gets a leading ``'`` in CSV and is
written as text in Excel; numbers stay numbers.
"""

from __future__ import annotations

import csv
import functools
import io
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from clv.analysis import Analysis
from clv.engine import CONSENT
from clv.formats import currency_symbol, with_symbol
from clv.predict import PREDICTION_COLUMNS, Fit, prediction_groups
from clv.reasons import REASONS
from clv.report import LoadReport, empty_exclusions
from clv.segments import SEGMENTS
from clv.settings import TIER_COLOURS, TIERS

CUSTOMER_COLUMNS = [
    "customer", "email", "name", "recency_days", "frequency", "monetary", "r", "f", "m",
    "rfm_score", "rfm_code", "tier", "segment", "first_order_date", "last_order_date",
]
SEGMENT_COLUMNS = [
    "tier", "customers", "share_customers", "orders", "revenue", "share_revenue", "aov",
    "purchase_frequency", "customer_value", "annual_customer_value", "lifespan_years", "margin",
    "clv", "max_cpc", "cac", "clv_minus_cac", "ltv_cac",
]
PREDICTED_SEGMENT_COLUMNS = ["predicted_clv", "p_alive", "expected_orders"]
"""What ``--predict`` adds to the segments file: predicted_clv and p_alive as means per customer, expected_orders
summed."""
_MONEY = ["monetary", "revenue", "aov", "customer_value", "annual_customer_value", "clv", "max_cpc", "cac",
          "clv_minus_cac", "lower", "upper", "threshold", "expected_order_value", "predicted_clv"]
_RATIOS = ["share_customers", "share_revenue", "purchase_frequency", "lifespan_years", "margin", "ltv_cac",
           "p_alive", "expected_orders"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def customers_export(analysis: Analysis, predicted: pd.DataFrame | None = None,
                     consent: bool = False) -> pd.DataFrame:
    """The ``--customers-out`` table: one row per customer, best first (highest RFM score, then most money,
    then customer: the order ``Analysis.customers`` comes in).

    ``predicted``: the customers' predictions row for row (``clv.predict.prediction_table``), whose
    ``PREDICTION_COLUMNS`` then follow the others.
    ``consent``: with ``accepts_marketing`` after ``CUSTOMER_COLUMNS`` where the file says who agreed to
    marketing, for campaign lists (``clv.campaign``); the customer file itself never has it.
    """
    customers = analysis.customers
    kept = CUSTOMER_COLUMNS + ([CONSENT] if consent and CONSENT in customers.columns else [])
    table = customers.loc[:, kept].assign(
        first_order_date=_calendar_days(customers["first_order_date"]),
        last_order_date=_calendar_days(customers["last_order_date"]),
        tier=customers["tier"].astype("object"),
    )
    if predicted is not None:
        table = table.assign(**{c: predicted[c].to_numpy() for c in PREDICTION_COLUMNS})
    return _rounded(table)


def _calendar_days(dates: pd.Series) -> pd.Series:
    """Timestamps -> ``datetime.date`` objects, as ``.dt.date`` gives them (built by Arrow, much faster)."""
    if dates.isna().any():
        return dates.dt.date
    days = pa.array(dates.to_numpy().astype("datetime64[D]"))
    return pd.Series(days.to_pandas(date_as_object=True).to_numpy(), index=dates.index, dtype="object")


def segments_export(analysis: Analysis, predicted: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``--segments-out`` table: one row per tier (High, Medium, Low) and a final ``All`` row.

    ``predicted``: the customers' predictions row for row (``clv.predict.prediction_table``); then
    ``PREDICTED_SEGMENT_COLUMNS`` follow the others.
    """
    table = analysis.tiers.loc[:, SEGMENT_COLUMNS]
    if predicted is not None:
        groups = prediction_groups(analysis.customers["tier"], predicted, list(TIERS)).set_index("group")
        table = table.assign(**{c: groups[c].reindex(table["tier"]).to_numpy() for c in PREDICTED_SEGMENT_COLUMNS})
    return _rounded(table)


def model_export(fit: Fit) -> pd.DataFrame:
    """The ``--model-out`` table: rows of model, parameter, value; ``bgnbd`` with r, alpha (days), a, b,
    log_likelihood (in days), customers; ``gamma_gamma`` with p, q, gamma, log_likelihood, customers."""
    purchases, spend = fit.purchases, fit.spend
    rows = [("bgnbd", name, getattr(purchases, name)) for name in ("r", "alpha", "a", "b", "log_likelihood",
                                                                   "customers")]
    rows += [("gamma_gamma", name, getattr(spend, name)) for name in ("p", "q", "gamma", "log_likelihood",
                                                                      "customers")]
    models, parameters, values = zip(*rows)
    return pd.DataFrame({"model": pd.Series(models, dtype="object"), "parameter": pd.Series(parameters, dtype="object"),
                         "value": pd.Series(values, dtype="object")})  # object: the counts stay whole numbers


def cuts_export(analysis: Analysis) -> pd.DataFrame:
    """The cut points used: one row per variable and score, with the method."""
    return _rounded(analysis.cuts.assign(method=analysis.settings.method))


def quality_table(report: LoadReport, analysis: Analysis | None = None) -> pd.DataFrame:
    """Every row of the file accounted for: counted, then left out by reason.

    Returns reason, rows, orders, revenue. The first row is what was counted; the
    rows and revenue of all lines add up to what the file holds.
    """
    stages = [report.excluded] + ([analysis.excluded] if analysis is not None else [])
    left_out = [t for t in stages if not t.empty]
    excluded = pd.concat(left_out, ignore_index=True) if left_out else empty_exclusions()
    rows = report.rows_read - int(excluded["rows"].sum())
    revenue = report.revenue_read - float(excluded["revenue"].sum())
    orders = int(analysis.tiers["orders"].iloc[-1]) if analysis is not None else np.nan
    counted = pd.DataFrame({"reason": ["counted"], "rows": [rows], "orders": [orders], "revenue": [revenue]})
    return _rounded(pd.concat([counted, excluded], ignore_index=True))


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Money to the cent and ratios to four places, so files read cleanly."""
    money = [c for c in _MONEY if c in table.columns]
    ratios = [c for c in _RATIOS if c in table.columns]
    return table.assign(**{c: table[c].astype("float64").round(2) for c in money}).assign(
        **{c: table[c].astype("float64").round(4) for c in ratios}
    )


def safe_text(value: object) -> object:
    """A text cell that would start a spreadsheet formula, defused with a leading quote.

    >>> [safe_text(v) for v in ["=SUM(A1)", "-x", "anna@example.com", -5.0]]
    ["'=SUM(A1)", "'-x", 'anna@example.com', -5.0]
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(table: pd.DataFrame) -> bytes:
    """A table -> UTF-8 CSV bytes with formula-like text cells defused.

    The bytes are those of pandas' ``to_csv(index=False, lineterminator="\\n")``:
    numbers as Python writes them (``150.0``, ``0.1``), missing values empty,
    quotes only around text that needs them. Tables of text, dates, whole
    numbers and floats are formatted by Arrow a column at a time and written by
    its CSV writer (2M customers in about a second); a table with any other
    kind of column goes through pandas itself.
    """
    if len(table.columns) < 2 or not table.columns.is_unique:  # pandas writes a lone empty field as ""
        return _pandas_csv(table)
    parts = [(",".join(_csv_field(str(name)) for name in table.columns) + "\n").encode("utf-8")]
    for start in range(0, len(table), _CSV_ROWS):
        rows = table.iloc[start:start + _CSV_ROWS]
        fields = [_csv_fields(rows[column]) for column in rows.columns]
        if any(field is None for field in fields):
            return _pandas_csv(table)
        parts.append(_csv_lines(fields))
    return b"".join(parts)


_CSV_ROWS = 1 << 20
"""Rows formatted at a time: an Arrow text array holds at most 2 GiB."""


def _pandas_csv(table: pd.DataFrame) -> bytes:
    text_columns = [c for c in table.columns if table[c].dtype == object or pd.api.types.is_string_dtype(table[c])]
    # Mapped into object columns: Series.map would turn a column of whole and fractional numbers into floats.
    safe = table.assign(**{c: pd.Series([safe_text(v) for v in table[c]], index=table.index, dtype="object")
                           for c in text_columns})
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _quoted_characters() -> str:
    """The characters that make Python's csv writer (pandas' writer) quote a field, asked of it."""
    probes = ",\"\r\n\t "
    written = io.StringIO()
    csv.writer(written, lineterminator="\n").writerows([[c, "x"] for c in probes])
    return "".join(c for c, line in zip(probes, written.getvalue().split("x\n")) if line.startswith('"'))


_QUOTED_CHARACTERS = _quoted_characters()
_FORMULA = "^[" + "".join({"\t": "\\t", "\r": "\\r", "-": "\\-"}.get(c, c) for c in _FORMULA_START) + "]"


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in _QUOTED_CHARACTERS) else text


def _csv_fields(column: pd.Series) -> pa.Array | None:
    """A column -> its CSV fields, as text or as whole numbers (which Arrow writes as Python does).

    None for a kind of column left to pandas (booleans, categories, timestamps, mixed objects).
    """
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return None
    if pd.api.types.is_integer_dtype(dtype):
        return pa.array(column, from_pandas=True)
    if dtype == np.float64:
        return _float_texts(column.to_numpy())
    if pd.api.types.is_string_dtype(dtype) and dtype != object:
        return _safe_texts(pa.array(column, type=pa.string(), from_pandas=True))
    if dtype == object:
        # Few distinct values (tiers, dates) or none at all: format each distinct value once.
        codes, uniques = pd.factorize(column)
        kind = pd.api.types.infer_dtype(uniques, skipna=True)
        if kind in ("string", "empty"):
            texts = _safe_texts(pa.array(uniques, type=pa.string()))
        elif kind == "date":
            texts = pc.cast(pa.array(uniques, type=pa.date32()), pa.string())
        else:
            return None
        return pc.take(pa.concat_arrays([texts, pa.array([""])]), pa.array(np.where(codes < 0, len(uniques), codes)))
    return None


def _safe_texts(values: pa.Array) -> pa.Array:
    """Text -> CSV fields: formula-like text defused with a leading ``'``, quoted where the writer quotes."""
    formula = pc.match_substring_regex(values, _FORMULA)
    if pc.any(formula).as_py():
        values = pc.if_else(formula, pc.binary_join_element_wise("'", values, ""), values)
    special = [pc.match_substring(values, character) for character in _QUOTED_CHARACTERS]
    needs_quotes = functools.reduce(pc.or_, special)
    if pc.any(needs_quotes).as_py():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
        values = pc.if_else(needs_quotes, quoted, values)
    return pc.fill_null(values, "")


def _float_texts(values: np.ndarray) -> pa.Array:
    """Floats -> text as numpy's ``str`` (what pandas writes): shortest round-trip digits, ``150.0``, ``1e+16``.

    Arrow writes the same shortest digits but ``150`` for a whole number, and
    switches to exponents at other magnitudes: those few values take numpy's own
    formatting.
    """
    texts = pc.cast(pa.array(values), pa.string())
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(values) & (values == np.trunc(values)) & (magnitude < 1e16)
    if whole.any():
        texts = pc.if_else(pa.array(whole), pc.binary_join_element_wise(texts, ".0", ""), texts)
    exponent = pc.match_substring(texts, "e").to_numpy(zero_copy_only=False)
    odd = ~np.isnan(values) & (exponent | _exponent_sized(values))
    if odd.any():
        patched = texts.to_numpy(zero_copy_only=False)
        patched[odd] = values[odd].astype(str)
        texts = pa.array(patched, type=pa.string())
    missing = np.isnan(values)
    return pc.if_else(pa.array(missing), "", texts) if missing.any() else texts


def _exponent_sized(values: np.ndarray) -> np.ndarray:
    """Where numpy writes a float with an exponent (``1e+16``, ``1e-05``) or as ``inf``."""
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        return (magnitude >= 1e16) | ((magnitude < 1e-4) & (magnitude > 0)) | np.isinf(values)


def _csv_lines(fields: list[pa.Array]) -> bytes:
    """Fields of each column -> the CSV lines.

    Arrow's writer, told never to quote, writes them as they are and refuses a
    field holding a quote, a comma or a line break: then those are joined here.
    """
    table = pa.table({f"c{i}": field for i, field in enumerate(fields)})
    sink = pa.BufferOutputStream()
    try:
        pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False, quoting_style="none"))
        return sink.getvalue().to_pybytes()
    except pa.ArrowInvalid:
        pass
    texts = [pc.fill_null(pc.cast(field, pa.string()), "") for field in fields]
    texts[-1] = pc.binary_join_element_wise(texts[-1], "", "\n")
    return _joined(pc.binary_join_element_wise(*texts, ","))


def _joined(lines: pa.Array) -> bytes:
    """Arrow text -> all of it end to end, straight from its data buffer."""
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    start, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return memoryview(lines.buffers()[2])[start:end].tobytes()


COLUMN_WORDS: dict[str, tuple[str, str]] = {
    # The files' columns -> (the header a person reads, the kind of value: how a workbook formats it).
    "tier": ("Tier", "text"),
    "segment": ("Segment", "text"),
    "description": ("Who they are", "text"),
    "action": ("What to do", "text"),
    "customers": ("Customers", "count"),
    "share_customers": ("Share of customers", "percent"),
    "orders": ("Orders", "count"),
    "revenue": ("Revenue", "money"),
    "share_revenue": ("Share of revenue", "percent"),
    "aov": ("Average order value", "money"),
    "purchase_frequency": ("Orders per customer", "per customer"),
    "customer_value": ("Customer value in the window", "money"),
    "annual_customer_value": ("Annual customer value", "money"),
    "lifespan_years": ("Lifespan", "years"),
    "margin": ("Gross margin", "percent"),
    "clv": ("CLV", "money"),
    "max_cpc": ("Most to pay per click", "money"),
    "cac": ("Acquisition cost (CAC)", "money"),
    "clv_minus_cac": ("CLV - CAC", "money"),
    "ltv_cac": ("LTV : CAC", "ratio"),
    "customer": ("Customer", "text"),
    "email": ("E-mail", "text"),
    "name": ("Name", "text"),
    "recency_days": ("Days since the last order", "count"),
    "frequency": ("Orders in the window", "count"),
    "monetary": ("Spend in the window", "money"),
    "r": ("R score", "count"),
    "f": ("F score", "count"),
    "m": ("M score", "count"),
    "rfm_score": ("RFM score", "count"),
    "rfm_code": ("RFM code", "count"),
    "first_order_date": ("First order", "date"),
    "last_order_date": ("Last order", "date"),
    "variable": ("Measure", "text"),
    "score": ("Score", "count"),
    "lower": ("Lowest value", "cut"),
    "upper": ("Highest value", "cut"),
    "threshold": ("Score begins at", "cut"),
    "method": ("Scored by", "text"),
    "reason": ("Rows", "text"),
    "rows": ("File rows", "count"),
    "setting": ("Setting", "text"),
    "value": ("Value", "by row"),
}
"""Headers in words and number formats for the workbook and the HTML report; the CSV files keep the
column names (scripts read them). Kinds, each read as ``clv.formats`` writes it: text, count, money,
percent, per customer (two decimals), years, ratio (``2.1 : 1``), date, cut (in the unit of the row's
measure: days, orders or money), by row (the row's ``kind``, in the settings table)."""

VALUE_WORDS: dict[str, dict[str, str]] = {
    "variable": {"recency_days": "Recency (days since the last order)", "frequency": "Frequency (orders)",
                 "monetary": "Money (spend)"},
    "method": {"quantile": "thirds of the customers (quantile)", "range": "thirds of the value range (range)"},
    "reason": {"counted": "Counted in the analysis", **{reason: reason.capitalize() for reason in REASONS}},
}
"""Values that are names in the files, in words for a person (the rest are shown as they are)."""


SETTINGS_COLUMNS = ["setting", "value", "kind"]
"""The columns of ``settings_export``: a table whose values each have their own kind."""


def named_segments_export(analysis: Analysis) -> pd.DataFrame:
    """One row per named segment (best first, ``clv.segments.SEGMENTS``) and a final ``All`` row: segment,
    description, action, then the lifetime value columns of ``segments_export``."""
    described = SEGMENTS.merge(analysis.segments, on="segment", how="right")
    return _rounded(described.loc[:, ["segment", "description", "action", *SEGMENT_COLUMNS[1:]]])


def settings_export(analysis: Analysis, report: LoadReport | None = None, source: str | None = None) -> pd.DataFrame:
    """The settings, the window and the file read, one row each: setting (words), value, kind.

    ``kind`` is how to show the value (``COLUMN_WORDS`` kinds: text, count, money, percent, years,
    date); ``source`` names the file. Rows about the file come only with a ``report``.

    >>> from clv.analysis import analyze
    >>> from clv.settings import Settings
    >>> orders = pd.DataFrame({"customer": ["a"], "order": ["1"], "date": pd.to_datetime(["2026-01-31"]),
    ...                        "amount": [5.0], "rows": [1], "email": [None], "name": [None]})
    >>> table = settings_export(analyze(orders, Settings(margin=0.4)))
    >>> table.loc[[2, 9, 10], ["setting", "value", "kind"]].values.tolist()
    [['Window length', '365 days', 'text'], ['Gross margin', 0.4, 'percent'], ['CLV is on', 'gross profit', 'text']]
    """
    settings, window = analysis.settings, analysis.window
    rows: list[tuple[str, object, str]] = []
    if source is not None:
        rows.append(("File", source, "text"))
    if report is not None:
        rows += [("Read as", report.source_format, "text"), ("Rows read", report.rows_read, "count")]
        if report.first_date is not None:
            rows += [("Orders dated from", report.first_date.date(), "date"),
                     ("Orders dated to", report.last_date.date(), "date")]
        rows.append(("Currency", ", ".join(report.currencies) or "not stated in the file", "text"))
    medium, high = settings.tier_cuts
    length = f"all history ({window.length_days:,} days)" if window.all_history else f"{window.length_days:,} days"
    cac = settings.acquisition_cost
    rows += [
        ("Window from", window.first_day.date(), "date"),
        ("Window to (as of)", window.as_of.date(), "date"),
        ("Window length", length, "text"),
        ("Scores 1-3 by", VALUE_WORDS["method"][settings.method], "text"),
        ("High tier", f"RFM score {high} to 9", "text"),
        ("Medium tier", f"RFM score {medium} to {high - 1}", "text"),
        ("Low tier", f"RFM score 3 to {medium - 1}", "text"),
        ("Customer lifespan", analysis.lifespan_years, "years"),
        ("Lifespan", "estimated from churn" if analysis.lifespan_source == "from churn" else "assumed", "text"),
        ("Gross margin", settings.margin, "percent"),
        ("CLV is on", "revenue (margin 100%)" if settings.margin == 1 else "gross profit", "text"),
        ("Ad conversion rate", settings.conversion_rate, "percent"),
        ("Acquisition cost (CAC)", cac if cac is not None else "not given", "money" if cac is not None else "text"),
    ]
    return pd.DataFrame(rows, columns=SETTINGS_COLUMNS)


def to_excel(analysis: Analysis, report: LoadReport | None = None, symbol: str | None = None,
             source: str | None = None) -> bytes:
    """The analysis as a workbook that reads like a report.

    Sheets: Tiers (``segments_export``, tier cells coloured), Named segments, Customers (tier cells
    coloured), Cut points, Data quality (with a ``report``) and Settings (``settings_export``: the
    settings, the window and the file read). Headers are in words (``COLUMN_WORDS``), shares are
    percentages and money is money in the store's currency: ``symbol``, else the file's one currency
    (``report.currencies``), else a plain number.
    """
    if symbol is None:
        symbol = currency_symbol(report.currencies, unknown="") if report is not None else ""
    sheets = {
        "Tiers": segments_export(analysis),
        "Named segments": named_segments_export(analysis),
        "Customers": customers_export(analysis),
        "Cut points": cuts_export(analysis),
    }
    if report is not None:
        sheets["Data quality"] = quality_table(report, analysis)
    sheets["Settings"] = settings_export(analysis, report, source)
    return workbook(sheets, symbol)


def workbook(sheets: Mapping[str, pd.DataFrame], symbol: str = "") -> bytes:
    """Tables -> an .xlsx, one sheet each in order, that reads like a report.

    Headers in words (``COLUMN_WORDS``; other columns keep their names), values in
    words where a file has names (``VALUE_WORDS``), numbers formatted by their kind
    (money with ``symbol``, shares as percentages), text as text (never a formula),
    blanks blank, tier cells in their colours, the header row frozen. A table with
    the columns setting, value and kind (``settings_export``) is written as two
    columns, each value formatted by its own kind.

    For a filtered customer list: ``workbook({"Customers": rows_of_customers_export}, "$")``.
    """
    from openpyxl import Workbook  # here: only a workbook needs openpyxl, which is slow to import

    book = Workbook(write_only=True)
    for title, table in sheets.items():
        _sheet(book, title, table, symbol)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def excel_formats(symbol: str) -> dict[str, str]:
    """Kind of value (``COLUMN_WORDS``; a cut point is money, or a whole or decimal number) -> Excel number
    format, money with ``symbol`` ("" for none).

    >>> excel_formats("€")["money"], excel_formats("")["money"], excel_formats("CHF")["percent"]
    ('"€"#,##0.00;-"€"#,##0.00', '#,##0.00;-#,##0.00', '0.0%')
    """
    prefix = with_symbol(symbol.replace('"', ""), "")
    quoted = f'"{prefix}"' if prefix else ""
    return {
        "count": "#,##0",
        "money": f"{quoted}#,##0.00;-{quoted}#,##0.00",
        "percent": "0.0%",
        "per customer": "0.00",
        "years": '0.0" years"',
        "ratio": '0.0" : 1"',
        "date": "yyyy-mm-dd",
        "whole": "#,##0",
        "decimal": "#,##0.00",
    }


@functools.lru_cache(maxsize=1)
def _styles():
    """The tier fills and the header font (built once, when a workbook is first written)."""
    from openpyxl.styles import Font, PatternFill

    return {tier: PatternFill("solid", fgColor=colour.lstrip("#")) for tier, colour in TIER_COLOURS.items()}, Font(
        bold=True
    )


_WIDTHS = {"description": 48, "action": 48, "customer": 24, "email": 28, "name": 22, "segment": 22, "setting": 26,
           "value": 34}
"""Column widths in characters where the usual 14 is too narrow for what the column holds."""


def _sheet(book, title: str, table: pd.DataFrame, symbol: str) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    by_row = list(table.columns) == SETTINGS_COLUMNS
    shown = table.drop(columns="kind") if by_row else table
    formats = excel_formats(symbol)
    headers = [COLUMN_WORDS.get(name, (str(name), "text")) for name in shown.columns]
    for position, (name, (words, _)) in enumerate(zip(shown.columns, headers), start=1):
        sheet.column_dimensions[get_column_letter(position)].width = max(_WIDTHS.get(name, 14), len(words) + 2)
    sheet.freeze_panes = "A2"
    header = []
    for words, _ in headers:
        cell = WriteOnlyCell(sheet, value=words)
        cell.font = _styles()[1]
        header.append(cell)
    sheet.append(header)
    kinds = [kind for _, kind in headers]
    words = [VALUE_WORDS.get(name, {}) for name in shown.columns]
    tier_at = list(shown.columns).index("tier") if "tier" in shown.columns else None
    money_cuts = (shown["variable"] == "monetary").to_numpy() if "variable" in shown.columns else None
    row_kinds = table["kind"].to_numpy() if by_row else None
    for number, values in enumerate(shown.itertuples(index=False, name=None)):
        row = []
        for kind, word, value in zip(kinds, words, values):
            if kind == "by row":
                kind = row_kinds[number]
            elif kind == "cut":
                kind = "money" if money_cuts[number] else "whole" if float(value).is_integer() else "decimal"
            row.append((kind, word.get(value, value) if isinstance(value, str) else value))
        sheet.append(list(_cells(sheet, row, tier_at, formats)))


def _cells(sheet, row: Iterable[tuple[str, object]], tier_at: int | None, formats: Mapping[str, str]):
    """Write-only cells: text stays text (never a formula), blanks stay blank, numbers in their kind's format."""
    from openpyxl.cell import WriteOnlyCell

    fills = _styles()[0]
    for position, (kind, value) in enumerate(row):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            value = None
        elif isinstance(value, np.generic):
            value = value.item()
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        elif value is not None and kind in formats:
            cell.number_format = formats[kind]
        if position == tier_at and value in fills:
            cell.fill = fills[value]
        yield cell
