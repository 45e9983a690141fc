"""An orders export -> canonical orders (METHOD.md section 1) and a load report.

    read_orders(source) -> Loaded(orders, report)

``source`` is a CSV (comma, semicolon, tab; gzip-compressed too), an Excel
``.xlsx`` or a Parquet file, as a path, bytes or an open binary file. Known
exports (Shopify, WooCommerce, the UCI Online Retail data sets) are recognised
by their headers; any other table is read by the usual header words, and the
caller can name columns itself. Columns are always found by name, never by
position.

The result has one row per order with columns ``ORDER_COLUMNS`` (customer,
order, date, amount, rows, email, name), and ``accepts_marketing`` where the
file says who agreed to marketing. Every file row ends up either in an
order or in ``report.excluded`` with a reason, so that

    report.rows_read == orders.rows.sum() + report.excluded.rows.sum()
    report.revenue_read == orders.amount.sum() + report.excluded.revenue.sum()  (to the cent)

Rules this module adds where METHOD.md is silent are written next to the data
tables below and in the docstring of ``read_orders``.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Mapping, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from clv.columns import CONSENT_WORDS, KEEP, MAP_HINT, REFUNDED, ColumnPlan, plan_columns, tidy_names
from clv.errors import ColumnsError, OrdersError
from clv.parse import (
    DateOrder,
    ParsedAmounts,
    ParsedDates,
    fold_currencies,
    integer_floats_as_text,
    parse_amounts,
    parse_dates,
)
from clv.reasons import BAD_AMOUNT, BAD_DATE, CANCELLED, NOT_COMPLETED, NO_CUSTOMER, REASONS
from clv.report import ORDER_COLUMNS, Loaded, LoadReport, empty_exclusions, exclusions
from clv.sniff import decode_text, looks_binary, sniff_delimiter

Source = Union[str, os.PathLike, bytes, bytearray, memoryview, IO[bytes]]

# ---------------------------------------------------------------------------
# Public API


def read_orders(
    source: Source,
    *,
    filename: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    date_order: DateOrder = "auto",
) -> Loaded:
    """An orders export -> canonical orders, one row per order, and the load report.

    Parameters
    ----------
    source : path, bytes or binary file-like
        CSV (any of ``, ; tab |``; UTF-8 with or without BOM, cp1252, latin-1,
        UTF-16; gzip-compressed too), ``.xlsx`` (first sheet) or Parquet. The
        kind is told from the content; ``filename`` only names the file.
    mapping : role -> column, optional
        Columns named by the caller for any of ``clv.columns.ROLES``; the others are still
        found by their headers.
    date_order : {"auto", "month-first", "day-first"}
        How to read dates such as ``03/04/2026`` when nothing in the column
        tells; ignored (with a warning) when the column does tell.

    Returns
    -------
    Loaded
        ``orders`` with ``ORDER_COLUMNS`` (customer, order, date, amount, rows,
        email, name) and a ``LoadReport``.

    Raises
    ------
    OrdersError
        For any file that cannot become orders, with a message saying what to do.

    Notes
    -----
    Per row the customer is the customer id (``0`` is a guest), else the
    e-mail (trimmed, lower-cased), else the billing name. A guest row whose
    e-mail also appears with a customer id is given that id. Order ids and
    customer ids are text; with no order id column each row is an order named
    by its row number (1 = first data row), and a blank order id is named
    ``row N``. Rows of an order make one order: its amount is their sum, its
    date the earliest, its customer the first non-blank one.

    The amount is, in this order of preference: a net column (``Net Sales``);
    a subtotal (for a WooCommerce export, minus the discount); a total minus
    the shipping and tax columns present; another amount column; quantity x
    unit price. A Shopify ``Refunded Amount`` is taken off the order but never
    below 0 (what is refunded beyond the products was shipping or tax), and a
    fully refunded order (status ``refunded``) has amount 0.

    An order is excluded, first reason that applies: cancelled (Shopify
    ``Cancelled at`` set, status cancelled or voided), not completed (status
    table above), no customer on any row, no readable date on any row. A row
    whose amount is not blank but unreadable is excluded by itself
    (``unreadable amount``, 0 orders, revenue unknown so 0); when no readable
    amount is left in its order, the whole order goes with it (1 order).
    """
    table = read_table(source, filename=filename)
    if table.empty:
        raise OrdersError(
            "The file has column headers but no rows of orders. Export a period that contains orders."
        )
    plan = plan_columns(list(table.columns), dict(mapping or {}))
    return _orders(table, plan, date_order)


def read_table(source: Source, filename: str | None = None) -> pd.DataFrame:
    """A file -> its table as text: every column str, blanks as ``""``, fully blank rows dropped.

    For a preview before any column is interpreted. Raises ``OrdersError`` for
    empty, unreadable or binary files.
    """
    data, name = _bytes_of(source, filename)
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                data = unzipped.read(MAX_UNZIPPED_BYTES + 1)
        except (OSError, EOFError, zlib.error) as error:
            raise OrdersError(f"{name} is a damaged .gz file ({error}). Export it again.") from None
        if len(data) > MAX_UNZIPPED_BYTES:
            raise OrdersError(
                f"{name} unzips to more than {MAX_UNZIPPED_BYTES >> 30} GiB. Split the export, "
                "or run the command line on a machine with room for it."
            )
    if not data.strip():
        raise OrdersError(f"{name} is empty. Export the orders again and upload the CSV or Excel file.")
    if data[:4] == b"PK\x03\x04":
        frame = _read_excel(data, name)
    elif data[:4] == b"PAR1":
        frame = _read_parquet(data, name)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise OrdersError(f"{name} is an old Excel .xls file. Open it in Excel and save it as .xlsx or CSV.")
    else:
        frame = _read_csv(data, name)
    if frame.columns.empty:
        raise OrdersError(f"{name} is empty. Export the orders again and upload the CSV or Excel file.")
    return _tidy(frame)


# ---------------------------------------------------------------------------
# Reading files


def _bytes_of(source: Source, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), filename or "The file"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise OrdersError(f"There is no file at {path}. Check the path and try again.")
        return path.read_bytes(), filename or path.name
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read()
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return data, filename or Path(str(getattr(source, "name", "") or "The file")).name
    raise OrdersError(f"Cannot read orders from a {type(source).__name__}; give a file path, bytes or an open file.")


MAX_UNZIPPED_BYTES = 1 << 30
"""An .xlsx is a zip: past 1 GiB unzipped (or 200x its size), it is a zip bomb, not a sales export."""
MAX_ZIP_RATIO = 200


def _check_workbook(data: bytes, name: str) -> None:
    """Refuse a workbook that would unzip to far more than any real export (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        return  # openpyxl will say it is not a workbook
    if unzipped > MAX_UNZIPPED_BYTES or unzipped > MAX_ZIP_RATIO * max(len(data), 1 << 20):
        raise OrdersError(
            f"{name} would unzip to {unzipped / 2**20:,.0f} MB, far more than an order export; it was not opened. "
            "Save the sheet as CSV and upload that."
        )


def _read_excel(data: bytes, name: str) -> pd.DataFrame:
    _check_workbook(data, name)
    try:
        return pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=str, keep_default_na=False, engine="openpyxl")
    except Exception as error:  # openpyxl raises many kinds for a zip that is not a workbook
        raise OrdersError(
            f"{name} is a zip archive but not an Excel .xlsx workbook ({type(error).__name__}). "
            "Unzip it and upload the CSV inside, or save the sheet as .xlsx."
        ) from None


