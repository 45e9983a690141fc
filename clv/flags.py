"""The command line's flags (``python -m clv --help``).

Without pandas: ``clv/__main__.py`` parses them before it imports the rest, to start reading the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clv.settings import METHODS

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
                        help="auto (default): DuckDB for a plain UTF-8 CSV (ISO dates, plain amounts, no status or "
                             "currency columns), else the general loader; duckdb: only DuckDB, an error for other "
                             "files; pandas: always the general loader; spark: Apache Spark for a path or table "
                             "in a data lake or warehouse (pip install -r requirements-spark.txt)")
    parser.add_argument("--cac", type=float, help="customer acquisition cost, if you know it")
    parser.add_argument("--marketing-spend", type=float, help="marketing spend over a period (CAC = spend / new)")
    parser.add_argument("--new-customers", type=int, help="new customers won in that period")
    parser.add_argument("--conversion-rate", type=float, default=0.02,
                        help="share of ad clicks that buy, for the maximum cost per click (default 0.02)")
    parser.add_argument("--customers-out", type=Path, metavar="PATH", help="write one row per customer (CSV)")
    parser.add_argument("--segments-out", type=Path, metavar="PATH", help="write one row per tier and All (CSV)")
    parser.add_argument("--cuts-out", type=Path, metavar="PATH", help="write the cut points used (CSV)")
    parser.add_argument("--excel-out", type=Path, metavar="PATH", help="write a workbook with every table (.xlsx)")
    return parser
