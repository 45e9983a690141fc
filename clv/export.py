"""The files a store owner takes away: customer list, segment table, cut points, workbook.

The command line's ``--customers-out`` / ``--segments-out`` and the dashboard's
downloads are the same tables from the same functions, so they cannot differ.
Files are safe to open in a spreadsheet: a text cell that would start a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return) gets a leading ``'`` in CSV and is
written as text in Excel; numbers stay numbers.
"""

from __future__ import annotations

import io
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from clv.analysis import Analysis
from clv.report import LoadReport, empty_exclusions
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
    """One row per customer, best first (highest RFM score, then most money)."""
    return _rounded(
        analysis.customers.sort_values(["rfm_score", "monetary", "customer"], ascending=[False, False, True])
        .loc[:, CUSTOMER_COLUMNS]
        .assign(
            first_order_date=lambda t: t["first_order_date"].dt.date,
            last_order_date=lambda t: t["last_order_date"].dt.date,
            tier=lambda t: t["tier"].astype("object"),
        )
        .reset_index(drop=True)
    )


def segments_export(analysis: Analysis) -> pd.DataFrame:
    """One row per tier (High, Medium, Low) and a final ``All`` row, first column ``tier``."""
    return _rounded(analysis.tiers.loc[:, SEGMENT_COLUMNS])


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
    """A table -> UTF-8 CSV bytes with formula-like text cells defused."""
    text_columns = [c for c in table.columns if table[c].dtype == object or pd.api.types.is_string_dtype(table[c])]
    safe = table.assign(**{c: table[c].map(safe_text) for c in text_columns})
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8")


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
    book = Workbook(write_only=True)
    for title, table in sheets.items():
        _sheet(book, title, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_FILLS = {tier: PatternFill("solid", fgColor=colour.lstrip("#")) for tier, colour in TIER_COLOURS.items()}
_HEADER_FONT = Font(bold=True)


def _sheet(book: Workbook, title: str, table: pd.DataFrame) -> None:
    sheet = book.create_sheet(title)
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = _HEADER_FONT
        header.append(cell)
    sheet.append(header)
    tier_at = list(table.columns).index("tier") if "tier" in table.columns else None
    for values in table.itertuples(index=False, name=None):
        sheet.append(list(_cells(sheet, values, tier_at)))


def _cells(sheet, values: Iterable[object], tier_at: int | None):
    """Write-only cells: text stays text (never a formula), blanks stay blank."""
    for position, value in enumerate(values):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            value = None
        elif isinstance(value, np.generic):
            value = value.item()
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        if position == tier_at and value in _FILLS:
            cell.fill = _FILLS[value]
        yield cell