def _read_parquet(data: bytes, name: str) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as error:  # pyarrow's errors for a damaged file vary
        raise OrdersError(
            f"{name} looks like Parquet but cannot be read ({type(error).__name__}). Export it again."
        ) from None
    return pd.DataFrame({column: frame[column].astype("str") for column in frame.columns})


def _read_csv(data: bytes, name: str) -> pd.DataFrame:
    text = decode_text(data)
    if looks_binary(text):
        raise OrdersError(
            f"{name} is not a table this tool can read. Upload the orders as CSV, Excel .xlsx or Parquet."
        )
    delimiter = sniff_delimiter(text)
    try:
        return _read_csv_fast(text, delimiter)
    except Exception:  # pyarrow is strict (ragged rows): let pandas' reader try and explain
        pass
    try:
        with warnings.catch_warnings():
            # Fields beyond the header's columns have no name, so no role: they are ignored.
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            return pd.read_csv(
                io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_filter=False, index_col=False
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        detail = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise OrdersError(
            f"{name} cannot be read as a table ({detail}). Check that every row has as many fields as the header."
        ) from None


def _read_csv_fast(text: str, delimiter: str) -> pd.DataFrame:
    """pyarrow's reader, much faster than pandas' (``bench/results.md``); the header is its first row."""
    width = len(next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    table = pacsv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={f"f{i}": pa.string() for i in range(width)}, strings_can_be_null=False
        ),
    )
    frame = table.to_pandas()
    header = [str(value) for value in frame.iloc[0]]
    return frame.iloc[1:].set_axis(header, axis=1)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with unique, trimmed names (``tidy_names``); blanks as ""; fully blank rows dropped."""
    names = tidy_names(frame.columns)
    text = frame.set_axis(names, axis=1).astype("str").fillna("")
    filled = (text != "").any(axis=1) if len(text.columns) else pd.Series(False, index=text.index)
    return text[filled].reset_index(drop=True)


# ---------------------------------------------------------------------------
# Rows -> orders


def _blank_to_na(texts: pd.Series) -> pd.Series:
    stripped = texts.str.strip()
    return stripped.mask(stripped == "")


def _first_in_order(order: pd.Series, present: pd.Series) -> pd.Series:
    """True on the first row of each order where ``present`` holds."""
    return present & ~order.where(present).duplicated()


def _orders(table: pd.DataFrame, plan: ColumnPlan, date_order: DateOrder) -> Loaded:
    """File rows (text) -> one row per order kept, and the report of everything read."""
    notes: list[str] = []
    order = _order_ids(table, plan)
    customer, email, name = _customers(table, plan)
    amounts = _amounts(table, plan, order)
    dates = parse_dates(table[plan.date], date_order=date_order, decimal_comma=amounts.decimal_comma)
    if dates.values.isna().all():
        raise ColumnsError(
            f"No date in column {plan.date!r} could be read (e.g. {_example(table[plan.date])!r}). "
            "Expected dates like 2026-05-10, 05/10/2026 or 10 May 2026; if another column holds the order date, "
            f"name it as the date column {MAP_HINT}."
        )
    notes += _date_notes(dates, plan.date)

    bad, refund = amounts.bad, pd.Series(0.0, index=table.index)
    if plan.refund:
        refunds = parse_amounts(table[plan.refund])
        refund = refunds.values.where(_first_in_order(order, ~refunds.blank & ~refunds.bad), 0.0)
        bad = bad | refunds.bad
    action, unknown = _status_actions(table, plan)
    if unknown:
        notes.append(f"Statuses not in the status table were counted as sales: {', '.join(unknown)}.")
    cancelled = _blank_to_na(table[plan.cancelled]).notna() if plan.cancelled else False

    currencies = set(amounts.currencies)
    if plan.currency:
        currencies |= set(_blank_to_na(table[plan.currency]).dropna().str.upper().unique())
    currencies = fold_currencies(currencies)
    if len(currencies) > 1:
        notes.append(f"Several currencies in one file ({', '.join(currencies)}): amounts are added as they are.")

    consent = {}
    if plan.accepts_marketing:
        consent["accepts_marketing"], unclear = _consent(table[plan.accepts_marketing])
        if unclear:
            notes.append(f"Some rows of {plan.accepts_marketing!r} say neither yes nor no (e.g. {unclear!r}): "
                         "they do not tell whether the customer agreed to marketing.")

    rows = pd.DataFrame(
        {
            "order": order,
            "customer": customer,
            "email": email,
            "name": name,
            "date": dates.values,
            "amount": amounts.values.where(~bad, 0.0),
            "bad": bad,
            "valued": ~amounts.blank & ~bad,
            "refund": refund,
            "action": action,
            "cancelled": cancelled,
            **consent,
        }
    )
    per_order = _per_order(rows)
    if per_order["customer"].isna().all():
        raise ColumnsError(
            f"No row has a customer in {plan.columns()['customer']}. If another column says who bought, "
            f"name it as the customer column {MAP_HINT}."
        )
    kept = per_order["reason"] == ""
    orders = (
        per_order[kept]
        .reset_index()
        .assign(amount=lambda frame: frame["net"], rows=lambda frame: frame["good_rows"])
        .astype({"customer": "str", "order": "str", "amount": "float64", "rows": "int64", "email": "str",
                 "name": "str"})
        [ORDER_COLUMNS + list(consent)]
    )
    excluded = _exclusion_table(
        per_order.loc[~kept, ["reason", "good_rows", "net"]].rename(columns={"good_rows": "rows", "net": "amount"}),
        stray_bad_rows=int(per_order["bad_rows"].where(per_order["reason"] != BAD_AMOUNT, 0).sum()),
    )
    report = LoadReport(
        source_format=plan.source_format,
        columns=plan.columns(),
        rows_read=len(table),
        revenue_read=round(float(per_order["net"].sum()), 2),
        excluded=excluded,
        date_order=dates.order,
        date_order_ambiguous=dates.ambiguous,
        currencies=currencies,
        warnings=tuple(notes),
        first_date=_or_none(per_order["date"].min()),
        last_date=_or_none(per_order["date"].max()),
    )
    return Loaded(orders=orders, report=report)


def _or_none(day: object) -> pd.Timestamp | None:
    return None if pd.isna(day) else pd.Timestamp(day)


def _per_order(rows: pd.DataFrame) -> pd.DataFrame:
    """File rows -> one row per order with its net amount and its exclusion reason ("" when kept).

    ``good_rows`` are the rows that go with the order; its other rows (unreadable
    amounts) are counted apart, unless no readable amount is left, in which case
    the whole order is excluded for its unreadable amount.
    """
    consent = {"accepts_marketing": ("accepts_marketing", "first")} if "accepts_marketing" in rows.columns else {}
    per_order = rows.groupby("order", sort=False).agg(
        customer=("customer", "first"),
        email=("email", "first"),
        name=("name", "first"),
        **consent,
        date=("date", "min"),
        gross=("amount", "sum"),
        refund=("refund", "sum"),
        all_rows=("order", "size"),
        bad_rows=("bad", "sum"),
        valued=("valued", "any"),
        action=("action", "first"),
        cancelled=("cancelled", "any"),
    )
    # A refund comes off the products, never below 0: beyond that it refunded shipping or tax.
    net = per_order["gross"] - np.minimum(per_order["refund"], per_order["gross"].clip(lower=0))
    net = net.where(per_order["action"] != REFUNDED, 0.0)
    only_bad = (per_order["bad_rows"] > 0) & ~per_order["valued"]
    reason = np.select(
        [
            only_bad,
            per_order["cancelled"] | (per_order["action"] == CANCELLED),
            per_order["action"] == NOT_COMPLETED,
            per_order["customer"].isna(),
            per_order["date"].isna(),
        ],
        [BAD_AMOUNT, CANCELLED, NOT_COMPLETED, NO_CUSTOMER, BAD_DATE],
        default="",
    )
    good_rows = per_order["all_rows"] - per_order["bad_rows"].where(~only_bad, 0)
    return per_order.assign(net=net, reason=reason, good_rows=good_rows)


def _status_actions(table: pd.DataFrame, plan: ColumnPlan) -> tuple[pd.Series, list[str]]:
    """Per row: what the status table says (NA where the status is blank), and the statuses it does not know."""
    if not plan.status:
        return pd.Series(KEEP, index=table.index), []
    statuses = (
        _blank_to_na(table[plan.status])
        .str.lower()
        .str.replace(r"^wc-", "", regex=True)
        .str.replace(r"[\s_]+", "-", regex=True)
    )
    action = statuses.map(plan.layout.statuses)
    unknown = statuses.notna() & action.isna()
    return action.mask(unknown, KEEP), sorted(statuses[unknown].unique())


def _consent(texts: pd.Series) -> tuple[pd.Series, str | None]:
    """A marketing consent column -> per row True (agreed), False (did not) or NA (blank, or a word not in
    ``CONSENT_WORDS``), and one of the words it did not know (None when it knew them all)."""
    words = _blank_to_na(texts).str.lower().str.replace(r"[_-]+", " ", regex=True)
    agreed = words.map(CONSENT_WORDS).astype("boolean")
    unclear = words.notna() & agreed.isna()
    return agreed, (str(_blank_to_na(texts)[unclear].iloc[0]) if unclear.any() else None)


def _order_ids(table: pd.DataFrame, plan: ColumnPlan) -> pd.Series:
    def numbers() -> pd.Series:
        return pd.Series(np.arange(1, len(table) + 1), index=table.index).astype("str")

    if not plan.order:
        return numbers()
    ids = _blank_to_na(integer_floats_as_text(table[plan.order]))
    return ids.fillna("row " + numbers()) if ids.isna().any() else ids


def _customers(table: pd.DataFrame, plan: ColumnPlan) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per row: customer (id, else e-mail, else name), e-mail and name, NA where blank."""
    missing = pd.Series(np.nan, index=table.index, dtype="str")
    email = _blank_to_na(table[plan.email]).str.lower() if plan.email else missing
    if plan.name:
        name = _blank_to_na(table[plan.name])
    elif plan.first_name or plan.last_name:
        parts = [table[column].str.strip() for column in (plan.first_name, plan.last_name) if column]
        name = _blank_to_na(parts[0].str.cat(parts[1:], sep=" ") if len(parts) > 1 else parts[0])
    else:
        name = missing
    if not plan.customer:
        return email.fillna(name), email, name

    ids = _blank_to_na(integer_floats_as_text(table[plan.customer]))
    ids = ids.mask(ids == "0")  # WooCommerce writes 0 for a guest
    ids = ids.where(~ids.str.contains("@", regex=False, na=False), ids.str.lower())
    if plan.email and plan.customer != plan.email:
        # A guest whose e-mail also comes with a customer id is that customer.
        known = pd.DataFrame({"email": email, "id": ids}).dropna().drop_duplicates("email").set_index("email")["id"]
        ids = ids.fillna(email.map(known).astype(ids.dtype))  # all-missing maps to floats
    return ids.fillna(email).fillna(name), email, name


