"""``python -m clv ORDERS``: the analysis for scripts and cron jobs.

Prints the tier table, the cut points and the data-quality summary; writes the
same CSV files as the dashboard's downloads; ``--predict`` fits the
predicted-value models (``clv.predict``) and adds their columns to the files.
Bad input gets one line on stderr that says what to do, and exit status 2;
never a traceback (set ``CLV_DEBUG=1`` to see one for a bug).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from pathlib import Path
from typing import Callable

import pandas as pd

from clv.analysis import Analysis, analyze
from clv.columns import parse_mapping
from clv.engine import ORDERS, Engine
from clv.errors import ColumnsError, OrdersError
from clv.export import (
    cuts_export, customers_export, model_export, quality_table, segments_export, to_csv, to_excel,
)
from clv.predict import Fit, prediction_fit, prediction_inputs, prediction_table
from clv.read import read_into_engine
from clv.report import LoadReport, empty_exclusions
from clv.settings import METHODS, Settings

TIER_SUMMARY = ["tier", "customers", "share_customers", "orders", "revenue", "aov", "purchase_frequency",
                "annual_customer_value", "clv", "max_cpc", "ltv_cac"]
"""The tier table's columns the command line prints (the files have them all)."""
EXIT_BAD_INPUT = 2
EXIT_BUG = 70
ENGINES = ("auto", "duckdb", "pandas", "spark")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m clv",
        description="RFM scores (1-3), High/Medium/Low tiers and customer lifetime value from a store's order export.",
        epilog="Example: python -m clv orders_export.csv --window-days 365 --segments-out segments.csv",
    )
    parser.add_argument("orders", help="order export: CSV (comma, semicolon or tab), .xlsx or .parquet")
    parser.add_argument("--method", choices=METHODS, default="quantile",
                        help="quantile: thirds of the customers (default); range: thirds of the value range")
    parser.add_argument("--window-days", default="365", metavar="N|all",
                        help="days back from the as-of date that count (default 365), or 'all' for all history")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day to look back from (default: latest order date)")
    parser.add_argument("--lifespan-years", type=float, default=3.0, help="expected customer lifespan (default 3)")
    parser.add_argument("--lifespan-from-churn", action="store_true",
                        help="estimate the lifespan as 1 / annual churn rate instead")
    parser.add_argument("--margin", type=float, default=1.0, help="gross margin as a fraction (default 1.0)")
    parser.add_argument("--tiers", default="5,7", metavar="MEDIUM,HIGH",
                        help="lowest RFM score of the Medium and the High tier (default 5,7)")
    parser.add_argument("--map", metavar="ROLE=COLUMN,...",
                        help="name the columns yourself, e.g. customer=Email,order=Name,date=Created at,amount=Total")
    parser.add_argument("--date-order", choices=["auto", "month-first", "day-first"], default="auto",
                        help="how to read dates like 03/04/2026 when the file cannot tell (default auto)")
    parser.add_argument("--engine", choices=ENGINES, default="auto",
                        help="how the file is read; the analysis runs in DuckDB, or in Spark with spark. auto "
                             "(default): DuckDB reads a plain UTF-8 CSV (ISO dates, plain amounts, no status or "
                             "currency columns) itself, the general loader every other file; duckdb: only DuckDB's "
                             "reader, an error for other files; pandas: always the general loader; spark: Apache "
                             "Spark for a path or table in a data lake or warehouse "
                             "(pip install -r requirements-spark.txt)")
    parser.add_argument("--cac", type=float, help="customer acquisition cost, if you know it")
    parser.add_argument("--marketing-spend", type=float, help="marketing spend over a period (CAC = spend / new)")
    parser.add_argument("--new-customers", type=int, help="new customers won in that period")
    parser.add_argument("--conversion-rate", type=float, default=0.02,
                        help="share of ad clicks that buy, for the maximum cost per click (default 0.02)")
    parser.add_argument("--customers-out", type=Path, metavar="PATH", help="write one row per customer (CSV)")
    parser.add_argument("--segments-out", type=Path, metavar="PATH", help="write one row per tier and All (CSV)")
    parser.add_argument("--cuts-out", type=Path, metavar="PATH", help="write the cut points used (CSV)")
    parser.add_argument("--excel-out", type=Path, metavar="PATH", help="write a workbook with every table (.xlsx)")
    parser.add_argument("--report-out", type=Path, metavar="PATH",
                        help="write a report to share (.html): one file that opens in any browser, with no server "
                             "or network, charts included")
    parser.add_argument("--report-customers", action="store_true",
                        help="put the customer list (names and e-mails) in the report; left out by default")
    parser.add_argument("--predict", action="store_true",
                        help="fit the BG/NBD and Gamma-Gamma models and add p_alive, expected_orders, "
                             "expected_order_value and predicted_clv to --customers-out, their means and sums to "
                             "--segments-out")
    parser.add_argument("--horizon-days", type=int, default=365, metavar="N",
                        help="days ahead that expected orders and predicted value cover (default 365)")
    parser.add_argument("--model-out", type=Path, metavar="PATH",
                        help="with --predict: write the fitted models' parameters (CSV: model,parameter,value)")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """The parsed flags -> one Settings (raises OrdersError on values that make no sense)."""
    window = args.window_days.strip().lower()
    if window not in ("all", "") and not window.isdigit():
        raise OrdersError(f"--window-days takes a whole number of days or 'all', not {args.window_days!r}.")
    try:
        medium, high = (int(part) for part in args.tiers.split(","))
    except ValueError:
        raise OrdersError(f"--tiers takes two scores like 5,7 (Medium from 5, High from 7), not {args.tiers!r}.")
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        raise OrdersError(f"--as-of takes a date like 2026-06-30, not {args.as_of!r}.")
    return Settings(
        window_days=None if window in ("all", "") else int(window),
        as_of=as_of,
        method=args.method,
        tier_cuts=(medium, high),
        lifespan_years=args.lifespan_years,
        lifespan_from_churn=args.lifespan_from_churn,
        margin=args.margin,
        marketing_spend=args.marketing_spend,
        new_customers=args.new_customers,
        cac=args.cac,
        conversion_rate=args.conversion_rate,
        horizon_days=args.horizon_days,
    )


