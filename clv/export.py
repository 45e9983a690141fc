"""The files a store owner takes away: customer list, segment table, cut points, workbook.

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
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from clv.analysis import Analysis
from clv.report import LoadReport, empty_exclusions
from clv.rfm import rfm_grid
from clv.settings import TIER_COLOURS

CUSTOMER_COLUMNS = [
    "customer", "email", "name", "recency_days", "frequency", "monetary", "r", "f", "m",
    "rfm_score", "rfm_code", "tier", "segment", "first_order_date", "last_order_date",
]
SEGMENT_COLUMNS = [
    "tier", "customers", "share_customers", "orders", "revenue", "share_revenue", "aov",
    "purchase_frequency", "customer_value", "annual_customer_value", "lifespan_years", "margin",
    "clv", "max_cpc", "cac", "clv_minus_cac", "ltv_cac",
]
_MONEY = ["monetary", "revenue", "aov", "customer_value", "annual_customer_value", "clv", "max_cpc", "cac",
          "clv_minus_cac", "lower", "upper", "threshold"]
_RATIOS = ["share_customers", "share_revenue", "purchase_frequency", "lifespan_years", "margin", "ltv_cac"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def customers_export(analysis: Analysis) -> pd.DataFrame:
    """One row per customer, best first (highest RFM score, then most money, then customer)."""
    return customers_file(analysis.customers)


def customers_file(customers: pd.DataFrame) -> pd.DataFrame:
    """Scored customers (``Analysis.customers``, or the Spark engine's) -> the ``--customers-out`` table."""
    return _rounded(
        customers.take(_best_first(customers))
        .loc[:, CUSTOMER_COLUMNS]
        .assign(
            first_order_date=lambda t: _calendar_days(t["first_order_date"]),
            last_order_date=lambda t: _calendar_days(t["last_order_date"]),
            tier=lambda t: t["tier"].astype("object"),
        )
        .reset_index(drop=True)
    )


def _best_first(customers: pd.DataFrame) -> np.ndarray:
    """Row positions by rfm_score and monetary, both descending, then customer: what
    ``sort_values(["rfm_score", "monetary", "customer"], ascending=[False, False, True])`` gives.

    A summary comes sorted by customer, so usually the row number already ranks the
    customers and two numeric keys remain: numpy's stable lexsort, no string sort.
    """
    money, score = (-customers[column].to_numpy(dtype="float64") for column in ("monetary", "rfm_score"))
    who = customers["customer"]
    if _strictly_increasing(who):  # two stable sorts keep the customer order among ties
        order = np.argsort(money, kind="stable")
        return order[np.argsort(score[order], kind="stable")]
    codes, uniques = pd.factorize(who, sort=True)
    tie = np.where(codes < 0, len(uniques), codes)  # a missing customer sorts last, as pandas puts it
    return np.lexsort((tie, money, score))


def _strictly_increasing(texts: pd.Series) -> bool:
    """True for text in strictly increasing order with nothing missing (checked in Arrow, not in Python)."""
    try:
        values = pa.array(texts, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        return False
    return values.null_count == 0 and (len(values) < 2 or pc.all(pc.less(values[:-1], values[1:])).as_py())


def _calendar_days(dates: pd.Series) -> pd.Series:
    """Timestamps -> ``datetime.date`` objects, as ``.dt.date`` gives them (built by Arrow: 10x faster)."""
    if dates.isna().any():
        return dates.dt.date
    days = pa.array(dates.to_numpy().astype("datetime64[D]"))
    return pd.Series(days.to_pandas(date_as_object=True).to_numpy(), index=dates.index, dtype="object")


def segments_export(analysis: Analysis) -> pd.DataFrame:
    """One row per tier (High, Medium, Low) and a final ``All`` row, first column ``tier``."""
    return segments_file(analysis.tiers)


def segments_file(tiers: pd.DataFrame) -> pd.DataFrame:
    """A tier CLV table (``Analysis.tiers``, or the Spark engine's) -> the ``--segments-out`` table."""
    return _rounded(tiers.loc[:, SEGMENT_COLUMNS])


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
    orders = int(analysis.customers["frequency"].sum()) if analysis is not None else np.nan
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
    safe = table.assign(**{c: table[c].map(safe_text) for c in text_columns})
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


DUCKDB_ROWS = 200_000
"""From this many customers on, ``write_customers_csv`` has DuckDB write the file."""


def write_customers_csv(customers: pd.DataFrame, path: Path, duckdb_rows: int = DUCKDB_ROWS) -> None:
    """``to_csv(customers_file(customers))`` into the file ``path``: the same bytes, written faster when large.

    For the command line's ``--customers-out`` at millions of customers: ordering,
    formatting and joining 15 columns in pandas and Arrow run on one core and
    took most of the time after the scoring (2.9 s for 2M customers). From
    ``duckdb_rows`` customers on, DuckDB orders and writes them on every core,
    with this module's rules spelled in SQL (``_customers_sql``); a table with a
    value those rules leave to Python (a float that needs an exponent, text that
    is not text) is written the usual way. Raises OSError as ``Path.write_bytes`` does.
    """
    table = _customers_arrow(customers) if len(customers) >= duckdb_rows else None
    if table is None:
        path.write_bytes(to_csv(customers_file(customers)))
        return
    import duckdb  # here, not at the top: only large tables need it

    with path.open("wb"):  # the OSError write_bytes would raise, before DuckDB touches the file
        pass
    con = duckdb.connect(config={"preserve_insertion_order": True})
    try:
        con.register("customers", table)
        con.execute(f"COPY ({_customers_sql(table.schema)}) TO '{_sql_path(path)}' {_COPY_CSV}")
    finally:
        con.close()


def _customers_arrow(customers: pd.DataFrame) -> pa.Table | None:
    """The ``customers_file`` columns as Arrow, unsorted, with each row's place in the file (``position``);
    None for a table with values only the Python writer formats as pandas does."""
    order = _best_first(customers)
    position = np.empty(len(order), dtype="int64")
    position[order] = np.arange(len(order))
    table = _rounded(customers.loc[:, CUSTOMER_COLUMNS])
    columns = {}
    try:
        for name in CUSTOMER_COLUMNS:
            column = table[name]
            if pd.api.types.is_datetime64_dtype(column.dtype):
                columns[name] = pa.array(column.to_numpy().astype("datetime64[D]"), type=pa.date32(),
                                         from_pandas=True)
            elif column.dtype == np.float64:
                money = column.to_numpy()
                if _exponent_sized(money).any():
                    return None  # numpy writes these with an exponent, and DuckDB otherwise
                columns[name] = pa.array(money, from_pandas=True)
            elif pd.api.types.is_integer_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
                columns[name] = pa.array(column.to_numpy(dtype="int64"))
            else:  # text (Arrow's own, Python's, or categories of it), or nothing at all
                values = pa.array(column, from_pandas=True)
                kind = values.type.value_type if pa.types.is_dictionary(values.type) else values.type
                if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind)):
                    return None
                columns[name] = pc.cast(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None
    return pa.table({**columns, "position": position})


def _customers_sql(schema: pa.Schema) -> str:
    """The query that gives each CSV field as ``to_csv`` writes it, in file order: text defused, then
    quoted where Python's csv writer quotes; floats as DuckDB writes them (the shortest digits that read
    back, ``150.0``: numpy's own for the values ``_customers_arrow`` lets through); whole numbers and
    dates as they are; missing values empty (the COPY never quotes)."""
    defused, fields = [], []
    for field in schema:
        name = f'"{field.name}"'
        if pa.types.is_string(field.type):
            defused.append(f"{_defused_sql(name)} AS {name}")
            fields.append(f"{_quoted_sql(name)} AS {name}")
        else:
            defused.append(name)
            if field.name != "position":
                fields.append(name)
    return f"SELECT {', '.join(fields)} FROM (SELECT {', '.join(defused)} FROM customers) ORDER BY position"


def _defused_sql(text: str) -> str:
    """SQL for ``safe_text`` of a text column: a leading ``'`` where it would start a formula."""
    return f"CASE WHEN regexp_matches({text}, '{_FORMULA}') THEN chr(39) || {text} ELSE {text} END"


def _quoted_sql(text: str) -> str:
    """SQL for ``_csv_field`` of a (defused) text column: quoted where Python's csv writer quotes."""
    special = " OR ".join(f"contains({text}, chr({ord(c)}))" for c in _QUOTED_CHARACTERS)
    return f"CASE WHEN {special} THEN chr(34) || replace({text}, chr(34), chr(34) || chr(34)) || chr(34) ELSE {text} END"


_COPY_CSV = "(FORMAT csv, HEADER, DELIMITER ',', QUOTE '', ESCAPE '', NEW_LINE '\\n')"
"""DuckDB's COPY options that write each field as the query gives it (the query quotes)."""

_SCORE_RUN = CUSTOMER_COLUMNS[CUSTOMER_COLUMNS.index("r"):CUSTOMER_COLUMNS.index("segment") + 1]
"""r, f, m, rfm_score, rfm_code, tier, segment: side by side in the customer file, and all set by the RFM cell."""


def copy_scored_customers(con, customers: str, tier_cuts: tuple[int, int], path: Path) -> None:
    """Scored customers in DuckDB -> the ``--customers-out`` file, the bytes ``to_csv(customers_file(...))`` gives.

    For an engine whose customers never leave DuckDB (``clv.duck.Scan``): its
    text is formatted and the rows ordered (best first: ``_best_first``) by
    DuckDB on every core, and no per-customer table is built in Python.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    customers : SQL for a relation with one row per customer: customer, email, name
        (text, NULL where missing), recency_days, frequency, cents (the money in
        whole cents), cell (``9(r-1) + 3(f-1) + (m-1)``), first_order_date and
        last_order_date (DATE). Money below 10^14 cents (``clv.duck.MAX_CENTS``),
        so that no amount is written with an exponent.
    tier_cuts : the tiers' lowest scores, as in ``Settings``
    path : the file to write; an OSError as ``Path.write_bytes`` raises it

    The seven score fields of a row depend on its cell alone: they are written
    here for the 27 cells by ``to_csv`` itself, and looked up for each row as one field.
    """
    cells = rfm_grid(tier_cuts)
    lines = to_csv(cells.loc[:, _SCORE_RUN].assign(tier=cells["tier"].astype("object"))).decode("utf-8").split("\n")
    fields = "[" + ", ".join("'" + line.replace("'", "''") + "'" for line in lines[1:28]) + "]"
    scores = "[" + ", ".join(str(score) for score in cells["rfm_score"]) + "]"
    text = ["customer", "email", "name"]
    columns = [*(f"{_quoted_sql(name)} AS {name}" for name in text), "recency_days", "frequency",
               "CAST(cents AS DOUBLE) / 100 AS monetary", f'fields AS "{",".join(_SCORE_RUN)}"', "first_order_date",
               "last_order_date"]
    rows = (f"SELECT {', '.join(f'{_defused_sql(name)} AS {name}' for name in text)}, customer AS raw, "
            f"* EXCLUDE (customer, email, name), {fields}[cell + 1] AS fields, {scores}[cell + 1] AS rfm_score "
            f"FROM ({customers})")
    with path.open("wb"):  # the OSError write_bytes would raise, before DuckDB touches the file
        pass
    con.execute(f"COPY (SELECT {', '.join(columns)} FROM ({rows}) ORDER BY rfm_score DESC, cents DESC, raw) "
                f"TO '{_sql_path(path)}' {_COPY_CSV}")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def to_excel(analysis: Analysis, report: LoadReport | None = None) -> bytes:
    """The analysis as a workbook: Segments and Customers with tier colours, cut points, data quality."""
    sheets = {
        "Segments": segments_export(analysis),
        "Customers": customers_export(analysis),
        "Cut points": cuts_export(analysis),
    }
    if report is not None:
        sheets["Data quality"] = quality_table(report, analysis)
    return workbook(sheets)


def workbook(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Tables -> an .xlsx, one sheet each in order: text as text (never a formula), tier cells coloured.

    For a filtered customer list: ``workbook({"Customers": rows_of_customers_export})``.
    """
    from openpyxl import Workbook  # here: only a workbook needs openpyxl, and it takes 0.1 s to import

    book = Workbook(write_only=True)
    for title, table in sheets.items():
        _sheet(book, title, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@functools.lru_cache(maxsize=1)
def _styles():
    """The tier fills and the header font (built once, when a workbook is first written)."""
    from openpyxl.styles import Font, PatternFill

    return {tier: PatternFill("solid", fgColor=colour.lstrip("#")) for tier, colour in TIER_COLOURS.items()}, Font(
        bold=True
    )


def _sheet(book, title: str, table: pd.DataFrame) -> None:
    from openpyxl.cell import WriteOnlyCell

    sheet = book.create_sheet(title)
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = _styles()[1]
        header.append(cell)
    sheet.append(header)
    tier_at = list(table.columns).index("tier") if "tier" in table.columns else None
    for values in table.itertuples(index=False, name=None):
        sheet.append(list(_cells(sheet, values, tier_at)))


def _cells(sheet, values: Iterable[object], tier_at: int | None):
    """Write-only cells: text stays text (never a formula), blanks stay blank."""
    from openpyxl.cell import WriteOnlyCell

    fills = _styles()[0]
    for position, value in enumerate(values):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            value = None
        elif isinstance(value, np.generic):
            value = value.item()
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        if position == tier_at and value in fills:
            cell.fill = fills[value]
        yield cell