@dataclass(frozen=True)
class _RowAmounts:
    """Per row: the amount (NA where blank or unreadable), whether it was blank or unreadable."""

    values: pd.Series
    blank: pd.Series
    bad: pd.Series
    decimal_comma: bool
    currencies: frozenset[str]


def _amounts(table: pd.DataFrame, plan: ColumnPlan, order: pd.Series) -> _RowAmounts:
    """The plan's amount columns -> one amount per row (order totals counted on one row of their order)."""
    if plan.terms:
        parsed = [(sign, parse_amounts(table[column])) for sign, column in plan.terms]
        value = sum(sign * amounts.values.fillna(0.0) for sign, amounts in parsed)
        blank = np.logical_and.reduce([amounts.blank for _, amounts in parsed])
        bad = np.logical_or.reduce([amounts.bad for _, amounts in parsed])
        everything: list[ParsedAmounts] = [amounts for _, amounts in parsed]
    else:
        quantity, price = parse_amounts(table[plan.quantity]), parse_amounts(table[plan.price])
        value = quantity.values.fillna(0.0) * price.values.fillna(0.0)
        blank, bad = quantity.blank | price.blank, quantity.bad | price.bad
        everything = [price, quantity]
    value, blank, bad = (pd.Series(part, index=table.index) for part in (value, blank, bad))

    if bad.any() and not (~blank & ~bad).any():
        column = plan.terms[0][1] if plan.terms else plan.price
        raise ColumnsError(
            f"No amount in column {column!r} could be read (e.g. {_example(table[column])!r}). "
            f"If another column holds the order amount, name it as the amount column {MAP_HINT}."
        )
    if plan.amount_per_order:
        repeated = ~blank & ~_first_in_order(order, ~blank)
        value, blank, bad = value.mask(repeated, 0.0), blank | repeated, bad & ~repeated
    return _RowAmounts(
        values=value.where(~bad),
        blank=blank,
        bad=bad,
        decimal_comma=everything[0].decimal_comma,
        currencies=frozenset().union(*(amounts.currencies for amounts in everything)),
    )