def run(args: argparse.Namespace) -> str:
    """Do the work the flags ask for; return the text to print."""
    settings = settings_from(args)
    if args.model_out is not None and not args.predict:
        raise OrdersError("--model-out writes the fit that --predict makes: add --predict.")
    mapping = parse_mapping(args.map) if args.map else None
    report, engine = _orders(args, mapping)
    analysis = analyze(engine, settings)
    fit = predicted = None
    if args.predict:  # before any file is written: data too thin to fit stops the run with nothing half done
        inputs = prediction_inputs(engine, analysis.window.as_of)
        fit = prediction_fit(inputs)
        predicted = prediction_table(fit, inputs, analysis.customers["customer"], settings.horizon_days,
                                     settings.margin)
    outputs = {
        args.customers_out: lambda: to_csv(customers_export(analysis, predicted)),
        args.segments_out: lambda: to_csv(segments_export(analysis, predicted)),
        args.cuts_out: lambda: to_csv(cuts_export(analysis)),
        args.excel_out: lambda: to_excel(analysis, report, source=Path(args.orders).name),
        args.report_out: lambda: _report(analysis, report, Path(args.orders).name, args.report_customers),
        args.model_out: lambda: to_csv(model_export(fit)),
    }
    for target, content in outputs.items():
        if target is not None:
            _write(target, content)
    return render(report, analysis, fit, predicted)


def _orders(args: argparse.Namespace, mapping) -> tuple[LoadReport, Engine]:
    """The orders the flags name -> how they were read, and an engine holding them as canonical orders."""
    if args.engine == "spark":
        return _spark_orders(args.orders, mapping)
    path = Path(args.orders)
    if not path.is_file():
        raise OrdersError(f"No file at {path}: give the path of an order export (CSV, .xlsx or .parquet).")
    read = read_into_engine(path, mapping=mapping, date_order=args.date_order,
                            reader={"auto": "auto", "duckdb": "duckdb", "pandas": "loader"}[args.engine])
    return read.report, read.engine


def _spark_orders(source: str, mapping) -> tuple[LoadReport, Engine]:
    """A path or table for Spark (``clv.spark``) -> a report of what was read, and the Spark engine.

    The session takes its master from ``spark-submit`` (or runs locally).
    """
    try:
        from pyspark.sql import SparkSession

        from clv.spark import read_orders_spark, spark_engine
    except ImportError:
        raise OrdersError("--engine spark needs PySpark: pip install -r requirements-spark.txt (and Java 17+).")
    spark = SparkSession.builder.appName("clv").getOrCreate()
    rows = read_orders_spark(spark, source, mapping)
    engine = spark_engine(rows)
    counted = engine.fetch(f"SELECT CAST(sum(rows) AS BIGINT) AS rows, CAST(sum(cents) AS BIGINT) AS cents, "
                           f"min(day) AS first, max(day) AS last FROM {ORDERS}").to_pylist()[0]
    report = LoadReport(
        source_format="Spark table", columns={role: role for role in rows.columns}, rows_read=counted["rows"] or 0,
        revenue_read=(counted["cents"] or 0) / 100, excluded=empty_exclusions(),
        first_date=pd.Timestamp(counted["first"]) if counted["first"] else None,
        last_date=pd.Timestamp(counted["last"]) if counted["last"] else None,
    )
    return report, engine


