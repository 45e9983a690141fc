"""Orders on Apache Spark, for order tables that live in a data lake or warehouse.

    read_orders_spark(spark, source, mapping=None) -> order rows (Spark DataFrame)
    spark_engine(rows) -> a ``clv.engine.SparkEngine`` holding the canonical orders
    clv.analysis.analyze(engine, settings) -> the Analysis, as on DuckDB

Only the reading is Spark's own. The method is the one ``clv.rfm`` and
``clv.retention`` write in SQL, transpiled to Spark SQL by SQLGlot
(``clv.engine.SparkEngine``), so every rule (window, contacts, both scoring
methods, tiers, segments, lifetime value, retention) is the same text on both
engines; ``tests/test_method.py`` runs the hand-worked fixture on both.

How it scales: every per-customer table stays in the cluster (cached, memory
then disk). A quantile score needs two order statistics per variable, found
from the count of each distinct value with a running count over the distinct
values only (days, orders per customer, cents): the one step that runs in a
single task, over at most as many rows as there are distinct amounts in cents.
The lifetime values come from 27 per-cell sums. What reaches the driver: those
small tables, and the customer list when the caller asks for it
(``Analysis.customers``; the command line's ``--customers-out``).

What differs from the embedded engine's reading
-----------------------------------------------
- Input: typed tables, not store exports. ``read_orders_spark`` casts the
  columns it is told about; it knows no export layouts, refunds or statuses.
  Rows without a customer or a readable date are left out, and an amount that
  is blank or unreadable counts as 0; unlike the loader, nothing counts them for
  a data-quality report.
- An order's customer is the smallest non-blank customer among its rows (the
  loader takes the first in file order; a Spark table has no file order), and
  likewise its e-mail and name. Its date is the earliest row date, its amount
  the sum of its rows, rounded to whole cents once (half to even, as numpy).

Running it
----------
Install ``requirements-spark.txt`` (pyspark; Java 17 or 21). Locally::

    from pyspark.sql import SparkSession
    from clv.analysis import analyze
    from clv.settings import Settings
    from clv.spark import read_orders_spark, spark_engine
    spark = SparkSession.builder.master("local[*]").getOrCreate()
    rows = read_orders_spark(spark, "s3://shop/orders/", mapping={"customer": "customer_id"})
    analysis = analyze(spark_engine(rows), Settings(window_days=365))
    analysis.tiers, analysis.customers

On a cluster, ship the package with the job::

    zip -r clv.zip clv
    spark-submit --master yarn --py-files clv.zip job.py     # job.py holds the lines above

``--py-files`` puts the package on the driver wherever it runs, including
``--deploy-mode cluster``. Everything here is Spark SQL, with no Python UDFs,
so executors run no Python of ours; the driver needs numpy, pandas and pyarrow
(requirements.txt).

On Databricks, add the repository as a Git folder (Repos) or install it as a
library (a wheel, or ``%pip install`` from the repository), then call the same
two functions in a notebook with the cluster's ``spark``; a Unity Catalog table
is read by name: ``read_orders_spark(spark, "main.shop.orders")``. Delta tables
by path need the Delta reader (built in on Databricks; ``delta-spark`` elsewhere).

The command line's ``python -m clv PATH --engine spark`` calls
``read_orders_spark(spark, PATH, mapping)``, ``spark_engine`` and ``analyze``.

This module imports pyspark only inside its functions, so that the rest of
the package, and its doctests, run without it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Mapping

from clv.columns import detect_columns
from clv.engine import ORDERS, SparkEngine
from clv.errors import OrdersError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ROLES = ("customer", "order", "date", "amount", "email", "name")
"""Columns ``read_orders_spark`` can take; customer, date and amount are required."""

_FORMATS = {".csv": "csv", ".csv.gz": "csv", ".parquet": "parquet", ".pq": "parquet"}

def read_orders_spark(
    spark: SparkSession,
    source: str,
    mapping: Mapping[str, str] | None = None,
    *,
    format: str | None = None,  # noqa: A002 - the word Spark's readers use
    options: Mapping[str, str] | None = None,
) -> DataFrame:
    """A Parquet/CSV/Delta path or a table name -> canonical orders as a Spark DataFrame.

    Parameters
    ----------
    spark : SparkSession
    source : str
        A path (local, ``s3://``, ``abfss://``, ``dbfs:/``...) to a CSV or Parquet
        file or folder, or a Delta folder, or a table name (``db.orders``,
        ``catalog.schema.orders``), read with ``spark.table``.
    mapping : role -> column, optional
        For roles in ``ROLES`` whose column is not named after the role; the
        other roles are found by name, case-insensitively.
    format : {"csv", "parquet", "delta", "table"}, optional
        When the source does not tell: a path ending in ``.csv``/``.parquet`` does,
        a folder with ``_delta_log`` is Delta, any other folder is Parquet, and a
        name with no slash and no extension is a table.
    options : reader options, optional
        For CSV: defaults are ``header=true`` and every column read as text.

    Returns
    -------
    DataFrame
        customer (string, trimmed, blank -> null), order (string; each row its
        own order when there is no order column), date (date: the calendar date
        as written, the time dropped; a timestamp column's date in the session
        time zone), amount (double, may be null), plus email
        and name (string) when present. Several rows may share an order; ``spark_engine``
        sums them.

    Raises
    ------
    OrdersError
        When a required column cannot be found, naming the columns there are.
    """
    from pyspark.sql import functions as F

    kind = format or _format_of(source)
    if kind == "table":
        frame = spark.table(source)
    elif kind == "csv":
        frame = spark.read.options(**({"header": "true", "inferSchema": "false"} | dict(options or {}))).csv(source)
    else:
        frame = spark.read.options(**dict(options or {})).format(kind).load(source)

    columns = _find_columns(frame.columns, dict(mapping or {}), source)
    text = {role: F.nullif(F.trim(F.col(column).cast("string")), F.lit("")) for role, column in columns.items()
            if role in ("customer", "order", "email", "name")}
    # no order column: every row is an order (as in clv.load); a blank id is named by spark_engine
    row_named = F.concat(F.lit("row "), F.monotonically_increasing_id().cast("string"))
    order = text.get("order", row_named)
    date = F.col(columns["date"])
    return frame.select(
        text["customer"].alias("customer"),
        order.alias("order"),
        (date if dict(frame.dtypes)[columns["date"]] == "date" else date.try_cast("date")).alias("date"),
        F.col(columns["amount"]).try_cast("double").alias("amount"),
        *(text[role].alias(role) for role in ("email", "name") if role in text),
    )


def _format_of(source: str) -> str:
    lowered = source.lower().rstrip("/")
    for extension, kind in _FORMATS.items():
        if lowered.endswith(extension):
            return kind
    if os.path.isdir(os.path.join(source, "_delta_log")):
        return "delta"
    if "/" in source or "\\" in source or os.path.exists(source):
        return "parquet"
    return "table"


def _find_columns(available: list[str], mapping: dict[str, str], source: str) -> dict[str, str]:
    """role -> column in ``available``: the mapping first, then the loader's header detection
    (``clv.columns.detect_columns``: customer_id, Order Date, total, ... are recognised as in a file)."""
    unknown = sorted(set(mapping) - set(ROLES))
    if unknown:
        raise OrdersError(f"Unknown role {unknown[0]!r} in the column mapping; roles are {', '.join(ROLES)}.")
    missing_mapped = [column for column in mapping.values() if column not in available]
    if missing_mapped:
        raise OrdersError(
            f"{source} has no column {missing_mapped[0]!r}; its columns are {', '.join(available)}."
        )
    detected = detect_columns(available)
    found = {role: mapping.get(role) or detected.get(role) for role in ROLES}
    missing = [role for role in ("customer", "date", "amount") if not found[role]]
    if missing:
        raise OrdersError(
            f"{source} has no {' or '.join(missing)} column; its columns are {', '.join(available)}. "
            f"Name them with a mapping, e.g. {{'{missing[0]}': 'YourColumn'}}."
        )
    return {role: column for role, column in found.items() if column}


def spark_engine(rows: DataFrame) -> SparkEngine:
    """Order rows on Spark (``read_orders_spark``'s columns) -> an engine holding them as canonical orders.

    The orders become the session's temporary view ``orders`` (``clv.engine.ORDERS``),
    cached, one row per order.
    """
    from pyspark import StorageLevel

    _orders(rows).persist(StorageLevel.MEMORY_AND_DISK).createOrReplaceTempView(ORDERS)
    return SparkEngine(rows.sparkSession)


def _orders(orders: DataFrame) -> DataFrame:
    """Rows -> canonical orders: customer (smallest non-blank), day (earliest), cents (sum, rounded once),
    rows, email and name (smallest non-blank; null where the table has no such column).

    Orders with no customer or no date on any row are left out.
    """
    from pyspark.sql import functions as F

    contacts = [(F.min(column) if column in orders.columns else F.lit(None).cast("string")).alias(column)
                for column in ("email", "name")]
    row_named = F.concat(F.lit("row "), F.monotonically_increasing_id().cast("string"))
    return (
        orders.withColumn("order", F.coalesce(F.col("order"), row_named))  # a row without an id is its own order
        .groupBy("order")
        .agg(
            F.min("customer").alias("customer"),
            F.min("date").alias("day"),
            F.bround(F.sum(F.coalesce(F.col("amount"), F.lit(0.0))) * 100, 0).cast("long").alias("cents"),
            F.count(F.lit(1)).alias("rows"),
            *contacts,
        )
        .where(F.col("customer").isNotNull() & F.col("day").isNotNull())
        .select("customer", "day", "cents", "rows", "email", "name")
    )