def _example(texts: pd.Series) -> str:
    filled = _blank_to_na(texts).dropna()
    return str(filled.iloc[0]) if len(filled) else ""


def _date_notes(dates: ParsedDates, column: str) -> list[str]:
    if dates.overridden:
        return [
            f"Dates in {column!r} can only be read {dates.order} (a number above 12 says so); "
            f"the requested {dates.overridden} reading was not used."
        ]
    if not dates.ambiguous:
        return []
    other = "day-first" if dates.order == "month-first" else "month-first"
    example = f" (e.g. {dates.example})" if dates.example else ""
    return [
        f"Dates in {column!r} could be day-first or month-first{example}; they were read {dates.order}. "
        f"If that is wrong, read them {other} (the app's date order switch, or the command line's date order option)."
    ]


def _exclusion_table(excluded_orders: pd.DataFrame, stray_bad_rows: int) -> pd.DataFrame:
    """Excluded orders plus unreadable-amount rows of kept orders -> rows, orders, revenue per reason."""
    table = (exclusions(excluded_orders) if len(excluded_orders) else empty_exclusions()).astype({"reason": "str"})
    if not stray_bad_rows:
        return table
    if BAD_AMOUNT in set(table["reason"]):
        rows = table["rows"].where(table["reason"] != BAD_AMOUNT, table["rows"] + stray_bad_rows)
        return table.assign(rows=rows.astype("int64"))
    extra = pd.DataFrame({"reason": [BAD_AMOUNT], "rows": [stray_bad_rows], "orders": [0], "revenue": [0.0]})
    combined = pd.concat([table, extra], ignore_index=True)
    rank = combined["reason"].map({reason: i for i, reason in enumerate(REASONS)})
    return (
        combined.assign(_rank=rank)
        .sort_values("_rank", kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
        .astype({"reason": "str", "rows": "int64", "orders": "int64", "revenue": "float64"})
    )