def _report(analysis: Analysis, report: LoadReport, source: str, customers: bool) -> bytes:
    """The HTML report (``clv.share``), as UTF-8."""
    from clv.share import report_html  # here, not at the top: only a report needs Plotly (0.3 s to import)

    return report_html(analysis, report, source=source, customers=customers).encode("utf-8")


def _write(target: Path, content: Callable[[], bytes]) -> None:
    """The file's content written to ``target``; an unwritable place said in one line."""
    try:
        target.write_bytes(content())
    except OSError as error:
        raise OrdersError(f"Could not write {target}: {error.strerror}. Choose a folder you can write to.")


def render(report, analysis, fit: Fit | None = None, predicted: pd.DataFrame | None = None) -> str:
    """The tier table, cut points, data-quality summary and warnings as plain text; with a fit and the
    customers' predictions (``--predict``), the predicted value per tier after the tiers."""
    window = analysis.window
    span = "all history" if window.all_history else f"{window.length_days} days"
    lines = [
        f"{report.source_format}: {report.rows_read:,} rows read{_span(report)}; columns used: "
        + ", ".join(f"{role}={column}" for role, column in report.columns.items()),
        f"Window: {window.first_day.date()} to {window.as_of.date()} ({span}); "
        f"method: {analysis.settings.method}; lifespan {analysis.lifespan_years:.2f} years "
        f"({analysis.lifespan_source}); margin {analysis.settings.margin:.0%}",
        "",
        "Tiers",
        _text(segments_export(analysis)[TIER_SUMMARY]),
        *(_predicted_lines(analysis, fit, predicted) if fit is not None else []),
        "",
        f"Cut points ({analysis.settings.method}: the values customers with each score have)",
        _text(_cut_ranges(cuts_export(analysis))),
        "",
        "Data quality (every row of the file)",
        _text(quality_table(report, analysis)),
    ]
    warnings = tuple(report.warnings) + analysis.warnings
    if warnings:
        lines += ["", "Warnings", *(f"- {w}" for w in warnings)]
    return "\n".join(lines)


def _predicted_lines(analysis, fit: Fit, predicted: pd.DataFrame) -> list[str]:
    """The fit in one line each model, and per tier what the customers scored are expected to bring."""
    purchases, spend = fit.purchases, fit.spend
    table = segments_export(analysis, predicted)
    return [
        "",
        f"Predicted, next {analysis.settings.horizon_days} days (fitted on every counted order to "
        f"{fit.as_of.date()}; means per customer, orders summed)",
        f"  BG/NBD on {purchases.customers:,} customers: r {purchases.r:.4g}, alpha {purchases.alpha:.4g} days, "
        f"a {purchases.a:.4g}, b {purchases.b:.4g}; log-likelihood {purchases.log_likelihood:,.1f}",
        f"  Gamma-Gamma on {spend.customers:,} repeat customers: p {spend.p:.4g}, q {spend.q:.4g}, "
        f"gamma {spend.gamma:.4g}; log-likelihood {spend.log_likelihood:,.1f}",
        _text(table[["tier", "customers", "p_alive", "expected_orders", "predicted_clv"]]),
    ]


def _span(report: LoadReport) -> str:
    """ ", orders from 2023-01-01 to 2025-12-31" (the whole file), or nothing when no date was read."""
    if report.first_date is None:
        return ""
    return f", orders from {report.first_date.date()} to {report.last_date.date()}"


def _cut_ranges(cuts: pd.DataFrame) -> pd.DataFrame:
    """Cut points as 'lower - upper' in each variable's own unit (days, orders, money)."""
    money = cuts["variable"] == "monetary"
    bound = {
        side: cuts[side].map(lambda v: "-" if pd.isna(v) else f"{v:,.2f}").where(
            money, cuts[side].map(lambda v: "-" if pd.isna(v) else f"{v:,.0f}")
        )
        for side in ("lower", "upper")
    }
    ranges = cuts.assign(values=bound["lower"] + " to " + bound["upper"])
    return ranges.loc[:, ["variable", "score", "customers", "values"]]


def _text(table: pd.DataFrame) -> str:
    return table.to_string(index=False, na_rep="-", float_format=lambda x: f"{x:,.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        print(run(args))
    except OrdersError as error:
        # The core's message names the fix in words fit for the app too; the flag is this command's own.
        how = ""
        if isinstance(error, ColumnsError):
            how = " The column map: --map customer=COLUMN,date=COLUMN,amount=COLUMN."
        print(f"error: {error}{how}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("error: the file is too large for this machine's memory.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # a bug: say so briefly; the traceback only on request
        if os.environ.get("CLV_DEBUG"):
            traceback.print_exc()
        print(f"error: unexpected {type(error).__name__}: {error}. Set CLV_DEBUG=1 to see details, "
              "and please report it.", file=sys.stderr)
        return EXIT_BUG
    return 0
